"""The built database: its tables, keys and a few questions a journalist would ask."""

from __future__ import annotations

import sqlite_utils

from conftest import gold_for, number_paths, samples

PUBLIC_TABLES = {"sources", "reports", "facts", "checks", "sections", "warnings", "items"}


def test_public_tables_exist(built_db):
    db = sqlite_utils.Database(built_db)
    assert PUBLIC_TABLES <= set(db.table_names())
    assert "sections_fts" in db.table_names()


def test_row_counts(built_db):
    db = sqlite_utils.Database(built_db)
    expected_facts = sum(len(number_paths(gold_for(s))) for s in samples())
    assert db["sources"].count == 5
    assert db["reports"].count == 5
    assert db["facts"].count == expected_facts == 992
    assert db["sections"].count == 30  # six parts in each report
    assert db["items"].count == 61  # every line of items.csv
    # 23 rows x 7 columns (2019 format) or 25 x 7 (2021 format), 3 appeal groups x 5 outcomes.
    assert db.execute("select count(*) from checks where identity = 'appeals_total'").fetchone()[0] == 15


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
    top = next(db.query(
        "select reports.agency, reports.year, facts.value from facts join reports on reports.id = facts.report_id "
        "where part = 'requests' and row_key = 'new_received' and col_key = 'total' order by value desc limit 1"
    ))
    assert top == {"agency": "山东省人力资源和社会保障厅", "year": 2019, "value": 159}


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
    hits = list(db["sections"].search("政务公开目录", columns=["report_id", "part"]))
    assert {h["part"] for h in hits} >= {"overview"}
    assert db.execute("select count(distinct part) from sections").fetchone()[0] == 6
