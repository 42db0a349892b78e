"""The built database: its tables, keys and a few questions a journalist would ask."""

from __future__ import annotations

import csv
import re

import sqlite_utils

from conftest import ROOT, gold_for, identities, number_paths, report_id, samples

ITEMS_CSV = ROOT / "ogi" / "data" / "items.csv"
PARTS = ("overview", "active", "requests", "appeals", "problems", "other")  # 一 … 六 of every report

PUBLIC_TABLES = {"sources", "reports", "facts", "checks", "sections", "warnings", "items"}


def test_public_tables_hold_the_samples(built_db):
    db = sqlite_utils.Database(built_db)
    assert PUBLIC_TABLES <= set(db.table_names())
    # sources and reports: one row per sample, named and identified by the file
    assert sorted((r["file_name"], r["status"], r["id"]) for r in db["sources"].rows) == sorted(
        (s.name, "parsed", report_id(s)) for s in samples())
    assert sorted((r["id"], r["agency"], r["year"], r["format"]) for r in db["reports"].rows) == sorted(
        (report_id(s), g["agency"], g["year"], g["format"]) for s in samples() for g in [gold_for(s)])
    # items: items.csv, line by line
    with ITEMS_CSV.open(encoding="utf-8") as f:
        items = [(r["table"], r["key"], r["label_zh"]) for r in csv.DictReader(f)]
    assert [(r["table_name"], r["key"], r["label_zh"]) for r in db.query("select * from items order by rowid")] == items
    # the trigram index holds the sections' text
    assert "sections_fts" in db.table_names()
    assert db["sections_fts"].count == db["sections"].count


def test_row_counts(built_db):
    db = sqlite_utils.Database(built_db)
    golds = {report_id(s): gold_for(s) for s in samples()}
    expected_facts = sum(len(number_paths(g)) for g in golds.values())  # every number printed (none is / in the samples)
    assert not any(v is None for g in golds.values() for v in number_paths(g).values())
    assert db["sources"].count == db["reports"].count == len(golds)
    assert db["facts"].count == expected_facts
    assert db["sections"].count == len(PARTS) * len(golds)  # six parts in each report
    with ITEMS_CSV.open(encoding="utf-8") as f:
        assert db["items"].count == len(list(csv.DictReader(f)))  # every line of items.csv
    # the tables for people: a row per report, per printed row of table 三 and 二, per appeal group
    for table, part in (("requests_wide", "requests"), ("appeals_wide", "appeals"), ("active_wide", "active")):
        got = dict(db.execute(f"select report_id, count(*) from {table} group by report_id").fetchall())
        assert got == {rid: len(g[part]) for rid, g in golds.items()}, table
    assert db["report_summary"].count == len(golds)
    # a check per identity and key (ogi/check.py), per report; narrative and cross-year checks are
    # held to their own expectations (tests/test_agencies.py)
    got = dict(db.execute("select report_id || ' ' || identity, count(*) from checks "
                          "where identity not like 'narrative%' and identity not like 'cross_year%' group by 1").fetchall())
    want = {}
    for rid, g in golds.items():
        for identity, *_ in identities(g["requests"], g["appeals"]):
            want[f"{rid} {identity}"] = want.get(f"{rid} {identity}", 0) + 1
    assert got == want


def test_foreign_keys_hold(built_db):
    db = sqlite_utils.Database(built_db)
    assert db.execute("pragma foreign_key_check").fetchall() == []
    assert {fk.other_table for fk in db["facts"].foreign_keys} == {"reports", "sources"}


def test_every_fact_equals_gold(built_db):
    db = sqlite_utils.Database(built_db)
    for sample in samples():
        gold = number_paths(gold_for(sample))
        rows = db.query(
            "select part, row_key, col_key, value from facts join reports on reports.id = facts.report_id "
            "join sources on sources.id = reports.source_id where sources.file_name = ?",
            [sample.name],
        )
        got = {f"{r['part']}.{r['row_key']}.{r['col_key']}": r["value"] for r in rows}
        assert got == gold, sample.name


def test_labels_sit_beside_keys(built_db):
    db = sqlite_utils.Database(built_db)
    row = next(db.query("select row_label, col_label from facts where part = 'requests' and row_key = 'withheld.state_secret' and col_key = 'natural_person' limit 1"))
    assert row == {"row_label": "1.属于国家秘密", "col_label": "自然人"}


def test_a_journalists_question(built_db):
    """Which report received most requests? (山东省人力资源和社会保障厅, 159 new in 2019)"""
    db = sqlite_utils.Database(built_db)
    top = list(db.query(
        "select reports.agency, reports.year, facts.value from facts join reports on reports.id = facts.report_id "
        "where part = 'requests' and row_key = 'new_received' and col_key = 'total' order by value desc"
    ))
    golds = [gold_for(s) for s in samples()]
    want = sorted(({"agency": g["agency"], "year": g["year"], "value": g["requests"]["new_received"]["total"]} for g in golds),
                  key=lambda r: -r["value"])
    assert [r["value"] for r in top] == [r["value"] for r in want]
    assert top[0] == want[0] == {"agency": "山东省人力资源和社会保障厅", "year": 2019, "value": 159}


def test_amounts_are_numbers_in_the_metric_unit(built_db):
    db = sqlite_utils.Database(built_db)
    amounts = dict(db.execute(
        "select reports.agency, value from facts join reports on reports.id = facts.report_id where col_key = 'procurement_amount_yuan'"
    ).fetchall())
    assert amounts["广州市海珠区人力资源和社会保障局"] == 78800
    assert amounts["山东省人力资源和社会保障厅"] == 6659425.34
    assert db.execute("select typeof(value) from facts where raw = '7.88万元'").fetchone()[0] == "integer"


def test_regions_and_formats(built_db):
    db = sqlite_utils.Database(built_db)
    rows = {r["agency"] + str(r["year"]): (r["province"], r["city"], r["county"], r["format"]) for r in db["reports"].rows}
    assert rows["相山区人力资源和社会保障局2019"] == ("安徽省", "淮北市", "相山区", "2019")
    assert rows["相山区人力资源和社会保障局2023"] == ("安徽省", "淮北市", "相山区", "2021")
    assert rows["四平市铁西区人力资源和社会保障局2020"] == ("吉林省", "四平市", "铁西区", "2019")
    assert rows["山东省人力资源和社会保障厅2019"] == ("山东省", None, None, "2019")


def test_sections_are_searchable(built_db):
    db = sqlite_utils.Database(built_db)
    for words in ("政务公开目录", "行政复议"):  # words of three characters or more: the trigram index finds them all
        hits = list(db["sections"].search(words, columns=["id", "report_id", "part"]))
        want = {r["id"] for r in db.query("select id, heading, text from sections") if words in re.sub(r"\s", "", r["heading"] + r["text"])}
        assert want and {h["id"] for h in hits} == want, words
    assert {h["part"] for h in db["sections"].search("政务公开目录", columns=["part"])} >= {"overview"}
    got = {(r["report_id"], r["part"]) for r in db.query("select report_id, part from sections")}
    assert got == {(report_id(s), part) for s in samples() for part in PARTS}
