"""corrections.csv read, checked and applied (ogi/corrections.py), with the exact outcome and
message of every case. Written for mutants of scripts/mutation.py; no build, no database."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from ogi import check, corrections
from ogi.corrections import APPLIED, INVALID, NO_CELL, NO_FILE, NOT_PARSED, UNCHANGED, Correction, Outcome
from ogi.model import Location, Region, Report, Value

HEADER = "sha256,part,row_key,col_key,value,reason,checked_by,checked_on\n"
SHA = "ab" * 32
OTHER = "cd" * 32


def _read(tmp_path, lines: str, header: str = HEADER):
    path = tmp_path / "corrections.csv"
    path.write_text(header + lines, encoding="utf-8")
    return corrections.read(path)


def _line(sha=SHA, part="requests", row="granted", col="total", value="7", reason="p. 3 prints 7", by="wang", on="2026-11-30"):
    return f"{sha},{part},{row},{col},{value},{reason},{by},{on}\n"


def test_a_valid_line_is_a_correction(tmp_path):
    found, invalid = _read(tmp_path, _line(sha=SHA.upper(), value=" 7 ", reason=" p. 3 prints 7 "))
    assert invalid == []
    assert found == [Correction(2, SHA, "requests", "granted", "total", D(7), "7", "p. 3 prints 7", "wang", "2026-11-30")]
    assert found[0].cell == ("requests", "granted", "total")


def test_not_applicable_is_a_value_of_none(tmp_path):
    found, _ = _read(tmp_path, _line(value="/"))
    assert (found[0].value, found[0].value_text) == (None, "/")


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text("\ufeff" + HEADER + _line(), encoding="utf-8")
    found, invalid = corrections.read(path)
    assert len(found) == 1 and invalid == []


def test_a_header_without_every_column_is_refused(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_text("sha256,part,row_key,col_key,value,reason\n", encoding="utf-8")
    with pytest.raises(ValueError) as e:
        corrections.read(path)
    assert str(e.value) == (
        f"{path}: the header must name sha256,part,row_key,col_key,value,reason,checked_by,checked_on "
        "(missing checked_by, checked_on)"
    )
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError):
        corrections.read(path)


@pytest.mark.parametrize(
    "line, problem",
    [
        (_line(reason="", by=" "), "missing reason, checked_by"),
        (_line(sha="ab" * 31), "sha256 must be the file's 64 hex digits"),
        (_line(sha="ab" * 32 + "a"), "sha256 must be the file's 64 hex digits"),
        (_line(sha="zz" * 32), "sha256 must be the file's 64 hex digits"),
        (_line(part="request"), "part must be one of active, requests, appeals"),
        (_line(row="granted_all"), "'granted_all' is not a row of requests (see items.csv)"),
        (_line(part="appeals", row="granted"), "'granted' is not a row of appeals (see items.csv)"),
        (_line(col="all"), "'all' is not a column of requests (see items.csv)"),
        (_line(part="appeals", row="review", col="natural_person"), "'natural_person' is not a column of appeals (see items.csv)"),
        (_line(value="七"), "value '七' is not a plain number (in the key's unit) or /"),
        (_line(value="7万"), "value '7万' is not a plain number (in the key's unit) or /"),
        (_line(value="7（其中修订1件）"), "value '7（其中修订1件）' is not a plain number (in the key's unit) or /"),
        (_line(on="2026-11-3"), "checked_on must be a date, YYYY-MM-DD"),
        (_line(on="30.11.2026"), "checked_on must be a date, YYYY-MM-DD"),
        (_line(on="2026-11-30x"), "checked_on must be a date, YYYY-MM-DD"),
    ],
)
def test_an_invalid_line_says_why(tmp_path, line, problem):
    found, invalid = _read(tmp_path, _line(row="partially_granted") + line)
    assert [c.line for c in found] == [2]
    assert len(invalid) == 1
    outcome = invalid[0]
    assert (outcome.line, outcome.status, outcome.message, outcome.correction) == (3, INVALID, problem, None)
    assert outcome.raw_line["sha256"] == line.split(",")[0].strip()


def test_the_same_cell_corrected_twice_keeps_the_first(tmp_path):
    found, invalid = _read(tmp_path, _line(value="7") + _line(sha=SHA.upper(), value="8") + _line(sha=OTHER, value="9"))
    assert [(c.line, c.sha256, c.value) for c in found] == [(2, SHA, D(7)), (4, OTHER, D(9))]
    assert [(o.line, o.status, o.message) for o in invalid] == [(3, INVALID, "the same cell is corrected on line 2")]


def test_an_invalid_line_does_not_hide_a_later_valid_one_of_the_same_cell(tmp_path):
    found, invalid = _read(tmp_path, _line(on="x") + _line(value="8"))
    assert [(c.line, c.value) for c in found] == [(3, D(8))]
    assert [o.message for o in invalid] == ["checked_on must be a date, YYYY-MM-DD"]


# --- apply -------------------------------------------------------------------------------------


def _value(row, col, value, raw=None):
    return Value("requests", row, col, value, raw if raw is not None else ("" if value is None else str(value)), Location(line=1), row)


def _report(values):
    return Report("r.txt", "title", "某局", "某局", 2023, "2021", {}, Region(), values, check.check(values), {})


def _correction(row, col, value, text=None, line=2, reason="fix"):
    return Correction(line, SHA, "requests", row, col, value, text or ("/" if value is None else str(value)), reason, "wang", "2026-11-30")


def test_a_correction_replaces_the_value_and_keeps_the_reading():
    report = _report([_value("granted", "natural_person", D(5)), _value("granted", "total", D(5))])
    fixed, outcomes = corrections.apply(report, [_correction("granted", "natural_person", D(7), reason="p. 3")])
    v = fixed.values[0]
    assert (v.value, v.raw, v.corrected, v.parsed_value, v.correction) == (D(7), "5", True, D(5), "p. 3")
    assert fixed.values[1] == report.values[1]
    assert outcomes == [Outcome(2, APPLIED, "5 -> 7", _correction("granted", "natural_person", D(7), reason="p. 3"), parsed_value=D(5))]
    # the checks are those of the corrected values: 总计 5 against 7 now
    assert [(c.identity, c.key, c.lhs, c.rhs) for c in fixed.checks] == [("requests_row_total", "granted", D(5), D(7))]
    assert report.values[0].value == D(5)  # the report given is not changed


def test_a_correction_to_and_from_not_applicable():
    report = _report([_value("granted", "total", D(5)), _value("other", "total", None, raw="/")])
    fixed, outcomes = corrections.apply(report, [_correction("granted", "total", None), _correction("other", "total", D(3), line=3)])
    assert [v.value for v in fixed.values] == [None, D(3)]
    assert [(o.line, o.status, o.message, o.parsed_value) for o in outcomes] == [(2, APPLIED, "5 -> /", D(5)), (3, APPLIED, "/ -> 3", None)]


def test_a_correction_the_parser_now_reads_is_unchanged():
    report = _report([_value("granted", "total", D(5))])
    c = _correction("granted", "total", D(5))
    fixed, outcomes = corrections.apply(report, [c])
    assert fixed.values == report.values and not fixed.values[0].corrected
    assert outcomes == [Outcome(2, UNCHANGED, "the parser now reads this value; the line can be removed", c, parsed_value=D(5))]


def test_a_correction_of_a_cell_the_report_does_not_have():
    report = _report([_value("granted", "total", D(5))])
    c = _correction("unable.not_held", "total", D(1))
    fixed, outcomes = corrections.apply(report, [c])
    assert fixed.values == report.values
    assert outcomes == [Outcome(2, NO_CELL, "the report has no cell requests.unable.not_held.total", c)]


def test_a_cell_printed_twice_is_corrected_once():
    report = _report([_value("granted", "total", D(5)), _value("granted", "total", D(6))])
    fixed, outcomes = corrections.apply(report, [_correction("granted", "total", D(7))])
    assert [(v.value, v.corrected) for v in fixed.values] == [(D(7), True), (D(6), False)]
    assert [o.status for o in outcomes] == [APPLIED]


def test_corrections_of_files_not_parsed_or_not_in_the_build():
    parsed = _correction("granted", "total", D(1), line=2)
    not_parsed = Correction(3, OTHER, "requests", "granted", "total", D(1), "1", "r", "w", "2026-11-30")
    absent = Correction(4, "ef" * 32, "requests", "granted", "total", D(1), "1", "r", "w", "2026-11-30")
    outcomes = corrections.unmatched([parsed, not_parsed, absent], parsed={SHA}, present={SHA, OTHER})
    assert outcomes == [
        Outcome(3, NOT_PARSED, "the file is in the build but was not parsed as a report", not_parsed),
        Outcome(4, NO_FILE, "no file of this build has this SHA-256", absent),
    ]


def test_values_before_and_after_a_corrected_one_are_kept():
    report = _report([_value("granted", "natural_person", D(1)), _value("granted", "total", D(5)), _value("other", "total", D(2))])
    fixed, outcomes = corrections.apply(report, [_correction("granted", "total", D(6))])
    assert [(v.row_key, v.col_key, v.value, v.corrected) for v in fixed.values] == [
        ("granted", "natural_person", D(1), False), ("granted", "total", D(6), True), ("other", "total", D(2), False),
    ]
    assert [o.status for o in outcomes] == [APPLIED]


def test_the_narrative_checks_are_recomputed_too():
    from ogi.model import NarrativeFigure

    figure = NarrativeFigure("requests_received", D(5), "件", "5件", "本年度收到申请5件。", Location(line=3), "overview")
    values = [_value("new_received", "total", D(5))]
    report = _report(values)
    report.narrative = [figure]
    report.narrative_checks = corrections.narrative.checks([figure], values)
    assert [(c.lhs, c.rhs) for c in report.narrative_checks] == [(D(5), D(5))]
    fixed, _ = corrections.apply(report, [_correction("new_received", "total", D(6))])
    assert [(c.lhs, c.rhs, c.ok) for c in fixed.narrative_checks] == [(D(5), D(6), False)]


def test_a_reason_on_several_lines_is_kept_as_written(tmp_path):
    path = tmp_path / "corrections.csv"
    path.write_bytes((HEADER.replace("\n", "\r\n") + f'{SHA},requests,granted,total,7,"p. 3\r\nprints 7",wang,2026-11-30\r\n').encode())
    found, invalid = corrections.read(path)
    assert invalid == [] and found[0].reason == "p. 3\r\nprints 7" and found[0].line == 3


def test_values_after_an_unchanged_correction_are_kept():
    report = _report([_value("granted", "total", D(5)), _value("other", "total", D(2))])
    fixed, outcomes = corrections.apply(report, [_correction("granted", "total", D(5)), _correction("other", "total", D(3), line=3)])
    assert [(v.value, v.corrected) for v in fixed.values] == [(D(5), False), (D(3), True)]
    assert [(o.line, o.status) for o in outcomes] == [(2, UNCHANGED), (3, APPLIED)]
