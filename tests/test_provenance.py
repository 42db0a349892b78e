"""A number's provenance must lead back to the text it was read from."""

from __future__ import annotations

import hashlib

import sqlite_utils

from ogi.cli import sample_reports


def test_raw_text_is_at_the_recorded_line_and_offset(built_db):
    db = sqlite_utils.Database(built_db)
    rows = list(db.query(
        "select sources.path, facts.line, facts.char, facts.raw from facts join sources on sources.id = facts.source_id where facts.raw is not null and facts.raw != ''"
    ))
    assert len(rows) == 850  # 992 facts less 134 blank cells (004) and 8 inferred (003)
    files = {}
    for row in rows:
        lines = files.setdefault(row["path"], (sample_reports() / row["path"]).read_text(encoding="utf-8").splitlines())
        line = lines[row["line"] - 1]
        assert line[row["char"] - 1 :].lstrip().startswith(row["raw"]), row


def test_sources_carry_the_file_hash(built_db):
    db = sqlite_utils.Database(built_db)
    for source in db["sources"].rows:
        data = (sample_reports() / source["path"]).read_bytes()
        assert source["sha256"] == hashlib.sha256(data).hexdigest()
        assert source["bytes"] == len(data)


def test_inferred_values_are_marked_and_explained(built_db):
    db = sqlite_utils.Database(built_db)
    inferred = list(db.query("select * from facts where inferred = 1"))
    # 003 prints six cells for seven columns in the eight （三）不予公开 rows.
    assert len(inferred) == 8
    assert all(r["raw"] is None and "requests_row_total" in r["note"] for r in inferred)
    assert db.execute("select count(*) from warnings where message like 'requests.withheld.%'").fetchone()[0] == 8
