"""Screenshots of the site for the README, at desktop and phone sizes.

In: the address of a running site (`ogi serve`). Out: docs/*.png (the home page, the
dashboard, a question, search, an agency page, the map, a summary row on a phone, a number in
its original). Uses Debian's chromium (/usr/bin/chromium), never a downloaded browser, and
blocks every request that does not go to the site, so the pictures show it offline.

    .venv/bin/ogi build ogi/samples ../shared/corpus/real --db build/ogi.db
    .venv/bin/ogi serve &
    .venv/bin/python docs/screenshots.py http://127.0.0.1:8001
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright

DOCS = Path(__file__).resolve().parent
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"]
CHART = "svg.marks, canvas.marks"

SHOTS = {
    "home.png": ("/", None, False),
    "dashboard.png": ("/-/dashboards/overview", "#chart-outcomes :is(svg.marks, canvas.marks)", True),
    "question.png": (
        "/ogi/refusals_by_agency?year=&province=#g.mark=bar&g.x_column=report&g.x_type=ordinal&g.y_column=withheld&g.y_type=quantitative",
        CHART, True,
    ),
    "search.png": ("/ogi/search?q=" + quote("复议") + "&year=", None, False),
    "agency.png": ("/-/agency/310000-9cabf424", "#ogi-agency-chart svg.marks", False),
    "map.png": ("/-/dashboards/map?figure=refusal_rate", "#chart-map svg.marks", False),
}
# (name, path, what to wait for): the same site on a 390×844 phone.
PHONE_SHOTS = {
    "phone-summary.png": ("/ogi/report_summary", None),
    "phone-question.png": ("/ogi/refusals_by_agency?year=&province=&min_answered=0", None),
    "phone-agency.png": ("/-/agency/310000-9cabf424", "#ogi-agency-chart svg.marks"),
}


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith((base, "data:", "blob:")) else route.abort())
        for name, (path, wait_for, full_page) in SHOTS.items():
            page = context.new_page()
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if wait_for:
                page.wait_for_selector(wait_for)
                page.wait_for_timeout(500)  # let vega finish its transition before the picture
            page.screenshot(path=str(DOCS / name), full_page=full_page)
            print(DOCS / name)
            page.close()
        phone = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, is_mobile=True)
        phone.route("**/*", lambda route: route.continue_() if route.request.url.startswith((base, "data:", "blob:")) else route.abort())
        for name, (path, wait_for) in PHONE_SHOTS.items():
            page = phone.new_page()
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if wait_for:
                page.wait_for_selector(wait_for)
                page.wait_for_timeout(500)
            page.screenshot(path=str(DOCS / name), full_page=False)
            print(DOCS / name)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8001")
