"""The year decides a table's format only when nothing printed does, and then a warning says so.

Formats are read from what a table prints: the columns its header rows name (table 二) and
the （六） rows (table 三). When table 二 prints no column-header row, its columns, and so its
format, come from the report's year (2021 from 2021 on); when no table decides, the year decides
the report's format. Either way the parser says so in ``warnings``; it never does otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ogi.accuracy import compare
from ogi.parse import as_json, parse_file, report_format

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "ogi" / "samples"
GOLD = ROOT / "tests" / "gold"
BY_YEAR = "decided by the year"


def by_year(report: dict) -> list[str]:
    return [w["message"] for w in report["warnings"] if BY_YEAR in w["message"]]


def parse_text(tmp_path: Path, name: str, text: str) -> dict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return as_json(parse_file(path))


def without_lines(text: str, starts: str, keep: int = 0, only: str | None = None) -> str:
    """The text without the lines that start with ``starts`` (but the first ``keep`` of them);
    with ``only``, just the one such line that follows the line starting with ``only``."""
    lines = text.splitlines(keepends=True)
    if only is not None:
        at = next(n for n, line in enumerate(lines) if line.startswith(only))
        target = next(n for n in range(at, len(lines)) if lines[n].startswith(starts))
        return "".join(line for n, line in enumerate(lines) if n != target)
    seen = 0
    out = []
    for line in lines:
        if line.startswith(starts):
            seen += 1
            if seen > keep:
                continue
        out.append(line)
    return "".join(out)


# sample, its year, the format table 二 prints
HEADERLESS = [("001_95df3186215ccd32.txt", 2023, "2021"), ("003_358dec47750a91e3.txt", 2019, "2019")]


@pytest.mark.parametrize("name,year,fmt", HEADERLESS)
def test_table_two_without_header_rows_is_read_by_the_year_with_a_warning(tmp_path, name, year, fmt):
    sample = SAMPLES / name
    text = sample.read_text(encoding="utf-8")
    stripped = without_lines(text, "信息内容")
    assert stripped != text and "\n信息内容" not in stripped
    report = parse_text(tmp_path, name, stripped)
    gold = json.loads((GOLD / (sample.stem + ".json")).read_text(encoding="utf-8"))
    assert compare(report, gold).perfect, compare(report, gold).describe()  # the year's template is this table's
    assert (report["format"], report["table_formats"]["active"]) == (fmt, fmt)
    assert by_year(report) == [f"active: format {fmt} decided by the year {year}: no printed column header names a template's columns"]


def test_the_year_decides_even_when_it_is_wrong_and_says_so(tmp_path):
    """A 2019-template table 二 without its header rows in a report dated 2021: read as 2021
    (so its values are not the 2019 columns), and the warning names the year as the reason."""
    text = (SAMPLES / "003_358dec47750a91e3.txt").read_text(encoding="utf-8")
    text = without_lines(text, "信息内容").replace("2019年政府信息公开工作年度报告", "2021年政府信息公开工作年度报告")
    report = parse_text(tmp_path, "relabelled.txt", text)
    assert report["year"] == 2021 and report["table_formats"]["active"] == "2021"
    assert by_year(report) == ["active: format 2021 decided by the year 2021: no printed column header names a template's columns"]


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_no_warning_when_the_headers_decide(name):
    report = as_json(parse_file(SAMPLES / name))
    assert report["table_formats"].get("active") and not by_year(report), by_year(report)


def test_no_warning_when_one_sub_table_lacks_its_header_but_another_names_the_template(tmp_path):
    """第二十条第(五)项 without its header row: its row is read with the template the other
    sub-tables' headers name (a warning about that row), but the year decided nothing."""
    text = (SAMPLES / "001_95df3186215ccd32.txt").read_text(encoding="utf-8")
    stripped = without_lines(text, "信息内容", only="第二十条第(五)项")
    assert stripped != text
    report = parse_text(tmp_path, "one-header-less.txt", stripped)
    assert report["table_formats"]["active"] == "2021" and not by_year(report)
    assert any("no column header printed" in w["message"] for w in report["warnings"])


def test_report_format_falls_back_on_the_year_only_when_no_table_decides():
    assert report_format({"active": "2019"}, 2023) == ("2019", [])
    assert report_format({"active": "2019", "requests": "2021"}, 2019) == ("2021", [])
    for year, fmt in ((2020, "2019"), (2022, "2021")):
        got, warnings = report_format({}, year)
        assert got == fmt and [w.message for w in warnings] == [
            f"format {fmt} decided by the year {year}: no table prints the headers or rows of one template"]
