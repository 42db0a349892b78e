"""The site as journalists use it: downloads that open in Excel, the whole database, an open
API, questions that take part of a name and offer choices, Chinese labels on question pages,
the about and API pages, robots.txt and the sitemap, failures explained in two languages."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
import sqlite_utils

from conftest import gold_for, samples
from ogi import messages

SHANDONG = "山东省人力资源和社会保障厅"


def get(base: str, path: str, **params) -> httpx.Response:
    return httpx.get(base + path, params=params or None, timeout=60)


def excel_rows(response: httpx.Response) -> list[dict]:
    """The CSV as Excel reads it on a double-click: UTF-8 only because of the byte-order mark."""
    assert response.content.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would read GBK/ANSI mojibake"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_table_downloads_for_excel_whole_with_absolute_links(server, built_db):
    response = get(server, "/-/export/report_summary.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    table = excel_rows(response)
    db = sqlite_utils.Database(built_db)
    assert len(table) == db["report_summary"].count
    shandong = next(r for r in table if r["agency"] == SHANDONG)
    gold = gold_for(samples()[4])["requests"]
    assert (shandong["new_received"], shandong["answered"], shandong["refusal_rate"]) == (
        str(gold["new_received"]["total"]), str(gold["total"]["total"]), "2.5")
    assert shandong["source_url"] == f"{server}{db['report_summary'].get(shandong['report_id'])['source_url']}"
    assert not any("<" in value for row in table for value in row.values())  # no markup in cells


def test_exports_stream_every_row_past_the_page_limit(server, built_db):
    settings = get(server, "/-/settings.json").json()
    db = sqlite_utils.Database(built_db)
    assert db["coverage"].count > 2 * settings["max_returned_rows"]  # pages of the export: more than one
    table = excel_rows(get(server, "/-/export/coverage.csv"))
    assert len(table) == db["coverage"].count
    assert len({r["id"] for r in table}) == len(table)
    # a filter on any column, and Chinese headers
    anhui = excel_rows(get(server, "/-/export/coverage.csv", province="安徽省", level="county", headers="zh"))
    want = db.execute("select count(*) from coverage where province = '安徽省' and level = 'county'").fetchone()[0]
    assert len(anhui) == want and "层级 (level)" not in anhui[0]  # coverage has no dictionary: names stay
    summary = excel_rows(get(server, "/-/export/report_summary.csv", headers="zh"))
    assert "不予公开率（%） (refusal_rate)" in summary[0]
    assert get(server, "/-/export/sqlite_master.csv").status_code == 404


def test_a_question_downloads_for_excel_with_its_parameters(server):
    response = get(server, "/-/export/q/refusals_by_agency.csv", year="2019", province="山东", min_answered="")
    table = excel_rows(response)
    assert [(r["agency"], r["withheld"], r["refusal_rate"]) for r in table] == [(SHANDONG, "4", "2.5")]
    assert table[0]["source_url"].startswith(server + "/")
    assert get(server, "/-/export/q/no_such_question.csv").status_code == 404


def test_the_whole_database_and_an_open_api(server, built_db, tmp_path):
    download = get(server, "/ogi.db")
    assert download.status_code == 200
    copy = tmp_path / "ogi.db"
    copy.write_bytes(download.content)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("select count(*) from facts").fetchone()[0] == sqlite_utils.Database(built_db)["facts"].count
    api = get(server, "/ogi/report_summary.json", _shape="array")
    assert api.headers["access-control-allow-origin"] == "*"
    page = get(server, "/-/api").text
    assert "curl" in page and "pd.read_csv" in page and "fromJSON" in page
    for path in re.findall(r"(/-/export/[a-z_]+\.csv)", page):
        assert get(server, path).status_code == 200, path


def test_questions_take_part_of_a_name_and_offer_choices(server):
    rows = get(server, "/ogi/refusals_by_agency.json", _shape="array", year="", province="江苏", min_answered="0").json()
    exact = get(server, "/ogi/refusals_by_agency.json", _shape="array", year="", province="江苏省", min_answered="0").json()
    assert rows == exact  # the samples hold no 江苏 report: both empty …
    shandong = get(server, "/ogi/refusals_by_agency.json", _shape="array", year="", province="山东", min_answered="0").json()
    assert [r["agency"] for r in shandong] == [SHANDONG]  # … 山东 finds 山东省
    page = get(server, "/ogi/refusals_by_agency", year="2019", province="", min_answered="").text
    choices = dict(re.findall(r'<datalist id="choices-(\w+)">(.*?)</datalist>', page, re.S))
    provinces = re.findall(r'<option value="([^"]+)">', choices["province"])
    assert provinces == sorted({gold_for(s)["region"]["province"] for s in samples()})
    assert re.findall(r'<option value="([^"]+)">', choices["year"]) == [str(y) for y in sorted({gold_for(s)["year"] for s in samples()}, reverse=True)]
    # Chinese labels under the column names, as on table pages
    assert re.search(r'<th class="col-refusal_rate" scope="col">refusal_rate<span class="col-zh">不予公开率（%）</span>', page)
    assert "CSV for Excel" in page


def test_housekeeping_pages(server):
    robots = get(server, "/robots.txt").text
    assert "Disallow: /*?*sql=" in robots and f"Sitemap: {server}/sitemap.xml" in robots
    sitemap = get(server, "/sitemap.xml")
    assert sitemap.headers["content-type"].startswith("application/xml")
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap.text)
    agencies = get(server, "/ogi/agencies.json", _shape="array").json()
    assert {f"{server}/-/agency/{a['id']}" for a in agencies} <= set(urls)
    assert all(httpx.get(url, timeout=60, follow_redirects=True).status_code == 200 for url in urls[:12])
    about = get(server, "/-/about").text
    assert "corrections.csv" in about and "CC BY 4.0" in about and "992 of 992" in about
    assert get(server, "/-/metadata.json").json()["about_url"] == "/-/about"


def test_failures_are_explained_in_chinese_and_english():
    assert messages.problem("error", "none of the statistical tables (主动公开 …) was found", 40).kind == "not_a_report"
    assert messages.problem("error", "none of the statistical tables (主动公开 …) was found", 0).kind == "empty_file"
    found = messages.problem("error", "not a readable PDF (Incorrect password error)", 1000)
    assert (found.kind, found.zh.startswith("加密的 PDF"), found.en.startswith("Encrypted PDF")) == ("encrypted_pdf", True, True)
    assert messages.problem("error", "the PDF has 9,000 pages, more than the limit of 2,000 (limit pdf_pages): not read", 5).kind == "too_big"
    assert messages.problem("parsed", None, 5) is None
    assert messages.problem("duplicate", "same content as a.txt", 5).kind == "duplicate"


def test_failed_files_carry_the_explanation(tmp_path):
    from ogi import load

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / samples()[0].name).write_bytes(samples()[0].read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "notice.txt").write_text("关于做好春节期间值班工作的通知\n", encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    db = tmp_path / "ogi.db"
    load.build([folder], db)
    got = {r["path"]: (r["status"], r["problem"], r["problem_zh"][:6] if r["problem_zh"] else None)
           for r in sqlite_utils.Database(db)["sources"].rows}
    assert got == {
        samples()[0].name: ("parsed", None, None),
        "empty.txt": ("error", "empty_file", "空文件：文件"),
        "notice.txt": ("error", "not_a_report", "不是年度报告"),
        "broken.pdf": ("error", "damaged_pdf", "PDF 已损"),
    }


@pytest.mark.parametrize("viewport", [(1300, 900), (390, 844)], ids=["desktop", "phone"])
def test_question_about_and_api_pages_in_the_browser(server, viewport):
    from playwright.sync_api import sync_playwright

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (scripts/setup installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
        offsite, errors = [], []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith((server, "data:", "blob:"))
                      else (offsite.append(route.request.url), route.abort()))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server}/ogi/refusals_by_agency?year=&province=&min_answered=0")
        page.wait_for_load_state("networkidle")
        page.fill("input[name=province]", "山东")  # part of the name …
        page.get_by_role("button", name="Show 查询").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("td.col-agency").all_inner_texts() == [SHANDONG]  # … finds 山东省
        with page.expect_download() as download:
            page.get_by_role("link", name="CSV for Excel").click()
        data = Path(download.value.path()).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and SHANDONG in data.decode("utf-8-sig")
        for path in ("/-/about", "/-/api"):
            page.goto(server + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0], path
        browser.close()
    assert offsite == [] and errors == []


@pytest.fixture(scope="module")
def traditional(tmp_path_factory):
    """The samples, and 山东's report printed in Traditional characters (復議 for 复议)."""
    from opencc import OpenCC

    from conftest import serving
    from ogi import load

    folder = tmp_path_factory.mktemp("traditional")
    for sample in samples()[:4]:
        (folder / sample.name).write_bytes(sample.read_bytes())
    text = samples()[4].read_text(encoding="utf-8")
    (folder / "shandong-traditional.txt").write_text(OpenCC("s2t").convert(text), encoding="utf-8")
    db = folder / "build" / "ogi.db"
    load.build([folder], db)
    with serving(db) as base:
        yield base, db


def test_search_folds_character_forms(traditional):
    base, db = traditional
    report = sqlite_utils.Database(db).execute("select id, agency, agency_printed from reports where agency_printed like '%廳%'").fetchone()
    assert report[1] == SHANDONG and report[2] != SHANDONG  # agency in Simplified, the printed form kept
    printed = "複議"  # how OpenCC prints 复议 in Traditional characters
    sections_with = {r[0] for r in sqlite_utils.Database(db).execute(
        "select id from sections where report_id = ? and text like ?", [report[0], f"%{printed}%"])}
    assert sections_with, "the Traditional report prints 複議"
    for word in ("复议", "復議", "複議"):
        hits = get(base, "/ogi/search.json", _shape="array", q=word, year="").json()
        found = {h["section_id"] for h in hits if h["report_id"] == report[0]}
        assert found == sections_with, word
        marked = [h["snippet"] for h in hits if h["report_id"] == report[0]]
        assert marked and all(f"<mark>{printed}</mark>" in m for m in marked), word  # shown as printed
    # the table search box of sections too
    rows = get(base, "/ogi/sections.json", _shape="array", _search="複議", report_id=report[0]).json()
    assert {r["id"] for r in rows} == sections_with
    # and a question's agency filter, typed in Traditional
    yoy = get(base, "/ogi/year_over_year.json", _shape="array", agency="山東省人力資源", check_status="").json()
    assert [r["agency"] for r in yoy] == [SHANDONG]
