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


# --- table 二 ------------------------------------------------------------------------------------

from ogi.mapping import find_metrics, header_units, map_active, map_tables  # noqa: E402
from ogi.model import Document, Parts  # noqa: E402


def _active(text: str, year: int) -> Mapped:
    out = Mapped()
    map_active(Section("active", "二、主动公开政府信息情况", rows_from_text(text)), year, out)
    return out


def _read(out: Mapped) -> list[tuple]:
    return [(v.part, v.row_key, v.col_key, v.value, v.raw, v.row_label, v.note) for v in out.values]


def _said(out: Mapped) -> list[tuple]:
    return [(w.message, w.loc) for w in out.warnings]


NO_HEADER = "规章\t22（其中修订16件）\t2\t3\n行政许可\t5\n合计\t7\t\t8"


def test_table_2_without_headers_reads_the_template_of_the_reports_year():
    # No printed header names the columns: a 2021 report is read with the 2021 template (本年制发
    # 件数 …), an earlier one with the 2019 template; every such choice is said, with where, and a
    # row outside the template is kept under its own label with numbered columns.
    out = _active(NO_HEADER, 2021)
    assert _read(out) == [
        ("active", "regulations", "issued", Decimal(22), "22（其中修订16件）", "规章", "(其中修订16件)"),
        ("active", "regulations", "repealed", Decimal(2), "2", "规章", None),
        ("active", "regulations", "in_force", Decimal(3), "3", "规章", None),
        ("active", "administrative_licensing", "decisions", Decimal(5), "5", "行政许可", None),
        ("active", None, "c1", Decimal(7), "7", "合计", None),
        ("active", None, "c2", Decimal(0), "", "合计", None),
        ("active", None, "c3", Decimal(8), "8", "合计", None),
    ]
    assert _said(out) == [
        ("active.regulations: no column header printed; read as the 2021 template's issued, repealed, in_force", Location(line=1, char=4)),
        ("active.administrative_licensing: no column header printed; read as the 2021 template's decisions", Location(line=2, char=6)),
        ("active: printed row not in the template, kept with its own label: '合计'", Location(line=3, char=4)),
        ("active: format 2021 decided by the year 2021: no printed column header names a template's columns", Location(line=1)),
    ]
    assert out.table_formats == {"active": "2021"}

    out = _active(NO_HEADER, 2020)
    assert [(v.row_key, v.col_key, v.value) for v in out.values if v.row_key] == [
        ("regulations", "made", Decimal(22)),
        ("regulations", "published", Decimal(2)),
        ("regulations", "total_published", Decimal(3)),
        ("administrative_licensing", "items_last_year", Decimal(5)),
    ]
    assert _said(out) == [
        ("active.regulations: no column header printed; read as the 2019 template's made, published, total_published", Location(line=1, char=4)),
        ("active.administrative_licensing: no column header printed; read as the 2019 template's items_last_year, items_change, decisions", Location(line=2, char=6)),
        ("active.administrative_licensing: 1 cells for 3 columns; read left to right", Location(line=2, char=6)),
        ("active: printed row not in the template, kept with its own label: '合计'", Location(line=3, char=4)),
        ("active: format 2019 decided by the year 2020: no printed column header names a template's columns", Location(line=1)),
    ]
    assert out.table_formats == {"active": "2019"}


def test_a_header_of_another_sub_table_decides_the_template_not_the_year():
    # The only header printed is the 2019 one of （一）; the 行政许可 row under it has no header of
    # its own, so it is read with the 2019 template the header shows even in a 2021 report, and
    # the format is not said to come from the year.
    out = _active("信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n行政许可\t4\t5\t6", 2021)
    assert [(v.row_key, v.col_key, v.value) for v in out.values] == [
        ("administrative_licensing", "items_last_year", Decimal(4)),
        ("administrative_licensing", "items_change", Decimal(5)),
        ("administrative_licensing", "decisions", Decimal(6)),
    ]
    assert _said(out) == [
        ("active.administrative_licensing: no column header printed; read as the 2019 template's items_last_year, items_change, decisions", Location(line=2, char=6)),
    ]
    assert out.table_formats == {"active": "2019"}


def test_a_header_at_the_start_of_the_label_names_the_columns_and_their_unit():
    # A header row printed without 信息内容 in front: its first name starts the row's label.
    out = _active("采购总金额（万元）\t采购项目数量\n政府集中采购\t12.5\t3", 2019)
    assert [(v.row_key, v.col_key, v.value, v.raw) for v in out.values] == [
        ("centralized_procurement", "procurement_amount_yuan", Decimal(125000), "12.5"),
        ("centralized_procurement", "procurement_projects", Decimal(3), "3"),
    ]
    assert out.warnings == [] and out.table_formats == {"active": "2019"}
    assert find_metrics("本年制发件数本年废止件数") == ["issued", "repealed"]
    assert header_units("采购总金额（万元）") == {"procurement_amount_yuan": "万元"}


def test_a_metric_named_twice_is_placed_and_unit_read_at_its_first_mention():
    # A header repeated in a label (a page break reprints it) keeps the printed order of first
    # mentions, and the unit printed after the first mention is the one read.
    assert find_metrics("本年制发件数现行有效件数本年制发件数") == ["issued", "in_force"]
    assert header_units("采购总金额（万元）采购项目数量采购总金额") == {"procurement_amount_yuan": "万元"}


def test_the_unit_after_the_whole_metric_name_wins():
    # 本年收费金额（单位：万元） is one name; what follows the whole name is the header's unit, not
    # the 万元 inside the name that follows its shorter form 本年收费金额.
    assert header_units("本年收费金额（单位：万元）（元）") == {"fee_amount_10k_yuan": "元"}
    assert header_units("本年收费金额（单位：万元）") == {"fee_amount_10k_yuan": "万元"}


def test_map_tables_reads_table_2_with_the_reports_year():
    rows = rows_from_text("规章\t1\t2\t3")
    parts = Parts("标题", "机关", 2021, {"active": Section("active", "二、主动公开政府信息情况", rows)}, Document("x.txt", "txt", rows))
    out = map_tables(parts)
    assert [(v.row_key, v.col_key, v.value) for v in out.values] == [
        ("regulations", "issued", Decimal(1)), ("regulations", "repealed", Decimal(2)), ("regulations", "in_force", Decimal(3)),
    ]
    assert out.table_formats == {"active": "2021"}


# --- table 三: rows outside the template, short rows ----------------------------------------------

NEW_RECEIVED = "一、本年新收政府信息公开申请数量\t5\t0\t0\t0\t0\t0\t5"
LONG_LABEL = "其他统计事项说明如下这一行的标签很长很长很长很长很长很长很长很长很长很长很长很长很长很长"


def test_a_row_outside_table_3_keeps_every_cell_beyond_the_seven_columns():
    # Cells past the seven columns are kept as c8, c9 …; the warning quotes the first 40
    # characters of the label.
    out = _map(f"{NEW_RECEIVED}\n{LONG_LABEL}\t1\t2\t3\t4\t5\t6\t7\t8\t9")
    extra = [v for v in out.values if v.row_key is None]
    assert [(v.part, v.col_key, v.value, v.row_label) for v in extra] == [
        ("requests", c, Decimal(n), LONG_LABEL)
        for n, c in enumerate(("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org", "total", "c8", "c9"), start=1)
    ]
    assert _said(out) == [(f"requests: printed row not in the template, kept with its own label: {LONG_LABEL[:40]!r}", Location(line=2, char=46))]


def test_a_lone_value_with_no_table_around_it_is_reported():
    out = _map("说明\t1")
    assert out.values == []
    assert _said(out) == [("requests: value '1' printed outside any row; not placed (no blank cell where it makes the identities hold)", Location(line=1, char=4))]


def _row(out: Mapped, key: str) -> list[tuple]:
    return [(v.col_key, v.value, v.raw, v.inferred) for v in out.values if v.row_key == key]


def test_short_rows_with_a_not_applicable_cell_or_a_negative_sum_are_placed_without_bad_inference():
    # A '/' cell has no number, so the lost cell cannot be computed from the row total: the six
    # printed cells are placed and nothing is inferred.
    out = _map(f"{NEW_RECEIVED}\n二、上年结转政府信息公开申请数量\t/\t0\t0\t0\t0\t0")
    assert _row(out, "carried_over") == [
        ("natural_person", None, "/", False),
        *((c, Decimal(0), "0", False) for c in ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org")),
    ]
    # A misprinted '-1' makes 总计 = the six columns impossible (a negative 总计); that reading is
    # skipped, and the next one (总计 printed, one applicant lost) is still taken.
    out = _map(f"{NEW_RECEIVED}\n二、上年结转政府信息公开申请数量\t-1\t0\t0\t0\t0\t0")
    assert _row(out, "carried_over") == [
        ("natural_person", Decimal(-1), "-1", False),
        *((c, Decimal(0), "0", False) for c in ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org")),
        ("other_org", Decimal(1), None, True),
        ("total", Decimal(0), "0", False),
    ]
    # Five cells: two columns lost, nothing can be inferred.
    out = _map(f"{NEW_RECEIVED}\n二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t1")
    assert not any(v.inferred for v in out.values if v.row_key == "carried_over")
    assert len(_row(out, "carried_over")) == 5
