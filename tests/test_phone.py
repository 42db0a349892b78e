"""The site on a phone (390×844) and the dashboard's state, in Debian's chromium with every
off-site request blocked: no page wider than the screen, a summary row a short card, the
site's navigation everywhere, filters kept in the URL and in the controls."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlite_utils

from conftest import ROOT, report_id, samples

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (scripts/setup installs it)")


def plugin():
    spec = importlib.util.spec_from_file_location("ogi_site_plugin", ROOT / "ogi" / "site" / "plugins" / "ogi_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def phone(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        offsite, errors = [], []
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith((server, "data:", "blob:"))
                      else (offsite.append(route.request.url), route.abort()))
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page, offsite, errors
        browser.close()
    assert offsite == [] and errors == []


def test_no_page_is_wider_than_a_phone(phone, server, built_db):
    page, _, _ = phone
    agency = sqlite_utils.Database(built_db).execute("select agency_id from reports limit 1").fetchone()[0]
    for path in ("/", "/ogi", "/ogi/report_summary", "/ogi/requests_wide", "/ogi/appeals_wide", "/ogi/active_wide",
                 "/ogi/provenance", "/ogi/agencies", "/ogi/coverage", "/ogi/refusals_by_agency?year=&province=&min_answered=0",
                 "/ogi/year_over_year?agency=&check_status=", f"/-/agency/{agency}", f"/ogi/reports/{report_id(samples()[4])}",
                 f"/ogi/facts/{report_id(samples()[4])}-requests-granted-total",
                 "/-/dashboards/overview", "/-/dashboards/map", "/-/about", "/-/api"):
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert page.locator(".ogi-nav").count() == 1, path  # the site's navigation on every page


def test_a_summary_row_is_a_short_card(phone, server):
    page, _, _ = phone
    compact = plugin().COMPACT_COLUMNS["report_summary"]
    page.goto(f"{server}/ogi/report_summary?report_id={report_id(samples()[4])}")
    page.wait_for_load_state("networkidle")
    row = page.locator("table.rows-and-columns tbody tr").first
    shown = [c for c in row.locator("td").evaluate_all("cells => cells.filter(c => c.offsetParent !== null).map(c => c.className)")]
    assert sorted(c.split()[0].removeprefix("col-") for c in shown) == sorted(compact)
    page.get_by_role("link", name="Show all columns 显示全部列").click()
    page.wait_for_load_state("networkidle")
    everything = page.locator("table.rows-and-columns tbody tr").first.locator("td").evaluate_all(
        "cells => cells.filter(c => c.offsetParent !== null).length")
    assert everything > 3 * len(compact)


def test_the_dashboard_keeps_its_filters(phone, server):
    page, _, _ = phone
    page.goto(f"{server}/-/dashboards/overview?year=2019&province=")
    page.wait_for_load_state("networkidle")
    assert page.locator("select#year").input_value() == "2019"  # the URL's filter shows in its control
    page.select_option("select#province", "山东省")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    assert "year=2019" in page.url and "province=" in page.url  # changing one filter keeps the other
    assert page.locator("select#year").input_value() == "2019" and page.locator("select#province").input_value() == "山东省"
