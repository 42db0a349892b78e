"""Find the report's parts: its title (agency and year) and the six sections 一 … 六.

In: a Document. Out: ``Parts`` with one ``Section`` (its heading and rows) per part found.
Headings are recognised by what they say, not by their numeral: inside table 三 the rows
一、本年新收… and 四、结转下年度… use the same numerals as the section headings.
"""

from __future__ import annotations

import re
from typing import Callable

from .model import Document, ParseError, Parts, Row, Section
from .text import compact, label_key, simplified


class NotAReport(ParseError):
    """The document lacks what every annual report has (a title with a year, the tables)."""


# (part, the template's heading, words one of which a printed heading contains), in printed order.
PARTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("overview", "一、总体情况", ("总体情况",)),
    ("active", "二、主动公开政府信息情况", ("主动公开政府信息情况", "主动公开政府信息")),
    ("requests", "三、收到和处理政府信息公开申请情况", ("收到和处理政府信息公开申请", "收到和处理")),
    ("appeals", "四、政府信息公开行政复议、行政诉讼情况", ("行政复议行政诉讼", "行政复议", "行政诉讼")),
    ("problems", "五、存在的主要问题及改进情况", ("存在的主要问题", "主要问题及改进")),
    ("other", "六、其他需要报告的事项", ("其他需要报告",)),
)
HEADINGS = {part: heading for part, heading, _ in PARTS}
TABLE_PARTS = ("active", "requests", "appeals")

_HEADING_NUMERAL = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．,，])")
# The ways titles name the report: …年度报告, …工作报告, …年报, "关于…的年度报告".
_REPORT = r"(?:政府)?信息公开(?:工作)?(?:情况)?的?(?:年度)?(?:报告|年报)"
_YEAR = r"(?P<year>(?:19|20)\d{2})\s*年度?"
_TITLES = (
    re.compile(rf"^(?P<agency>.*?)(?:关于)?{_YEAR}的?{_REPORT}"),  # 相山区…局2019年政府信息公开工作年度报告
    re.compile(rf"^{_YEAR}(?P<agency>.+?){_REPORT}"),  # 2024年上海市科委政府信息公开工作年度报告
    re.compile(rf"^(?P<agency>.+?)(?:政府)?信息公开(?:工作)?{_YEAR}(?:报告|年报)"),  # …政府信息公开工作2021年度报告
)
_SENTENCE = re.compile(r"[，。；：,;:！？!?]")
TITLE_MAX = 60  # characters: a longer line is a sentence that mentions the report, not its title


def heading_part(row: Row) -> str | None:
    """The part a row is the heading of, if it is one (``二、主动公开政府信息情况`` -> active)."""
    text = compact(row.text).lstrip("#*>")  # Markdown heading and emphasis marks
    if not _HEADING_NUMERAL.match(text) or len(text) > 40:
        return None
    key = label_key(text)
    for part, _, words in PARTS:
        if any(word in key for word in words):
            return part
    return None


def find_title(rows: list[Row]) -> tuple[str, str, int]:
    """(title, agency, year) from the first lines; the title may wrap over two lines, and the
    agency may stand alone on the line above (四平市铁西区…局 / 2020年政府信息公开工作年度报告)."""
    # Matched in Simplified characters (年度報告 = 年度报告); the agency is returned as printed.
    printed = [t for r in rows[:60] if (t := compact(r.text).lstrip("#*>《"))]
    lines = [simplified(t) for t in printed]
    # One line at a time first: a title on one line must win over an agency line glued to it.
    candidates = [(i, 1) for i in range(len(lines))] + [(i, 2) for i in range(len(lines) - 1)]
    for i, span in candidates:
        candidate = "".join(lines[i : i + span])
        if len(candidate) > TITLE_MAX or not ("报告" in candidate or "年报" in candidate):
            continue
        for pattern in _TITLES:
            m = pattern.match(candidate)
            if not m:
                continue
            as_printed = "".join(printed[i : i + span])
            if len(as_printed) != len(candidate):  # conversion changed the length: keep Simplified
                as_printed = candidate
            agency = as_printed[m.start("agency") : m.end("agency")]
            if _SENTENCE.search(agency):
                continue  # "现将本机关2022年…年度报告予以公布，…": a sentence about the report
            if agency and i > 0 and _cut_before(lines[i - 1], simplified(agency)):
                # A title wrapped inside the agency's name (西安市雁 / 塔区教育局2021年…).
                return printed[i - 1] + as_printed, printed[i - 1] + agency, int(m["year"])
            if agency:
                return as_printed, agency, int(m["year"])
            if i > 0 and len(printed[i - 1]) <= TITLE_MAX:
                return printed[i - 1] + as_printed, printed[i - 1], int(m["year"])
    raise NotAReport("no title line naming an agency and a year (…YYYY年政府信息公开工作年度报告)")


_FRAGMENT = re.compile(r"[\u4e00-\u9fff]{1,20}")


def _cut_before(above: str, agency: str) -> bool:
    """True when the line above is the first part of the agency's name, cut by a line break:
    the name alone does not start with a place name, the two together do (西安市雁 + 塔区教育局,
    寿光市农 + 业农村局). The line above must be a few Chinese characters, nothing else."""
    from .region import starts_with_place

    return bool(_FRAGMENT.fullmatch(above)) and not starts_with_place(agency) and starts_with_place(above + agency)


# A row only each table has, to find a table whose heading is missing or reworded.
SIGNATURES: dict[str, Callable[[str], bool]] = {
    "active": lambda key: key.startswith("第二十条第"),
    "requests": lambda key: "本年新收政府信息公开申请数量" in key,
    "appeals": lambda key: len(key) <= 30 and key.startswith("行政复议") and "行政诉讼" in key,
}


def _table_by_content(rows: list[Row], part: str, start: int, end: int) -> int | None:
    for index in range(start, end):
        if SIGNATURES[part](label_key(rows[index].text)):
            return index
    return None


def locate(document: Document) -> Parts:
    headings: list[tuple[int, str]] = []
    order = list(HEADINGS)
    for index, row in enumerate(document.rows):
        part = heading_part(row)
        # Each part once, in printed order: a later mention (e.g. in a narrative) is not a heading.
        if part and part not in {p for _, p in headings}:
            if not headings or order.index(part) > order.index(headings[-1][1]):
                headings.append((index, part))
    for part in TABLE_PARTS:
        if part in {p for _, p in headings}:
            continue
        before = [i for i, p in headings if order.index(p) < order.index(part)]
        after = [i for i, p in headings if order.index(p) > order.index(part)]
        found = _table_by_content(document.rows, part, max(before, default=0), min(after, default=len(document.rows)))
        if found is not None:
            headings = sorted(headings + [(found, part)])
    if not any(part in TABLE_PARTS for _, part in headings):
        raise NotAReport("none of the statistical tables (主动公开 / 收到和处理申请 / 行政复议诉讼) was found")
    title, agency, year = find_title(document.rows[: headings[0][0] + 1] if headings else document.rows)
    sections = {}
    for n, (start, part) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(document.rows)
        rows = document.rows[start:end]
        sections[part] = Section(part, rows[0].text, rows)
    return Parts(title=title, agency=agency, year=year, sections=sections, document=document)
