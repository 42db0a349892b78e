"""A number's provenance must lead back to the text it was read from."""

from __future__ import annotations

import hashlib
import re

import sqlite_utils

from conftest import gold_for, number_paths, report_id, samples
from ogi.cli import sample_reports

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# 003 prints six cells for seven columns in the eight （三）不予公开 rows (its gold notes): the
# total of each is not printed but inferred from the row.
SHORT_ROWS = samples()[3]


def inferred_cells() -> set[tuple]:
    return {(report_id(SHORT_ROWS), f"requests.{row}.total") for row in gold_for(SHORT_ROWS)["requests"] if row.startswith("withheld.")}


def test_every_fact_is_printed_blank_or_inferred_where_it_says(built_db):
    """Every fact is one of three: printed (its raw text at its line and offset), a blank cell (an
    empty cell at its line and offset, read as 0) or not printed and inferred; no two facts in one
    place, and together exactly the numbers of the gold files."""
    db = sqlite_utils.Database(built_db)
    facts = list(db.query(
        "select facts.report_id, sources.path, facts.part || '.' || facts.row_key || '.' || facts.col_key as key, "
        "facts.line, facts.char, facts.raw, facts.value, facts.inferred from facts join sources on sources.id = facts.source_id"
    ))
    gold = {(report_id(s), key): value for s in samples() for key, value in number_paths(gold_for(s)).items()}
    assert {(f["report_id"], f["key"]): f["value"] for f in facts} == gold and len(facts) == len(gold)
    files = {s.name: s.read_text(encoding="utf-8").splitlines() for s in samples()}
    printed, blank, inferred = [], [], []
    for fact in facts:
        line = files[fact["path"]][fact["line"] - 1]
        if fact["raw"] is None:
            inferred.append((fact["report_id"], fact["key"]))
            assert fact["inferred"] == 1, fact
        elif fact["raw"] == "":
            blank.append(fact)
            cell = line[fact["char"] - 1 :].split("\t")[0]
            assert cell.strip() == "" and fact["value"] == 0, fact
        else:
            printed.append(fact)
            assert line[fact["char"] - 1 :].lstrip().startswith(fact["raw"]), fact
            assert fact["inferred"] == 0
    assert set(inferred) == inferred_cells() and len(inferred) == len(inferred_cells())
    assert len(printed) + len(blank) + len(inferred) == len(gold)
    # a printed or blank cell is where one cell is: two facts never point at one place
    places = [(f["path"], f["line"], f["char"]) for f in printed + blank]
    assert len(places) == len(set(places))
    # blank cells are printed only by 004 (it prints most rows with only 自然人 and 总计)
    assert {f["path"] for f in blank} == {samples()[4].name}


def test_raw_text_is_at_the_recorded_line_and_offset(built_db):
    db = sqlite_utils.Database(built_db)
    rows = list(db.query(
        "select sources.path, facts.line, facts.char, facts.raw, facts.value from facts join sources on sources.id = facts.source_id where facts.raw is not null and facts.raw != ''"
    ))
    files = {}
    for row in rows:
        lines = files.setdefault(row["path"], (sample_reports() / row["path"]).read_text(encoding="utf-8").splitlines())
        line = lines[row["line"] - 1]
        assert line[row["char"] - 1 :].lstrip().startswith(row["raw"]), row
        # the raw text is the number: a plain number reads as itself
        if NUMBER.fullmatch(row["raw"]):
            assert float(row["raw"]) == row["value"], row
    # two printed numbers never point at one place (how many there are: the test above)
    assert len(rows) == len({(r["path"], r["line"], r["char"]) for r in rows})


def test_sources_carry_the_file_hash(built_db):
    db = sqlite_utils.Database(built_db)
    sources = list(db["sources"].rows)
    assert sorted(s["path"] for s in sources) == sorted(s.name for s in samples())
    for source in sources:
        data = (sample_reports() / source["path"]).read_bytes()
        assert source["sha256"] == hashlib.sha256(data).hexdigest()
        assert source["bytes"] == len(data)


def test_inferred_values_are_marked_and_explained(built_db):
    db = sqlite_utils.Database(built_db)
    inferred = list(db.query("select * from facts where inferred = 1"))
    assert {(r["report_id"], f"{r['part']}.{r['row_key']}.{r['col_key']}") for r in inferred} == inferred_cells()
    assert len(inferred) == len(inferred_cells()) == 8
    assert all(r["raw"] is None and "requests_row_total" in r["note"] for r in inferred)
    # each is on a line that prints one number fewer than the seven columns
    lines = SHORT_ROWS.read_text(encoding="utf-8").splitlines()
    for r in inferred:
        cells = [c.strip() for c in lines[r["line"] - 1].split("\t")]
        assert sum(bool(NUMBER.fullmatch(c)) for c in cells) == 6, r
    warned = {m for (m,) in db.execute("select message from warnings").fetchall()}
    assert {m.split(":")[0] for m in warned if "inferred" in m} == {key.rsplit(".", 1)[0] for _, key in inferred_cells()}
