"""Numbers a story can rest on: printed against recomputed totals and the rates' basis,
maintainers' corrections, ids that do not depend on the build, what each build changed, and
where and when an original was published."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import sqlite_utils

from conftest import ROOT, SHARED, gold_for, report_id, samples
from ogi import load, totals
from ogi.read import html

REAL = SHARED / "corpus" / "real"
SHFB = REAL / "shanghai-shfb-2019_tables_extract.html"
HZQ = REAL / "hzq2023_working.pdf"
CORRECTIONS_HEADER = "sha256,part,row_key,col_key,value,reason,checked_by,checked_on\n"


def build(folder: Path, db: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ogi.cli", "build", str(folder), "--db", str(db), *extra],
        cwd=db.parent, capture_output=True, text=True, timeout=600,
    )


def copy_samples(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sample in samples():
        shutil.copy(sample, folder / sample.name)
    return folder


def summary_of(db: Path, name: str) -> dict:
    return next(sqlite_utils.Database(db).query(
        "select s.* from report_summary s join sources f on f.id = s.source_id where f.file_name = ?", [name]))


def facts_of(db: Path, name: str) -> dict[tuple, float]:
    return {
        (r["part"], r["row_key"], r["col_key"]): r["value"]
        for r in sqlite_utils.Database(db).query(
            "select f.* from facts f join sources s on s.id = f.source_id where s.file_name = ?", [name])
    }


# --- the rule: printed or recomputed -------------------------------------------------------


def test_printed_totals_that_add_up_are_the_basis():
    printed = {"answered": 10, "granted": 6, "partially_granted": 1, "withheld": 3, "unable": 0, "not_processed": 0, "other": 0}
    recomputed = {**printed, "granted": 5}  # one row's applicant columns disagree: named, printed kept
    basis = totals.requests_basis(printed, recomputed)
    assert (basis.basis, basis.recomputed) == ("printed", False)
    assert "granted" in basis.note
    assert totals.rate(3, 10, basis) == 30.0


def test_recomputed_totals_when_the_printed_ones_are_zero_and_the_parts_agree():
    printed = {"answered": 805, "granted": 0, "partially_granted": 0, "withheld": 0, "unable": 0, "not_processed": 0, "other": 0}
    parts = {"answered": 805, "granted": 272, "partially_granted": 3, "withheld": 35, "unable": 337, "not_processed": 158, "other": 0}
    assert totals.requests_basis(printed, parts).basis == "recomputed"
    # the printed 总计 disagrees with the parts too: only the balance can vouch for them
    printed["answered"] = 900
    assert totals.requests_basis(printed, parts).basis == "none"
    balanced = {**parts, "new_received": 800, "carried_over": 10, "carried_forward": 5}
    assert totals.requests_basis(printed, balanced).basis == "recomputed"
    unbalanced = {**balanced, "carried_forward": 6}
    basis = totals.requests_basis(printed, unbalanced)
    assert basis.basis == "none" and totals.rate(35, 805, basis) is None


def test_nothing_answered_has_no_rate_not_a_zero_rate():
    zero = {"answered": 0, "granted": 0, "withheld": 0}
    basis = totals.requests_basis(zero, zero)
    assert basis.basis == "none" and totals.rate(0, 0, basis) is None
    assert totals.requests_basis({"granted": 3}, {}).basis == "none"  # no （七）总计 row at all


def test_appeal_totals_follow_their_outcomes():
    assert totals.appeals_basis({"review": (0, 11), "litigation_direct": (0, 0)}).basis == "recomputed"
    assert totals.appeals_basis({"review": (11, 11), "litigation_direct": (2, None)}).basis == "printed"
    assert totals.appeals_basis({}).basis == "none"


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    if not REAL.is_dir():
        pytest.skip(f"the real reports are not here ({REAL}); they are not bundled")
    folder = tmp_path_factory.mktemp("real")
    for f in REAL.iterdir():
        shutil.copy(f, folder / f.name)
    copy_samples(folder)
    db = folder.parent / (folder.name + "-db") / "ogi.db"
    db.parent.mkdir()
    result = build(folder, db)
    assert result.returncode == 0, result.stderr
    return db


def test_a_report_whose_printed_totals_are_zero_gets_a_rate_from_its_parts(real_db):
    """上海市人民政府办公厅 2019 prints 0 in every 总计 cell of the result rows; its applicant
    columns add up to the printed （七）总计, 805."""
    gold = __import__("json").loads((SHARED / "gold" / "real" / (SHFB.stem + ".json")).read_text(encoding="utf-8"))
    requests = gold["requests"]
    parts = lambda row: sum(v for k, v in requests[row].items() if k != "total")  # noqa: E731
    withheld = sum(parts(row) for row in requests if row.startswith("withheld."))
    s = summary_of(real_db, SHFB.name)
    assert (s["agency"], s["year"], s["rates_basis"]) == ("上海市人民政府办公厅", 2019, "recomputed")
    assert (s["answered"], s["answered_printed"], s["answered_recomputed"]) == (805, 805, 805)
    assert (s["withheld"], s["withheld_printed"], s["withheld_recomputed"]) == (withheld, 0, withheld)
    assert s["granted"] == parts("granted") and s["granted_printed"] == 0
    assert s["refusal_rate"] == round(100 * withheld / 805, 1) > 0
    assert "805" in s["rates_note"]


def test_appeal_totals_printed_zero_beside_their_outcomes(real_db):
    s = summary_of(real_db, HZQ.name)
    assert (s["appeals_basis"], s["reviews"], s["reviews_printed"], s["reviews_recomputed"], s["reviews_corrected"]) == ("recomputed", 11, 0, 11, 1)
    assert s["rates_basis"] == "printed"


def test_sound_reports_rest_on_their_printed_totals(built_db):
    for sample in samples():
        gold = gold_for(sample)["requests"]
        s = summary_of(built_db, sample.name)
        answered = gold["total"]["total"]
        assert s["answered"] == s["answered_printed"] == answered
        assert s["rates_basis"] == ("printed" if answered else "none"), sample.name
        assert (s["refusal_rate"] is None) == (answered == 0)
        assert s["small_denominator"] == int(0 < answered < totals.SMALL_DENOMINATOR)


# --- corrections ---------------------------------------------------------------------------


def test_a_correction_changes_a_value_keeps_what_was_printed_and_is_shown(tmp_path):
    from conftest import serving
    import httpx

    sample = samples()[4]  # 山东省人力资源和社会保障厅 2019
    digest = load._sha256(sample)
    gold = gold_for(sample)
    parsed = gold["active"]["regulations"]["made"]
    (tmp_path / "corrections.csv").write_text(
        CORRECTIONS_HEADER
        + f"{digest},active,regulations,made,{parsed + 7},Page 3 prints {parsed + 7}; the text layer lost a digit,reviewer,2026-11-30\n"
        + f"{digest},requests,granted,total,{gold['requests']['granted']['total']},already right,reviewer,2026-11-30\n"
        + f"{'0' * 64},requests,granted,total,1,a file we do not have,reviewer,2026-11-30\n"
        + f"{digest},requests,granted,no_such_column,1,typo,reviewer,2026-11-30\n",
        encoding="utf-8",
    )
    db = tmp_path / "ogi.db"
    result = build(ROOT / "ogi" / "samples", db)  # ./corrections.csv (cwd) is the default
    assert result.returncode == 0, result.stderr
    assert "1 applied, 1 file_not_in_build, 1 invalid, 1 unchanged" in result.stdout
    assert "line 5: invalid: 'no_such_column' is not a column of requests" in result.stdout
    d = sqlite_utils.Database(db)
    fact = d["facts"].get(f"{digest[:16]}-active-regulations-made")
    assert (fact["value"], fact["parsed_value"], fact["corrected"], fact["raw"]) == (parsed + 7, parsed, 1, str(parsed))
    assert fact["correction"].startswith("Page 3 prints")
    statuses = [(r["line"], r["status"]) for r in d.query("select line, status from corrections order by line")]
    assert statuses == [(2, "applied"), (3, "unchanged"), (4, "file_not_in_build"), (5, "invalid")]
    untouched = facts_of(db, sample.name)
    assert untouched[("active", "regulations", "made")] == parsed + 7
    assert sum(v == gold["active"].get(r, {}).get(c) for (p, r, c), v in untouched.items() if p == "active") == \
        sum(1 for r in gold["active"].values() for _ in r) - 1

    with serving(db) as base:
        wide = httpx.get(f"{base}/ogi/active_wide", params={"report_id": digest[:16], "item": "regulations"}).text
        assert f">{parsed + 7}</a> <span class=\"ogi-corrected\"" in wide and "the text layer lost a digit" in wide
        page = httpx.get(f"{base}/ogi/facts/{fact['id']}").text
        assert "✎ corrected" in page and f"corrected to {parsed + 7}" in page and f"印为“{parsed}”" in page


def test_checks_are_recomputed_after_a_correction(tmp_path):
    sample = samples()[4]
    digest = load._sha256(sample)
    granted = gold_for(sample)["requests"]["granted"]["natural_person"]
    corrections = tmp_path / "fix.csv"
    corrections.write_text(CORRECTIONS_HEADER + f"{digest},requests,granted,natural_person,{granted + 1},test,r,2026-11-30\n", encoding="utf-8")
    db = tmp_path / "ogi.db"
    assert build(ROOT / "ogi" / "samples", db, "--corrections", str(corrections)).returncode == 0
    failing = {(r["identity"], r["key"]) for r in sqlite_utils.Database(db).query(
        "select identity, key from checks where ok = 0 and report_id = ?", [digest[:16]])}
    # the row no longer adds up to its 总计, nor the column to its （七）总计; the balance uses neither
    assert failing == {("requests_row_total", "granted"), ("requests_results_sum", "natural_person")}


# --- ids and what changed ------------------------------------------------------------------


def test_ids_do_not_depend_on_what_else_is_in_the_build(tmp_path):
    alone = tmp_path / "alone" / "ogi.db"
    alone.parent.mkdir()
    assert build(ROOT / "ogi" / "samples", alone).returncode == 0
    mixed = copy_samples(tmp_path / "mixed")
    # other reports sorted before and between the samples
    lines = samples()[1].read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace("2023年", "2020年")
    (mixed / "000_aaa-earlier.txt").write_text("\n".join(lines), encoding="utf-8")
    shutil.copy(samples()[3], mixed / "002_zzz-copy.txt")
    together = tmp_path / "together" / "ogi.db"
    together.parent.mkdir()
    assert build(mixed, together).returncode == 0

    def ids(db, table, sample):
        return sorted(r["id"] for r in sqlite_utils.Database(db).query(
            f"select t.id from [{table}] t join sources s on s.id = t.source_id where s.sha256 = ?", [load._sha256(sample)]))

    for sample in samples():
        for table in ("reports", "facts", "warnings"):
            assert ids(alone, table, sample) == ids(together, table, sample), (table, sample.name)
        # a copy sorted before the sample became the file the report is read from; the ids stay
        assert ids(alone, "reports", sample) == [report_id(sample)]
    for table in ("sections", "checks", "requests_wide", "report_summary"):
        key = "report_id" if table == "report_summary" else "id"
        one = {r[key] for r in sqlite_utils.Database(alone).query(f"select {key} from [{table}]")}
        two = {r[key] for r in sqlite_utils.Database(together).query(f"select {key} from [{table}]")}
        assert one <= two and len(two) > len(one), table


def test_a_rebuild_records_what_changed(tmp_path):
    folder = copy_samples(tmp_path / "in")
    db = tmp_path / "out" / "ogi.db"
    db.parent.mkdir()
    first = build(folder, db)
    assert first.returncode == 0 and "first build" in first.stdout
    # one report goes, one value of another changes, and a correction is applied
    removed = samples()[0]
    (folder / removed.name).unlink()
    changed = samples()[4]
    text = changed.read_text(encoding="utf-8")
    gold = gold_for(changed)["active"]["regulations"]["made"]
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("规章") or "规章\t" in line)
    old_line = lines[at]
    lines[at] = old_line.replace(str(gold), str(gold + 1), 1)
    assert lines[at] != old_line
    (folder / changed.name).write_text("\n".join(lines), encoding="utf-8")
    second = build(folder, db)
    assert second.returncode == 0, second.stderr
    d = sqlite_utils.Database(db)
    builds = list(d.query("select * from builds order by id"))
    assert len(builds) == 2 and builds[1]["previous"] == builds[0]["id"]
    kinds = {}
    for r in d.query("select kind, report_id, cell, old_value, new_value from changes where build_id = ?", [builds[1]["id"]]):
        kinds.setdefault(r["kind"], []).append(r)
    # the edited file is a new file: its report is new, the old one removed
    assert sorted(r["report_id"] for r in kinds["report_removed"]) == sorted([report_id(removed), report_id(changed)])
    assert [r["report_id"] for r in kinds["report_added"]] == [load._sha256(folder / changed.name)[:16]]
    assert builds[1]["reports_added"] == 1 and builds[1]["reports_removed"] == 2
    third = build(folder, db)
    assert "nothing changed" in third.stdout
    assert sqlite_utils.Database(db)["builds"].count == 3


def test_value_changes_of_the_same_file_are_listed(tmp_path):
    """A new parser reading of the same file (here: a correction) is a change of that fact."""
    db = tmp_path / "ogi.db"
    assert build(ROOT / "ogi" / "samples", db).returncode == 0
    sample = samples()[2]
    digest = load._sha256(sample)
    fix = tmp_path / "fix.csv"
    fix.write_text(CORRECTIONS_HEADER + f"{digest},appeals,review,upheld,9,test,r,2026-11-30\n", encoding="utf-8")
    assert build(ROOT / "ogi" / "samples", db, "--corrections", str(fix)).returncode == 0
    change = list(sqlite_utils.Database(db).query("select * from changes where kind = 'correction_applied'"))
    assert [(c["fact_id"], c["new_value"]) for c in change] == [(f"{digest[:16]}-appeals-review-upheld", 9)]
    assert change[0]["old_value"] == gold_for(sample)["appeals"]["review"]["upheld"]
    # An older parser read another value for a fact: the next build lists it with both values.
    fact_id = f"{digest[:16]}-requests-granted-natural_person"
    with sqlite_utils.Database(db).conn as conn:
        conn.execute("update facts set value = value + 100 where id = ?", [fact_id])
    assert build(ROOT / "ogi" / "samples", db, "--corrections", str(fix)).returncode == 0
    changed = [(c["fact_id"], c["old_value"], c["new_value"]) for c in sqlite_utils.Database(db).query(
        "select * from changes where build_id = (select max(id) from builds)")]
    granted = gold_for(sample)["requests"]["granted"]["natural_person"]
    assert changed == [(fact_id, granted + 100, granted)]


# --- where and when an original was published ----------------------------------------------


def test_a_web_page_says_where_and_when_it_was_published(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(
        """<html><head><title>某某局2023年政府信息公开工作年度报告</title>
        <link rel="canonical" href="https://www.example.gov.cn/xxgk/2024/report.html">
        <meta name="PubDate" content="2024-01-29 16:34"></head>
        <body><p>发布时间：2024年1月30日</p></body></html>""", encoding="utf-8")
    root = html.parse(html.decode(page.read_bytes()))
    assert html.published(root) == ("https://www.example.gov.cn/xxgk/2024/report.html", "2024-01-29")
    root = html.parse("<html><body><div class=info>来源：办公室 发布日期：2024-02-05</div><a href='javascript:x'>x</a></body></html>")
    assert html.published(root) == (None, "2024-02-05")
    root = html.parse("<html><head><link rel=canonical href='javascript:alert(1)'></head><body>发布时间：2024-13-40</body></html>")
    assert html.published(root) == (None, None)


def test_the_manifest_says_it_for_any_file(tmp_path):
    folder = copy_samples(tmp_path / "in")
    first, second = samples()[0].name, samples()[1].name
    (folder / "sources.csv").write_text(
        "file,url,published\n"
        f"{first},https://www.example.gov.cn/a.html,2020-01-31\n"
        f"{second},ftp://example/b,31/01/2020\n", encoding="utf-8")
    db = tmp_path / "ogi.db"
    result = build(folder, db)
    assert result.returncode == 0
    d = sqlite_utils.Database(db)
    rows = {r["file_name"]: r for r in d["sources"].rows}
    assert (rows[first]["published_url"], rows[first]["published_on"], rows[first]["published_from"]) == (
        "https://www.example.gov.cn/a.html", "2020-01-31", "manifest")
    assert (rows[second]["published_url"], rows[second]["published_on"]) == (None, None)
    assert "not an http(s) address" in result.stderr and "is not YYYY-MM-DD" in result.stderr
    assert rows["sources.csv"]["status"] == "manifest" and rows["sources.csv"]["url"] is None
