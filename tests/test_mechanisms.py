"""The general mechanisms, each on the smallest input that shows it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ogi import vocabulary
from ogi.align import align, best_matches, fill_gaps, similarity, template_variants
from ogi.check import appeal_checks, request_checks
from ogi.locate import NotAReport, find_title, heading_part
from ogi.mapping import find_metrics, map_requests
from ogi.model import Cell, Location, Row, Section
from ogi.mapping import Mapped
from ogi.printed_rows import printed_rows
from ogi.read.plaintext import rows_from_text
from ogi.region import resolve
from ogi.text import label_key, parse_number


@pytest.mark.parametrize(
    "printed, value, unit",
    [("0", 0, None), (" 12 ", 12, None), ("-6052", -6052, None), ("－2", -2, None), ("１２３", 123, None),
     ("1,234", 1234, None), ("7.88万元", Decimal("7.88"), "万元"), ("100万", 100, "万"), ("6659425.34 元", Decimal("6659425.34"), "元")],
)
def test_numbers_as_printed(printed, value, unit):
    number = parse_number(printed)
    assert number.value == value and number.unit == unit


def test_notes_inside_cells_keep_the_number():
    number = parse_number("22（其中修订16件）")
    assert number.value == 22 and "修订" in number.note


@pytest.mark.parametrize("text", ["规章", "1.属于国家秘密", "2020年", "第二十条第（一）项", "", "0 0"])
def test_labels_are_not_numbers(text):
    assert parse_number(text) is None


def test_label_keys_ignore_width_punctuation_spaces_and_script():
    assert label_key("（三） 不予公开") == label_key("(三)不予公开")
    assert label_key("一、本年新增政府信息公开申请数量") == label_key("一、本年新收政府信息公开申请数量")
    assert label_key("處理決定數量") == label_key("处理决定数量")


def test_headings_are_recognised_by_what_they_say():
    row = lambda text: Row([Cell(text, Location(line=1))], Location(line=1))
    assert heading_part(row("三、收到和处理政府信息公开申请情况")) == "requests"
    assert heading_part(row("## 二、主动公开政府信息情况")) == "active"
    assert heading_part(row("三、本年度办理结果")) is None  # a row of table 三, same numeral
    assert heading_part(row("四、结转下年度继续办理")) is None


def test_printed_rows_join_wrapped_labels_and_one_cell_per_line_values():
    rows = printed_rows(rows_from_text("其他对外管理服务事\n项\n\n22 -2 69\n\t行政许可\n\t5\n\t0\n\t5\n- 4 -\n"))
    assert [(r.label, [t.raw for t in r.values]) for r in rows] == [
        ("其他对外管理服务事项", ["22", "-2", "69"]),
        ("行政许可", ["5", "0", "5"]),
    ]


def test_a_unit_printed_apart_stays_with_its_number():
    (row,) = printed_rows(rows_from_text("政府集中采购 27 6659425.34 元\n"))
    assert [t.raw for t in row.values] == ["27", "6659425.34 元"]


def test_merged_grid_positions_are_not_blank_cells():
    loc = Location(table=1, row=1, col=1)
    cells = [Cell("行政许可", loc), Cell("", loc, merged=True), Cell("5", loc), Cell("", loc)]
    (row,) = printed_rows([Row(cells, loc)])
    assert [t.kind for t in row.values] == ["number", "blank"]


def test_a_wrapped_number_in_a_grid_cell_is_one_number():
    loc = Location(table=1, row=1, col=1)
    (row,) = printed_rows([Row([Cell("行政许可", loc), Cell("2053\n4", loc)], loc)])
    assert [t.number.value for t in row.values] == [20534]


def test_similarity_finds_the_row_label_at_the_end_of_leftover_text():
    variants = template_variants(("8.属于行政查询事项",))
    assert similarity("执法案卷8.属于行政查询事项", variants) == 1.0
    assert similarity("（三）不予公开1.属于国家秘密", template_variants(("1.属于国家秘密",))) == 1.0
    # an explanation in brackets is optional
    assert similarity("（二）部分公开", template_variants(("（二）部分公开（区分处理的，只计这一情形，不计其他情形）",))) == 1.0


def test_alignment_keeps_order_and_skips_missing_and_extra_rows():
    template = [("a", ("1.属于国家秘密",)), ("b", ("2.其他法律行政法规禁止公开",)), ("c", ("3.危及“三安全一稳定”",))]
    printed = [("1.属于国家秘密", True), ("其中：涉密文件", True), ("3.危及三安全一稳定", True)]
    assert [k for k, _ in align(printed, template)] == ["a", None, "c"]


def test_alignment_tolerates_label_typos():
    template = [(i.key, i.labels) for i in vocabulary.request_rows()]
    (key, score), = align([("2.其他法律行政止公开", True)], template)
    assert key == "withheld.prohibited_by_law" and score >= 0.6


def test_active_items_match_in_any_order():
    items = [(i.key, i.labels) for i in vocabulary.active_items()]
    keys = best_matches([("行政许可", True), ("规章", True), ("行政规范性文件", True)], items)
    assert keys == ["administrative_licensing", "regulations", "normative_documents"]


def test_gap_filling_assigns_unlabelled_rows_by_order_only_when_counts_agree():
    keys = ["a", "b", "c", "d"]
    rows = [("a", 7), ("", 7), ("", 7), ("d", 7)]
    aligned = [("a", 1.0), (None, 0.0), (None, 0.0), ("d", 1.0)]
    assert fill_gaps(rows, aligned, keys, 7) == ["a", "b", "c", "d"]
    rows3 = [("a", 7), ("", 7), ("d", 7)]  # one row for two gaps: order cannot decide
    assert fill_gaps(rows3, [("a", 1.0), (None, 0.0), ("d", 1.0)], keys, 7) == ["a", None, "d"]


def test_metric_headers_are_found_in_wrapped_header_text():
    assert find_metrics("信息内容本年新\n制作数量本年新\n公开数量对外公开总\n数量") == ["made", "published", "total_published"]
    assert find_metrics("信息内容本年处理决定数量") == ["decisions"]
    assert find_metrics("信息内容本年收费金额（单位：万元）") == ["fee_amount_10k_yuan"]


def _requests_section(text: str) -> Section:
    rows = rows_from_text(text)
    return Section("requests", "三、收到和处理政府信息公开申请情况", rows)


TABLE_3 = """一、本年新收政府信息公开申请数量\t5\t0\t0\t0\t0\t0\t5
二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0
（一）予以公开\t3\t0\t0\t0\t0\t0\t3
（二）部分公开\t2\t0\t0\t0\t0\t0\t2
（七）总计\t5\t0\t0\t0\t0\t0\t5
四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0
"""


def test_a_row_that_lost_a_cell_is_placed_where_the_identities_hold():
    out = Mapped()
    # 予以公开 lost its 商业企业 cell: 3 _ 0 0 0 0 3 printed as six cells '3 0 0 0 0 3'.
    map_requests(_requests_section(TABLE_3.replace("（一）予以公开\t3\t0\t0\t0\t0\t0\t3", "（一）予以公开\t3\t0\t0\t0\t0\t3")), out)
    granted = {v.col_key: v for v in out.values if v.row_key == "granted"}
    assert granted["total"].value == 3 and granted["natural_person"].value == 3
    inferred = [v for v in granted.values() if v.inferred]
    assert len(inferred) == 1 and inferred[0].value == 0 and inferred[0].raw is None
    assert any("granted" in w.message for w in out.warnings)


def test_a_stray_value_fills_a_blank_cell_only_when_the_identities_then_hold():
    table = TABLE_3.replace("四、结转下年度继续办理\t0\t0\t0\t0\t0\t0\t0", "四、结转下年度继续办理\t1\t0\t0\t0\t0\t0\t")
    table = table.replace("一、本年新收政府信息公开申请数量\t5", "一、本年新收政府信息公开申请数量\t6").replace("\t0\t0\t0\t0\t0\t5\n二", "\t0\t0\t0\t0\t0\t6\n二")
    out = Mapped()
    map_requests(_requests_section(table.replace("（七）总计", "1\n（七）总计")), out)
    forward = {v.col_key: v for v in out.values if v.row_key == "carried_forward"}
    assert forward["total"].value == 1 and "placed in this blank cell" in forward["total"].note
    out = Mapped()  # the same stray value where no blank cell wants it: left out, reported
    map_requests(_requests_section(TABLE_3.replace("（七）总计", "1\n（七）总计")), out)
    assert all(v.raw != "1" for v in out.values) and any("not placed" in w.message for w in out.warnings)


def test_identities():
    ok = {"new_received": {"natural_person": Decimal(2), "total": Decimal(2)}, "carried_over": {}, "total": {"natural_person": Decimal(2), "total": Decimal(2)},
          "carried_forward": {}, "granted": {"natural_person": Decimal(2), "total": Decimal(2)}}
    assert all(c.ok for c in request_checks(ok))
    broken = {"review": {"upheld": Decimal(10), "corrected": Decimal(1), "total": Decimal(0)}}
    (check,) = appeal_checks(broken)
    assert (check.identity, check.key, check.lhs, check.rhs, check.diff, check.ok) == ("appeals_total", "review", 0, 11, -11, False)


def test_region_from_the_division_table():
    region, agency, warnings = resolve("相山区人力资源和社会保障局")
    assert (region.province, region.city, region.county, warnings) == ("安徽省", "淮北市", "相山区", [])
    region, _, _ = resolve("上海市科委")
    assert (region.province, region.city, region.county) == ("上海市", "上海市", None)


def test_an_ambiguous_county_is_settled_by_the_text_or_left_open():
    region, _, warnings = resolve("铁西区人民政府", "沈阳市铁西区……沈阳")
    assert region.city == "沈阳市" and warnings
    region, _, warnings = resolve("铁西区人民政府", "")
    assert region.city is None and region.county == "铁西区" and "四平市" in warnings[0].message


def test_a_misread_place_name_is_respelled_only_with_evidence():
    region, agency, warnings = resolve("沐阳县人民政府", "", evidence="沭阳县人民政府2025年报告.txt")
    assert (agency, region.city, region.county) == ("沭阳县人民政府", "宿迁市", "沭阳县") and warnings
    region, agency, _ = resolve("沐阳县人民政府", "", evidence="report.txt")
    assert agency == "沐阳县人民政府" and region.province is None


@pytest.mark.parametrize(
    "title, agency, year",
    [
        ("相山区人力资源和社会保障局2019年政府\n信息公开工作年度报告", "相山区人力资源和社会保障局", 2019),
        ("北京市朝阳区人民政府关于2023年度政府信息公开工作的年度报告", "北京市朝阳区人民政府", 2023),
        ("杭州市西湖区人民政府政府信息公开工作2021年度报告", "杭州市西湖区人民政府", 2021),
        ("南京市鼓楼区教育局2020年度政府信息公开年报", "南京市鼓楼区教育局", 2020),
        ("正文\n2024 年上海市科委政府信息公开工作\n年度报告", "上海市科委", 2024),
        ("成都市武侯区财政局\n2021年度政府信息公开工作报告", "成都市武侯区财政局", 2021),
        ("广州市海珠区人力资源和社会保障局\n\n广州市海珠区人力资源和社会保障局 2019年政府信息公开工作年度报告", "广州市海珠区人力资源和社会保障局", 2019),
        ("# 深圳市南山區住房和建設局2023年政府信息公開工作年度報告", "深圳市南山區住房和建設局", 2023),
        # Wrapped inside the agency's name: the line above completes it (the two start with a place name).
        ("西安市雁\n塔区教育局2021年政府信息公开工作年度报告", "西安市雁塔区教育局", 2021),
        ("寿光市农\n业农村局2021年政府信息公开工作年度报告", "寿光市农业农村局", 2021),
        ("西安市雁塔区\n教育局2021年政府信息公开\n工作年度报告", "西安市雁塔区教育局", 2021),
        # The line above is no part of a name that already starts with a place, or is no fragment.
        ("西安市人民政府门户网站\n雁塔区教育局2021年政府信息公开工作年度报告", "雁塔区教育局", 2021),
        ("索引号：11610113-2022-001\n塔区教育局2021年政府信息公开工作年度报告", "塔区教育局", 2021),
    ],
)
def test_title_forms(title, agency, year):
    _, found_agency, found_year = find_title(rows_from_text(title))
    assert (found_agency, found_year) == (agency, year)


def test_a_sentence_that_mentions_a_report_is_not_its_title():
    text = "根据《条例》规定，现将本机关2022年政府信息公开工作年度报告予以公布，如对本报告有疑问请联系办公室。\n"
    with pytest.raises(NotAReport):
        find_title(rows_from_text(text))


def test_headings_numbered_as_parts():
    row = rows_from_text("第三部分 收到和处理政府信息公开申请情况")[0]
    assert heading_part(row) == "requests"


def test_tables_are_found_by_their_rows_when_headings_are_missing(tmp_path):
    from conftest import gold_for, number_paths, samples
    from ogi.parse import as_json, parse_file

    sample = samples()[1]  # tab-separated, 2021 format
    lines = [line for line in sample.read_text(encoding="utf-8").splitlines()
             if not line.startswith(("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议"))]
    headless = tmp_path / sample.name
    headless.write_text("\n".join(lines), encoding="utf-8")
    report = as_json(parse_file(headless))
    assert number_paths(report) == number_paths(gold_for(sample))


@pytest.mark.parametrize(
    "header, cell, metric, value",
    [
        ("采购总金额（万元）", "12.5", "procurement_amount_yuan", Decimal("125000")),
        ("采购总金额", "7.88万元", "procurement_amount_yuan", Decimal("78800")),  # the cell's own unit wins
        ("采购总金额（万元）", "6659425.34 元", "procurement_amount_yuan", Decimal("6659425.34")),
        ("本年收费金额（单位：元）", "3500", "fee_amount_10k_yuan", Decimal("0.35")),
        ("本年收费金额（单位：万元）", "4068.208", "fee_amount_10k_yuan", Decimal("4068.208")),
        ("采购项目数量（个）", "6", "procurement_projects", Decimal("6")),
    ],
)
def test_amounts_in_the_unit_their_header_or_cell_names(header, cell, metric, value):
    from ogi.mapping import Mapped, map_active

    rows = rows_from_text(f"第二十条第（九）项\n信息内容\t{header}\n政府集中采购\t{cell}\n")
    if metric != "procurement_amount_yuan":
        item = "行政事业性收费" if metric.startswith("fee") else "政府集中采购"
        rows = rows_from_text(f"信息内容\t{header}\n{item}\t{cell}\n")
    out = Mapped()
    map_active(Section("active", "二、主动公开政府信息情况", rows), 2021, out)
    (read,) = [v for v in out.values if v.col_key == metric]
    assert read.value == value and read.raw == cell.strip()


def test_agency_in_simplified_with_the_printed_form_kept(tmp_path):
    """A Traditional report: agency in Simplified, agency_printed as printed. A Simplified title
    is never converted (OpenCC would turn the county 乾县 into 干县)."""
    from conftest import gold_for, number_paths, samples
    from ogi.parse import as_json, parse_file
    import opencc

    sample = samples()[1]
    text = sample.read_text(encoding="utf-8")
    traditional = tmp_path / "traditional.txt"
    traditional.write_text(opencc.OpenCC("s2t").convert(text), encoding="utf-8")
    report = as_json(parse_file(traditional))
    gold = gold_for(sample)
    assert report["agency"] == gold["agency"] and report["agency_printed"] == opencc.OpenCC("s2t").convert(gold["agency"]) != gold["agency"]
    assert number_paths(report) == number_paths(gold) and report["region"] == gold["region"]

    qian = tmp_path / "qian.txt"
    qian.write_text(text.replace(gold["agency"], "乾县人民政府", 1), encoding="utf-8")
    report = as_json(parse_file(qian))
    assert report["agency"] == report["agency_printed"] == "乾县人民政府" and report["region"]["county"] == "乾县"
