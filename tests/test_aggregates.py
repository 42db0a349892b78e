"""Figures over many reports say what they stand on (issue 7.2).

The questions rates_by_province_year, refusals_by_agency, requests_by_agency, corrected_outcomes
and year_over_year, and the dashboard's cards and charts, are run against a database of the
samples plus three reprints of the 山东 sample, each showing one case:

- 山东省医疗保障局 2019: the printed 总计 cells of the result rows are 0 (rates on recomputed
  totals), and table 四 has a review group of 11 (3 corrected) and a lawsuit group of 2 (1 corrected);
- 山东省民政厅 2019: （七）总计 printed 200 and 结转下年度 5, which neither the result rows nor the
  applicant columns settle (no basis: no rate), and a review group whose printed 总计 is 0
  (appeals on outcomes added up: 9 upheld + 2 corrected);
- 浙江省统计局 2019: 3 requests answered, 2 refused (a rate over a small denominator), and 1
  carried forward that its balance does not have (it fails an identity, its rates stand).

Every expectation is computed here from the facts and checks tables, never from report_summary.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path

import httpx
import pytest
import yaml

from conftest import ROOT, samples, serving, site_plugin
from ogi import load, totals

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
QUERIES = METADATA["databases"]["ogi"]["queries"]
DASHBOARD = METADATA["plugins"]["datasette-dashboards"]["overview"]
SMALL = totals.SMALL_DENOMINATOR  # the default threshold every question must use
UNKNOWN = "（未识别 unknown）"

RECOMPUTED, NO_BASIS, TINY = "山东省医疗保障局", "山东省民政厅", "浙江省统计局"


# --- the database ------------------------------------------------------------------------


def _shandong() -> list[str]:
    lines = samples()[4].read_text(encoding="utf-8").split("\n")
    assert lines[2].startswith("山东省人力资源和社会保障厅 2019") and lines[69].startswith("(七) 总计")
    return lines


def _rename(lines: list[str], agency: str) -> None:
    lines[2] = lines[2].replace("山东省人力资源和社会保障厅", agency)


def _set(lines: list[str], index: int, old: str, new: str) -> None:
    assert old in lines[index], (index, lines[index])
    lines[index] = lines[index].replace(old, new, 1)


def _zero_result_totals(lines: list[str]) -> None:
    """The 总计 cell (the last one printed) of every result row （一）…（六） becomes 0."""
    for i in range(50, 69):
        cells = lines[i].split("\t")
        last = max((j for j, c in enumerate(cells) if c.strip()), default=None)
        if last is not None and cells[last].strip().isdigit():
            cells[last] = "0"
            lines[i] = "\t".join(cells)


def _appeals(lines: list[str], cells: list[int]) -> None:
    assert lines[77] == "\t".join(["0"] * 15)
    lines[77] = "\t".join(str(c) for c in cells)


def write_cases(folder: Path) -> None:
    for sample in samples():
        shutil.copy(sample, folder / sample.name)

    lines = _shandong()
    _rename(lines, RECOMPUTED)
    _zero_result_totals(lines)
    # review: 8 upheld, 3 corrected, 总计 11; lawsuits without review: 1 upheld, 1 corrected, 总计 2
    _appeals(lines, [8, 3, 0, 0, 11, 1, 1, 0, 0, 2, 0, 0, 0, 0, 0])
    (folder / "recomputed.txt").write_text("\n".join(lines), encoding="utf-8")

    lines = _shandong()
    _rename(lines, NO_BASIS)
    _set(lines, 69, "\t\t159\t\t1\t\t\t\t160\t", "\t\t199\t\t1\t\t\t\t200\t")
    _set(lines, 70, "\t\t0\t\t\t\t\t\t0\t", "\t\t5\t\t\t\t\t\t5\t")
    _appeals(lines, [9, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])  # review 总计 printed 0
    (folder / "no-basis.txt").write_text("\n".join(lines), encoding="utf-8")

    lines = _shandong()
    _rename(lines, TINY)
    for index, old, new in [
        (48, "\t\t158\t\t1\t\t\t\t159\t", "\t\t3\t\t\t\t\t\t3\t"),
        (49, "\t\t1\t\t\t\t\t\t1\t", "\t\t0\t\t\t\t\t\t0\t"),
        (50, "\t69\t\t\t\t\t\t69\t", "\t1\t\t\t\t\t\t1\t"),
        (51, "\t17\t\t\t\t\t\t17\t", "\t0\t\t\t\t\t\t0\t"),
        (54, "\t3\t\t1\t\t\t\t4", "\t2\t\t\t\t\t\t2"),
        (60, "\t48\t\t\t\t\t\t48", "\t0\t\t\t\t\t\t0"),
        (61, "\t1\t\t\t\t\t\t1", "\t0\t\t\t\t\t\t0"),
        (64, "\t\t1\t\t\t\t\t\t1\t", "\t\t0\t\t\t\t\t\t0\t"),
        (67, "\t\t15\t\t\t\t\t\t15\t", "\t\t0\t\t\t\t\t\t0\t"),
        (68, "\t\t5\t\t\t\t\t\t5\t", "\t\t0\t\t\t\t\t\t0\t"),
        (69, "\t\t159\t\t1\t\t\t\t160\t", "\t\t3\t\t\t\t\t\t3\t"),
        (70, "\t\t0\t\t\t\t\t\t0\t", "\t\t1\t\t\t\t\t\t1\t"),  # 3 + 0 ≠ 3 + 1: fails an identity
    ]:
        _set(lines, index, old, new)
    (folder / "tiny.txt").write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def cases_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("aggregates")
    write_cases(folder)
    db = folder / "build" / "ogi.db"
    load.build([folder], db)
    return db


def connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    conn.create_function("ogi_fold", 1, site_plugin().fold)  # the site's one function questions use
    return conn


def run(db: Path, sql: str, **params) -> list[dict]:
    with connect(db) as conn:
        return [dict(r) for r in conn.execute(sql, params)]


def ask(db: Path, name: str, **params) -> list[dict]:
    """A question, every parameter empty unless given (as Datasette sends a form left empty)."""
    sql = QUERIES[name]["sql"]
    given = {p: "" for p in re.findall(r"(?<!:):(\w+)", sql)}
    given.update(params)
    return run(db, sql, **given)


# --- what the numbers should be, from facts and checks alone -----------------------------

BALANCE = ("new_received", "carried_over", "total", "carried_forward")


def _total(row_key: str) -> str:
    """The summary total a row of table 三 counts in: withheld.state_secret -> withheld, total -> answered."""
    if row_key == "total":
        return "answered"
    if row_key in BALANCE or row_key in ("granted", "partially_granted"):
        return row_key
    return row_key.split(".")[0]  # withheld, unable, not_processed, other


def expected_reports(db: Path) -> dict[str, dict]:
    """Per report: agency, year, province, identity status (checks), the totals and rates
    basis by the rule of the README (printed when they add up, else recomputed when sound,
    else none), appeal groups. Read from facts, checks and reports."""
    out = {}
    for r in run(db, "select id, agency, year, province from reports"):
        out[r["id"]] = dict(r, printed=defaultdict(lambda: None), parts=defaultdict(lambda: None),
                            result_parts=None, appeals={}, status="unchecked")

    def add(d, key, value):
        if value is not None:
            d[key] = (d[key] or 0) + value

    for f in run(db, "select report_id, part, row_key, col_key, value from facts where part in ('requests', 'appeals') and row_key is not null"):
        r = out[f["report_id"]]
        if f["part"] == "appeals":
            group = r["appeals"].setdefault(f["row_key"], {"printed": None, "outcomes": None, "corrected": None})
            if f["col_key"] == "total":
                group["printed"] = f["value"]
            else:
                if f["value"] is not None:
                    group["outcomes"] = (group["outcomes"] or 0) + f["value"]
                if f["col_key"] == "corrected":
                    group["corrected"] = f["value"]
            continue
        key = _total(f["row_key"])
        if f["col_key"] == "total":
            add(r["printed"], key, f["value"])
        else:
            add(r["parts"], key, f["value"])
            if f["row_key"] not in BALANCE and f["value"] is not None:
                r["result_parts"] = (r["result_parts"] or 0) + f["value"]
    for c in run(db, "select report_id, min(ok) as ok from checks group by report_id"):
        out[c["report_id"]]["status"] = "ok" if c["ok"] else "fails"

    for r in out.values():
        p, parts = r["printed"], r["parts"]
        answered = p["answered"]
        results = sum(p[k] or 0 for k in ("granted", "partially_granted", "withheld", "unable", "not_processed", "other"))
        balance = [parts[k] for k in ("new_received", "carried_over", "carried_forward")]
        if answered is not None and answered > 0 and answered == results:
            basis = "printed"
        elif answered is not None and (r["result_parts"] or 0) > 0 and (
            r["result_parts"] == answered or (None not in balance and balance[0] + balance[1] == r["result_parts"] + balance[2])
        ):
            basis = "recomputed"
        else:
            basis = "none"
        used = {k: p[k] for k in ("new_received", "carried_over", "granted", "partially_granted", "withheld", "unable", "not_processed", "other", "answered", "carried_forward")}
        if basis == "recomputed":
            used = {k: parts[k] if parts[k] is not None else v for k, v in used.items()}
            used["answered"] = r["result_parts"]
        r.update(used, basis=basis)
        r["refusal_rate"] = round(100 * used["withheld"] / used["answered"], 1) if basis != "none" else None
        r["small"] = basis != "none" and (used["answered"] or 0) < SMALL
        recomputed_appeals = any(g["outcomes"] is not None and g["printed"] != g["outcomes"] for g in r["appeals"].values())
        r["appeals_basis"] = "recomputed" if recomputed_appeals else ("printed" if r["appeals"] else "none")
        for g in r["appeals"].values():
            g["used"] = g["outcomes"] if recomputed_appeals else g["printed"]
    return out


@pytest.fixture(scope="module")
def expected(cases_db) -> dict[str, dict]:
    return expected_reports(cases_db)


def by_agency(expected: dict, agency: str) -> dict:
    (report,) = [r for r in expected.values() if r["agency"] == agency]
    return report


def test_the_cases_are_what_they_say(expected):
    """The reprints show what the tests need, read from facts alone."""
    assert by_agency(expected, RECOMPUTED)["basis"] == "recomputed"
    assert by_agency(expected, RECOMPUTED)["province"] == "山东省" and by_agency(expected, RECOMPUTED)["status"] == "fails"
    no_basis = by_agency(expected, NO_BASIS)
    assert (no_basis["basis"], no_basis["answered"], no_basis["withheld"], no_basis["province"]) == ("none", 200, 4, "山东省")
    assert no_basis["appeals_basis"] == "recomputed" and no_basis["appeals"]["review"]["used"] == 11
    tiny = by_agency(expected, TINY)
    assert (tiny["basis"], tiny["answered"], tiny["withheld"], tiny["small"], tiny["province"]) == ("printed", 3, 2, True, "浙江省")
    assert tiny["status"] == "fails"  # so a count of failing reports can tell ranked from left out
    assert {r["basis"] for r in expected.values()} == {"printed", "recomputed", "none"}


# --- rates_by_province_year --------------------------------------------------------------


def expected_pools(expected: dict, year: int | None = None) -> dict[tuple, dict]:
    pools = {}
    for r in expected.values():
        if year is not None and r["year"] != year:
            continue
        g = pools.setdefault((r["province"] or UNKNOWN, r["year"]), dict.fromkeys(
            ("reports", "reports_pooled", "pooled_failing", "pooled_recomputed", "reports_left_out", "answered", "withheld", "unable", "not_processed"), 0))
        g["reports"] += 1
        if r["basis"] == "none":
            g["reports_left_out"] += 1
            continue
        g["reports_pooled"] += 1
        g["pooled_failing"] += r["status"] == "fails"
        g["pooled_recomputed"] += r["basis"] == "recomputed"
        for k in ("answered", "withheld", "unable", "not_processed"):
            g[k] += r[k] or 0
    for g in pools.values():
        pooled = g["reports_pooled"] > 0
        for k, rate in (("withheld", "refusal_rate"), ("unable", "unable_rate"), ("not_processed", "not_processed_rate")):
            g[rate] = round(100 * g[k] / g["answered"], 1) if pooled else None
        g["small_denominator"] = int(pooled and g["answered"] < SMALL)
    return {key: dict(g) for key, g in pools.items()}


def test_pooled_rates_pool_only_reports_with_a_basis_and_say_how_many(cases_db, expected):
    for year in (None, 2019):
        rows = ask(cases_db, "rates_by_province_year", year="" if year is None else str(year))
        want = expected_pools(expected, year)
        assert {(r["province"], r["year"]) for r in rows} == set(want)
        for row in rows:
            w = want[(row["province"], row["year"])]
            for k in ("reports", "reports_pooled", "pooled_failing", "pooled_recomputed", "reports_left_out", "small_denominator"):
                assert row[k] == w[k], (row["province"], row["year"], k)
            if w["reports_pooled"]:
                assert row["answered"] == w["answered"] and row["withheld"] == w["withheld"]
                for k in ("refusal_rate", "unable_rate", "not_processed_rate"):
                    assert row[k] == pytest.approx(w[k], abs=0.051), (row["province"], k)
            else:  # nothing pooled: no rate, not 0
                assert row["refusal_rate"] is None and row["unable_rate"] is None and row["answered"] is None
    # 山东 2019: the printed report and the recomputed one are pooled, the one without a basis is not
    shandong = next(r for r in ask(cases_db, "rates_by_province_year") if r["province"] == "山东省")
    assert (shandong["reports"], shandong["reports_pooled"], shandong["pooled_recomputed"], shandong["pooled_failing"], shandong["reports_left_out"]) == (3, 2, 1, 1, 1)
    assert (shandong["answered"], shandong["withheld"], shandong["refusal_rate"]) == (320, 8, 2.5)  # not 12 / 520
    zhejiang = next(r for r in ask(cases_db, "rates_by_province_year") if r["province"] == "浙江省")
    assert (zhejiang["answered"], zhejiang["refusal_rate"], zhejiang["small_denominator"]) == (3, 66.7, 1)
    anhui = next(r for r in ask(cases_db, "rates_by_province_year") if r["province"] == "安徽省" and r["year"] == 2019)
    assert (anhui["reports_pooled"], anhui["reports_left_out"], anhui["refusal_rate"]) == (0, 1, None)


# --- rankings ----------------------------------------------------------------------------


RANKINGS = {"refusals_by_agency": "withheld", "requests_by_agency": "new_received"}


@pytest.mark.parametrize("name", list(RANKINGS))
def test_rankings_leave_small_denominators_out_unless_asked(cases_db, expected, name):
    ranked_on = RANKINGS[name]
    candidates = [r for r in expected.values() if r[ranked_on] is not None]
    big = {r["id"] for r in candidates if (r["answered"] or 0) >= SMALL}
    small = {r["id"] for r in candidates} - big
    assert by_agency(expected, TINY)["id"] in small and by_agency(expected, NO_BASIS)["id"] in big

    for params, want in (({}, big), ({"min_answered": ""}, big), ({"min_answered": str(SMALL)}, big),
                         ({"min_answered": "0"}, big | small)):
        rows = ask(cases_db, name, **params)
        assert {r["report_id"] for r in rows} == want, params
        failing = sum(expected[i]["status"] == "fails" for i in want)
        for row in rows:
            assert (row["reports_ranked"], row["ranked_failing"], row["left_out_small"]) == (len(want), failing, len(candidates) - len(want)), params
        assert [r[ranked_on] for r in rows] == sorted((r[ranked_on] for r in rows), reverse=True)
    # a threshold of one's own
    assert by_agency(expected, TINY)["id"] in {r["report_id"] for r in ask(cases_db, name, min_answered="3")}
    assert {r["report_id"] for r in ask(cases_db, name, min_answered="3")} == {r["id"] for r in candidates if (r["answered"] or 0) >= 3}

    for row in ask(cases_db, name, min_answered="0"):
        report = expected[row["report_id"]]
        assert row["rates_basis"] == report["basis"], report["agency"]
        assert row["small_denominator"] == int(report["small"]), report["agency"]
        assert row["refusal_rate"] == report["refusal_rate"], report["agency"]  # None, never 0, without a basis
        assert row["identity_status"] == report["status"]
        assert row["rates_note"]
        if report["basis"] == "none":
            assert row["refusal_rate"] is None and row["grant_rate" if name == "requests_by_agency" else "unable_rate"] is None


def test_rankings_filter_by_year_and_province_and_count_within(cases_db, expected):
    rows = ask(cases_db, "refusals_by_agency", year="2019", province="山东省")
    want = {r["id"] for r in expected.values() if r["year"] == 2019 and r["province"] == "山东省" and (r["answered"] or 0) >= SMALL}
    assert {r["report_id"] for r in rows} == want and len(want) == 3
    assert {(r["reports_ranked"], r["ranked_failing"], r["left_out_small"]) for r in rows} == {(3, 2, 0)}  # the reprints fail
    rows = ask(cases_db, "refusals_by_agency", year="2019", province="浙江省")
    assert rows == []  # only the tiny report, left out
    (tiny,) = ask(cases_db, "refusals_by_agency", year="2019", province="浙江省", min_answered="0")
    assert (tiny["withheld"], tiny["answered"], tiny["refusal_rate"], tiny["small_denominator"], tiny["left_out_small"]) == (2, 3, 66.7, 1, 0)


def expected_corrections(expected: dict) -> list[dict]:
    return [
        dict(report_id=r["id"], appeal=appeal, corrected=g["corrected"], used=g["used"], status=r["status"], appeals_basis=r["appeals_basis"])
        for r in expected.values() for appeal, g in r["appeals"].items() if (g["corrected"] or 0) > 0
    ]


def test_corrected_outcomes_rest_on_the_appeals_basis_and_leave_small_groups_out(cases_db, expected):
    candidates = expected_corrections(expected)
    assert len(candidates) == 3
    # every group by default (a correction is news however few the appeals), marked when small
    for params, minimum in (({}, 0), ({"min_appeals": str(SMALL)}, SMALL), ({"min_appeals": "2"}, 2)):
        rows = ask(cases_db, "corrected_outcomes", **params)
        want = [c for c in candidates if (c["used"] or 0) >= minimum]
        assert {(r["report_id"], r["appeal"]) for r in rows} == {(c["report_id"], c["appeal"]) for c in want}, params
        reports = {c["report_id"] for c in want}
        failing = {c["report_id"] for c in want if c["status"] == "fails"}
        for row in rows:
            w = next(c for c in want if (c["report_id"], c["appeal"]) == (row["report_id"], row["appeal"]))
            assert row["appeals_basis"] == w["appeals_basis"]
            assert row["corrected_rate"] == pytest.approx(round(100 * w["corrected"] / w["used"], 1), abs=0.051)
            assert row["small_denominator"] == int(w["used"] < SMALL)
            assert (row["reports_ranked"], row["ranked_failing"], row["left_out_small"]) == (len(reports), len(failing), len(candidates) - len(want))
    # the review group printed 总计 0: the share is of its outcomes added up (2 of 11), not empty
    review = next(r for r in ask(cases_db, "corrected_outcomes") if r["report_id"] == by_agency(expected, NO_BASIS)["id"])
    assert (review["total"], review["total_recomputed"], review["corrected_rate"], review["appeals_basis"]) == (0, 11, 18.2, "recomputed")
    assert "总计 0 ≠ outcomes 11" in review["appeals_note"]


# --- year over year ----------------------------------------------------------------------


def test_year_over_year_shows_both_years_basis_and_identity(cases_db, expected):
    rows = ask(cases_db, "year_over_year")
    assert len(rows) == len(expected)
    by_agency_year = {(r["agency"], r["year"]): r for r in expected.values()}
    for row in rows:
        this = by_agency_year[(row["agency"], row["year"])]
        before = by_agency_year.get((row["agency"], row["previous_year"])) if row["previous_year"] else None
        assert (row["rates_basis"], row["identity_status"], row["refusal_rate"]) == (this["basis"], this["status"], this["refusal_rate"])
        if before is None:
            assert (row["previous_rates_basis"], row["previous_identity_status"], row["previous_refusal_rate"]) == (None, None, None)
        else:
            assert (row["previous_rates_basis"], row["previous_identity_status"], row["previous_refusal_rate"]) == (
                before["basis"], before["status"], before["refusal_rate"])
        assert row["reports_failing"] == (this["status"] == "fails") + (before is not None and before["status"] == "fails")
        assert row["small_denominator"] == int(this["small"] or (before is not None and before["small"]))
        if row["refusal_rate"] is None or row["previous_refusal_rate"] is None:
            assert row["refusal_rate_change"] is None
        else:
            assert row["refusal_rate_change"] == pytest.approx(row["refusal_rate"] - row["previous_refusal_rate"], abs=0.051)
    xiangshan = [r for r in rows if r["agency"] == "相山区人力资源和社会保障局"]
    assert [(r["year"], r["rates_basis"], r["previous_rates_basis"], r["refusal_rate"]) for r in xiangshan] == [
        (2019, "none", None, None), (2023, "none", "none", None)]  # nothing answered: no rate, not 0


# --- the dashboard -----------------------------------------------------------------------


def fill(sql: str, params: dict) -> str:
    """As datasette-dashboards does: a [[ … ]] block is kept (without brackets) when the first
    :name in it is given and not empty, else removed."""
    def block(m):
        name = re.search(r":([a-zA-Z0-9_]+)", m.group(1))
        return m.group(1) if name and params.get(name.group(1), "") != "" else ""
    return re.sub(r"\[\[(.*?)\]\]", block, sql)


def chart(db: Path, name: str, **params) -> list[dict]:
    sql = fill(DASHBOARD["charts"][name]["query"], params)
    return run(db, sql, **{k: v for k, v in params.items() if f":{k}" in sql})


FILTERS = ({}, {"year": "2019"}, {"year": "2019", "province": "山东省"}, {"province": "浙江省"}, {"year": "1900"})


def selected(expected: dict, params: dict) -> list[dict]:
    return [r for r in expected.values()
            if (not params.get("year") or r["year"] == int(params["year"])) and (not params.get("province") or r["province"] == params["province"])]


def card_text_is_numbers_only(html: str, numbers: list) -> None:
    """What the metric card puts into the page: its own markup and words around these numbers, nothing else."""
    found = re.findall(r"\d+(?:\.\d+)?", re.sub(r"<[^>]*>", " ", html))
    assert [float(x) for x in found] == [float(n) for n in numbers], html


@pytest.mark.parametrize("params", FILTERS)
def test_metric_cards_say_how_many_reports_they_pool_and_how_many_fail(cases_db, expected, params):
    reports = selected(expected, params)
    pooled = [r for r in reports if r["basis"] != "none"]

    (card,) = chart(cases_db, "refusal-rate", **params)
    assert (card["reports_pooled"], card["pooled_failing"], card["pooled_recomputed"], card["reports_left_out"]) == (
        len(pooled), sum(r["status"] == "fails" for r in pooled), sum(r["basis"] == "recomputed" for r in pooled), len(reports) - len(pooled))
    if pooled:
        rate = 100 * sum(r["withheld"] for r in pooled) / sum(r["answered"] for r in pooled)
        assert card["refusal_rate"] == pytest.approx(rate, abs=0.051)
        card_text_is_numbers_only(card["n"], [card["refusal_rate"], len(pooled), card["pooled_failing"], card["pooled_recomputed"], card["reports_left_out"]])
    else:  # no basis: a dash, not 0
        assert card["refusal_rate"] is None and card["n"].startswith("–")
        card_text_is_numbers_only(card["n"], [0, 0, 0, len(reports)])

    (card,) = chart(cases_db, "requests", **params)
    counted = [r for r in reports if r["new_received"] is not None]
    assert (card["requests"], card["reports"], card["reports_failing"]) == (
        sum(r["new_received"] for r in counted), len(counted), sum(r["status"] == "fails" for r in counted))
    card_text_is_numbers_only(card["n"], [card["requests"], card["reports"], card["reports_failing"]])

    (card,) = chart(cases_db, "not-adding-up", **params)
    assert (card["reports_failing"], card["reports"]) == (sum(r["status"] == "fails" for r in reports), len(reports))
    card_text_is_numbers_only(card["n"], [card["reports_failing"], card["reports"]])

    (card,) = chart(cases_db, "reports", **params)
    assert card["n"] == len(reports)


def test_metric_card_words_do_not_depend_on_the_data(cases_db):
    """Only numbers change from one filter to another: no agency, province or note is ever put in the card's HTML."""
    for name in ("refusal-rate", "requests", "not-adding-up"):
        shapes = {re.sub(r"\d+(?:\.\d+)?", "#", chart(cases_db, name, **params)[0]["n"]).replace("–", "# %") for params in FILTERS}
        assert len(shapes) == 1, (name, shapes)
        assert not re.search(r"[\u3000-\u9fff\uff00-\uffef]", shapes.pop()), name  # no agency, province, note


@pytest.mark.parametrize("params", [{}, {"province": "山东省"}, {"province": "浙江省"}])
def test_trend_charts_say_how_many_reports_each_year_pools(cases_db, expected, params):
    reports = selected(expected, params)
    years = sorted({r["year"] for r in reports})

    rows = chart(cases_db, "requests-by-year", **params)
    assert sorted({r["year"] for r in rows}) == years
    for row in rows:
        of_year = [r for r in reports if r["year"] == row["year"]]
        failing = sum(r["status"] == "fails" for r in of_year)
        assert (row["reports"], row["reports_failing"]) == (len(of_year), failing)
        assert row["label"] == f"n={len(of_year)}" and row["label_failing"] == (f"{failing} not adding up" if failing else "")

    rows = chart(cases_db, "outcomes", **params)
    for row in rows:
        of_year = [r for r in reports if r["year"] == row["year"]]
        pooled = [r for r in of_year if r["basis"] != "none"]
        assert (row["reports_pooled"], row["pooled_failing"], row["pooled_recomputed"], row["reports_left_out"]) == (
            len(pooled), sum(r["status"] == "fails" for r in pooled), sum(r["basis"] == "recomputed" for r in pooled), len(of_year) - len(pooled))
        assert row["label"] == f"n={len(pooled)}"
        if row["o"] == 3:  # refused: only reports with a basis are pooled
            assert row["requests"] == sum(r["withheld"] for r in pooled)
    assert {r["year"] for r in rows} == {r["year"] for r in reports if r["basis"] != "none"}  # a year with nothing pooled has no bar

    for row in chart(cases_db, "by-province", **params):  # every province: the chart filters by year only
        of_province = [r for r in expected.values() if (r["province"] or "未识别 unknown") == row["province"]]
        assert (row["reports"], row["reports_failing"]) == (len(of_province), sum(r["status"] == "fails" for r in of_province))


def test_dashboard_ranking_leaves_small_denominators_out(cases_db, expected):
    rows = chart(cases_db, "refusals-by-agency", year="2019")
    candidates = [r for r in expected.values() if r["year"] == 2019 and r["withheld"] is not None]
    big = [r for r in candidates if (r["answered"] or 0) >= SMALL]
    assert {r["report"] for r in rows} == {f"{r['agency']} {r['year']}" for r in big}
    assert f"{TINY} 2019" not in {r["report"] for r in rows}
    assert {(r["reports_ranked"], r["ranked_failing"], r["left_out_small"]) for r in rows} == {
        (len(big), sum(r["status"] == "fails" for r in big), len(candidates) - len(big))}
    assert all(r["rates_basis"] == by_agency(expected, r["report"].rsplit(" ", 1)[0])["basis"] for r in rows)


# --- through the site --------------------------------------------------------------------


def test_the_site_applies_the_defaults_and_draws_the_dashboard(cases_db, expected):
    """Datasette sends an omitted parameter as empty: the old links (no min_answered) get the
    default; the dashboard's queries run as the plugin sends them."""
    with serving(cases_db) as base:
        def rows(path, **params):
            response = httpx.get(f"{base}{path}", params={"_shape": "objects", **params}, timeout=60)
            assert response.status_code == 200, response.text[:500]
            return response.json()["rows"]

        for name in ("refusals_by_agency", "requests_by_agency"):
            served = rows(f"/ogi/{name}.json", year="", province="")  # min_answered not sent
            assert {r["report_id"] for r in served} == {r["report_id"] for r in ask(cases_db, name)}
            assert by_agency(expected, TINY)["id"] not in {r["report_id"] for r in served}
            served = rows(f"/ogi/{name}.json", year="", province="", min_answered="0")
            assert by_agency(expected, TINY)["id"] in {r["report_id"] for r in served}
        assert rows("/ogi/corrected_outcomes.json", year="") == ask(cases_db, "corrected_outcomes")
        assert rows("/ogi/rates_by_province_year.json", year="") == ask(cases_db, "rates_by_province_year")
        assert rows("/ogi/year_over_year.json", agency="", check_status="") == ask(cases_db, "year_over_year")
        for name, spec in DASHBOARD["charts"].items():
            for params in ({}, {"year": "2019", "province": "山东省"}):
                sql = fill(spec["query"], params)
                assert rows("/ogi.json", sql=sql, **params) == chart(cases_db, name, **params), name
        assert httpx.get(f"{base}/-/dashboards/overview", timeout=60).status_code == 200
