"""One agency, one timeline: agencies across names and years, cross-year checks, coverage of
every division, the agency page and the map, in the database and in a real browser."""

from __future__ import annotations

import shutil

import httpx
import pytest
import sqlite_utils

from conftest import report_id, samples, serving
from ogi import agencies, load

XIANGSHAN = "相山区人力资源和社会保障局"


def agency_ids(*reports: dict) -> list[str]:
    return [a.id for a in agencies.group([{"id": str(n), "year": 2020, **r} for n, r in enumerate(reports)])]


HUAIBEI = {"province": "安徽省", "city": "淮北市", "county": "相山区", "adcode": "340603"}


def test_one_agency_whatever_form_its_name_takes():
    forms = ("相山区人社局", "淮北市相山区人力资源和社会保障局", "相山区人力资源和社会保障局", "淮北相山区人力资源社会保障局")
    grouped = agencies.group([{"id": str(n), "year": 2019 + n, "agency": name, **HUAIBEI} for n, name in enumerate(forms)])
    assert len(grouped) == 1
    (one,) = grouped
    assert (one.name, one.department, one.kind, one.level) == (
        "淮北市相山区人力资源和社会保障局", "人力资源和社会保障局", "人力资源和社会保障", "county")
    assert sorted(one.names) == sorted(forms) and one.report_ids == ["0", "1", "2", "3"]
    shanghai = {"province": "上海市", "city": "上海市", "county": None, "adcode": "310000"}
    assert len(agency_ids({"agency": "上海市科委", **shanghai}, {"agency": "上海市科学技术委员会", **shanghai})) == 1
    # the district's government, written short
    assert len(agency_ids({"agency": "相山区政府", **HUAIBEI}, {"agency": "淮北市相山区人民政府", **HUAIBEI})) == 1


def test_different_agencies_stay_apart():
    assert len(agency_ids({"agency": "相山区人社局", **HUAIBEI}, {"agency": "相山区教育局", **HUAIBEI})) == 2
    tiexi = {"province": "吉林省", "city": "四平市", "county": "铁西区"}
    assert len(agency_ids({"agency": "四平市铁西区人民政府", **tiexi, "adcode": "220302"},
                          {"agency": "沈阳市铁西区人民政府", "province": "辽宁省", "city": "沈阳市", "county": "铁西区", "adcode": "210106"})) == 2
    # two agencies nobody could place are never merged by their department alone
    assert len(agency_ids({"agency": "某某局"}, {"agency": "另一个某某局"})) == 2


def test_kinds_and_levels_from_the_name():
    assert agencies.kind_of("人民政府办公厅") == ("办公厅/办公室", "General office of the government")
    assert agencies.kind_of("人民政府")[0] == "人民政府"
    assert agencies.kind_of("住房和城乡建设局")[0] == "住房和城乡建设"
    assert agencies.kind_of("某某中心") == ("某某中心", "")
    (province,) = agencies.group([{"id": "a", "year": 2019, "agency": "山东省人力资源和社会保障厅", "province": "山东省", "adcode": "370000"}])
    assert (province.level, province.name) == ("province", "山东省人力资源和社会保障厅")


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    """The samples, 相山区 2023 reprinted as its 2020 report with 上年结转 2 (2019 carried 0
    forward: the cross-year check fails), and a file named for 相山区 2021 that is no report."""
    folder = tmp_path_factory.mktemp("timeline")
    for sample in samples():
        shutil.copy(sample, folder / sample.name)
    lines = samples()[1].read_text(encoding="utf-8").split("\n")
    assert lines[2].startswith(f"{XIANGSHAN}2023年") and lines[52].startswith("二、上年结转")
    lines[2] = f"淮北市相山区人社局2020年政府信息公开工作年度报告"
    lines[52] = "二、上年结转政府信息公开申请数量\t\t2\t0\t0\t0\t0\t0\t2\t"
    (folder / "xiangshan-2020.txt").write_text("\n".join(lines), encoding="utf-8")
    (folder / "淮北市相山区人力资源和社会保障局2021年报告.txt").write_text("页面不存在\n", encoding="utf-8")
    db = folder / "build" / "ogi.db"
    load.build([folder], db)
    return db


def test_the_two_xiangshan_reports_share_one_agency(timeline):
    db = sqlite_utils.Database(timeline)
    found = {r["agency_id"] for r in db.query("select agency_id from reports where agency like '%相山区%'")}
    assert len(found) == 1
    (agency,) = [db["agencies"].get(found.pop())]
    assert (agency["reports"], agency["years"], agency["missing_years"], agency["level"]) == (3, "2019 2020 2023", "2021 2022", "county")
    assert agency["names"] == f"淮北市相山区人社局 / {XIANGSHAN}"
    assert (agency["province"], agency["city"], agency["county"], agency["adcode"]) == ("安徽省", "淮北市", "相山区", "340603")
    assert (round(agency["longitude"], 2), round(agency["latitude"], 2)) == (116.79, 33.96)


def test_cross_year_check_of_consecutive_years(timeline):
    db = sqlite_utils.Database(timeline)
    checks = list(db.query("select c.*, r.year, p.year as previous_year from checks c join reports r on r.id = c.report_id "
                           "join reports p on p.id = c.previous_report_id where c.identity like 'cross_year%'"))
    assert [(c["identity"], c["key"], c["previous_year"], c["year"], c["lhs"], c["rhs"], c["diff"], c["ok"]) for c in checks] == [
        ("cross_year_carried_over", "total", 2019, 2020, 2, 0, 2, 0)]
    assert checks[0]["previous_report_id"] == report_id(samples()[0])


def test_coverage_tells_a_missing_report_from_a_failed_one(timeline):
    db = sqlite_utils.Database(timeline)
    row = {(r["year"]): r for r in db.query("select * from coverage where adcode = '340603'")}
    assert sorted(row) == [2019, 2020, 2023]  # the years the database covers
    assert [(row[y]["own_reports"], row[y]["status"]) for y in (2019, 2020, 2023)] == [(1, "reports"), (1, "reports"), (1, "reports")]
    anhui = {r["year"]: r for r in db.query("select * from coverage where adcode = '340000'")}
    assert anhui[2019]["reports"] == 1 and anhui[2019]["own_reports"] == 0
    # 2021 is not a year the database covers, so the failed file counts nowhere in 2021 …
    assert db.execute("select count(*) from coverage where year = 2021").fetchone()[0] == 0
    # … but it is counted against 相山区 for no year
    counties = db.execute("select count(*) from coverage where level = 'county' and year = 2019").fetchone()[0]
    assert counties > 2800
    published = db.execute(
        "select sum(own_reports > 0), count(*) from coverage where level = 'county' and province = '安徽省' and year = 2019").fetchone()
    assert published[0] == 1 and published[1] > 100


def test_the_agency_page_shows_its_years_gaps_and_checks(timeline):
    db = sqlite_utils.Database(timeline)
    agency_id = db.execute("select agency_id from reports where agency like '%相山区%' limit 1").fetchone()[0]
    with serving(timeline) as base:
        page = httpx.get(f"{base}/-/agency/{agency_id}", timeout=30)
        assert page.status_code == 200
        html = page.text
        for year in (2019, 2020, 2023):
            assert f"/ogi/reports/{db.execute('select id from reports where agency_id = ? and year = ?', [agency_id, year]).fetchone()[0]}" in html
        assert html.count('class="gap">2021<br>no report') == 1 and html.count('class="gap">2022<br>no report') == 1
        assert "2020 → 2023: not checked, 2021–2022 are missing." in html
        assert 'class="ogi-check-fails">2019 → 2020' in html and "fails by 2" in html
        # every agency name leads here
        summary = httpx.get(f"{base}/ogi/report_summary", params={"agency_id": agency_id}, timeout=30).text
        assert f'href="/-/agency/{agency_id}"' in summary
        assert httpx.get(f"{base}/-/agency/000000-00000000", timeout=30).status_code == 404
        assert httpx.get(f"{base}/-/agency/<script>", timeout=30, follow_redirects=True).status_code == 404


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.parametrize("viewport", [(1300, 900), (390, 844)], ids=["desktop", "phone"])
def test_coverage_agency_page_and_map_in_the_browser(timeline, viewport):
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (scripts/setup installs it)")
    agency_id = sqlite_utils.Database(timeline).execute("select agency_id from reports where agency like '%相山区%' limit 1").fetchone()[0]
    with serving(timeline) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        offsite, errors = [], []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith((base, "data:", "blob:"))
                      else (offsite.append(route.request.url), route.abort()))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        page.goto(f"{base}/ogi/coverage?adcode=340603")
        page.wait_for_load_state("networkidle")
        assert page.locator("table.rows-and-columns tbody tr").count() == 3

        page.goto(f"{base}/-/agency/{agency_id}")
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("#ogi-agency-chart svg.marks")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
        # the chart's lines do not bridge the missing years: one path per segment and figure
        assert page.locator("#ogi-agency-chart path[aria-roledescription='line mark']").count() == 2 * 5

        page.goto(f"{base}/-/dashboards/map?figure=new_received")
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("#chart-map svg.marks")
        dots = page.locator("#chart-map path[aria-roledescription='circle']")
        page.wait_for_function("document.querySelectorAll(\"#chart-map path[aria-roledescription='circle']\").length > 300")
        agencies_shown = sqlite_utils.Database(timeline).execute("select count(*) from agencies where longitude is not null").fetchone()[0]
        basemap = sqlite_utils.Database(timeline).execute(
            "select count(distinct adcode) from coverage where level in ('province', 'city')").fetchone()[0]
        assert dots.count() == basemap + agencies_shown
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport[0]
        browser.close()
    assert offsite == [] and errors == []


def test_how_many_counties_published(timeline):
    """The coverage question against a count made from the reports themselves."""
    import yaml

    from conftest import ROOT

    sql = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["ogi"]["queries"]["coverage_by_province"]["sql"]
    db = sqlite_utils.Database(timeline)
    got = {(r["province"], r["year"]): r for r in db.query(sql, {"province": "安徽", "level": "county", "year": ""})}
    for year in (2019, 2020, 2023):
        counties = {r[0] for r in db.execute(
            "select adcode from reports where province = '安徽省' and year = ? and county is not null", [year])}
        row = got[("安徽省", year)]
        assert row["with_reports"] == len(counties) == 1
        assert row["divisions"] == row["with_reports"] + row["failed_only"] + row["none"]
        assert row["with_government_report"] == 0  # 相山区's reports are its 人社局's, not its government's


def test_what_the_narrative_says_is_in_the_database_with_its_checks(built_db):
    """山东省人力资源和社会保障厅 2019, line 13: 收到信息公开申请 159 件 … 上年度结转 1 件 …
    未发生因信息公开申请提起的行政复议和行政诉讼; its tables print the same numbers."""
    db = sqlite_utils.Database(built_db)
    shandong = report_id(samples()[4])
    figures = [(r["key"], r["value"], r["raw"], r["line"]) for r in db.query(
        "select * from narrative where report_id = ? order by id", [shandong])]
    assert figures == [
        ("lawsuits", 0, "未发生因信息公开申请提起的行政复议和行政诉讼", 13),
        ("requests_carried_over", 1, "上年度结转 1 件", 13),
        ("requests_received", 159, "收到信息公开申请 159 件", 13),
        ("reviews", 0, "未发生因信息公开申请提起的行政复议和行政诉讼", 13),
    ]
    gold = __import__("conftest").gold_for(samples()[4])
    checks = {(c["identity"], c["lhs"], c["rhs"], c["ok"]) for c in db.query(
        "select * from checks where report_id = ? and identity like 'narrative%'", [shandong])}
    assert checks == {
        ("narrative_new_received", 159, gold["requests"]["new_received"]["total"], 1),
        ("narrative_carried_over", 1, gold["requests"]["carried_over"]["total"], 1),
        ("narrative_reviews", 0, gold["appeals"]["review"]["total"], 1),
        ("narrative_lawsuits", 0, gold["appeals"]["litigation_direct"]["total"] + gold["appeals"]["litigation_after_review"]["total"], 1),
    }
    line = samples()[4].read_text(encoding="utf-8").splitlines()[12]
    for _, _, raw, _ in figures:
        assert raw in line
