"""Table 三 (requests) and table 四 (appeals) read row by row (ogi/mapping.py): the format a
table 三 follows and its template rows, rows assigned by order, rows with too many or too few
cells, rows outside the template, stray values placed only where the identities then hold, and
table 四 in one row, spread over rows, or turned sideways. Exact values, keys and warnings (the
warnings are published with every report). Written for mutants of scripts/mutation.py."""

from __future__ import annotations

from decimal import Decimal

from ogi import vocabulary
from ogi.mapping import Mapped, map_appeals, map_requests
from ogi.model import Location, Section
from ogi.read.plaintext import rows_from_text

COLUMNS = vocabulary.request_columns()
ZEROS = "\t".join(["0"] * 7)
# Group labels printed on a line of their own, before the first row of their group.
GROUPS = {
    "granted": "三、本年度办理结果",
    "withheld.state_secret": "（三）不予公开",
    "unable.not_held": "（四）无法提供",
    "not_processed.petition_complaint": "（五）不予处理",
    "other.no_correction": "（六）其他处理",
}


def table_3(fmt: str = "2021", cells: dict[str, str] | None = None, after: dict[str, str] | None = None, skip: tuple[str, ...] = ()) -> str:
    """Table 三 as text, one line per template row of the format, every cell 0 unless ``cells``
    gives the row's cells (tab-separated); ``after`` adds lines after a row; ``skip`` leaves rows out."""
    cells, after = cells or {}, after or {}
    lines = []
    for item in vocabulary.request_rows():
        if fmt not in item.formats or item.key in skip:
            continue
        if item.key in GROUPS:
            lines.append(GROUPS[item.key])
        lines.append(f"{item.label_zh}\t{cells.get(item.key, ZEROS)}")
        if item.key in after:
            lines.append(after[item.key])
    return "\n".join(lines)


def requests(text: str) -> Mapped:
    out = Mapped()
    map_requests(Section("requests", "三、收到和处理政府信息公开申请情况", rows_from_text(text)), out)
    return out


def said(out: Mapped) -> list[tuple]:
    return [(w.message, w.loc) for w in out.warnings]


def row(out: Mapped, key: str | None) -> list[tuple]:
    return [(v.col_key, v.value, v.raw, v.inferred) for v in out.values if v.row_key == key]


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


# --- table 三: its format and its template rows --------------------------------------------------


def test_a_clean_table_is_read_in_its_format_without_any_warning():
    # The three （六） sub-rows make a 2021 table, the single （六）其他处理 row a 2019 one; a table
    # printing neither has no format of its own. A table printed whole needs no warning at all.
    out = requests(table_3("2021", cells={"new_received": "3\t1\t0\t0\t0\t0\t4", "granted": "3\t1\t0\t0\t0\t0\t4", "total": "3\t1\t0\t0\t0\t0\t4"}))
    assert out.table_formats == {"requests": "2021"}
    assert out.warnings == []
    assert [v.row_key for v in out.values[::7]] == [i.key for i in vocabulary.request_rows() if "2021" in i.formats]
    assert row(out, "granted") == [(c, Decimal(n), str(n), False) for c, n in zip(COLUMNS, (3, 1, 0, 0, 0, 0, 4))]

    out = requests(table_3("2019", cells={"carried_over": "1\t0\t0\t0\t0\t0\t1", "other": "1\t0\t0\t0\t0\t0\t1", "total": "1\t0\t0\t0\t0\t0\t1"}))
    assert out.table_formats == {"requests": "2019"}
    assert out.warnings == []
    assert [v.row_key for v in out.values[::7]] == [i.key for i in vocabulary.request_rows() if "2019" in i.formats]
    assert row(out, "other") == [(c, Decimal(n), str(n), False) for c, n in zip(COLUMNS, (1, 0, 0, 0, 0, 0, 1))]

    out = requests(table_3("2021", skip=("other.no_correction", "other.unpaid_fee", "other.other")).replace("（六）其他处理\n", ""))
    assert out.table_formats == {} and out.warnings == []
    assert "other" not in {v.row_key for v in out.values}


def test_a_2019_table_never_takes_rows_of_the_2021_template():
    # Three unlabelled rows of numbers after （六）其他处理 in a 2019 table are not the three 2021
    # sub-rows of （六）: they are kept as rows outside the template, each said.
    text = table_3("2019", after={"other": "\n".join(["1\t0\t0\t0\t0\t0\t1"] * 3)})
    out = requests(text)
    assert out.table_formats == {"requests": "2019"}
    assert not any(v.row_key and v.row_key.startswith("other.") for v in out.values)
    assert row(out, None) == [(c, Decimal(n), str(n), False) for c, n in zip(COLUMNS, (1, 0, 0, 0, 0, 0, 1))] * 3
    first = line_of(text, "（六）其他处理") + 1
    assert said(out) == [("requests: printed row not in the template, kept with its own label: ''", Location(line=n, char=1)) for n in range(first, first + 3)]


def test_rows_given_their_key_by_order_are_said_with_the_end_of_their_label():
    # 6. and 7. lost their values and their labels ran into 8.; the two value rows after them
    # have no label. Between the rows labelled 5. and （四）1., three value rows for three template
    # rows: order decides, and each row so keyed is said with the last 30 characters of its label.
    text = table_3(cells={"withheld.process_information": "", "withheld.law_enforcement_files": ""},
                   after={"withheld.administrative_query": "1\t0\t0\t0\t0\t0\t1\n2\t0\t0\t0\t0\t0\t2"})
    text = text.replace("信息\t\n", "信息\n").replace("案卷\t\n", "案卷\n")
    out = requests(text)
    glued = "6.属于四类过程性信息7.属于行政执法案卷8.属于行政查询事项"
    n = line_of(text, "8.")
    assert said(out) == [
        (f"requests.withheld.process_information: assigned by row order between labelled rows (printed label: {glued[-30:]!r})", Location(line=n, char=len("8.属于行政查询事项") + 2)),
        ("requests.withheld.law_enforcement_files: assigned by row order between labelled rows (printed label: '')", Location(line=n + 1, char=1)),
        ("requests.withheld.administrative_query: assigned by row order between labelled rows (printed label: '')", Location(line=n + 2, char=1)),
    ]
    assert len(glued) == 31 and glued[-30:].startswith(".属于")
    assert [(v.row_key, v.value) for v in out.values if v.col_key == "total" and v.row_key.startswith("withheld.")][-3:] == [
        ("withheld.process_information", Decimal(0)), ("withheld.law_enforcement_files", Decimal(1)), ("withheld.administrative_query", Decimal(2)),
    ]


def test_a_row_with_more_than_seven_cells_keeps_the_last_seven():
    # A serial number printed before the seven cells of （一）: the seven that end the row are read.
    text = table_3(cells={"granted": "9\t3\t0\t0\t0\t0\t0\t3"})
    out = requests(text)
    assert row(out, "granted") == [(c, Decimal(n), str(n), False) for c, n in zip(COLUMNS, (3, 0, 0, 0, 0, 0, 3))]
    n = line_of(text, "（一）")
    assert said(out) == [("requests.granted: 8 cells for 7 columns; kept the last 7", Location(line=n, char=len("（一）予以公开") + 2))]


def test_a_row_outside_the_template_with_six_cells_is_a_row_with_five_it_is_stray():
    # Six cells: one lost at most, so it is a row of its own (kept under its label); five or
    # fewer: loose values, each reported (a full table has no blank cell to take them).
    text = table_3(after={"carried_forward": "说明\t1\t0\t0\t0\t0\t1"})
    out = requests(text)
    assert [(v.part, v.col_key, v.value, v.row_label) for v in out.values if v.row_key is None] == [
        ("requests", c, Decimal(n), "说明") for c, n in zip(COLUMNS, (1, 0, 0, 0, 0, 1))
    ]
    assert said(out) == [("requests: printed row not in the template, kept with its own label: '说明'", Location(line=line_of(text, "说明"), char=4))]

    text = table_3(after={"carried_forward": "说明\t1\t0\t0\t7\t1"})
    out = requests(text)
    assert not [v for v in out.values if v.row_key is None]
    n = line_of(text, "说明")
    assert said(out) == [
        (f"requests: value {raw!r} printed outside any row; not placed (no blank cell where it makes the identities hold)", Location(line=n, char=char))
        for raw, char in (("1", 4), ("0", 6), ("0", 8), ("7", 10), ("1", 12))
    ]


# --- table 三: rows that lost cells ----------------------------------------------------------------

LOST = "not printed: the row shows 6 cells for 7 columns; filled from requests_row_total"


def test_a_row_that_lost_a_cell_is_read_where_the_identities_hold_and_said_so():
    # （一） printed 3 1 0 0 0 4: one of its zero cells was lost. Every reading with the lost cell
    # among the zeros gives the same numbers, so there is no doubt to report; the cell taken as
    # lost is marked * in the warning, and nothing else is.
    text = table_3(cells={"new_received": "3\t1\t0\t0\t0\t0\t4", "granted": "3\t1\t0\t0\t0\t4", "total": "3\t1\t0\t0\t0\t0\t4"})
    out = requests(text)
    assert row(out, "granted") == [
        ("natural_person", Decimal(3), "3", False), ("commercial_enterprise", Decimal(1), "1", False),
        *((c, Decimal(0), "0", False) for c in ("research_institution", "social_welfare_org", "legal_service_org")),
        ("other_org", Decimal(0), None, True), ("total", Decimal(4), "4", False),
    ]
    assert [(v.note, v.row_label) for v in out.values if v.inferred] == [(LOST, "（一）予以公开")]
    assert said(out) == [(
        "requests.granted: 6 cells printed for 7 columns; read as natural_person, commercial_enterprise, research_institution, "
        "social_welfare_org, legal_service_org, other_org*, total (* inferred)",
        Location(line=line_of(text, "（一）"), char=len("（一）予以公开") + 2),
    )]


def test_a_row_that_lost_a_cell_two_readings_fit_equally_is_said_to_be_a_choice():
    # 总计 shows 1 natural person and 1 enterprise; （一） printed 0 0 0 0 0 1 lost the 1 of one of
    # them, and neither reading makes every identity hold: the first is taken, and the warning
    # says several fit equally.
    text = table_3(cells={"new_received": "1\t1\t0\t0\t0\t0\t2", "granted": "0\t0\t0\t0\t0\t1", "total": "1\t1\t0\t0\t0\t0\t2"})
    out = requests(text)
    assert row(out, "granted") == [
        ("natural_person", Decimal(0), "0", False), ("commercial_enterprise", Decimal(1), None, True),
        *((c, Decimal(0), "0", False) for c in ("research_institution", "social_welfare_org", "legal_service_org", "other_org")),
        ("total", Decimal(1), "1", False),
    ]
    assert said(out) == [(
        "requests.granted: 6 cells printed for 7 columns; read as natural_person, commercial_enterprise*, research_institution, "
        "social_welfare_org, legal_service_org, other_org, total (* inferred); several readings fit the identities equally, took the first",
        Location(line=line_of(text, "（一）"), char=len("（一）予以公开") + 2),
    )]


def test_a_row_that_lost_a_cell_where_no_total_can_be_inferred_is_read_left_to_right():
    # 0 0 0 0 0 -1: whichever cell was lost, the inferred one would be negative; no reading is
    # possible, so the six cells are read left to right, as printed, and nothing is inferred.
    text = table_3(cells={"carried_over": "0\t0\t0\t0\t0\t-1"})
    out = requests(text)
    assert [(v.part, v.row_key, v.col_key, v.value, v.raw, v.row_label, v.inferred) for v in out.values if v.row_key == "carried_over"] == [
        ("requests", "carried_over", c, Decimal(n), str(n), "二、上年结转政府信息公开申请数量", False) for c, n in zip(COLUMNS, (0, 0, 0, 0, 0, -1))
    ]
    assert said(out) == [(
        "requests.carried_over: 6 cells printed for 7 columns; read as natural_person, commercial_enterprise, research_institution, "
        "social_welfare_org, legal_service_org, other_org (* inferred)",
        Location(line=2, char=len("二、上年结转政府信息公开申请数量") + 2),
    )]


def test_two_rows_that_lost_cells_are_read_together():
    # 本年新收 printed 1 0 0 0 0 3 (its 2 natural persons lost) and 总计 printed 2 0 0 0 0 3 (its 1
    # enterprise lost). Each row's reading is scored with the other row at its own chosen place:
    # only then do the balance and the sum of the results both hold, and each reading is sure.
    text = table_3(cells={"new_received": "1\t0\t0\t0\t0\t3", "granted": "2\t1\t0\t0\t0\t0\t3", "total": "2\t0\t0\t0\t0\t3"})
    out = requests(text)
    for key in ("new_received", "total"):
        assert [(v.col_key, v.value) for v in out.values if v.row_key == key] == [(c, Decimal(n)) for c, n in zip(COLUMNS, (2, 1, 0, 0, 0, 0, 3))]
    assert [(v.row_key, v.col_key) for v in out.values if v.inferred] == [("new_received", "natural_person"), ("total", "commercial_enterprise")]
    rest = "research_institution, social_welfare_org, legal_service_org, other_org, total (* inferred)"
    assert [m for m, _ in said(out)] == [
        f"requests.new_received: 6 cells printed for 7 columns; read as natural_person*, commercial_enterprise, {rest}",
        f"requests.total: 6 cells printed for 7 columns; read as natural_person, commercial_enterprise*, {rest}",
    ]


# --- table 三: values printed apart from any row ----------------------------------------------------

STRAY_TABLE = {
    "new_received": "2\t0\t0\t0\t0\t0\t2",
    "granted": "\t0\t0\t0\t0\t0\t1",
    "partially_granted": "\t0\t0\t0\t0\t0\t1",
    "total": "2\t0\t0\t0\t0\t0\t2",
}
PARTIAL = "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"


def test_a_stray_value_fills_the_first_blank_cell_where_the_identities_then_hold_better():
    # （一） and （二） each print 1 in 总计 and a blank natural person; a lone 1 printed under （二）
    # makes either row add up, equally: it goes to the first such blank cell, the other stays
    # blank (0), and both the cell's note and a warning say where it was printed.
    text = table_3(cells=STRAY_TABLE, after={"partially_granted": "1"})
    out = requests(text)
    n = line_of(text, "1")
    assert [(v.row_key, v.value, v.raw, v.row_label, v.note) for v in out.values if v.col_key == "natural_person" and v.row_key in ("granted", "partially_granted")] == [
        ("granted", Decimal(1), "1", "（一）予以公开", f"printed apart from its row (line {n}:1); placed in this blank cell because the identities then hold"),
        ("partially_granted", Decimal(0), "", PARTIAL, None),
    ]
    assert row(out, "granted") == [("natural_person", Decimal(1), "1", False), *((c, Decimal(0), "0", False) for c in COLUMNS[1:6]), ("total", Decimal(1), "1", False)]
    assert said(out) == [(
        f"requests.granted.natural_person: took the stray value '1' printed at line {n}:1; the cell was blank and the identities hold with it",
        Location(line=n, char=1),
    )]

    # Two values printed apart: each takes the first blank cell where it helps most, in turn.
    text = table_3(cells=STRAY_TABLE, after={"partially_granted": "1\t1"})
    out = requests(text)
    assert [(v.row_key, v.value, v.note) for v in out.values if v.col_key == "natural_person" and v.row_key in ("granted", "partially_granted")] == [
        ("granted", Decimal(1), f"printed apart from its row (line {n}:1); placed in this blank cell because the identities then hold"),
        ("partially_granted", Decimal(1), f"printed apart from its row (line {n}:3); placed in this blank cell because the identities then hold"),
    ]
    assert [w.loc for w in out.warnings] == [Location(line=n, char=1), Location(line=n, char=3)]


def test_a_stray_value_never_replaces_a_printed_cell():
    # （一） prints 0 natural persons where 总计 shows 1; a lone 1 would make the table add up in
    # its place, but a printed cell is what the report says: the 1 is reported, not placed. A
    # '/' printed beside it is not a value and is passed over without a word.
    cells = {**STRAY_TABLE, "granted": "0\t0\t0\t0\t0\t0\t1", "partially_granted": "1\t0\t0\t0\t0\t0\t1"}
    text = table_3(cells=cells, after={"carried_forward": "说明\t/\t1"})
    out = requests(text)
    assert row(out, "granted") == [*((c, Decimal(0), "0", False) for c in COLUMNS[:6]), ("total", Decimal(1), "1", False)]
    n = line_of(text, "说明")
    assert said(out) == [("requests: value '1' printed outside any row; not placed (no blank cell where it makes the identities hold)", Location(line=n, char=6))]


# --- table 四 ----------------------------------------------------------------------------------------

APPEAL_GROUPS = vocabulary.appeal_groups()
OUTCOMES = vocabulary.appeal_outcomes()


def appeals(text: str) -> Mapped:
    out = Mapped()
    map_appeals(Section("appeals", "四、行政复议、行政诉讼情况", rows_from_text(text)), out)
    return out


def read(out: Mapped) -> list[tuple]:
    return [(v.part, v.row_key, v.col_key, v.value, v.raw, v.row_label) for v in out.values]


def in_order(numbers, label: str) -> list[tuple]:
    return [("appeals", g, o, Decimal(n), str(n), label) for (g, o), n in zip(((g, o) for g in APPEAL_GROUPS for o in OUTCOMES), numbers)]


def test_table_4_sideways_with_short_group_names_a_missing_group_or_not_applicable_cells():
    # Sideways: one row per group, five outcomes each. 直接起诉 names 未经复议直接起诉 well enough;
    # a group printed all '/' is read as not applicable; two groups are enough to be table 四.
    out = appeals("行政复议\t1\t0\t0\t0\t1\n直接起诉\t0\t1\t0\t0\t1\n复议后起诉\t/\t/\t/\t/\t/")
    assert read(out) == [
        *(("appeals", "review", o, Decimal(n), str(n), "行政复议") for o, n in zip(OUTCOMES, (1, 0, 0, 0, 1))),
        *(("appeals", "litigation_direct", o, Decimal(n), str(n), "直接起诉") for o, n in zip(OUTCOMES, (0, 1, 0, 0, 1))),
        *(("appeals", "litigation_after_review", o, None, "/", "复议后起诉") for o in OUTCOMES),
    ]
    assert out.warnings == []

    out = appeals("行政复议\t1\t0\t0\t0\t1\n复议后起诉\t0\t0\t1\t0\t1")
    assert read(out) == [
        *(("appeals", "review", o, Decimal(n), str(n), "行政复议") for o, n in zip(OUTCOMES, (1, 0, 0, 0, 1))),
        *(("appeals", "litigation_after_review", o, Decimal(n), str(n), "复议后起诉") for o, n in zip(OUTCOMES, (0, 0, 1, 0, 1))),
    ]
    assert out.warnings == []


def test_table_4_in_a_row_of_fifteen_is_read_whole_before_anything_after_it():
    # A row of all fifteen cells is table 四; rows after it that look like the sideways layout
    # are not read over it.
    out = appeals("合计\t" + "\t".join(str(n) for n in range(1, 16)) + "\n行政复议\t1\t0\t0\t0\t1\n复议后起诉\t0\t0\t1\t0\t1")
    assert read(out) == in_order(range(1, 16), "合计") and out.warnings == []


def test_table_4_over_several_rows_drops_only_the_blanks_around_the_first_row():
    # The first row's blank cells beyond fifteen are layout (a blank column before the values);
    # the cells of the rows that continue it are taken as printed, blanks included, and reading
    # stops as soon as fifteen are found.
    out = appeals("结果\t\t" + "\t".join(str(n) for n in range(1, 16)))
    assert read(out) == in_order(range(1, 16), "结果") and out.warnings == []

    out = appeals("结果\t1\t2\t3\t4\t5\n续\t" + "\t".join(str(n) for n in range(6, 16)) + "\t" * 6)
    assert read(out) == in_order(range(1, 16), "结果")
    assert said(out) == [("appeals: 21 cells; read the first 15", Location(line=1, char=4))]

    out = appeals("结果\t" + "\t".join(str(n) for n in range(1, 11)) + "\n续\t11\t12\t13\t14\t15\n注\t2\t3")
    assert read(out) == in_order(range(1, 16), "结果") and out.warnings == []


def test_the_doubt_is_judged_against_every_row_at_its_final_place():
    # 本年新收 is first scored against 上年结转's first reading; 上年结转 then moves, and against
    # its final place only one reading of 本年新收 makes every identity hold. Publishing "several
    # readings fit" for it would be a false doubt (the values were right either way).
    text = table_3("2021", cells={
        "new_received": "1\t0\t0\t0\t0\t2",
        "carried_over": "0\t1\t0\t0\t1\t3",
        "granted": "0\t0\t0\t1\t0\t1\t2",
        "partial": "0\t0\t0\t0\t0\t1\t1",
        "total": "0\t0\t0\t1\t0\t2\t3",
        "carried_forward": "1\t1\t0\t0\t0\t0\t2",
    })
    out = requests(text)
    warnings = [m for m, _ in said(out) if m.startswith("requests.new_received") or m.startswith("requests.carried_over")]
    assert warnings == [
        "requests.new_received: 6 cells printed for 7 columns; read as natural_person, commercial_enterprise, research_institution, social_welfare_org, legal_service_org, other_org*, total (* inferred)",
        "requests.carried_over: 6 cells printed for 7 columns; read as natural_person, commercial_enterprise, research_institution, social_welfare_org*, legal_service_org, other_org, total (* inferred)",
    ]


def test_a_row_with_one_possible_reading_beside_a_row_with_several():
    # 上年结转 0 0 0 0 0 -1 has one reading only (left to right); 本年新收 1 0 0 0 0 3 is scored with
    # it at that reading, and its lost natural persons are inferred from 总计.
    text = table_3(cells={"carried_over": "0\t0\t0\t0\t0\t-1", "new_received": "1\t0\t0\t0\t0\t3",
                          "granted": "2\t1\t0\t0\t0\t0\t3", "total": "2\t1\t0\t0\t0\t0\t3"})
    out = requests(text)
    assert row(out, "new_received") == [("natural_person", Decimal(2), None, True)] + [
        (c, Decimal(n), str(n), False) for c, n in zip(COLUMNS[1:], (1, 0, 0, 0, 0, 3))
    ]
    assert [v.value for v in out.values if v.row_key == "carried_over"] == [Decimal(n) for n in (0, 0, 0, 0, 0, -1)]
    assert [m for m, _ in said(out)] == [
        "requests.new_received: 6 cells printed for 7 columns; read as natural_person*, commercial_enterprise, research_institution, "
        "social_welfare_org, legal_service_org, other_org, total (* inferred)",
        "requests.carried_over: 6 cells printed for 7 columns; read as natural_person, commercial_enterprise, research_institution, "
        "social_welfare_org, legal_service_org, other_org (* inferred)",
    ]
