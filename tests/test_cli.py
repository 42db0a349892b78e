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
    lines = sample.read_text(encoding="utf-8").splitlines()
    assert [n for n, line in enumerate(lines, 1) if "100万" in line] == [where["line"]]  # the one line that prints it
    assert lines[where["line"] - 1][where["char"] - 1 :].startswith("100万")
    # every value of the JSON points at its raw text
    for part in ("active", "requests", "appeals"):
        for row, cols in report["provenance"][part].items():
            for col, at in cols.items():
                if at["raw"]:
                    assert lines[at["line"] - 1][at["char"] - 1 :].lstrip().startswith(at["raw"]), (part, row, col)


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

    files = sorted(p.relative_to(inputs).as_posix() for p in inputs.rglob("*") if p.is_file())
    result = ogi("build", inputs, "--db", db_path)
    assert result.returncode == 0, result.stderr
    assert f"{len(files)} files" in result.stdout and f"{len(samples())} reports" in result.stdout

    db = sqlite_utils.Database(db_path)
    status = {r["path"]: (r["status"], r["error"]) for r in db["sources"].rows}
    assert sorted(status) == files  # every file a row, and only they
    assert [p for p, (s, _) in status.items() if s == "parsed"] == [s.name for s in samples()]
    first = samples()[0]
    assert status["nested/copy-of-000.txt"] == ("duplicate", f"same content as {first.name} (source {load._sha256(first)[:16]})")
    assert status["not-a-report.txt"][0] == "error" and "tables" in status["not-a-report.txt"][1]
    assert status["latin1.txt"][0] == "error"
    assert status["budget.xlsx"] == ("unsupported", "no reader for .xlsx files")
    # the reports are the samples, value for value
    reports = {r["source_id"]: r for r in db["reports"].rows}
    sources = {r["id"]: r["path"] for r in db["sources"].rows}
    assert sorted(sources[s] for s in reports) == [s.name for s in samples()]
    for sample in samples():
        rid = next(r for r, row in reports.items() if sources[row["source_id"]] == sample.name)
        got = {f"{f['part']}.{f['row_key']}.{f['col_key']}": f["value"] for f in db.query(
            "select part, row_key, col_key, value from facts where report_id = ?", [reports[rid]["id"]])}
        assert got == number_paths(gold_for(sample)), sample.name


def test_build_defaults_to_the_bundled_samples(tmp_path):
    result = ogi("build", "--db", tmp_path / "x.db", "-q")
    assert result.returncode == 0, result.stderr
    n = len(samples())
    assert f"{n} files ({n} parsed); {n} reports" in result.stdout
    db = sqlite_utils.Database(tmp_path / "x.db")
    assert sorted(r["file_name"] for r in db["sources"].rows) == [s.name for s in samples()]
    assert db["facts"].count == sum(len(number_paths(gold_for(s))) for s in samples())
