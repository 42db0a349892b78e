"""The `ogi` command as a user runs it, on real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import sqlite_utils

from conftest import gold_for, number_paths, samples
from ogi import load


def ogi(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "ogi.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_parse_prints_the_report_as_json():
    sample = samples()[2]
    result = ogi("parse", sample)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    gold = gold_for(sample)
    assert report["agency"] == gold["agency"] == "四平市铁西区人力资源和社会保障局"
    assert report["region"] == gold["region"]
    assert number_paths(report) == number_paths(gold)
    where = report["provenance"]["active"]["centralized_procurement"]["procurement_amount_yuan"]
    assert where["raw"] == "100万" and report["active"]["centralized_procurement"]["procurement_amount_yuan"] == 1_000_000
    assert where["line"] == 91


def test_parse_rejects_a_file_that_is_not_a_report(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("会议纪要\n今天开会。\n", encoding="utf-8")
    result = ogi("parse", note)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "note.txt" in lines[0] and "tables" in lines[0]


def test_parse_names_an_unknown_format_and_a_missing_file(tmp_path):
    odd = tmp_path / "report.xyz"
    odd.write_bytes(b"\x00\x01")
    result = ogi("parse", odd)
    assert result.returncode == 1 and "cannot read .xyz files" in result.stderr
    result = ogi("parse", tmp_path / "absent.txt")
    assert result.returncode == 1 and "no such file" in result.stderr


def test_build_records_every_file_and_survives_bad_ones(tmp_path):
    inputs = tmp_path / "in"
    (inputs / "nested").mkdir(parents=True)
    for sample in samples():
        shutil.copy(sample, inputs / sample.name)
    shutil.copy(samples()[0], inputs / "nested" / "copy-of-000.txt")
    (inputs / "not-a-report.txt").write_text("这是一份通知。\n", encoding="utf-8")
    (inputs / "latin1.txt").write_bytes("caf\xe9 \xff\xfe\xfd".encode("latin-1"))
    (inputs / "budget.xlsx").write_bytes(b"PK\x03\x04")
    db_path = tmp_path / "out" / "test.db"

    result = ogi("build", inputs, "--db", db_path)
    assert result.returncode == 0, result.stderr
    assert "9 files" in result.stdout and "5 reports" in result.stdout

    db = sqlite_utils.Database(db_path)
    status = {r["path"]: (r["status"], r["error"]) for r in db["sources"].rows}
    assert len(status) == 9
    assert [p for p, (s, _) in status.items() if s == "parsed"] == [s.name for s in samples()]
    first = samples()[0]
    assert status["nested/copy-of-000.txt"] == ("duplicate", f"same content as {first.name} (source {load._sha256(first)[:16]})")
    assert status["not-a-report.txt"][0] == "error" and "tables" in status["not-a-report.txt"][1]
    assert status["latin1.txt"][0] == "error"
    assert status["budget.xlsx"] == ("unsupported", "no reader for .xlsx files")
    assert db["reports"].count == 5


def test_build_defaults_to_the_bundled_samples(tmp_path):
    result = ogi("build", "--db", tmp_path / "x.db", "-q")
    assert result.returncode == 0, result.stderr
    assert "5 files (5 parsed); 5 reports" in result.stdout
