"""See the number where it is printed: every number's link (provenance.source_url) opens the
site's viewer, /-/source/<sha256>?fact=<id>, at the place in the original it was read from.

Held here, against `ogi serve` on a database built from generated reports (scripts/make_fixtures.py:
a LibreOffice PDF, a government web page with layout tables, a python-docx DOCX, a Markdown file,
and a hostile copy of the web page) and, where ../shared is at hand, a real PDF report:
- every number of every format: the outlined cell holds the number as printed (PDFs: the
  text pdfplumber finds inside the outline; HTML/DOCX: the marked cell; text: the marked span);
- in Debian's chromium (every off-site request blocked, any JavaScript error or dialog fails),
  at desktop size and on a 390×844 phone: one click from the number's provenance row to the
  viewer, the outline where pdfplumber finds the text on the page, nothing wider than the screen;
- the rebuilt tables carry only table structure and text, whatever the page held;
- every parameter validated: 400 or 404, never 500; page images bounded and cached.
Screenshots go to build/viewer-screenshots/.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import shutil
import sqlite3
import struct
import sys
from pathlib import Path

import httpx
import pdfplumber
import pytest

from conftest import ROOT, SHARED, serving
from ogi import load

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; never downloaded
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
GENERATOR = ROOT / "scripts" / "make_fixtures.py"
FIXTURES = ROOT / "build" / "fixtures"
SCREENSHOTS = ROOT / "build" / "viewer-screenshots"
REAL_PDF = SHARED / "corpus" / "real" / "hzq2023_working.pdf"
FILES = {"pdf": "yuelu-2022.pdf", "html": "xihu-2019.html", "docx": "hongze-2019.docx", "md": "chaoyang-2024.md"}
HOSTILE = "hostile-gongshu-2019.html"
PAGE_PIXELS = 6_000_000  # ogi/site/plugins/ogi_site.py
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _make_fixtures():
    spec = importlib.util.spec_from_file_location("make_fixtures", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_fixtures", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _hostile(page: str) -> str:
    """The web page as another agency's, with markup in a number's cell that must never reach
    the viewer: a script, an event handler, styles, an image, a frame and a stylesheet off-site."""
    page = page.replace("西湖区", "拱墅区")
    cell = '<td valign="middle"><p style="text-align:center"><span style="font-size:10.5pt">56</span></p></td>'
    assert page.count(cell) == 1
    evil = ('<td valign="middle" onclick="alert(1)" style="background:url(http://example.invalid/bg.png)">'
            '<p style="text-align:center"><span style="font-size:10.5pt">56<img src="http://example.invalid/a.png" onerror="alert(2)">'
            '<script>alert(3)</script><iframe src="http://example.invalid/f"></iframe>'
            '<link rel="stylesheet" href="http://example.invalid/s.css"><style>td { display: none }</style></span></p></td>')
    return page.replace(cell, evil)


class Site:
    def __init__(self, base: str, db: Path, cache: Path):
        self.base, self.db, self.cache = base, db, cache

    def get(self, path: str, **params) -> httpx.Response:
        return httpx.get(self.base + path, params=params or None, timeout=60)  # params={} would drop the path's query

    def facts(self, where: str = "1", params=()) -> list[dict]:
        connection = sqlite3.connect(self.db)
        connection.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in connection.execute(
                "select p.*, f.table_no, f.row_no, f.col_no, s.format from provenance p join sources s on s.id = p.source_id "
                "join facts f on f.id = p.fact_id "
                f"where {where} order by p.fact_id", params)]
        finally:
            connection.close()

    def fact(self, file_name: str, row_key: str = "granted", col_key: str = "total") -> dict:
        found = self.facts("s.file_name = ? and p.part = 'requests' and p.row_key = ? and p.col_key = ?", (file_name, row_key, col_key))
        assert len(found) == 1, (file_name, row_key, col_key)
        return found[0]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    try:
        folder = _make_fixtures().ensure(FIXTURES, log=lambda *_: None)
    except Exception as e:  # noqa: BLE001 - LibreOffice or fonts missing: say so
        pytest.skip(f"the generated reports (scripts/make_fixtures.py) could not be made: {e}")
    inputs = tmp_path_factory.mktemp("viewer-in")
    for name in FILES.values():
        shutil.copyfile(folder / name, inputs / name)
    (inputs / HOSTILE).write_text(_hostile((folder / FILES["html"]).read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path_factory.mktemp("viewer-db")
    db = out / "ogi.db"
    load.build([inputs], db)
    yield from _served(db, out / "page-images")


@pytest.fixture(scope="module")
def real_site(tmp_path_factory):
    if not REAL_PDF.exists():
        pytest.skip(f"needs {REAL_PDF} (../shared/corpus/real, the real reports): not on this machine")
    out = tmp_path_factory.mktemp("viewer-real")
    db = out / "ogi.db"
    load.build([REAL_PDF], db)
    yield from _served(db, out / "page-images")


def _served(db: Path, cache: Path):
    """`ogi serve` with its page images cached in ``cache`` (OGI_PAGE_IMAGES)."""
    before = os.environ.get("OGI_PAGE_IMAGES")
    os.environ["OGI_PAGE_IMAGES"] = str(cache)
    try:
        with serving(db) as base:
            yield Site(base, db, cache)
    finally:
        if before is None:
            os.environ.pop("OGI_PAGE_IMAGES", None)
        else:
            os.environ["OGI_PAGE_IMAGES"] = before


def squeeze(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def cited_cells(page_html: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<td[^>]*\bid="cited"[^>]*>(.*?)</td>', page_html, re.S)]


_OUTLINE = re.compile(r'class="ogi-outline"[^>]*style="left: ([\d.]+)%; top: ([\d.]+)%; width: ([\d.]+)%; height: ([\d.]+)%;"')


def outline_points(page_html: str, page) -> tuple[float, float, float, float] | None:
    """The outline the viewer draws, in the PDF page's points (x0, top, x1, bottom)."""
    m = _OUTLINE.search(page_html)
    if m is None:
        return None
    left, top, width, height = (float(v) / 100 for v in m.groups())
    return left * page.width, top * page.height, (left + width) * page.width, (top + height) * page.height


# --- every number, every format ------------------------------------------------------------


def test_every_number_links_to_the_viewer(site):
    facts = site.facts()
    assert {f["format"] for f in facts} == {"pdf", "html", "docx", "md"}
    for f in facts:
        assert f["source_url"] == f"/-/source/{f['sha256']}?fact={f['fact_id']}#cited", f
    # the provenance row says where, and the link is one click to the viewer
    for name, text in ((FILES["pdf"], "page {page} ↗"), (FILES["md"], "line {line} ↗"),
                       (FILES["html"], "see it in the original ↗"), (FILES["docx"], "see it in the original ↗")):
        fact = site.fact(name)
        page = site.get("/ogi/provenance", fact_id=fact["fact_id"]).text
        href = html.escape(fact["source_url"])
        assert f'href="{href}" title="Open the original">{text.format(**fact)}</a>' in page


def test_the_cite_box_links_the_viewer(site):
    """A number's own page (its cite box) links the viewer too."""
    for name in FILES.values():
        fact = site.fact(name)
        page = site.get(f"/ogi/facts/{fact['fact_id']}")
        assert page.status_code == 200
        assert f'<a href="{html.escape(fact["source_url"])}">See it in the original 查看原文</a>' in page.text


def test_every_number_is_marked_where_it_was_printed(site):
    """The viewer of every printed number marks the very text the database says was printed."""
    checked: dict[str, int] = {}
    pdfs: dict[str, object] = {}
    try:
        for f in site.facts("p.raw is not null and p.raw <> ''"):
            response = site.get(f["source_url"].split("#")[0])
            assert response.status_code == 200, f["source_url"]
            if f["format"] in ("html", "docx"):
                assert [squeeze(c) for c in cited_cells(response.text)] == [squeeze(f["raw"])], f
            elif f["format"] == "md":
                assert re.findall(r"<mark>(.*?)</mark>", response.text) == [html.escape(f["raw"], quote=False)], f
                assert f'<tr id="L{f["line"]}" class="cited">' in response.text
            else:
                if f["sha256"] not in pdfs:
                    pdfs[f["sha256"]] = pdfplumber.open(site.db.parent / "originals" / f"{f['sha256']}.pdf")
                page = pdfs[f["sha256"]].pages[f["page"] - 1]
                box = outline_points(response.text, page)
                assert box is not None, f
                # what pdfplumber reads inside the outline is the number as printed
                assert squeeze(page.crop(box).extract_text()) == squeeze(f["raw"]), f
            checked[f["format"]] = checked.get(f["format"], 0) + 1
    finally:
        for pdf in pdfs.values():
            pdf.close()
    # every generated report's numbers (the hostile page's too)
    assert checked["pdf"] > 150 and checked["docx"] > 150 and checked["md"] > 150 and checked["html"] > 200, checked


def test_the_viewer_says_what_and_where(site):
    fact = site.fact(FILES["docx"])
    page = site.get(fact["source_url"].split("#")[0]).text
    assert f"table {fact['table_no']}, row {fact['row_no']}, column {fact['col_no']}" in page
    assert f'printed as “<code class="raw">{fact["raw"]}</code>”' in page
    assert f'href="/originals/{fact["sha256"]}.docx"' in page and f"{fact['agency']} {fact['year']}" in page
    assert f'row “{fact["printed_label"] or fact["row_label"]}” · column “{fact["col_label"]}”' in page
    pdf = site.fact(FILES["pdf"])
    page = site.get(pdf["source_url"].split("#")[0]).text
    assert f"<strong>Page {pdf['page']} of " in page and f"page {pdf['page']}" in page
    assert f'href="/originals/{pdf["sha256"]}.pdf#page={pdf["page"]}"' in page
    assert f'src="/-/source/{pdf["sha256"]}/page-{pdf["page"]}.png"' in page


def test_rebuilt_tables_carry_only_structure_and_text(site):
    from lxml import html as lxml_html

    fact = site.fact(HOSTILE, "granted", "natural_person")
    assert fact["raw"] == "56"
    page = site.get(fact["source_url"].split("#")[0]).text
    table = lxml_html.fromstring(page).xpath("//div[@class='ogi-viewer-table']")[0]
    assert {el.tag for el in table.iter()} <= {"div", "table", "tbody", "tr", "td"}
    assert {a for el in table.iter() for a in el.attrib} <= {"class", "id", "rowspan", "colspan"}
    assert [squeeze(c) for c in cited_cells(page)] == ["56"]
    for word in ("alert(", "example.invalid", "onclick", "onerror", "<iframe", "display: none"):
        assert word not in page


# --- in the browser ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (scripts/setup installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Tab:
    """A browser tab of one size on the site: off-site requests blocked and recorded,
    JavaScript errors, failed loads and dialogs recorded."""

    def __init__(self, browser, base: str, size: str):
        self.base, self.size = base, size
        self.problems: list[str] = []
        self.context = browser.new_context(viewport=SIZES[size], device_scale_factor=1, is_mobile=size == "phone")
        self.context.route("**/*", self._only_the_site)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.problems.append(f"{self.page.url}: {e}"))
        self.page.on("console", lambda m: self.problems.append(f"{self.page.url}: {m.text}") if m.type == "error" else None)
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))

    def _only_the_site(self, route):
        url = route.request.url
        if url.startswith(self.base) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.problems.append(f"off-site request: {url}")
            route.abort()

    def from_provenance(self, fact: dict):
        """The number's provenance row, then one click on its link: the viewer."""
        self.page.goto(f"{self.base}/ogi/provenance?fact_id={fact['fact_id']}")
        self.page.wait_for_load_state("networkidle")
        self.page.locator("td.col-source_url a").click()
        self.page.wait_for_load_state("networkidle")
        assert self.page.url == self.base + fact["source_url"]
        return self.page

    def fits(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[self.size]["width"], f"{self.page.url}: the page is {width}px wide"

    def shot(self, name: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{self.size}.png"))


@pytest.fixture(params=list(SIZES))
def tab(request, browser):
    tabs = []

    def open_tab(base):
        tabs.append(Tab(browser, base, request.param))
        return tabs[-1]

    yield open_tab
    for t in tabs:
        t.context.close()
    for t in tabs:
        assert t.problems == []


def assert_outline_on_the_text(page, fact: dict, pdf_path: Path):
    """The red outline sits on the page image where pdfplumber finds the number's text."""
    image = page.locator(".ogi-page img")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    shown, box = image.bounding_box(), page.locator(".ogi-outline").bounding_box()
    with pdfplumber.open(pdf_path) as pdf:
        pl = pdf.pages[fact["page"] - 1]
        k = shown["width"] / pl.width  # screen pixels per point
        assert abs(shown["height"] - pl.height * k) < 2  # the image scales with the page, undistorted
        words = [w for w in pl.extract_words() if w["text"] == fact["raw"]]
    tolerance = 3  # pixels
    on_screen = [(shown["x"] + w["x0"] * k, shown["y"] + w["top"] * k, shown["x"] + w["x1"] * k, shown["y"] + w["bottom"] * k) for w in words]
    inside = [w for w in on_screen if w[0] >= box["x"] - tolerance and w[2] <= box["x"] + box["width"] + tolerance
              and w[1] >= box["y"] - tolerance and w[3] <= box["y"] + box["height"] + tolerance]
    assert len(inside) == 1, (fact["raw"], box, on_screen)
    # a cell, not the page: the outline is small
    assert box["width"] < 0.2 * shown["width"] and box["height"] < 0.06 * shown["height"], box


def test_a_pdf_number_in_the_browser(site, tab):
    t = tab(site.base)
    for row_key, col_key in (("granted", "total"), ("new_received", "natural_person")):
        fact = site.fact(FILES["pdf"], row_key, col_key)
        page = t.from_provenance(fact)
        assert_outline_on_the_text(page, fact, site.db.parent / "originals" / f"{fact['sha256']}.pdf")
        assert page.locator(".ogi-page img").bounding_box()["width"] <= SIZES[t.size]["width"]
        t.fits()
        t.shot(f"pdf-{row_key}-{col_key}")


@pytest.mark.parametrize("name", [FILES["html"], FILES["docx"], HOSTILE])
def test_a_table_number_in_the_browser(site, tab, name):
    t = tab(site.base)
    fact = site.fact(name, "granted", "natural_person")
    page = t.from_provenance(fact)
    cited = page.locator("td#cited")
    assert cited.count() == 1 and squeeze(cited.inner_text()) == squeeze(fact["raw"])
    assert cited.evaluate("td => getComputedStyle(td).outlineStyle") == "solid"
    # the cell was scrolled into view, inside the table's own scroller on a phone
    box = cited.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= SIZES[t.size]["width"] and 0 <= box["y"] <= SIZES[t.size]["height"]
    t.fits()
    t.shot(f"table-{Path(name).stem}")


def test_a_text_number_in_the_browser(site, tab):
    t = tab(site.base)
    fact = site.fact(FILES["md"])
    page = t.from_provenance(fact)
    assert page.locator("tr.cited mark").inner_text() == fact["raw"]
    t.fits()
    t.shot("md")


def test_a_real_pdf_number_in_the_browser(real_site, tab):
    t = tab(real_site.base)
    for row_key, col_key in (("new_received", "total"), ("granted", "natural_person")):
        fact = real_site.fact(REAL_PDF.name, row_key, col_key)
        page = t.from_provenance(fact)
        assert_outline_on_the_text(page, fact, real_site.db.parent / "originals" / f"{fact['sha256']}.pdf")
        t.fits()
        t.shot(f"real-pdf-{row_key}-{col_key}")


# --- parameters, bounds, the page images ----------------------------------------------------


def test_every_parameter_is_checked(site):
    pdf, docx, md = site.fact(FILES["pdf"]), site.fact(FILES["docx"]), site.fact(FILES["md"])
    viewer = f"/-/source/{pdf['sha256']}"

    def status(path: str, **params) -> int:
        return site.get(path, **params).status_code

    # malformed: 400
    for junk in ("<script>", "x" * 300, "../../ogi.db", "%00", "'; drop table facts; --", "ＡＢ", pdf["fact_id"].upper()):
        assert status(viewer, fact=junk) == 400, junk
    for name in ("page", "line", "start", "table", "row", "col"):
        for junk in ("0", "-1", "1e3", "２", "1.5", "0x10", " 1", "1" * 12):
            assert status(viewer, **{name: junk}) == 400, (name, junk)
    # well formed but not there: 404
    assert status(viewer, fact=pdf["fact_id"][:16] + "-requests-nothing-total") == 404
    assert status(viewer, fact="0" * 16 + "-requests-granted-total") == 404
    assert status(viewer, fact=docx["fact_id"]) == 404  # a number of another file
    assert status(f"/-/source/{docx['sha256']}", fact=pdf["fact_id"]) == 404
    assert status(viewer, page="999") == 404
    assert status(viewer, page="999999999") == 404
    assert status(f"/-/source/{docx['sha256']}", table="99") == 404
    assert status(f"/-/source/{docx['sha256']}", table="2", row="999", col="1") == 404
    assert status(f"/-/source/{md['sha256']}", line="999999") == 404
    assert status("/-/source/" + "0" * 64, fact=pdf["fact_id"]) == 404
    # good ones
    assert status(viewer, page="1") == 200
    assert status(f"/-/source/{docx['sha256']}", table="2", row="6", col="3") == 200
    assert status(f"/-/source/{docx['sha256']}") == 200
    # page images: only the pages of a report's PDF, by their plain number
    image = f"/-/source/{pdf['sha256']}/page-{{}}.png"
    assert status(image.format(1)) == 200
    for junk in ("0", "01", "999", "999999999999"):
        assert status(image.format(junk)) == 404, junk
    for path in (f"/-/source/{docx['sha256']}/page-1.png", f"/-/source/{'0' * 64}/page-1.png",
                 f"/-/source/{pdf['sha256']}/page-1.png/", f"/-/source/{pdf['sha256']}/page-1.jpg",
                 f"/-/source/{pdf['sha256']}/../../ogi.db", f"/-/source/{pdf['sha256']}/%2e%2e/page-1.png",
                 f"/-/source/{pdf['sha256']}%2Fpage-1.png", f"/-/source/{pdf['sha256'].upper()}",
                 f"/-/source/{pdf['sha256']}/page-1.png%00", f"/-/source/{pdf['sha256']}/page--1.png",
                 f"/-/source/{pdf['sha256']}/a/b/c", "/-/source/", "/-/source", f"/-/source/{pdf['sha256']}/"):
        response = site.get(path)
        # Datasette sends a path with a trailing slash to the path without it: the image itself
        assert response.status_code in (404, 400) or (path.endswith("/") and response.status_code == 302
                                                       and response.headers["location"] == path[:-1]), path
    # nothing answers 500, whatever is asked
    for params in ({"fact": pdf["fact_id"], "page": "2"}, {"fact": pdf["fact_id"], "table": "1"}, {"table": "1", "row": "1"},
                   {"fact": md["fact_id"].replace(md["sha256"][:16], pdf["sha256"][:16])}, {"page": "1", "line": "1"}):
        for sha in (pdf["sha256"], docx["sha256"], md["sha256"]):
            assert status(f"/-/source/{sha}", **params) in (200, 400, 404), (sha, params)


def test_page_images_are_bounded_and_cached(site):
    pdf = site.fact(FILES["pdf"])
    path = f"/-/source/{pdf['sha256']}/page-{pdf['page']}.png"
    first = site.get(path)
    assert first.status_code == 200 and first.headers["content-type"] == "image/png"
    assert "immutable" in first.headers["cache-control"] and first.headers["x-content-type-options"] == "nosniff"
    assert first.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", first.content[16:24])
    assert width * height <= PAGE_PIXELS and width > 1000  # A4 at 144 dpi: 1191 × 1684
    cached = list(site.cache.glob(f"{pdf['sha256']}-{pdf['page']}-*.png"))
    assert len(cached) == 1 and cached[0].read_bytes() == first.content
    assert site.get(path).content == first.content
