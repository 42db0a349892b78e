#!/usr/bin/env python3
"""How fast ordinary pages answer while attack requests run (loopback only, bounded).

    .venv/bin/python scripts/load_test.py [--db build/ogi.db] [--seconds 15] [--attackers 6]

Serves the database with `ogi serve` on a free 127.0.0.1 port (or uses --base, which must be
a http://127.0.0.1 address), then times ordinary pages (the home page, a table, a row, a
question, the source viewer) first alone and then while ATTACKERS threads send attacks in a
loop for SECONDS: SQL that would run forever (cut by sql_time_limit_ms), string and blob bombs
(cut by SQLite's length limit), ogi_snippet on crafted input, the viewer and /originals/ with
malformed paths. Prints the median and worst latency of the ordinary pages in each phase and
what the attacks got back (status counts, slowest answer).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent

ATTACK_SQL = [
    "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c",
    "select printf('%.*c', 2000000000, 'x')",
    "select length(randomblob(1000000000))",
    "select length(zeroblob(1000000000))",
    "select length(replace(replace(replace(replace(printf('%.*c', 1000, 'x'), 'x', 'xxxxxxxxxx'), 'x', 'xxxxxxxxxx'), 'x', 'xxxxxxxxxx'), 'x', 'xxxxxxxxxx'))",
    "select ogi_snippet(printf('%.*c', 150000, 'a'), printf('%.*c', 400, 'a') || 'b')",
    "select length(ogi_snippet(group_concat(text), 'a b c d e f g')) from sections",
    "select instr(printf('%.*c', 190000, 'a'), printf('%.*c', 5000, 'a') || 'b')",
    "select count(*) from facts a, facts b, facts c",
]


def attack_paths(base_sha: str | None) -> list[str]:
    paths = [f"/ogi.json?sql={urllib.parse.quote(sql)}&_shape=array" for sql in ATTACK_SQL]
    paths += ["/originals/" + "0" * 64 + ".html/", "/originals/./x", "/originals/x/../y", "/-/source/" + "0" * 64 + "?line=%C2%B2"]
    if base_sha:
        paths += [f"/-/source/{base_sha}?line=%C2%B2", f"/-/source/{base_sha}?start=999999999"]
    return paths


def ordinary_paths(client: httpx.Client) -> list[str]:
    paths = ["/", "/ogi/reports?_size=20", "/ogi/report_summary.json?_size=10", "/ogi/sources.json?_size=5"]
    try:
        source = client.get("/ogi/sources.json?_shape=array&status=parsed&_size=1").json()[0]
        report = client.get("/ogi/reports.json?_shape=array&_size=1").json()[0]
        paths += [f"/-/source/{source['sha256']}?line=1", f"/ogi/reports/{report['id']}"]
    except Exception:  # noqa: BLE001 - an empty database: the first pages only
        pass
    return paths


def time_pages(client: httpx.Client, paths: list[str], rounds: int) -> tuple[list[float], list[int]]:
    latencies, statuses = [], []
    for _ in range(rounds):
        for path in paths:
            start = time.perf_counter()
            try:
                statuses.append(client.get(path).status_code)
            except httpx.HTTPError:
                statuses.append(0)
            latencies.append(time.perf_counter() - start)
    return latencies, statuses


def attack(base: str, paths: list[str], stop: threading.Event, results: list) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        i = 0
        while not stop.is_set():
            path = paths[i % len(paths)]
            i += 1
            start = time.perf_counter()
            try:
                status = client.get(path).status_code
            except httpx.HTTPError:
                status = 0
            results.append((path, status, time.perf_counter() - start))


def run(base: str, seconds: float = 15, attackers: int = 6, rounds: int = 3) -> dict:
    """{"quiet": latencies, "attacked": latencies, "statuses": …, "attacks": [(path, status, s)]}."""
    host = urllib.parse.urlsplit(base).hostname
    if host != "127.0.0.1":
        raise SystemExit("load tests run against 127.0.0.1 only")
    with httpx.Client(base_url=base, timeout=60) as client:
        pages = ordinary_paths(client)
        sha = next((p.split("/")[3].split("?")[0] for p in pages if p.startswith("/-/source/")), None)
        quiet, quiet_status = time_pages(client, pages, rounds)
        stop = threading.Event()
        results: list = []
        threads = [threading.Thread(target=attack, args=(base, attack_paths(sha)[i::attackers] or attack_paths(sha), stop, results))
                   for i in range(attackers)]
        for t in threads:
            t.start()
        time.sleep(1)  # let the attacks take the SQL threads
        attacked, attacked_status = [], []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            lat, status = time_pages(client, pages, 1)
            attacked += lat
            attacked_status += status
        stop.set()
        for t in threads:
            t.join(120)
    return {"quiet": quiet, "attacked": attacked, "quiet_status": quiet_status, "attacked_status": attacked_status,
            "attacks": results, "pages": pages}


def report(result: dict) -> None:
    def line(name, values):
        return f"{name:<22}{len(values):>6}{statistics.median(values) * 1000:>12.0f}{max(values) * 1000:>10.0f}"

    print(f"{'ordinary pages':<22}{'n':>6}{'median ms':>12}{'max ms':>10}")
    print(line("without attacks", result["quiet"]))
    print(line("during attacks", result["attacked"]))
    bad = [s for s in result["quiet_status"] + result["attacked_status"] if s != 200]
    print(f"ordinary pages not 200: {len(bad)}")
    by_status: dict[int, int] = {}
    for _, status, _ in result["attacks"]:
        by_status[status] = by_status.get(status, 0) + 1
    slowest = max(result["attacks"], key=lambda r: r[2]) if result["attacks"] else None
    print(f"attack requests: {len(result['attacks'])}, by status {dict(sorted(by_status.items()))}")
    if slowest:
        print(f"slowest attack answer: {slowest[2]:.1f} s ({slowest[1]}) {urllib.parse.unquote(slowest[0])[:100]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "build" / "ogi.db")
    parser.add_argument("--base", help="an already running site on http://127.0.0.1:PORT")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--attackers", type=int, default=6)
    args = parser.parse_args()
    if args.base:
        report(run(args.base, args.seconds, args.attackers))
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import serving  # `ogi serve` on a free loopback port

    with serving(args.db) as base:
        report(run(base, args.seconds, args.attackers))


if __name__ == "__main__":
    main()
