"""The published site over HTTP, served by `ogi serve` on loopback."""

from __future__ import annotations

import csv
import io

import httpx


def get(base, path, **params):
    return httpx.get(base + path, params=params, timeout=30)


def test_home_page(server):
    page = get(server, "/")
    assert page.status_code == 200
    assert "政府信息公开工作年度报告" in page.text


def test_reports_json_api(server):
    data = get(server, "/ogi/reports.json", _shape="objects").json()
    assert len(data["rows"]) == 5
    assert {r["agency"] for r in data["rows"]} >= {"山东省人力资源和社会保障厅", "广州市海珠区人力资源和社会保障局"}


def test_facts_csv_download(server):
    response = get(server, "/ogi/facts.csv", part="requests", row_key="new_received", col_key="total", _labels="on")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 5
    assert sorted(int(r["value"]) for r in rows) == [0, 0, 0, 9, 159]


def test_faceted_table(server):
    data = get(server, "/ogi/reports.json", _facet="province").json()
    values = {f["value"]: f["count"] for f in data["facet_results"]["province"]["results"]}
    assert values["安徽省"] == 2


def test_full_text_search(server):
    data = get(server, "/ogi/sections.json", _search="政务公开目录", _shape="objects").json()
    assert data["rows"]


def test_canned_query(server):
    page = get(server, "/ogi/failing_identities")
    assert page.status_code == 200 and "Reports whose numbers" in page.text
    data = get(server, "/ogi/requests_by_agency.json", _shape="objects").json()
    assert data["rows"][0]["agency"] == "山东省人力资源和社会保障厅" and data["rows"][0]["new_received"] == 159


def test_vega_plugin_is_installed(server):
    plugins = {p["name"] for p in get(server, "/-/plugins.json").json()}
    assert "datasette-vega" in plugins
    page = get(server, "/ogi/reports")
    assert "/-/static-plugins/datasette_vega/" in page.text


def test_read_only_and_bounded(server):
    assert get(server, "/ogi.db").status_code == 403  # database download is off
    write = get(server, "/ogi.json", sql="delete from facts")
    assert write.status_code == 400 and "SELECT" in write.text
    settings = get(server, "/-/settings.json").json()
    assert settings["allow_download"] is False
    assert settings["sql_time_limit_ms"] <= 5000
