"""Shared fixtures: the bundled samples, their gold values, a built database, a live server."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import httpx
import pytest

from ogi import load
from ogi.cli import sample_reports

ROOT = Path(__file__).resolve().parent.parent
GOLD = Path(__file__).parent / "gold"  # values read by hand off the bundled samples
SHARED = ROOT.parent / "shared"


def samples() -> list[Path]:
    return sorted(sample_reports().glob("*.txt"))


def report_id(path: Path) -> str:
    """A report's id: its file's SHA-256, first 16 hex digits (ogi/load.py)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def gold_for(path: Path) -> dict:
    return json.loads((GOLD / (path.stem + ".json")).read_text(encoding="utf-8"))


def number_paths(report: dict) -> dict[str, float]:
    """{'requests.granted.total': 1, …} for every number of the three tables."""
    return {
        f"{part}.{row}.{col}": value
        for part in ("active", "requests", "appeals")
        for row, cols in report.get(part, {}).items()
        for col, value in cols.items()
    }


@cache
def parsed(path: Path) -> tuple[dict | None, str | None]:
    """as_json of the parsed document, or the error: any exception is that document's failure."""
    from ogi.parse import as_json, parse_file

    try:
        return as_json(parse_file(path)), None
    except Exception as e:  # noqa: BLE001
        return None, f"{type(e).__name__}: {e}"


def failing_checks(report: dict) -> list[tuple]:
    return [(c["identity"], c["key"], c["lhs"], c["rhs"], c["diff"]) for c in report["checks"] if not c["ok"]]


def declared_failures(gold: dict) -> list[tuple]:
    return [(f["identity"], f["key"], f["lhs"], f["rhs"], f["diff"]) for f in gold.get("expected_failures", [])]


def assert_same_failures(name: str, got: list[tuple], want: list[tuple]) -> None:
    unexpected = [f for f in got if f not in want]
    missing = [f for f in want if f not in got]
    assert not (unexpected or missing), (
        f"{name}: identity checks differ from gold expected_failures\n"
        + "".join(f"  fails but should hold: {f}\n" for f in unexpected)
        + "".join(f"  should fail but does not: {f}\n" for f in missing)
    )


@pytest.fixture(scope="session")
def built_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("db") / "ogi.db"
    load.build([sample_reports()], db)
    return db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db: Path, cwd: Path = ROOT, env: dict | None = None):
    """`ogi serve` on loopback, as a user runs it (from ``cwd``, with ``env``); yields the base
    URL. The server's output goes to a file: a pipe nobody reads fills with the access log and
    the server stops answering."""
    port = _free_port()
    log = db.parent / f"serve-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "ogi.cli", "serve", "--db", str(db), "--port", str(port)],
            cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if httpx.get(base + "/-/versions.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("ogi serve did not start:\n" + log.read_text(errors="replace"))
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(built_db):
    with serving(built_db) as base:
        yield base


# --- what the published tables should say, computed from the gold files alone ------------------
# Independent of ogi/views.py and metadata.yml: questions, charts and counts are held to these.

REQUEST_FRAME = ("new_received", "carried_over", "total", "carried_forward")  # the rows that are not results
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
              "legal_service_org", "other_org")


def gold_rate(part, answered):
    return round(100 * part / answered, 1) if answered else None


def gold_summary(path: Path) -> dict:
    """One report as report_summary should show it, read off its gold file (the samples all add up,
    so every total is the printed one and a rate rests on it whenever anything was answered)."""
    gold = gold_for(path)
    total = {row: cols["total"] for row, cols in gold["requests"].items()}

    def group(prefix: str) -> float:
        return sum(v for k, v in total.items() if k == prefix or k.startswith(prefix + "."))

    answered = total["total"]
    appeals = gold["appeals"]
    summary = {
        "file": path.name, "report_id": report_id(path), "agency": gold["agency"], "year": gold["year"],
        "province": gold["region"]["province"], "label": f"{gold['agency']} {gold['year']}",
        "new_received": total["new_received"], "carried_over": total["carried_over"],
        "granted": total["granted"], "partially_granted": total["partially_granted"],
        "withheld": group("withheld"), "unable": group("unable"), "not_processed": group("not_processed"),
        "other": group("other"), "answered": answered, "carried_forward": total["carried_forward"],
        "pooled": answered > 0,
        "identity_status": "fails" if gold.get("expected_failures") else "ok",
        "reviews": appeals["review"]["total"],
        "corrected": sum(appeals[g]["corrected"] for g in appeals),
    }
    summary["refusal_rate"] = gold_rate(summary["withheld"], answered)
    summary["unable_rate"] = gold_rate(summary["unable"], answered)
    summary["small_denominator"] = int(0 < answered < 10)
    return summary


def gold_summaries() -> list[dict]:
    return [gold_summary(s) for s in samples()]


def identities(requests: dict, appeals: dict) -> list[tuple]:
    """(identity, key, lhs, rhs) of every identity of ogi/check.py's docstring, written out again."""
    out = []
    get = lambda row, col: requests.get(row, {}).get(col) or 0  # noqa: E731
    columns = (*APPLICANTS, "total")
    results = [r for r in requests if r not in REQUEST_FRAME]
    for c in columns:
        out.append(("requests_balance", c, get("new_received", c) + get("carried_over", c), get("total", c) + get("carried_forward", c)))
    for c in columns:
        out.append(("requests_results_sum", c, get("total", c), sum(get(r, c) for r in results)))
    for row in requests:
        out.append(("requests_row_total", row, get(row, "total"), sum(get(row, c) for c in APPLICANTS)))
    for group, cols in appeals.items():
        out.append(("appeals_total", group, cols.get("total") or 0, sum(cols.get(o) or 0 for o in ("upheld", "corrected", "other", "pending"))))
    return out


def tables_from_facts(db, report: str) -> dict[str, dict]:
    """{part: {row: {col: value}}} of one report, straight from the facts table."""
    out: dict[str, dict] = {}
    for part, row, col, value in db.execute(
        "select part, row_key, col_key, value from facts where report_id = ? and value is not null", [report]
    ).fetchall():
        out.setdefault(part, {}).setdefault(row, {})[col] = value
    return out


@cache
def site_plugin():
    """ogi/site/plugins/ogi_site.py, loaded as Datasette loads it (for the SQL functions questions use)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("ogi_site_plugin", ROOT / "ogi" / "site" / "plugins" / "ogi_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
