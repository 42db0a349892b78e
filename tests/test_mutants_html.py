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
