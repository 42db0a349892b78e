"""The published site over HTTP, served by `ogi serve` on loopback: the home page, the
tables for people, facets and sorting, search, the questions, provenance down to the
original file, the dashboard's queries, and the limits of a public read-only site."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
from collections import Counter
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import sqlite_utils
import yaml
from markupsafe import escape

from conftest import ROOT, SHARED, site_plugin, gold_for, gold_rate, gold_summaries, identities, report_id, samples, serving, tables_from_facts
from ogi import load, views, vocabulary

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
QUERIES = METADATA["databases"]["ogi"]["queries"]
DASHBOARD = METADATA["plugins"]["datasette-dashboards"]["overview"]
PEOPLE_TABLES = ["report_summary", "requests_wide", "appeals_wide", "active_wide"]
SHANDONG = "山东省人力资源和社会保障厅"


def get(base, path, **params):
    # params only when given: httpx would replace a query string already in path
    return httpx.get(base + path, params=params or None, timeout=60)


def rows(base, path, **params) -> list[dict]:
    """The rows of a page's JSON (path with or without .json, with or without a query string)."""
    page, _, query = path.partition("?")
    if not page.endswith(".json"):
        page += ".json"
    query = "&".join(q for q in (query, urlencode({"_shape": "objects", **params})) if q)
    response = httpx.get(f"{base}{page}?{query}", timeout=60)
    assert response.status_code == 200, response.text[:500]
    return response.json()["rows"]


def no_params(name: str) -> dict:
    """Every parameter of a canned query, empty (= no filter)."""
    return {p: "" for p in re.findall(r"(?<!:):(\w+)", QUERIES[name]["sql"])}


@pytest.fixture(scope="module")
def later_reports(tmp_path_factory) -> Path:
    """The samples plus 相山区's 2023 report reprinted as its 2020 report with two changes:
    2 requests carried over (2019 carried none forward, so the cross-year check fails and
    the report's own balance too) and one administrative review that corrected the agency."""
    folder = tmp_path_factory.mktemp("later")
    for sample in samples():
        shutil.copy(sample, folder / sample.name)
    lines = samples()[1].read_text(encoding="utf-8").split("\n")
    assert lines[2].startswith("相山区人力资源和社会保障局2023年") and lines[52].startswith("二、上年结转")
    lines[2] = lines[2].replace("2023年", "2020年")
    lines[52] = "二、上年结转政府信息公开申请数量\t\t2\t0\t0\t0\t0\t0\t2\t"
    assert lines[82].startswith("1\t0\t0\t0\t1\t")
    lines[82] = lines[82].replace("1\t0\t0\t0\t1\t", "1\t1\t0\t0\t2\t", 1)
    (folder / "xiangshan-2020.txt").write_text("\n".join(lines), encoding="utf-8")
    db = folder / "build" / "ogi.db"
    load.build([folder], db)
    return db


@pytest.fixture(scope="module")
def later_server(later_reports):
    with serving(later_reports) as base:
        yield base


# --- the home page -----------------------------------------------------------------------


def test_home_page_leads_to_every_question_search_and_the_dashboard(server):
    page = get(server, "/")
    assert page.status_code == 200
    assert "政府信息公开工作年度报告" in page.text
    assert f"{len(samples())} annual reports" in page.text
    for name, query in QUERIES.items():
        assert re.search(f'href="/ogi/{name}[#"?]', page.text), name
        assert str(escape(query["title"])) in page.text, name
    assert 'action="/ogi/search"' in page.text and 'name="q"' in page.text
    assert "one character or more" in page.text  # how search behaves, said where people search
    assert "/-/dashboards/overview" in page.text


# --- APIs --------------------------------------------------------------------------------


def test_reports_json_api(server):
    data = get(server, "/ogi/reports.json", _shape="objects").json()
    got = sorted((r["id"], r["agency"], r["year"], r["province"], r["format"]) for r in data["rows"])
    want = sorted((report_id(s), g["agency"], g["year"], g["region"]["province"], g["format"]) for s in samples() for g in [gold_for(s)])
    assert got == want


def test_facts_csv_download(server):
    response = get(server, "/ogi/facts.csv", part="requests", row_key="new_received", col_key="total", _labels="on")
    assert response.status_code == 200
    table = list(csv.DictReader(io.StringIO(response.text)))
    # one row per report, its value the printed 本年新收 总计, its report named by its label
    got = sorted((r["report_id"], r["report_id_label"], float(r["value"])) for r in table)
    want = sorted((s["report_id"], s["label"], s["new_received"]) for s in gold_summaries())
    assert got == want


# --- tables for people -------------------------------------------------------------------


def wide(db: sqlite_utils.Database, table: str, key: str, file_name: str) -> dict:
    """{row key: {column key: value}} of a wide table for one sample, as the gold files have it."""
    cells = {c.name: c.col_key for c in views.tables()[table] if c.col_key}
    out = {}
    for row in db.query(
        f"select w.* from {table} w join reports r on r.id = w.report_id join sources s on s.id = r.source_id where s.file_name = ?",
        [file_name],
    ):
        out[row[key]] = {col_key: row[name] for name, col_key in cells.items() if row[name] is not None}
    return out


def test_wide_tables_read_like_the_printed_tables(built_db):
    db = sqlite_utils.Database(built_db)
    for sample in samples():
        gold = gold_for(sample)
        assert wide(db, "requests_wide", "row_key", sample.name) == gold["requests"], sample.name
        assert wide(db, "appeals_wide", "appeal", sample.name) == gold["appeals"], sample.name
        assert wide(db, "active_wide", "item", sample.name) == gold["active"], sample.name
    # Read in printed order: position follows the template.
    keys = [r["row_key"] for r in db.query("select row_key from requests_wide where report_id = ? order by position", [report_id(samples()[1])])]
    assert keys == [i.key for i in vocabulary.request_rows() if "2021" in i.formats]


def test_report_summary_adds_up_the_total_column(built_db):
    db = sqlite_utils.Database(built_db)
    for sample in samples():
        total = {row: cols["total"] for row, cols in gold_for(sample)["requests"].items()}
        group = lambda prefix: sum(v for k, v in total.items() if k.startswith(prefix))  # noqa: E731
        summary = next(db.query(
            "select s.* from report_summary s join sources f on f.id = s.source_id where f.file_name = ?", [sample.name]
        ))
        assert summary["new_received"] == total["new_received"]
        assert summary["answered"] == total["total"]
        assert summary["withheld"] == group("withheld.")
        assert summary["withheld_third_party_rights"] == total["withheld.third_party_rights"]
        assert summary["unable"] == group("unable.")
        assert summary["not_processed"] == group("not_processed.")
        assert summary["other"] == group("other")
        assert summary["carried_forward"] == total["carried_forward"]
        expected_rate = round(100 * group("withheld.") / total["total"], 1) if total["total"] else None
        assert summary["refusal_rate"] == expected_rate
        appeals = gold_for(sample)["appeals"]
        assert summary["reviews"] == appeals["review"]["total"]
        assert summary["lawsuits_corrected"] == appeals["litigation_direct"]["corrected"] + appeals["litigation_after_review"]["corrected"]
    # every report, every column that the gold files decide
    columns = ["report_id", "agency", "year", "province", "new_received", "carried_over", "granted", "partially_granted",
               "withheld", "unable", "not_processed", "other", "answered", "carried_forward", "refusal_rate", "unable_rate",
               "small_denominator", "identity_status", "reviews"]
    got = sorted(db.query(f"select {', '.join(columns)} from report_summary"), key=lambda r: r["report_id"])
    want = sorted(({c: s[c] for c in columns} for s in gold_summaries()), key=lambda r: r["report_id"])
    assert got == want
    shandong = next(db.query("select * from report_summary where agency = ?", [SHANDONG]))
    assert (shandong["new_received"], shandong["withheld"], shandong["answered"], shandong["refusal_rate"]) == (159, 4, 160, 2.5)  # its narrative says so


def test_every_key_of_the_vocabulary_has_english():
    missing = [f"{i.table}.{i.key}" for i in vocabulary.items() if f"{i.table}.{i.key}" not in views.ENGLISH]
    assert missing == []


def test_column_descriptions_in_chinese_and_english(server):
    tables = get(server, "/-/metadata.json").json()["databases"]["ogi"]["tables"]
    for table, columns in views.tables().items():
        described = tables[table]["columns"]
        assert set(described) >= {c.name for c in columns}, table
    assert tables["requests_wide"]["columns"]["natural_person"] == "自然人 · Applicants who are natural persons"
    assert tables["report_summary"]["columns"]["withheld_state_secret"].startswith("1.属于国家秘密 · Refused: state secret")
    assert tables["appeals_wide"]["columns"]["corrected"] == "结果纠正 · Decision corrected"
    page = get(server, "/ogi/requests_wide").text
    assert '<span class="col-zh">自然人</span>' in page  # the Chinese label under the column name
    assert 'data-column-description="自然人 · Applicants who are natural persons"' in page


def test_foreign_keys_show_labels(server):
    row = rows(server, "/ogi/requests_wide.json", row_key="granted", agency=SHANDONG, _labels="on")[0]
    assert row["report_id"] == {"value": report_id(samples()[4]), "label": f"{SHANDONG} 2019"}
    assert row["source_id"]["label"] == "004_445335a71f9baff7.txt"
    fact = rows(server, "/ogi/facts.json", _size=1, _labels="on")[0]
    assert set(fact["report_id"]) == {"value", "label"}


def facet_counts(data: dict, column: str) -> dict:
    return {f["value"]: f["count"] for f in data["facet_results"][column]["results"]}


def test_facets_that_matter(server):
    golds = [gold_for(s) for s in samples()]
    provinces = Counter(g["region"]["province"] for g in golds)
    data = get(server, "/ogi/report_summary.json").json()
    facets = data["facet_results"]
    assert set(facets) >= {"year", "province", "city", "format", "identity_status", "agency"}
    assert facet_counts(data, "province") == provinces
    assert facet_counts(data, "year") == Counter(g["year"] for g in golds)
    assert facet_counts(data, "format") == Counter(g["format"] for g in golds)
    assert facet_counts(data, "agency") == Counter(g["agency"] for g in golds)
    data = get(server, "/ogi/requests_wide.json").json()
    # a row of table 三 in a group (withheld.state_secret) is counted under its group, in every report
    groups = Counter(row.split(".")[0] for g in golds for row in g["requests"])
    assert facet_counts(data, "row_group") == groups and groups["withheld"] == 8 * len(golds)
    data = get(server, "/ogi/facts.json").json()
    assert set(data["facet_results"]) >= {"part", "row_key", "col_key"}
    assert facet_counts(data, "part") == Counter(part for g in golds for part in ("active", "requests", "appeals")
                                                 for cols in g[part].values() for _ in cols)
    data = get(server, "/ogi/reports.json", _facet="province").json()
    assert facet_counts(data, "province") == provinces


SORTABLE = PEOPLE_TABLES + ["provenance", "reports", "facts", "checks", "sections", "sources", "warnings", "items", "data_dictionary"]


@pytest.mark.parametrize("table", SORTABLE)
def test_every_column_sorts(server, table):
    columns = get(server, f"/ogi/{table}.json", _size=1).json()["columns"]
    for column in columns:
        response = get(server, f"/ogi/{table}.json", _sort_desc=column, _shape="objects", _size=1000)
        assert response.status_code == 200, (table, column, response.text[:300])
        values = [r[column] for r in response.json()["rows"] if isinstance(r[column], (int, float))]
        assert values == sorted(values, reverse=True), (table, column)


# --- search ------------------------------------------------------------------------------


def sections_containing(db: sqlite_utils.Database, *words: str) -> set[int]:
    """What a search should find: sections whose heading or text contains every word, line breaks ignored."""
    found = set()
    for row in db.query("select id, heading, text from sections"):
        text = re.sub(r"\s", "", row["heading"] + "\n" + row["text"])
        if all(w in text for w in words):
            found.add(row["id"])
    return found


@pytest.mark.parametrize("words", ["复议", "诉讼", "公开", "年", "政务公开目录", "人力资源和社会保障", "复议 诉讼", "依申请 复议"])
def test_search_finds_words_of_any_length(server, built_db, words):
    expected = sections_containing(sqlite_utils.Database(built_db), *words.split())
    assert expected, "a word that is in the samples"
    table = rows(server, "/ogi/sections.json", _search=words, _size="max")
    assert {r["id"] for r in table} == expected
    query = rows(server, "/ogi/search.json", q=words, year="")
    assert {r["section_id"] for r in query} == expected


def test_search_trigram_alone_would_miss_two_characters(built_db):
    # Why the site does not search sections_fts (trigram) for people: 复议 is in the text…
    db = sqlite_utils.Database(built_db)
    assert sections_containing(db, "复议")
    assert db.execute("select count(*) from sections_fts where sections_fts match '\"复议\"'").fetchone()[0] == 0


def test_search_marks_the_words_and_links_the_line(server, built_db):
    hits = rows(server, "/ogi/search.json", q="复议", year="2019")
    db = sqlite_utils.Database(built_db)
    in_2019 = {r["id"] for r in db.query("select s.id from sections s join reports r on r.id = s.report_id where r.year = 2019")}
    assert {h["section_id"] for h in hits} == sections_containing(db, "复议") & in_2019 and all(h["year"] == 2019 for h in hits)
    assert all("<mark>复议</mark>" in h["snippet"] for h in hits)
    assert all(re.fullmatch(r"/-/source/[0-9a-f]{64}\?line=\d+#L\d+", h["source_url"]) for h in hits)
    page = get(server, "/ogi/search", q="复议", year="")
    assert "<mark>复议</mark>" in page.text and "&lt;mark&gt;" not in page.text


def test_search_with_nothing_found_or_nothing_asked(server):
    assert rows(server, "/ogi/search.json", q="量子计算机", year="") == []
    assert rows(server, "/ogi/search.json", q="", year="") == []
    assert rows(server, "/ogi/search.json", q='"', year="") == []
    assert rows(server, "/ogi/sections.json", _search="量子计算机") == []


def test_search_behaviour_is_explained(server):
    assert "one character or more" in get(server, "/ogi/sections").text
    assert "复议" in get(server, "/ogi/search").text


# --- questions (canned queries) ----------------------------------------------------------
# Every answer is held to what the question should say, computed here again: from the gold files
# (gold_summaries) for the samples, from the facts table for the database with a later report.


def as_csv_text(value) -> str:
    return "" if value is None else str(value)


def html_rows(page: str) -> int:
    table = re.search(r'<table class="rows-and-columns">.*?<tbody>(.*?)</tbody>', page, re.S)
    return len(re.findall(r"<tr[ >]", table.group(1))) if table else 0


def run_sql(db: Path, sql: str, params: dict) -> list[dict]:
    """A canned query run on the database file itself, with sqlite3 (no Datasette in between)."""
    import sqlite3

    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    # the one function of the site's own a question uses (folding 復議 to 复议 in filters)
    connection.create_function("ogi_fold", 1, site_plugin().fold)
    try:
        return [dict(r) for r in connection.execute(sql, params).fetchall()]
    finally:
        connection.close()


@pytest.mark.parametrize("name", list(QUERIES))
def test_each_question_has_a_page_json_and_csv(server, built_db, name):
    query = QUERIES[name]
    assert query.get("title") and query.get("description"), name
    params = no_params(name) | ({"q": "复议"} if name == "search" else {})
    answer = rows(server, f"/ogi/{name}.json", **params)
    # the CSV is the same table, value by value
    table = list(csv.DictReader(io.StringIO(get(server, f"/ogi/{name}.csv", **params).text)))
    assert table == [{k: as_csv_text(v) for k, v in r.items()} for r in answer], name
    # the page shows the title and every row of it
    page = get(server, f"/ogi/{name}", **params)
    assert page.status_code == 200 and str(query["title"]).split(" ")[0] in page.text
    assert html_rows(page.text) == len(answer), name
    if name == "search":  # needs the plugin's SQL functions; held to a substring search in test_search_*
        assert answer
    else:  # the site answers the query as written: every row, nothing cut
        assert answer == run_sql(built_db, query["sql"], params), name


def ranked(summaries: list[dict], by: str, year=None, province=None, min_answered=10) -> tuple[list[dict], int]:
    """The reports a ranking by `by` lists (answered >= min_answered), in its order, and how many it left out."""
    candidates = [s for s in summaries if s[by] is not None and year in (None, s["year"]) and province in (None, s["province"])]
    kept = [s for s in candidates if s["answered"] >= min_answered]
    if by == "withheld":
        kept.sort(key=lambda s: (-s["withheld"], -(s["refusal_rate"] if s["refusal_rate"] is not None else -1), -s["year"]))
    else:
        kept.sort(key=lambda s: (-s[by], -s["year"]))
    return kept, len(candidates) - len(kept)


REFUSAL_COLUMNS = ("agency", "year", "province", "withheld", "answered", "refusal_rate", "unable", "unable_rate",
                   "new_received", "small_denominator", "identity_status", "report_id")


@pytest.mark.parametrize("year, province, min_answered", [
    (2019, None, None), (None, None, None), (2019, None, 0), (None, None, 0), (2019, "安徽省", None), (2019, "安徽省", 0), (None, "广东省", 5),
])
def test_which_agencies_refused_most_in_a_year(server, year, province, min_answered):
    params = {"year": str(year or ""), "province": province or "", "min_answered": "" if min_answered is None else str(min_answered)}
    want, left_out = ranked(gold_summaries(), "withheld", year, province, 10 if min_answered is None else min_answered)
    top = rows(server, "/ogi/refusals_by_agency.json", **params)
    assert [{c: r[c] for c in REFUSAL_COLUMNS} | {"report": r["report"]} for r in top] == [
        {c: s[c] for c in REFUSAL_COLUMNS} | {"report": s["label"]} for s in want]
    assert all(r["reports_ranked"] == len(want) and r["left_out_small"] == left_out and r["ranked_failing"] == 0 for r in top)
    table = list(csv.DictReader(io.StringIO(get(server, "/ogi/refusals_by_agency.csv", **params).text)))
    assert [(r["agency"], r["withheld"]) for r in table] == [(s["agency"], str(s["withheld"])) for s in want]


def test_which_agencies_refused_most_leaves_out_small_denominators(server):
    # 相山区 answered nothing in 2019: left out by default, listed when asked for
    assert [s["answered"] for s in gold_summaries() if s["province"] == "安徽省" and s["year"] == 2019] == [0]
    assert rows(server, "/ogi/refusals_by_agency.json", year="2019", province="安徽省", min_answered="") == []
    asked = rows(server, "/ogi/refusals_by_agency.json", year="2019", province="安徽省", min_answered="0")
    assert [(r["agency"], r["refusal_rate"]) for r in asked] == [("相山区人力资源和社会保障局", None)]  # no rate, not 0


def province_year_table(summaries: list[dict], year=None) -> dict[tuple, dict]:
    out = {}
    for (province, y) in {(s["province"], s["year"]) for s in summaries if year in (None, s["year"])}:
        group = [s for s in summaries if (s["province"], s["year"]) == (province, y)]
        pooled = [s for s in group if s["pooled"]]
        total = lambda key: sum(s[key] for s in pooled) if pooled else None  # noqa: E731
        answered = total("answered")
        out[province, y] = {
            "reports": len(group), "reports_pooled": len(pooled), "reports_left_out": len(group) - len(pooled),
            "pooled_failing": sum(s["identity_status"] == "fails" for s in pooled),
            "answered": answered, "withheld": total("withheld"), "unable": total("unable"), "not_processed": total("not_processed"),
            "refusal_rate": gold_rate(total("withheld"), answered), "unable_rate": gold_rate(total("unable"), answered),
            "not_processed_rate": gold_rate(total("not_processed"), answered),
            "small_denominator": int(bool(pooled) and answered < 10),
        }
    return out


@pytest.mark.parametrize("year", [None, 2019, 2020, 1900])
def test_rates_by_province_and_year(server, year):
    answer = rows(server, "/ogi/rates_by_province_year.json", year=str(year or ""))
    want = province_year_table(gold_summaries(), year)
    assert {(r["province"], r["year"]): {k: r[k] for k in next(iter(want.values()), {})} for r in answer} == want
    assert [r["year"] for r in answer] == sorted((r["year"] for r in answer), reverse=True)
    if year is None:  # what the numbers are
        assert want[("山东省", 2019)]["refusal_rate"] == 2.5 and want[("广东省", 2019)]["unable_rate"] == round(100 * 7 / 9, 1)
        # 相山区 answered nothing: no rate rests on it, and the province has none rather than 0
        assert (want[("安徽省", 2019)]["reports_pooled"], want[("安徽省", 2019)]["refusal_rate"]) == (0, None)


@pytest.mark.parametrize("year, min_answered", [(None, None), (None, 0), (2019, 0), (2023, 0)])
def test_agencies_with_most_requests(server, year, min_answered):
    params = {"year": str(year or ""), "province": "", "min_answered": "" if min_answered is None else str(min_answered)}
    want, left_out = ranked(gold_summaries(), "new_received", year, None, 10 if min_answered is None else min_answered)
    table = rows(server, "/ogi/requests_by_agency.json", **params)
    columns = ("report_id", "agency", "year", "new_received", "carried_over", "answered", "granted", "partially_granted",
               "withheld", "unable", "not_processed", "other", "carried_forward", "refusal_rate")
    assert [{c: r[c] for c in columns} for r in table] == [{c: s[c] for c in columns} for s in want]
    assert all(r["left_out_small"] == left_out and r["reports_ranked"] == len(want) for r in table)


def reports_from_facts(db_path: Path) -> list[dict]:
    """Every report of a database with its tables as the facts table holds them."""
    db = sqlite_utils.Database(db_path)
    out = []
    for r in db.query("select id, agency, year from reports order by id"):
        tables = tables_from_facts(db.conn, r["id"])
        out.append({**r, "label": f"{r['agency']} {r['year']}", **{part: tables.get(part, {}) for part in ("active", "requests", "appeals")}})
    return out


def corrected_from_facts(db_path: Path) -> list[tuple]:
    found = [(r["label"], group, cols["corrected"], cols["total"], r["year"])
             for r in reports_from_facts(db_path) for group, cols in r["appeals"].items() if cols.get("corrected")]
    return [f[:4] for f in sorted(found, key=lambda f: (-f[2], -f[4]))]


def test_corrected_outcomes(server, built_db, later_server, later_reports):
    assert rows(server, "/ogi/corrected_outcomes.json", year="", min_appeals="") == corrected_from_facts(built_db) == []
    table = rows(later_server, "/ogi/corrected_outcomes.json", year="", min_appeals="")
    want = corrected_from_facts(later_reports)
    assert [(r["report"], r["appeal"], r["corrected"], r["total"]) for r in table] == want
    assert want == [("相山区人力资源和社会保障局 2020", "review", 1, 2)]  # the one the fixture added


def cross_year(report: dict, previous: dict) -> list[tuple]:
    """An agency's consecutive years: 上年结转 against last year's 结转下年度, and 现行有效件数 against
    last year's plus 制发 minus 废止 (2021 tables)."""
    out = []
    now, before = report["requests"].get("carried_over", {}), previous["requests"].get("carried_forward", {})
    if "total" in now and "total" in before:
        out.append(("cross_year_carried_over", "total", now["total"], before["total"]))
    for item in ("regulations", "normative_documents"):
        now, before = report["active"].get(item, {}), previous["active"].get(item, {})
        if "in_force" in now and "in_force" in before:
            out.append(("cross_year_in_force", item, now["in_force"], before["in_force"] + now.get("issued", 0) - now.get("repealed", 0)))
    return out


def failing_from_facts(db_path: Path) -> dict[str, list[tuple]]:
    """{report label: [(identity, key, lhs, rhs, diff)]} of the identities that fail, from the facts."""
    out = {}
    reports = reports_from_facts(db_path)
    for r in reports:
        checks = identities(r["requests"], r["appeals"])
        previous = [p for p in reports if p["agency"] == r["agency"] and p["year"] == r["year"] - 1]
        if previous:
            checks += cross_year(r, previous[0])
        failing = [(i, k, lhs, rhs, lhs - rhs) for i, k, lhs, rhs in checks if lhs != rhs]
        if failing:
            out[r["label"]] = failing
    return out


def test_reports_that_do_not_add_up(server, built_db, later_server, later_reports):
    assert rows(server, "/ogi/failing_reports.json", year="") == []
    assert rows(server, "/ogi/failing_identities.json", year="", identity="") == []
    assert failing_from_facts(built_db) == {}
    want = failing_from_facts(later_reports)
    table = rows(later_server, "/ogi/failing_reports.json", year="")
    assert {r["report"]: (r["failing_checks"], r["total_gap"], r["largest_gap"], set(r["identities"].split(","))) for r in table} == {
        label: (len(f), sum(abs(d) for *_, d in f), max(abs(d) for *_, d in f), {i for i, *_ in f}) for label, f in want.items()
    }
    assert [r["report"] for r in table] == ["相山区人力资源和社会保障局 2020"] and "requests_balance" in table[0]["identities"]
    checks = rows(later_server, "/ogi/failing_identities.json", year="", identity="")
    assert sorted((c["report"], c["identity"], c["key"], c["lhs"], c["rhs"], c["diff"]) for c in checks) == sorted(
        (label, *f) for label, failing in want.items() for f in failing)
    balance = rows(later_server, "/ogi/failing_identities.json", year="", identity="requests_balance")
    assert {(c["key"], c["diff"]) for c in balance} == {(k, d) for i, k, _, _, d in want["相山区人力资源和社会保障局 2020"] if i == "requests_balance"}
    assert {(c["key"], c["diff"]) for c in balance} == {("natural_person", 2), ("total", 2)}


def year_over_year_from_facts(db_path: Path) -> list[tuple]:
    """(agency, year, previous year, new, previous new, cross-year check, gap) for every report."""
    out = []
    reports = reports_from_facts(db_path)
    for agency in sorted({r["agency"] for r in reports}):
        previous = None
        for r in sorted((r for r in reports if r["agency"] == agency), key=lambda r: r["year"]):
            total = lambda rep, row: rep["requests"][row]["total"]  # noqa: E731
            if previous is None:
                check, gap = "first", None
            elif previous["year"] != r["year"] - 1:
                check, gap = "gap", None
            else:
                gap = total(r, "carried_over") - total(previous, "carried_forward")
                check = "ok" if gap == 0 else "fails"
            out.append((agency, r["year"], previous and previous["year"], total(r, "new_received"),
                        previous and total(previous, "new_received"), check, gap))
            previous = r
    return out


def test_year_over_year_with_the_cross_year_check(later_server, later_reports):
    want = year_over_year_from_facts(later_reports)
    fields = ("agency", "year", "previous_year", "new_received", "previous_new_received", "cross_year_check", "cross_year_gap")
    table = rows(later_server, "/ogi/year_over_year.json", agency="", check_status="")
    assert [tuple(r[f] for f in fields) for r in table] == want
    table = rows(later_server, "/ogi/year_over_year.json", agency="相山区", check_status="")
    assert [tuple(r[f] for f in fields) for r in table] == [w for w in want if "相山区" in w[0]]
    assert [(r["year"], r["previous_year"], r["cross_year_check"], r["cross_year_gap"]) for r in table] == [
        (2019, None, "first", None),
        (2020, 2019, "fails", 2),  # 2019 carried 0 forward, 2020 says 2 were carried over
        (2023, 2020, "gap", None),
    ]
    failing = rows(later_server, "/ogi/year_over_year.json", agency="", check_status="fails")
    assert [(r["agency"], r["year"]) for r in failing] == [(w[0], w[1]) for w in want if w[5] == "fails"] == [("相山区人力资源和社会保障局", 2020)]


# --- provenance --------------------------------------------------------------------------


def agency_of(base: str, report: str) -> str:
    return rows(base, "/ogi/reports.json", id=report)[0]["agency_id"]


def links(html: str) -> list[tuple[str, str]]:
    return [(href.replace("&amp;", "&"), text) for href, text in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>([^<]*)</a>', html)]


def test_from_a_number_to_the_line_it_was_printed_on(server, built_db):
    shandong = report_id(samples()[4])
    page = get(server, "/ogi/requests_wide", report_id=shandong, row_key="granted").text
    target = f"/ogi/provenance?report_id={shandong}&part=requests&row_key=granted&col_key=natural_person"
    assert (target, "69") in links(page)  # the number is the link
    fact = rows(server, target)[0]
    source = rows(server, "/ogi/sources.json", id=str(fact["source_id"]))[0]
    assert (fact["agency"], fact["value"], fact["raw"], fact["sha256"]) == (SHANDONG, 69, "69", source["sha256"])
    assert fact["source_url"] == f"/-/source/{source['sha256']}?fact={fact['fact_id']}#cited"  # the viewer at this number
    viewer = get(server, fact["source_url"].split("#")[0])
    assert viewer.status_code == 200
    cited = re.search(rf'<tr id="L{fact["line"]}" class="cited">(.*?)</tr>', viewer.text, re.S)
    assert cited and "69" in cited.group(1) and "予以公开" in cited.group(1)
    assert source["sha256"] in viewer.text and f'href="/originals/{source["sha256"]}.txt"' in viewer.text


def test_summary_numbers_link_to_the_facts_they_add_up(server):
    shandong = report_id(samples()[4])
    page = get(server, "/ogi/report_summary", report_id=shandong).text
    target = f"/ogi/provenance?report_id={shandong}&part=requests&row_key__startswith=withheld&col_key=total"
    assert (target, "4") in links(page)
    # the agency to its years side by side, the report to everything read from it
    assert (f"/-/agency/{agency_of(server, shandong)}", SHANDONG) in links(page)
    assert (f"/ogi/reports/{shandong}", "2019") in links(page)
    facts = rows(server, target)
    withheld = {row: cols["total"] for row, cols in gold_for(samples()[4])["requests"].items() if row.startswith("withheld.")}
    assert {f["row_key"]: f["value"] for f in facts} == withheld and sum(withheld.values()) == 4
    # a query's numbers link the same way
    page = get(server, "/ogi/refusals_by_agency", year="2019", province="").text
    assert (target, "4") in links(page)


def test_original_files_are_served_byte_for_byte(server):
    for source in rows(server, "/ogi/sources.json"):
        assert source["url"] == f"/originals/{source['sha256']}.txt"
        response = get(server, source["url"])
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == source["sha256"]
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert "immutable" in response.headers["cache-control"]
    assert get(server, "/originals/" + "0" * 64 + ".txt").status_code == 404
    assert get(server, "/originals/%2e%2e/ogi.db").status_code == 404
    assert httpx.post(server + source["url"], timeout=10).status_code in (403, 405)


@pytest.mark.skipif(not (SHARED / "corpus/real/hzq2023_working.pdf").exists(), reason="needs ../shared/corpus/real (a real PDF report)")
def test_a_pdf_number_opens_its_page(tmp_path):
    db = tmp_path / "pdf" / "ogi.db"
    load.build([SHARED / "corpus/real/hzq2023_working.pdf"], db)
    with serving(db) as base:
        fact = rows(base, "/ogi/provenance.json", part="requests", row_key="new_received", col_key="total")[0]
        assert fact["page"] and fact["source_url"] == f"/-/source/{fact['sha256']}?fact={fact['fact_id']}#cited"
        page = get(base, "/ogi/provenance", fact_id=str(fact["fact_id"])).text
        assert (fact["source_url"], f"page {fact['page']} ↗") in links(page)
        pdf = get(base, f"/originals/{fact['sha256']}.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert hashlib.sha256(pdf.content).hexdigest() == fact["sha256"]
        # the viewer shows the page the number is printed on, as an image of that page
        viewer = get(base, fact["source_url"].split("#")[0])
        assert viewer.status_code == 200 and f"/-/source/{fact['sha256']}/page-{fact['page']}.png" in viewer.text
        image = get(base, f"/-/source/{fact['sha256']}/page-{fact['page']}.png")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"


# --- charts ------------------------------------------------------------------------------


def test_chart_libraries_are_served_by_the_site(server):
    page = get(server, "/ogi/report_summary").text
    vega = re.findall(r'src="(/-/static-plugins/datasette_vega/[^"]+)"', page)
    assert vega and all(get(server, src).status_code == 200 for src in vega)
    dashboard = get(server, "/-/dashboards/overview", year="", province="")
    assert dashboard.status_code == 200
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', dashboard.text)
    assert scripts and all(src.startswith("/") for src in scripts)  # nothing from the internet
    assert all(get(server, src).status_code == 200 for src in scripts)


def fill(sql: str, **params) -> str:
    """A dashboard query as datasette-dashboards sends it: [[ … :name … ]] kept only when name is given."""
    return re.sub(r"\[\[(.*?)\]\]", lambda m: m.group(1) if any(f":{p}" in m.group(1) for p in params) else "", sql)


# Which filters each chart follows: a chart over the years ignores the year, the chart by province
# ignores the province; every other one follows both.
OVER_YEARS = {"requests-by-year", "outcomes", "identity-by-year"}
BY_PROVINCE = {"by-province"}
OUTCOMES = ("granted", "partially_granted", "withheld", "unable", "not_processed", "other")


def chart_expected(chart: str, year: int | None, province: str | None):
    """What a dashboard chart should draw, from the gold files: rows of the fields that it draws."""
    reports = [s for s in gold_summaries()
               if (chart in OVER_YEARS or year in (None, s["year"])) and (chart in BY_PROVINCE or province in (None, s["province"]))]
    pooled = [s for s in reports if s["pooled"]]
    failing = sum(s["identity_status"] == "fails" for s in reports)
    years = sorted({s["year"] for s in reports})
    if chart == "reports":
        return [{"n": len(reports)}]
    if chart == "requests":
        return [{"requests": sum(s["new_received"] for s in reports), "reports": len(reports), "reports_failing": failing}]
    if chart == "refusal-rate":
        answered = sum(s["answered"] for s in pooled)
        return [{"refusal_rate": gold_rate(sum(s["withheld"] for s in pooled), answered) if pooled else None,
                 "reports_pooled": len(pooled), "reports_left_out": len(reports) - len(pooled)}]
    if chart == "not-adding-up":
        return [{"reports_failing": failing, "reports": len(reports)}]
    if chart == "requests-by-year":
        return [{"year": y, "o": o, "requests": sum(s[key] for s in reports if s["year"] == y)}
                for y in years for o, key in ((1, "new_received"), (2, "carried_over"))]
    if chart == "outcomes":
        return [{"year": y, "o": o, "requests": sum(s[key] for s in pooled if s["year"] == y)}
                for y in sorted({s["year"] for s in pooled}) for o, key in enumerate(OUTCOMES, 1)]
    if chart == "by-province":
        return sorted(({"province": p, "requests": sum(s["new_received"] for s in reports if s["province"] == p),
                        "reports": sum(s["province"] == p for s in reports)} for p in {s["province"] for s in reports}),
                      key=lambda r: -r["requests"])
    if chart == "refusals-by-agency":
        kept, _ = ranked(reports, "withheld")
        return [{"report": s["label"], "refused": s["withheld"]} for s in kept]
    if chart == "identity-by-year":
        return [{"year": y, "status": status, "reports": n}
                for (y, status), n in sorted(Counter((s["year"], s["identity_status"]) for s in reports).items())]
    if chart == "failing-identities":
        failing_checks = Counter(i for s in reports for i, _, lhs, rhs in identities(gold_for(sample_of(s))["requests"], gold_for(sample_of(s))["appeals"]) if lhs != rhs)
        return [{"identity": i, "failing_checks": n} for i, n in failing_checks.most_common()]
    raise AssertionError(f"no expectation for chart {chart}: add one")


def sample_of(summary: dict) -> Path:
    return next(s for s in samples() if s.name == summary["file"])


@pytest.mark.parametrize("chart", list(DASHBOARD["charts"]))
def test_dashboard_charts_draw_what_the_reports_say(server, chart):
    spec = DASHBOARD["charts"][chart]
    filters = set(re.findall(r"\[\[.*?:(\w+).*?\]\]", spec["query"]))
    assert filters == {"year", "province"} - ({"year"} if chart in OVER_YEARS else set()) - ({"province"} if chart in BY_PROVINCE else set())
    for year, province in ((None, None), (2019, None), (2019, "山东省"), (None, "安徽省"), (1900, None)):
        params = {k: str(v) for k, v in (("year", year), ("province", province)) if v is not None}
        response = get(server, "/ogi.json", sql=fill(spec["query"], **params), _shape="objects", **params)
        assert response.status_code == 200, (chart, params, response.text[:300])
        data = response.json()["rows"]
        want = chart_expected(chart, year, province)
        got = [{k: r[k] for k in w} for r, w in zip(data, want)]
        if chart == "by-province":  # order by requests, ties in any order
            got, want = sorted(got, key=str), sorted(want, key=str)
        assert (len(data), got) == (len(want), want), (chart, params)
        if spec["library"] == "metric":  # the number shown is the number computed
            shown = str(data[0][spec["display"]["field"]]).split("<")[0]
            first = next(iter(want[0].values()))
            assert shown == ("–" if first is None else f"{first:.1f} %" if chart == "refusal-rate" else str(first)), (chart, shown)
    assert chart in get(server, "/-/dashboards/overview", year="", province="").text


# --- a public, read-only site ------------------------------------------------------------


def built_db_bytes(base: str) -> bytes:
    """The database the server serves, as ogi serve snapshots it (the file it was started with)."""
    path = get(base, "/-/databases.json").json()[0]["path"]
    return Path(path).read_bytes()


def test_read_only_and_bounded(server):
    download = get(server, "/ogi.db")  # open data: the whole database, byte for byte
    assert download.status_code == 200 and download.content == built_db_bytes(server)
    write = get(server, "/ogi.json", sql="delete from facts")
    assert write.status_code == 400 and "SELECT" in write.text
    assert httpx.post(server + "/ogi/refusals_by_agency", data={"year": "2019"}, timeout=10).status_code >= 400
    assert get(server, "/-/databases.json").json()[0]["is_mutable"] is False
    settings = get(server, "/-/settings.json").json()
    assert settings["allow_download"] is True
    api = get(server, "/ogi/report_summary.json")  # an open API: other sites' pages may fetch it
    assert api.headers["access-control-allow-origin"] == "*"
    assert settings["sql_time_limit_ms"] <= 5000 and settings["facet_time_limit_ms"] <= 1000
    many = get(server, "/ogi.json", sql="with recursive n(i) as (select 1 union all select i + 1 from n where i < 10000) select i from n").json()
    assert many["truncated"] is True and len(many["rows"]) == settings["max_returned_rows"]


def test_sql_time_limit(server):
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    response = get(server, "/ogi.json", sql=endless)
    assert response.status_code == 400 and "too long" in response.text


def test_publish_command_carries_the_site(built_db):
    result = subprocess.run(
        [sys.executable, "-m", "ogi.publish", "cloudrun", "--db", str(built_db), "--service", "ogi-reports"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    command = result.stdout
    assert command.startswith("datasette publish cloudrun ")
    for part in ("--metadata", "--template-dir", "--plugins-dir", f"--static originals:{built_db.parent / 'originals'}",
                 "--install datasette==0.65.", "--install datasette-vega==", "--install datasette-dashboards==",
                 "--extra-options", "allow_download on", "--cors", "sql_time_limit_ms", "max_returned_rows", "--service ogi-reports"):
        assert part in command, part


def test_serve_command_is_immutable_with_the_site_files(built_db):
    from ogi import publish

    command = publish.serve_command(built_db, "127.0.0.1", 8001)
    assert command[command.index("-i") + 1] == str(built_db)
    assert f"originals:{built_db.parent / 'originals'}" in command
    assert {"--template-dir", "--plugins-dir", "--metadata"} <= set(command)
