"""Mapping the tables to keyed values (ogi/mapping.py) where the identities decide, with exact
values. Written for mutants of scripts/mutation.py."""

from __future__ import annotations

from decimal import Decimal

from ogi.mapping import Mapped, map_requests
from ogi.model import Section
from ogi.read.plaintext import rows_from_text

TABLE_3 = """一、本年新收政府信息公开申请数量\t5\t0\t0\t0\t0\t0\t5
二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0
（一）予以公开\t3\t0\t0\t0\t0\t0\t3
（二）部分公开\t2\t0\t0\t0\t0\t0\t2
1
（七）总计\t5\t0\t0\t0\t0\t0\t5
四、结转下年度继续办理\t1\t0\t0\t0\t0\t0\t"""


def _map(text: str) -> Mapped:
    out = Mapped()
    map_requests(Section("requests", "三、收到和处理政府信息公开申请情况", rows_from_text(text)), out)
    return out


def test_a_stray_value_is_not_placed_where_the_identities_only_stay_as_they_were():
    # Placed in the blank 总计 of 结转下年度 it would make that row add up but break the balance
    # of the 总计 column: one identity fixed, one broken. It stays out.
    out = _map(TABLE_3)
    forward = {v.col_key: v for v in out.values if v.row_key == "carried_forward"}
    assert (forward["total"].value, forward["total"].raw, forward["total"].note) == (Decimal(0), "", None)
    assert [w.message for w in out.warnings if "not placed" in w.message] == [
        "requests: value '1' printed outside any row; not placed (no blank cell where it makes the identities hold)"
    ]


# --- table 四 ------------------------------------------------------------------------------------

from ogi.mapping import map_appeals  # noqa: E402
from ogi.model import Location  # noqa: E402

GROUPS = ("review", "litigation_direct", "litigation_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")


def _appeals(text: str) -> Mapped:
    out = Mapped()
    map_appeals(Section("appeals", "四、行政复议、行政诉讼情况", rows_from_text(text)), out)
    return out


def test_table_4_in_one_row_of_fifteen_cells():
    out = _appeals("行政复议\t" + "\t".join(str(n) for n in range(1, 16)))
    assert [(v.row_key, v.col_key, v.value, v.row_label) for v in out.values] == [
        (g, o, Decimal(n), "行政复议") for n, (g, o) in enumerate(((g, o) for g in GROUPS for o in OUTCOMES), start=1)
    ]
    assert out.warnings == []


def test_table_4_spread_over_two_rows():
    out = _appeals("结果\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\n续\t11\t12\t13\t14\t15")
    assert [v.value for v in out.values] == [Decimal(n) for n in range(1, 16)]
    assert {v.row_label for v in out.values} == {"结果"} and out.warnings == []


def test_table_4_with_too_few_cells_is_not_read():
    out = _appeals("结果\t1\t2\t3\t4\t5\t6\t7")
    assert out.values == []
    assert [(w.message, w.loc) for w in out.warnings] == [("appeals: found 7 of 15 cells; table not read", Location(line=1, char=4))]


def test_table_4_with_too_many_cells_reads_the_first_fifteen():
    out = _appeals("结果\t" + "\t".join(str(n) for n in range(1, 17)))
    assert [v.value for v in out.values] == [Decimal(n) for n in range(1, 16)]
    assert [(w.message, w.loc) for w in out.warnings] == [("appeals: 16 cells; read the first 15", Location(line=1, char=4))]


def test_table_4_turned_sideways():
    out = _appeals("行政复议\t1\t0\t0\t0\t1\n未经复议直接起诉\t0\t0\t0\t0\t0\n复议后起诉\t2\t0\t0\t0\t2")
    printed = {"review": ("行政复议", (1, 0, 0, 0, 1)), "litigation_direct": ("未经复议直接起诉", (0, 0, 0, 0, 0)), "litigation_after_review": ("复议后起诉", (2, 0, 0, 0, 2))}
    assert [(v.row_key, v.col_key, v.value, v.row_label) for v in out.values] == [
        (g, o, Decimal(printed[g][1][i]), printed[g][0]) for g in GROUPS for i, o in enumerate(OUTCOMES)
    ]
    assert out.warnings == []


def test_one_group_row_alone_is_not_table_4_sideways():
    out = _appeals("行政复议\t1\t0\t0\t0\t1\n其他\t0\t0\t0\t0\t0")
    assert out.values == [] and [w.message for w in out.warnings] == ["appeals: found 10 of 15 cells; table not read"]


def test_a_cell_lost_from_a_row_is_inferred_with_the_reason():
    out = _map(TABLE_3.replace("（一）予以公开\t3\t0\t0\t0\t0\t0\t3", "（一）予以公开\t3\t0\t0\t0\t0\t3").replace("1\n（七）", "（七）"))
    inferred = [v for v in out.values if v.inferred]
    assert [(v.row_key, v.col_key, v.value, v.raw, v.note) for v in inferred] == [
        ("granted", "other_org", Decimal(0), None, "not printed: the row shows 6 cells for 7 columns; filled from requests_row_total"),
    ]
