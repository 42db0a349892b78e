"""Find the report's parts: its title (agency and year) and the six sections 一 … 六.

In: a Document. Out: ``Parts`` with one ``Section`` (its heading and rows) per part found.
Headings are recognised by what they say, not by their numeral: inside table 三 the rows
一、本年新收… and 四、结转下年度… use the same numerals as the section headings.
"""

from __future__ import annotations

import re

from .model import Document, ParseError, Parts, Row, Section
from .text import compact, label_key, simplified


class NotAReport(ParseError):
    """The document lacks what every annual report has (a title with a year, the tables)."""


# (part, words one of which its heading contains), in the order the parts are printed.
PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("overview", ("总体情况",)),
    ("active", ("主动公开政府信息情况", "主动公开政府信息")),
    ("requests", ("收到和处理政府信息公开申请", "收到和处理")),
    ("appeals", ("行政复议行政诉讼", "行政复议", "行政诉讼")),
    ("problems", ("存在的主要问题", "主要问题及改进")),
    ("other", ("其他需要报告",)),
)
TABLE_PARTS = ("active", "requests", "appeals")

_HEADING_NUMERAL = re.compile(r"^[一二三四五六七八九十]+[、.．,，]")
_AGENCY_THEN_YEAR = re.compile(r"^(?P<agency>.*?)(?P<year>(?:19|20)\d{2})年度?(?:政府)?信息公开(?:工作)?年度报告")
_YEAR_THEN_AGENCY = re.compile(r"^(?P<year>(?:19|20)\d{2})年度?(?P<agency>.+?)(?:政府)?信息公开(?:工作)?年度报告")


def heading_part(row: Row) -> str | None:
    """The part a row is the heading of, if it is one (``二、主动公开政府信息情况`` -> active)."""
    text = compact(row.text).lstrip("#*>")  # Markdown heading and emphasis marks
    if not _HEADING_NUMERAL.match(text) or len(text) > 40:
        return None
    key = label_key(text)
    for part, words in PARTS:
        if any(word in key for word in words):
            return part
    return None


def find_title(rows: list[Row]) -> tuple[str, str, int]:
    """(title, agency, year) from the first lines; the title may wrap over two lines."""
    # Matched in Simplified characters (年度報告 = 年度报告); the agency is returned as printed.
    printed = [t for r in rows[:60] if (t := compact(r.text).lstrip("#*>"))]
    lines = [simplified(t) for t in printed]
    # One line at a time first: a title on one line must win over an agency line glued to it.
    candidates = list(enumerate(lines)) + [(i, line + lines[i + 1]) for i, line in enumerate(lines[:-1])]
    for i, candidate in candidates:
        if "年度报告" not in candidate:
            continue
        as_printed = "".join(printed[i : i + 2])[: len(candidate)]
        m = _AGENCY_THEN_YEAR.match(candidate)
        if m and m["agency"]:
            return as_printed, as_printed[m.start("agency") : m.end("agency")], int(m["year"])
        if m and i > 0:  # agency on the line above: 四平市铁西区…局 / 2020年政府信息公开…
            return printed[i - 1] + as_printed, printed[i - 1], int(m["year"])
        m = _YEAR_THEN_AGENCY.match(candidate)
        if m:
            return as_printed, as_printed[m.start("agency") : m.end("agency")], int(m["year"])
    raise NotAReport("no title line naming an agency and a year (…YYYY年政府信息公开工作年度报告)")


def locate(document: Document) -> Parts:
    headings: list[tuple[int, str]] = []
    order = [part for part, _ in PARTS]
    for index, row in enumerate(document.rows):
        part = heading_part(row)
        # Each part once, in printed order: a later mention (e.g. in a narrative) is not a heading.
        if part and part not in {p for _, p in headings}:
            if not headings or order.index(part) > order.index(headings[-1][1]):
                headings.append((index, part))
    if not any(part in TABLE_PARTS for _, part in headings):
        raise NotAReport("none of the statistical tables (主动公开 / 收到和处理申请 / 行政复议诉讼) was found")
    title, agency, year = find_title(document.rows[: headings[0][0] + 1] if headings else document.rows)
    sections = {}
    for n, (start, part) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(document.rows)
        rows = document.rows[start:end]
        sections[part] = Section(part, rows[0].text, rows)
    return Parts(title=title, agency=agency, year=year, sections=sections, document=document)
