"""The HTML reader (ogi/read/html.py) on small hand-written pages: what a user of the data sees
of a web page, exactly — the decoding of its bytes, its address and publication date, the page
chrome and boilerplate dropped, the article chosen (title, part headings, statistical tables),
layout tables opened up, and the grids of data tables with their table/row/column locations.
Written for the surviving mutants of scripts/mutation.py; the heuristics are pinned at their
bounds (a title of 100 characters, a breadcrumb of 200, a one-column box of 300 …)."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from ogi.model import Location
from ogi.read import ReadError
from ogi.read import html as H


def read_page(tmp_path: Path, page, encoding: str = "utf-8", name: str = "r.html"):
    path = tmp_path / name
    path.write_bytes(page if isinstance(page, bytes) else page.encode(encoding))
    return H.read(path)


def lines(doc) -> list[str]:
    """The text rows outside tables, in order."""
    return [r.text for r in doc.rows if r.loc.table is None]


def grid(doc, table: int) -> list[list[tuple[str, bool]]]:
    return [[(c.text, c.merged) for c in r.cells] for r in doc.rows if r.loc.table == table]


def tables(doc) -> set:
    return {r.loc.table for r in doc.rows if r.loc.table is not None}


def body(html: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{html}</body></html>"


def element(fragment: str):
    return lxml.html.fragment_fromstring(fragment)


# --- publication date and address ------------------------------------------------------------


@pytest.mark.parametrize(
    "printed, date",
    [
        ("1990-01-01", "1990-01-01"),  # the first day of the range, month and day 1
        ("2100-12-31", "2100-12-31"),  # the last: year 2100, month 12, day 31
        ("2101-01-01", None),
        ("1989-05-05", None),  # a year out of range, month and day fine
        ("2020-13-01", None),
        ("2020-01-32", None),  # year and month fine, day out of range
        ("2020-00-10", None),
        ("2020-05-00", None),
    ],
)
def test_meta_date_is_kept_only_when_it_is_a_real_date(printed, date):
    # published_on is shown with every report and used to order them: a number that is not a
    # date (a template's placeholder, an id) must not become one.
    page = body("<p>正文</p>", head=f'<meta name="PubDate" content="{printed} 10:00">')
    assert H.published(H.parse(page)) == (None, date)


def test_address_and_date_the_page_gives_itself(tmp_path):
    # Where the report was published and when: a canonical https address and a meta date.
    page = body(
        "<p>2021年某县政府信息公开工作年度报告</p><div><span>发布时间：</span><span>2020-02-02</span></div>",
        head='<link rel="canonical" href=" https://www.example.gov.cn/a/1.html "><meta name="PubDate" content="2021-01-15">',
    )
    doc = read_page(tmp_path, page)
    # The meta date wins over the printed label.
    assert (doc.published_url, doc.published_on) == ("https://www.example.gov.cn/a/1.html", "2021-01-15")
    assert doc.path == str(tmp_path / "r.html") and doc.kind == "html"

    # A relative canonical is no address: the og:url (http) is taken instead.
    page = body("<p>正文</p>", head='<link rel="canonical" href="/a/1.html"><meta property="og:url" content="http://x.gov.cn/1.html">')
    assert H.published(H.parse(page)) == ("http://x.gov.cn/1.html", None)
    page = body("<p>正文</p>", head='<meta name="url" content="https://y.gov.cn/2.html">')
    assert H.published(H.parse(page)) == ("https://y.gov.cn/2.html", None)

    # Nothing given: None, not an empty string.
    assert H.published(H.parse(body("<p>正文</p>"))) == (None, None)
    doc = read_page(tmp_path, body("<p>正文</p>"))
    assert doc.published_url is None and doc.published_on is None

    # Only a printed label, its date in the next element: read across elements.
    doc = read_page(tmp_path, body("<div><span>发布时间：</span><span>2021-03-05</span></div><p>正文</p>"))
    assert doc.published_on == "2021-03-05"


# --- errors a user sees ----------------------------------------------------------------------


def test_pages_that_cannot_be_read_say_why(tmp_path):
    with pytest.raises(ReadError) as e:
        read_page(tmp_path, b"")
    assert str(e.value) == "the page has no text"
    with pytest.raises(ReadError) as e:
        read_page(tmp_path, body("<img src='scan.png'>"))
    assert str(e.value) == "the page has no text (the report may be an image, or built by JavaScript)"
    with pytest.raises(ReadError) as e:
        read_page(tmp_path, bytes(range(256)) * 4)  # no encoding makes text of this
    assert str(e.value) == "the page is not text in any known encoding"


# --- encoding --------------------------------------------------------------------------------


def test_charset_labels_map_to_codecs():
    # GB2312 and GBK pages really use GB18030: every label of theirs is read as GB18030,
    # whatever its case or spacing; other labels keep their own codec.
    assert H.codec_name("utf-8") == "utf-8"
    assert H.codec_name("UTF8") == "utf-8"
    assert H.codec_name("gbk") == "gb18030"
    assert H.codec_name(" Windows-936 ") == "gb18030"  # not a Python alias: only our list knows it
    assert H.codec_name("chinese") == "gb18030"  # Python's alias of gb2312
    assert H.codec_name("936") == "gb18030"  # Python's alias of gbk
    assert H.codec_name("big5") == "big5"
    assert H.codec_name("no-such-charset") is None


def test_byte_order_marks_decide_the_encoding(tmp_path):
    text = "<html><body><p>二、主动公开政府信息情况</p></body></html>"
    assert lines(read_page(tmp_path, b"\xef\xbb\xbf" + text.encode())) == ["二、主动公开政府信息情况"]
    assert lines(read_page(tmp_path, b"\xff\xfe" + text.encode("utf-16-le"))) == ["二、主动公开政府信息情况"]
    assert lines(read_page(tmp_path, b"\xfe\xff" + text.encode("utf-16-be"))) == ["二、主动公开政府信息情况"]
    # A broken byte after a BOM is replaced, not a reason to lose the page.
    data = b"\xef\xbb\xbf<html><body><p>\xe4\xba\x8c\xff\xe3\x80\x81</p></body></html>"
    assert lines(read_page(tmp_path, data)) == ["二\ufffd、"]


def test_western_declaration_on_a_page_with_non_ascii_bytes_is_not_believed(tmp_path):
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>二、主动公开政府信息情况</p></body></html>'
    assert lines(read_page(tmp_path, page)) == ["二、主动公开政府信息情况"]  # UTF-8, as it is
    # A page all ASCII is read by its declaration.
    page = b'<html><head><meta charset="windows-1252"></head><body><p>price 5</p></body></html>'
    assert lines(read_page(tmp_path, page)) == ["price 5"]


class _Guess:
    def __init__(self, encoding):
        self.encoding = encoding


class _Guesses:
    def __init__(self, encoding):
        self._encoding = encoding

    def best(self):
        return _Guess(self._encoding)


def test_detected_encoding_is_widened_and_tolerates_a_bad_byte(tmp_path, monkeypatch):
    # Detection judges a page from samples (charset-normalizer does on large pages): its guess
    # is applied with replacement of bad bytes, and a GB2312 guess is read as GB18030.
    import charset_normalizer

    guess = {}
    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda data: _Guesses(guess["encoding"]))
    guess["encoding"] = "gb2312"
    page = "<html><body><p>朱镕基 王堃</p></body></html>".encode("gb18030")  # 镕 and 堃 are not GB2312
    assert lines(read_page(tmp_path, page)) == ["朱镕基 王堃"]
    guess["encoding"] = "utf_8"
    page = "<html><body><p>二、主动公开</p></body></html>".encode().replace("、".encode(), b"\xff")
    assert lines(read_page(tmp_path, page)) == ["二\ufffd主动公开"]
    # 0x80, the lowest non-ASCII byte, is enough to distrust a Western declaration: detection
    # decides (here it says GB18030, where a lone 0x80 is no character).
    guess["encoding"] = "gb18030"
    page = b'<html><head><meta charset="windows-1252"></head><body><p>price \x80 5</p></body></html>'
    assert lines(read_page(tmp_path, page)) == ["price \ufffd 5"]


def test_xml_declaration_is_not_text(tmp_path):
    page = '<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>正文</p></body></html>'
    assert lines(read_page(tmp_path, page)) == ["正文"]


# --- page chrome -----------------------------------------------------------------------------


def test_page_chrome_is_dropped_and_the_article_kept(tmp_path):
    # Navigation, scripts, site headers, search forms and footers are not the report: a line of
    # theirs in the rows would be read as the report's text (or its title).
    big_form = "甲" * 200  # a whole site in one <form> (ASP.NET): not a search box
    page = body(
        "<nav><a href='/'>网站首页</a></nav>"
        "<header><p>某县人民政府门户网站</p></header>"
        "<form><label>站内搜索</label><input name=q></form>"
        "<script>var a = '脚本';</script>"
        "<header><h1>某县2020年政府信息公开工作年度报告</h1></header>"
        "<p>一、总体情况</p>"
        f"<form><p>{big_form}</p></form>"
        "<footer>版权所有 某县人民政府</footer>"
    )
    assert lines(read_page(tmp_path, page)) == ["某县2020年政府信息公开工作年度报告", "一、总体情况", big_form]
    small_form = "乙" * 199
    page = body(f"<p>一、总体情况</p><form><p>{small_form}</p></form>")
    assert lines(read_page(tmp_path, page)) == ["一、总体情况"]


def test_frameset_page_reads_its_noframes_text_without_the_head(tmp_path):
    # An old framed page has no <body>: its <noframes> text is the page, its <head> never is.
    page = "<html><head><title>某县政务网</title></head><frameset><frame src=a></frameset><noframes>你好</noframes></html>"
    assert lines(read_page(tmp_path, page)) == ["你好"]
    page = "<html><head><title>某县政务网</title></head><frameset><frame src=a></frameset></html>"
    with pytest.raises(ReadError) as e:
        read_page(tmp_path, page)
    assert str(e.value) == "the page has no text (the report may be an image, or built by JavaScript)"


# --- boilerplate -----------------------------------------------------------------------------


def test_breadcrumbs_related_headings_and_prev_next_are_boilerplate():
    crumb = "当前位置：首页 > 政务公开 > 年度报告"
    assert H.is_boilerplate(element(f"<div>{crumb}</div>"))
    at_200 = "当前位置：" + "甲" * 195
    assert len(H.matchable(at_200)) == 200
    assert H.is_boilerplate(element(f"<div>{at_200}</div>"))
    assert not H.is_boilerplate(element(f"<div>{at_200}乙</div>"))

    assert H.is_boilerplate(element("<h4>相关链接</h4>"))
    assert H.is_boilerplate(element("<h4>相关文件：</h4>"))
    assert H.is_boilerplate(element("<h4>相关报告:</h4>"))
    assert not H.is_boilerplate(element("<h4>相关报告XX</h4>"))  # only a colon is stripped
    assert not H.is_boilerplate(element("<h4>：相关报告</h4>"))

    prev_200 = "上一篇：" + "甲" * 196
    assert len(H.matchable(prev_200)) == 200
    assert H.is_boilerplate(element(f"<div>{prev_200}</div>"))
    assert not H.is_boilerplate(element(f"<div>{prev_200}乙</div>"))
    assert not H.is_boilerplate(element("<div></div>"))


def test_metadata_boxes_are_boilerplate_up_to_their_size():
    # A metadata table: two of its words, at most 600 characters.
    def table(filler: str) -> str:
        return f"<table><tr><td>索引号：001</td><td>来源：县政府</td></tr><tr><td>{filler}</td><td>x</td></tr></table>"

    text = H.matchable(element(table("")).text_content())
    at_600 = table("甲" * (600 - len(text)))
    assert len(H.matchable(element(at_600).text_content())) == 600
    assert H.is_boilerplate(element(at_600))
    assert not H.is_boilerplate(element(table("甲" * (601 - len(text)))))
    assert not H.is_boilerplate(element("<table><tr><td>索引号：001</td><td>甲乙丙</td></tr></table>"))

    # Outside a table: two distinct labels "label：", at most 300 characters.
    box = "索引号：001 来源：县政府 "
    filler = "甲" * (300 - len(H.matchable(box)))
    assert H.is_boilerplate(element(f"<div>{box}{filler}</div>"))
    assert not H.is_boilerplate(element(f"<div>{box}{filler}乙</div>"))
    assert not H.is_boilerplate(element("<div>索引号：001 索引号：002 县政府</div>"))


def test_lists_of_links_are_boilerplate_by_their_share_of_link_text():
    # Two or more links making at least half the text, with at most 300 characters outside them.
    assert H.is_boilerplate(element("<div>甲乙<a href=1>丙</a><a href=2>丁</a></div>"))  # exactly half
    assert not H.is_boilerplate(element("<div>甲乙戊<a href=1>丙</a><a href=2>丁</a></div>"))
    assert not H.is_boilerplate(element("<div><a href=1>甲</a><a href=2>乙</a>本机关主动公开的文件说明</div>"))
    assert not H.is_boilerplate(element("<div>附件<a href=1>某县政府信息公开指南全文</a></div>"))  # one link
    plain = "甲" * 300
    links = "".join(f"<a href={i}>{'乙' * 100}</a>" for i in range(4))
    assert H.is_boilerplate(element(f"<div>{plain}{links}</div>"))
    assert not H.is_boilerplate(element(f"<div>{plain}丙{links}</div>"))
    # A zero-width space prints nothing but is a link's text: one printed character in links.
    assert H.is_boilerplate(element("<div><a href=1>甲</a><a href=2>\u200b</a></div>"))
    # The text outside links, as the heuristics compare it.
    assert H.text_outside_links(element("<div>甲 <a href=1>乙</a> 丙<span>丁</span></div>")) == "甲丙丁"


def test_link_list_between_paragraphs_is_dropped(tmp_path):
    page = body(
        "<p>一、总体情况</p>\n<ul>\n<li><a href=1>某县财政预算</a></li>\n<li><a href=2>某县工作报告</a></li>\n</ul>\n<p>本年度无。</p>"
    )
    assert lines(read_page(tmp_path, page)) == ["一、总体情况", "本年度无。"]


def test_body_itself_is_never_dropped_as_boilerplate(tmp_path):
    # A short page with a 下一篇 line: that line goes, the page stays.
    page = body("<p>一、总体情况</p><p>本年度无。</p><p>下一篇：某县财政预算</p>")
    assert lines(read_page(tmp_path, page)) == ["一、总体情况", "本年度无。"]


def test_rows_of_a_data_table_are_never_dropped_as_boilerplate(tmp_path):
    # A row of links inside a data table is data: dropping it would shift the grid.
    page = body(
        "<p>一、总体情况</p><table><tr><td>文件名称</td><td>说明</td></tr>"
        "<tr><td><a href=1>通知一</a></td><td><a href=2>通知二</a></td></tr>"
        "<tr><td>这是一段很长的正文内容，说明本年度的工作</td><td>本年度无变化的情况说明</td></tr></table>"
    )
    doc = read_page(tmp_path, page)
    assert grid(doc, 1) == [
        [("文件名称", False), ("说明", False)],
        [("通知一", False), ("通知二", False)],
        [("这是一段很长的正文内容，说明本年度的工作", False), ("本年度无变化的情况说明", False)],
    ]


# --- the article: title, part headings and statistical tables --------------------------------

SIDE = "联系电话：0000-12345678"
# Exactly two words of the statistical tables (信息内容, 本年新制作): a report table.
STAT = "<table><tr><td>信息内容</td><td>本年新制作数量</td></tr><tr><td>规章</td><td>0</td></tr></table>"
STAT_GRID = [[("信息内容", False), ("本年新制作数量", False)], [("规章", False), ("0", False)]]
TITLE = "某县2020年政府信息公开工作年度报告"


def sidebar_kept(tmp_path, main: str, side: str = f"<p>{SIDE}</p>") -> bool:
    """Whether text beside the article (a sidebar) is read: it is not when two or more anchors
    (the title, part headings, statistical tables) show where the article is."""
    doc = read_page(tmp_path, body(f"<div class='side'>{side}</div><div class='main'>{main}</div>"))
    return any(SIDE in c.text for r in doc.rows for c in r.cells)


def test_article_is_found_from_two_anchors(tmp_path):
    # Text beside the article (contacts, notices) must not be read as the report's.
    assert sidebar_kept(tmp_path, f"<h1>{TITLE}</h1><p>正文</p>")  # one anchor: the whole page
    assert sidebar_kept(tmp_path, f"<p>正文</p>{STAT}")
    assert not sidebar_kept(tmp_path, f"<h1>{TITLE}</h1>{STAT}")  # title and a report table
    doc = read_page(tmp_path, body(f"<div class='side'><p>{SIDE}</p></div><div class='main'><h1>{TITLE}</h1>{STAT}</div>"))
    assert lines(doc) == [TITLE] and grid(doc, 1) == STAT_GRID
    # A table with one word of the statistical tables is no anchor.
    assert sidebar_kept(tmp_path, f"<h1>{TITLE}</h1><table><tr><td>信息内容</td><td>数量</td></tr></table>")
    # A paragraph that names two of the words is not a table.
    side_table = f"<table><tr><td>{SIDE}</td><td>办公地址</td></tr></table>"
    assert sidebar_kept(tmp_path, f"<h1>{TITLE}</h1><p>本年度行政复议和行政诉讼均为零。</p>", side=side_table)


def test_part_headings_are_anchors(tmp_path):
    heading_40 = "一、总体情况" + "甲" * 34
    assert len(H.matchable(heading_40)) == 40
    assert not sidebar_kept(tmp_path, f"<h1>{TITLE}</h1><h2>{heading_40}</h2>")
    assert sidebar_kept(tmp_path, f"<h1>{TITLE}</h1><h2>{heading_40}乙</h2>")
    # A heading printed in pieces is found whole.
    assert not sidebar_kept(tmp_path, f"<h1>{TITLE}</h1><p><span>一、</span>总体情况</p>")


def test_title_is_found_past_links_and_printed_in_pieces(tmp_path):
    # A link before the title does not stop the search; a title in pieces is one title.
    assert not sidebar_kept(tmp_path, f"<p><a href='/'><span>返回首页</span></a></p><h1>{TITLE}</h1><h2>一、总体情况</h2>")
    assert not sidebar_kept(tmp_path, "<h1><span>某县2020年</span>政府信息公开工作年度报告</h1><h2>一、总体情况</h2>")
    title_100 = "某" * 92 + "2020年度报告"
    assert H.is_title_text(title_100) and not H.is_title_text("某" + title_100)


def test_text_directly_in_body_is_no_anchor(tmp_path):
    # A page whose body itself is short: the body is never taken for the heading or the title
    # (an anchor that large would bring the page's footer into the report).
    page = body(f"一、总体情况<div><h1>2020年年度报告</h1><table><tr><td>自然人</td><td>上年结转</td></tr></table></div><div>页脚</div>")
    doc = read_page(tmp_path, page)
    assert lines(doc) == ["2020年年度报告"] and grid(doc, 1) == [[("自然人", False), ("上年结转", False)]]
    page = body(f"2020年年度报告<div><h2>一、总体情况</h2><table><tr><td>自然人</td><td>上年结转</td></tr></table></div><div>页脚</div>")
    doc = read_page(tmp_path, page)
    assert lines(doc) == ["一、总体情况"] and grid(doc, 1) == [[("自然人", False), ("上年结转", False)]]


def test_a_layout_table_holding_the_report_table_is_no_anchor(tmp_path):
    # Only the innermost table is a report table: the page layout around it is not, so a page
    # with one anchor is read whole.
    page = body(f"<p>前言段落</p><table><tr><td>左侧菜单</td><td>{STAT}</td></tr></table>")
    doc = read_page(tmp_path, page)
    assert lines(doc) == ["前言段落", "左侧菜单"] and grid(doc, 1) == STAT_GRID


# --- layout tables ---------------------------------------------------------------------------


def test_layout_tables_are_opened_and_data_tables_kept(tmp_path):
    # A table holding a table lays out the page: its cells are read as text, in order, and
    # only the inner table is a grid (table 1).
    inner = "<table><tr><td>甲</td><td>1</td></tr></table>"
    doc = read_page(tmp_path, body(f"<table><tr><td>左栏文字</td><td>{inner}</td></tr></table>"))
    assert lines(doc) == ["左栏文字"] and grid(doc, 1) == [[("甲", False), ("1", False)]] and tables(doc) == {1}

    # A cell longer than 1000 characters is an article laid out in a table.
    long, short = "甲" * 1001, "甲" * 1000
    doc = read_page(tmp_path, body(f"<table><tr><td>{long}</td><td>乙</td></tr></table>"))
    assert lines(doc) == [long, "乙"] and tables(doc) == set()
    doc = read_page(tmp_path, body(f"<table><tr><td>{short}</td><td>乙</td></tr></table>"))
    assert grid(doc, 1) == [[(short, False), ("乙", False)]]

    # A one-column box of more than 300 characters is layout; of 300, or of two columns, data.
    doc = read_page(tmp_path, body(f"<table><tr><td>{'甲' * 151}</td></tr><tr><td>{'乙' * 150}</td></tr></table>"))
    assert lines(doc) == ["甲" * 151, "乙" * 150] and tables(doc) == set()
    doc = read_page(tmp_path, body(f"<table><tr><td>{'甲' * 150}</td></tr><tr><td>{'乙' * 150}</td></tr></table>"))
    assert grid(doc, 1) == [[("甲" * 150, False)], [("乙" * 150, False)]]
    doc = read_page(tmp_path, body(f"<table><tr><td>{'甲' * 200}</td><td>{'乙' * 101}</td></tr></table>"))
    assert grid(doc, 1) == [[("甲" * 200, False), ("乙" * 101, False)]]


# --- data tables: the grid -------------------------------------------------------------------


def test_grid_of_header_body_and_footer_rows(tmp_path):
    # thead, tbody and tfoot rows are all rows, in order; th cells are cells.
    page = body(
        "<table><thead><tr><th>信息内容</th><th>数量</th></tr></thead>"
        "<tbody><tr><td>规章</td><td>1</td></tr><tr><td>规范性文件</td><td>2</td></tr></tbody>"
        "<tfoot><tr><th>合计</th><td>3</td></tr></tfoot></table>"
    )
    doc = read_page(tmp_path, page)
    assert grid(doc, 1) == [
        [("信息内容", False), ("数量", False)],
        [("规章", False), ("1", False)],
        [("规范性文件", False), ("2", False)],
        [("合计", False), ("3", False)],
    ]
    assert [r.loc for r in doc.rows] == [Location(line=1, table=1, row=n) for n in (1, 2, 3, 4)]


def test_spans_in_the_grid(tmp_path):
    # rowspan="0" spans to the end of the table; a rowspan past the end stops there; an
    # explicit span of 1 is one position.
    page = body(
        "<table>\n<tr><td rowspan='0'>甲</td><td colspan='1' rowspan='1'>1</td><td>2</td></tr>\n"
        "<tr><td rowspan='5'>乙</td><td>3</td></tr>\n<tr><td>4</td></tr>\n</table>"
    )
    doc = read_page(tmp_path, page)
    assert grid(doc, 1) == [
        [("甲", False), ("1", False), ("2", False)],
        [("", True), ("乙", False), ("3", False)],
        [("", True), ("", True), ("4", False)],
    ]
    covered = doc.rows[2].cells[1]
    assert covered.loc == Location(line=3, table=1, row=3, col=2)  # the line of the cell covering it


def test_empty_and_ragged_rows(tmp_path):
    # A row without cells is no row but keeps its number; a hole in a ragged row is an empty
    # merged position (no value), with no source line.
    page = body("<table>\n<tr><td>甲</td><td>1</td></tr>\n<tr></tr>\n<tr><td>乙</td></tr>\n<tr><td>丙</td><td>2</td></tr>\n</table>")
    doc = read_page(tmp_path, page)
    assert [(r.loc.row, [(c.text, c.merged) for c in r.cells]) for r in doc.rows] == [
        (1, [("甲", False), ("1", False)]),
        (3, [("乙", False)]),
        (4, [("丙", False), ("2", False)]),
    ]
    page = body("<table>\n<tr><td>甲</td><td>1</td><td rowspan=2>2</td></tr>\n<tr><td>乙</td></tr>\n</table>")
    doc = read_page(tmp_path, page)
    assert grid(doc, 1) == [[("甲", False), ("1", False), ("2", False)], [("乙", False), ("", True), ("", True)]]
    assert doc.rows[1].cells[1].loc == Location(line=None, table=1, row=2, col=2)
    assert doc.rows[1].cells[2].loc == Location(line=2, table=1, row=2, col=3)


def test_caption_is_a_line_before_its_table(tmp_path):
    page = body("<table><caption>表一 主动公开情况</caption><tr><td>规章</td><td>0</td></tr></table>")
    doc = read_page(tmp_path, page)
    assert [r.text for r in doc.rows] == ["表一 主动公开情况", "规章 0"]
    assert doc.rows[0].loc.table is None and doc.rows[1].loc == Location(line=1, table=1, row=1)


# --- lines of text ---------------------------------------------------------------------------


def test_lines_join_their_pieces_and_keep_the_first_printed_line(tmp_path):
    page = "<html><body>\n<p>甲<b>乙</b>丙</p>\n<p>第一行\n<b>第二行</b></p>\n</body></html>"
    doc = read_page(tmp_path, page)
    assert [(r.text, r.loc, r.cells[0].loc) for r in doc.rows] == [
        ("甲乙丙", Location(line=2), Location(line=2)),
        ("第一行 第二行", Location(line=3), Location(line=3)),
    ]


def test_page_title_is_put_first_when_no_title_is_printed_in_the_first_60_lines(tmp_path):
    # The title is how a report is identified: one printed only after 60 lines of text is taken
    # from <title>, put first with the <title>'s line.
    filler = "".join(f"<p>第{n}段</p>" for n in range(60))
    page = f"<html><head>\n<title>{TITLE}_政府信息公开</title></head><body>{filler}<p>{TITLE}</p></body></html>"
    doc = read_page(tmp_path, page)
    assert len(doc.rows) == 62
    assert (doc.rows[0].text, doc.rows[0].loc, doc.rows[0].cells[0].loc) == (TITLE, Location(line=2), Location(line=2))
    filler = "".join(f"<p>第{n}段</p>" for n in range(59))
    page = f"<html><head>\n<title>{TITLE}_政府信息公开</title></head><body>{filler}<p>{TITLE}</p></body></html>"
    doc = read_page(tmp_path, page)
    assert len(doc.rows) == 60 and doc.rows[0].text == "第0段"


def test_a_processing_instruction_never_reaches_the_text(tmp_path):
    page = body("<p>一、总体情况</p><?php echo '隐藏'; ?><p>本年度无。</p>")
    assert lines(read_page(tmp_path, page)) == ["一、总体情况", "本年度无。"]
    # The premise of three listed equivalents (remove_pis): this libxml2 reads <?…> in HTML as a
    # comment, so no processing-instruction node is ever made. If this fails after an upgrade,
    # those entries of tests/equivalent_mutants.txt no longer hold.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=False, remove_pis=False)
    root = lxml.html.fromstring("<html><body><?php x ?><p>a</p></body></html>".encode(), parser=parser)
    assert [e.tag for e in root.iter() if not isinstance(e.tag, str)] == [lxml.etree.Comment]
