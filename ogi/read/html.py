"""HTML: the report's article as rows, without the page around it.

In: a saved web page (.html/.htm) in any encoding. Out: a Document whose rows are, in
document order,
- one Row per line of text outside tables (a paragraph, heading, list item or block of
  text; a ``<br>`` starts a new line, so a heading set off by ``<br>`` is a line of its own),
  with ``Location(line=<source line>)``;
- one Row per table row, one Cell per grid column, with ``Location(table, row, col)`` and the
  cell's source line. A cell with colspan/rowspan carries its text at its top-left position;
  every other position it covers is an empty Cell with ``merged=True`` (never a blank, 0).
  Cell text keeps ``<br>`` and paragraph breaks as "\\n"; other whitespace and &nbsp;
  collapse to one space. Text is kept as printed (no width or script conversion).

Government pages wrap the report in navigation, sidebars, breadcrumbs, metadata boxes
(索引号 / 发布日期 / 来源) and lists of links to other reports. They are dropped, then the
article is the smallest element holding the report title (…年度报告), the part headings
(一、总体情况 …) and the statistical tables, recognised in Simplified or Traditional
characters. When the article prints no title, the one in <title> is put first (the title is
how a report is identified). A table with a table inside (page layout) is opened up in
place: only innermost tables become grids, and tables are numbered counting only those grids.

Encoding: a BOM, else a declared charset (``<meta charset>``, http-equiv, XML declaration)
that decodes, else detection (charset-normalizer). GB2312 and GBK are read as GB18030, the
superset pages declaring them actually use.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..model import Cell, Document, Location, Row
from ..text import compact
from . import ReadError

# --- encoding --------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_GB_NAMES = {"gb2312", "gbk", "gb_2312", "gb_2312-80", "x-gbk", "cp936", "ms936", "windows-936", "euc-cn", "csgb2312", "euc_cn"}
# Declarations that cannot be right for a page with non-ASCII bytes in a Chinese report.
_WESTERN = {"latin-1", "iso8859-1", "cp1252", "ascii"}
DECLARATION_WINDOW = 16_384  # bytes searched for a declared charset


def codec_name(label: str) -> str | None:
    """Python's codec for a charset label; GB2312/GBK as GB18030. None when unknown."""
    label = label.strip().lower()
    if label in _GB_NAMES:
        return "gb18030"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return "gb18030" if name in ("gbk", "gb2312") else name


def declared_encoding(data: bytes) -> str | None:
    head = data[:DECLARATION_WINDOW]
    m = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return codec_name(m.group(1).decode("ascii")) if m else None


def decode(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace")
    declared = declared_encoding(data)
    if declared and not (declared in _WESTERN and any(b > 0x7F for b in data)):
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # a wrong declaration is common: the server changed, the template did not
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _detected(data)


def _detected(data: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ReadError("the page is not text in any known encoding")
    encoding = codec_name(best.encoding) or best.encoding
    return data.decode(encoding, errors="replace")


# --- parsing and cleaning --------------------------------------------------------------------

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# Never part of an article.
_CHROME = {
    "script", "style", "noscript", "template", "nav", "aside", "iframe", "frame", "frameset",
    "object", "embed", "svg", "canvas", "select", "button", "input", "textarea", "map",
    "audio", "video", "footer",
}
# Whole sites are built inside one <form> (ASP.NET): only a small form (a search box) is chrome.
SMALL_FORM_CHARS = 200
_TITLE = re.compile(r"(?:19|20)\d{2}.{0,60}年度报告|年度报告.{0,10}(?:19|20)\d{2}")
TITLE_MAX_CHARS = 100
_METADATA_WORDS = (
    "索引号", "发布日期", "发布时间", "发文日期", "成文日期", "生成日期", "来源", "发布机构",
    "发文机关", "发文机构", "主题分类", "信息分类", "浏览次数", "访问次数", "点击数", "阅读数",
    "字号", "字体", "打印", "关闭", "分享", "文号", "有效性", "主题词", "责任编辑",
)
_METADATA_LABEL = re.compile("(" + "|".join(_METADATA_WORDS) + r")[:：]")
METADATA_MAX_CHARS = 300
METADATA_TABLE_MAX_CHARS = 600
_PREV_NEXT = ("上一篇", "下一篇", "上一条", "下一条")
_BREADCRUMB_START = ("当前位置", "您的位置", "您现在的位置", "你的位置", "所在位置", "当前的位置")
_RELATED_HEADINGS = {"相关链接", "相关文章", "相关阅读", "相关文件", "相关新闻", "相关信息", "相关报告"}
NAV_MAX_CHARS = 200
LINK_LIST_SHARE = 0.5  # of an element's text in links
LINK_LIST_MAX_PLAIN_CHARS = 300  # an article has more text outside links than this
# Words of the statistical tables' labels and headers; two of them make a table a report table.
_STAT_WORDS = (
    "自然人", "法人或其他组织", "本年新收", "上年结转", "予以公开", "不予公开", "行政复议",
    "行政诉讼", "结果维持", "信息内容", "本年新制作", "本年制发", "规范性文件", "行政许可",
    "行政处罚", "行政事业性收费",
)
LAYOUT_CELL_CHARS = 1000
LAYOUT_BOX_CHARS = 300
# The report's part headings: 一、总体情况 … 六、其他需要报告的事项.
_PART_HEADING = re.compile(r"^[一二三四五六][、.．,，].{0,24}(?:总体情况|主动公开|收到和处理|行政复议|行政诉讼|主要问题|其他需要报告)")
HEADING_MAX_CHARS = 40


def parse(text: str):
    import lxml.html
    from lxml.etree import ParserError

    # Re-encoded as UTF-8 and parsed as such: libxml2 would otherwise honour a <meta charset>
    # that the decoding above has already found wrong.
    data = _XML_DECLARATION.sub("", text, count=1).encode("utf-8")
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except ParserError as e:
        raise ReadError("the page has no text") from e


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def matchable(text: str) -> str:
    """Text as the page heuristics compare it: no whitespace, half width, Simplified characters
    (a page in Traditional characters has the same title, headings and tables)."""
    return _to_simplified().convert(compact(text))


def chars(el) -> int:
    """Printed characters (not whitespace) of an element."""
    return len(compact(el.text_content()))


def is_title_text(text: str) -> bool:
    text = matchable(text)
    return len(text) <= TITLE_MAX_CHARS and bool(_TITLE.search(text))


def page_title(root) -> tuple[str, int | None] | None:
    """The report title in <title> (``…年度报告_政府信息公开_…网``), with its source line."""
    title = root.find(".//title")
    if title is None:
        return None
    for piece in re.split(r"\s*(?:[_|｜]|--|\s[-－—–]+\s)\s*", title.text_content()):
        if is_title_text(piece):
            return piece.strip(), title.sourceline
    return None


def drop_chrome(root) -> None:
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        tag = el.tag.lower()
        if tag in _CHROME or tag == "head":
            _drop(el)
        elif tag == "header" and not _TITLE.search(text_outside_links(el)):
            _drop(el)
        elif tag == "form" and chars(el) < SMALL_FORM_CHARS:
            _drop(el)


def _drop(el) -> None:
    if el.getparent() is not None:
        el.drop_tree()  # keeps the text that follows the element


def is_stat_table(table) -> bool:
    if table.find(".//table") is not None:
        return False
    text = matchable(table.text_content())
    return sum(word in text for word in _STAT_WORDS) >= 2


def text_outside_links(el) -> str:
    return matchable("".join(el.xpath(".//text()[not(ancestor::a)]")))


def is_boilerplate(el) -> bool:
    """Breadcrumbs, previous/next links, metadata boxes, lists of links, 相关链接 headings."""
    text = matchable(el.text_content())
    n = len(text)
    if n == 0:
        return False
    if n <= NAV_MAX_CHARS and text.startswith(_BREADCRUMB_START):
        return True
    if text.rstrip(":：") in _RELATED_HEADINGS:
        return True
    if el.tag == "table" and n <= METADATA_TABLE_MAX_CHARS and sum(w in text for w in _METADATA_WORDS) >= 2:
        return True  # an info box, even one naming the report (名称：…年度报告)
    plain = text_outside_links(el)
    if _TITLE.search(plain):
        return False  # holds the report's own title: only parts of it can be boilerplate
    if n <= NAV_MAX_CHARS and any(word in text for word in _PREV_NEXT):
        return True
    # Outside a table, metadata is "label：value"; a report's own sentence may well say 关闭 or 来源.
    if n <= METADATA_MAX_CHARS and len(set(_METADATA_LABEL.findall(text))) >= 2:
        return True
    links = [a for a in el.iter("a") if a.text_content().strip()]
    return len(links) >= 2 and len(plain) <= LINK_LIST_MAX_PLAIN_CHARS and n - len(plain) >= LINK_LIST_SHARE * n


def drop_boilerplate(el, keep: set) -> None:
    """Drop boilerplate below ``el``, sparing ``keep`` (the statistical tables and their ancestors)."""
    for child in list(el):
        if not isinstance(child.tag, str):
            continue
        if child not in keep and is_boilerplate(child):
            _drop(child)
        elif child.tag != "table" or is_layout_table(child):
            drop_boilerplate(child, keep)  # never a data table's cells: the grid would shift


# --- the article -----------------------------------------------------------------------------


def title_element(root):
    """The first (innermost) element, outside links, whose text is the report title."""
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "html", "body"):
            continue
        if any(a.tag == "a" for a in el.iterancestors()):
            continue
        if is_title_text(text_outside_links(el)) and not any(
            isinstance(c.tag, str) and is_title_text(text_outside_links(c)) for c in el
        ):
            return el
    return None


def section_headings(root) -> list:
    """Innermost elements whose text is one of the report's part headings (二、主动公开…)."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        text = matchable(el.text_content())
        if len(text) <= HEADING_MAX_CHARS and _PART_HEADING.match(text):
            if not any(isinstance(c.tag, str) and _PART_HEADING.match(matchable(c.text_content())) for c in el):
                found.append(el)
    return found


def common_ancestor(elements: list):
    paths = [[el, *el.iterancestors()][::-1] for el in elements]
    common = None
    for level in zip(*paths):
        if all(el is level[0] for el in level):
            common = level[0]
        else:
            break
    return common


def article(root):
    """The smallest element holding the report's title, part headings and statistical tables;
    the whole (cleaned) body when fewer than two of them are found."""
    body = root.body if root.find(".//body") is not None else root
    stat_tables = [t for t in body.iter("table") if is_stat_table(t)]
    keep = {a for t in stat_tables for a in (t, *t.iterancestors())}
    drop_boilerplate(body, keep)
    title = title_element(body)
    anchors = ([title] if title is not None else []) + section_headings(body) + stat_tables
    container = common_ancestor(anchors) if len(anchors) >= 2 else None
    return body if container is None else container


# --- rows ------------------------------------------------------------------------------------

_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "section", "article", "main", "center", "address", "figure", "figcaption",
    "caption", "pre", "hr", "tr", "td", "th", "tbody", "thead", "tfoot", "form", "fieldset",
    "body", "html", "header", "legend", "details", "summary",
}
_WHITESPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")
MAX_SPAN = 100


def _span(cell, name: str) -> int:
    m = re.match(r"\s*(\d+)", cell.get(name) or "")
    return min(max(int(m.group(1)), 1), MAX_SPAN) if m else 1


def table_rows(table) -> list:
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows += [tr for tr in child if tr.tag == "tr"]
    return rows


def row_cells(tr) -> list:
    return [c for c in tr if c.tag in ("td", "th")]


@dataclass
class GridPosition:
    cell: object  # the td/th printed at, or covering, this position
    origin: bool  # True where the cell's text is printed (its top-left position)


def table_grid(table) -> list[dict[int, GridPosition]]:
    """Rows of grid positions (0-based column -> position) with rowspan/colspan expanded."""
    rows = table_rows(table)
    grid: list[dict[int, GridPosition]] = [{} for _ in rows]
    for r, tr in enumerate(rows):
        c = 0
        for cell in row_cells(tr):
            while c in grid[r]:
                c += 1
            rowspan = _span(cell, "rowspan") if cell.get("rowspan", "").strip() != "0" else len(rows) - r
            for dr in range(min(rowspan, len(rows) - r)):
                for dc in range(_span(cell, "colspan")):
                    grid[r + dr][c + dc] = GridPosition(cell, dr == 0 and dc == 0)
            c += _span(cell, "colspan")
    return grid


def is_layout_table(table) -> bool:
    """A table that arranges the page rather than printing data (see the module docstring)."""
    cells = [c for tr in table_rows(table) for c in row_cells(tr)]
    if any(c.find(".//table") is not None for c in cells):
        return True
    lengths = [chars(c) for c in cells]
    if any(n > LAYOUT_CELL_CHARS for n in lengths):
        return True
    one_column = all(len(row_cells(tr)) <= 1 for tr in table_rows(table))
    return one_column and sum(lengths) > LAYOUT_BOX_CHARS


@dataclass
class _Flow:
    """Walks elements in document order: lines of text become rows, tables grids."""

    rows: list[Row] = field(default_factory=list)
    table: int = 0
    pending: list[str] = field(default_factory=list)  # the current line, piece by piece
    pending_line: int | None = None  # source line of its first printed character

    def text(self, text: str | None, line: int | None) -> None:
        if not text:
            return
        text = _WHITESPACE.sub(" ", text)
        if text.strip() and not any(piece.strip() for piece in self.pending):
            self.pending_line = line
        self.pending.append(text)

    def line_break(self) -> None:
        text = "".join(self.pending).strip()
        if text:
            loc = Location(line=self.pending_line)
            self.rows.append(Row([Cell(text, loc)], loc))
        self.pending, self.pending_line = [], None

    def element(self, el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "table":
            self.line_break()
            self.table_element(el)
            return
        if tag == "br":
            self.line_break()
            return
        block = tag in _BLOCKS
        if block:
            self.line_break()
        self.contents(el)
        if block:
            self.line_break()

    def contents(self, el) -> None:
        if isinstance(el.tag, str):
            self.text(el.text, el.sourceline)
        for child in el:
            self.element(child)
            self.text(child.tail, child.sourceline)

    def table_element(self, table) -> None:
        for caption in table.iter("caption"):
            if caption.getparent() is table:
                self.element(caption)
        if is_layout_table(table):
            for row in table_grid(table):
                for _, position in sorted(row.items()):
                    if position.origin:
                        self.element(position.cell)
        else:
            self.data_table(table)

    def data_table(self, table) -> None:
        self.table += 1
        for r, positions in enumerate(table_grid(table), start=1):
            if not positions:
                continue
            cells = []
            for col in range(max(positions) + 1):
                position = positions.get(col)
                line = position.cell.sourceline if position else None
                loc = Location(line=line, table=self.table, row=r, col=col + 1)
                if position is not None and position.origin:
                    cells.append(Cell(cell_text(position.cell), loc))
                else:  # covered by a span, or a hole in a ragged row: no value either way
                    cells.append(Cell("", loc, merged=True))
            self.rows.append(Row(cells, Location(line=cells[0].loc.line, table=self.table, row=r)))


def cell_text(cell) -> str:
    flow = _Flow()
    flow.contents(cell)
    flow.line_break()
    return "\n".join(row.cells[0].text for row in flow.rows)


def has_title_line(rows: list[Row]) -> bool:
    return any(is_title_text(row.text) for row in rows[:60])


# --- where and when the page says it was published ------------------------------------------

_URL_META = ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content", "//meta[@name='url']/@content")
_DATE_META = ("PubDate", "pubdate", "publishdate", "firstpublishedtime", "article:published_time")
_DATE = re.compile(r"(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})")
_DATE_LABEL = re.compile(r"(?:发布时间|发布日期|發佈時間|發布時間|發布日期)\s*[:：]?\s*" + _DATE.pattern)


def _date(match) -> str | None:
    year, month, day = (int(g) for g in match.groups()[-3:])
    if 1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def published(root) -> tuple[str | None, str | None]:
    """(address, YYYY-MM-DD) the page gives itself: its canonical address (or og:url), and its
    publication date from a meta tag or a 发布时间 / 发布日期 label. Read before the page's
    chrome, where metadata boxes sit, is dropped."""
    url = None
    for query in _URL_META:
        found = [u.strip() for u in root.xpath(query) if u.strip().startswith(("http://", "https://"))]
        if found:
            url = found[0]
            break
    date = None
    for name in _DATE_META:
        for content in root.xpath(f"//meta[@name='{name}' or @property='{name}']/@content"):
            if (m := _DATE.search(content)) and (date := _date(m)):
                break
        if date:
            break
    if date is None and (m := _DATE_LABEL.search(" ".join(root.itertext()))):
        date = _date(m)
    return url, date


def read(path: Path) -> Document:
    root = parse(decode(path.read_bytes()))
    title = page_title(root)
    url, date = published(root)
    drop_chrome(root)
    flow = _Flow()
    flow.element(article(root))
    flow.line_break()
    rows = flow.rows
    if not any(row.text for row in rows):
        raise ReadError("the page has no text (the report may be an image, or built by JavaScript)")
    if title and not has_title_line(rows):
        # The article prints no title of its own (it was in a metadata box or only in <title>):
        # the page's <title> names the report, and the title is how the report is identified.
        loc = Location(line=title[1])
        rows.insert(0, Row([Cell(title[0], loc)], loc))
    return Document(str(path), "html", rows, published_url=url, published_on=date)
