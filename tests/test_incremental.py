"""Rebuilds: unchanged files reuse their parse, changed and new files are parsed, vanished
files are dropped; a running `ogi serve` moves to the new database without mixing builds."""

from __future__ import annotations

import shutil
import time

import httpx
import sqlite_utils

from ogi import cache, isolate, load

from conftest import samples, serving


def test_a_rebuild_parses_only_what_changed(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for sample in samples():
        shutil.copy(sample, folder / sample.name)
    db_path = tmp_path / "out" / "ogi.db"
    first = load.build([folder], db_path)
    assert first.incremental == {"new": len(samples()), "vanished": 0, "parsed": len(samples())}

    nothing = load.build([folder], db_path)
    assert nothing.incremental == {"reused": len(samples()), "vanished": 0, "parsed": 0}
    assert nothing.reports == first.reports and nothing.facts == first.facts

    changed = folder / samples()[0].name
    changed.write_bytes(changed.read_bytes() + b"\n")
    (folder / samples()[1].name).unlink()
    shutil.copy(samples()[1], folder / "renamed-copy.txt")  # same bytes under another name: parsed again (the name is evidence)
    parsed = []
    original = isolate.Pool.run

    def spy(self, jobs):
        parsed.extend(path.name for _, path in jobs)
        return original(self, jobs)

    monkeypatch.setattr(isolate.Pool, "run", spy)
    again = load.build([folder], db_path)
    assert sorted(parsed) == sorted([changed.name, "renamed-copy.txt"])
    assert again.incremental == {"reused": len(samples()) - 2, "changed": 1, "new": 1, "vanished": 1, "parsed": 2}
    db = sqlite_utils.Database(db_path)
    assert db["reports"].count == len(samples())
    assert load._sha256(changed)[:16] in {r["id"] for r in db["reports"].rows}


def test_the_cache_follows_the_parser_and_the_limits(tmp_path):
    c = cache.Cache(tmp_path, "limits-a")
    outcome = isolate.Outcome(kind=isolate.PARSE_ERROR, message="no title")
    c.put("ab" * 32, "x.txt", outcome)
    assert c.get("ab" * 32, "x.txt").message == "no title"
    assert cache.Cache(tmp_path, "limits-b").get("ab" * 32, "x.txt") is None  # other limits: parsed again
    assert c.get("ab" * 32, "y.txt") is None  # other name: parsed again
    c.put("cd" * 32, "x.txt", isolate.Outcome(kind=isolate.TIMEOUT, message="slow"))
    assert c.get("cd" * 32, "x.txt") is None  # a timeout may pass on a quieter machine: not kept
    assert cache.parser_fingerprint().startswith("0.") or "+" in cache.parser_fingerprint()


def test_serve_restarts_on_a_rebuilt_database_without_mixing(tmp_path):
    db_path = tmp_path / "ogi.db"
    load.build(samples()[:2], db_path)
    with serving(db_path) as base:
        count = lambda: httpx.get(f"{base}/ogi.json", params={"sql": "select count(*) from reports", "_shape": "arrayfirst"}, timeout=10).json()[0]
        assert count() == 2
        load.build(samples(), db_path)
        deadline = time.monotonic() + 60
        seen = []
        while time.monotonic() < deadline:
            try:
                seen.append(count())
            except (httpx.HTTPError, ValueError):
                seen.append(None)  # restarting
            if seen[-1] == len(samples()):
                break
            time.sleep(0.3)
        assert seen[-1] == len(samples())
        # answers come from one build or the other, never a mixture, and only forwards
        numbers = [n for n in seen if n is not None]
        assert set(numbers) <= {2, len(samples())} and numbers == sorted(numbers)
        assert httpx.get(f"{base}/ogi/sources.json?_shape=array&status=parsed", timeout=10).status_code == 200
