"""The public site under attack: /originals/ serves nothing but reports' files, with their
type, nosniff and a sandbox; SQL cannot allocate or loop past the limits; the source viewer
answers malformed parameters with 400/404 and pages huge files; ordinary pages keep
answering while attacks run. Loopback only."""

from __future__ import annotations

import html
import importlib.util
import shutil
import socket
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest
import sqlite_utils

from ogi import load

from conftest import ROOT, samples, serving


def raw_get(base: str, path: str) -> tuple[int, dict[str, str], bytes]:
    """GET a path exactly as written (an HTTP client would normalize /./ and x/../)."""
    host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
    with socket.create_connection((host, port), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(lines[0].split()[1]), headers, body


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Samples, the second sample as a web page with a script (its alternate), and a huge text report."""
    folder = tmp_path_factory.mktemp("security") / "in"
    folder.mkdir()
    for sample in samples():
        shutil.copy(sample, folder / sample.name)
    second = samples()[1]
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in second.read_text(encoding="utf-8").splitlines())
    (folder / "page.html").write_text(f"<html><head><meta charset=utf-8><script>alert(document.cookie)</script></head><body>{body}</body></html>",
                                      encoding="utf-8")
    big = samples()[2].read_text(encoding="utf-8") + "\n" + "备注：以下为附件内容。\n" * 60_000 + "x" * 50_000 + "\n"
    (folder / "big.txt").write_text(big, encoding="utf-8")
    db_path = folder.parent / "out" / "ogi.db"
    load.build([folder], db_path)
    db = sqlite_utils.Database(db_path)
    sources = {r["path"]: r for r in db["sources"].rows}
    # the web page and the text of the same report: one primary (html before text), one alternate
    assert {sources["page.html"]["status"], sources[second.name]["status"]} == {"parsed", "alternate"}
    assert sources["big.txt"]["status"] in ("parsed", "alternate")
    # a file dropped into originals/ by hand is no report's file: never served
    (db_path.parent / "originals" / ("a" * 64 + ".svg")).write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with serving(db_path) as base:
        yield base, sources


def test_originals_are_served_with_type_nosniff_and_sandbox(site):
    base, sources = site
    page = sources["page.html"]["url"]
    status, headers, body = raw_get(base, page)
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in headers["content-security-policy"] and "default-src 'none'" in headers["content-security-policy"]
    assert b"<script>" in body  # byte for byte, but it cannot run here
    text = sources[samples()[0].name]["url"]
    status, headers, _ = raw_get(base, text)
    assert status == 200 and headers["content-type"].startswith("text/plain") and headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("suffix", ["/", "/.", "/x", "%2F", "/../" + "a" * 64 + ".svg"])
def test_every_other_path_under_originals_is_404(site, suffix):
    base, sources = site
    page = sources["page.html"]["url"]
    status, headers, body = raw_get(base, page + suffix)
    assert status == 404, (page + suffix, status, headers)
    assert headers["x-content-type-options"] == "nosniff" and "location" not in headers
    assert not headers.get("content-type", "").startswith("text/html")


@pytest.mark.parametrize("path", [
    "/originals/", "/originals", "/originals/./{name}", "/originals/x/../{name}", "/originals/%2e%2e/{name}",
    "/originals//{name}", "/originals/{upper}", "/originals/" + "a" * 64 + ".svg", "/originals/" + "0" * 64 + ".txt",
    "/originals/{sha}", "/originals/{name}?x=1/",
])
def test_paths_that_name_no_report_file_are_404(site, path):
    base, sources = site
    name = sources["page.html"]["url"].rsplit("/", 1)[1]
    path = path.format(name=name, upper=name.upper(), sha=name.split(".")[0])
    status, headers, _ = raw_get(base, path)
    if path.endswith("?x=1/"):  # a query string is not part of the path: the file itself
        assert status == 200 and "sandbox" in headers["content-security-policy"]
        return
    assert status == 404, (path, status, headers)
    assert "location" not in headers


def test_failed_and_unsupported_files_are_not_published(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(samples()[0], folder / samples()[0].name)
    (folder / "evil.svg").write_text("<svg><script>alert(1)</script></svg>")
    (folder / "evil.html").write_text("<script>alert(1)</script>")
    load.build([folder], tmp_path / "ogi.db")
    rows = {r["path"]: r for r in sqlite_utils.Database(tmp_path / "ogi.db")["sources"].rows}
    assert rows["evil.svg"]["url"] is None and rows["evil.html"]["url"] is None
    assert [p.name for p in (tmp_path / "originals").iterdir()] == [rows[samples()[0].name]["url"].rsplit("/", 1)[1]]


def sql(base: str, query: str) -> tuple[int, float, str]:
    start = time.perf_counter()
    response = httpx.get(f"{base}/ogi.json", params={"sql": query, "_shape": "array"}, timeout=60)
    return response.status_code, time.perf_counter() - start, response.text


@pytest.mark.parametrize("query", [
    "select printf('%.*c', 2000000000, 'x')",
    "select format('%2000000000d', 1)",
    "select printf('%!.*f', 1000000000, 1.5)",
    "select length(randomblob(1000000000))",
    "select length(zeroblob(1000000000))",
    "select length(replace(replace(replace(replace(printf('%.*c', 1000, 'x'), 'x', 'xxxxxxxxxx'), 'x', 'xxxxxxxxxx'), 'x', 'xxxxxxxxxx'), 'x', 'xxxxxxxxxx'))",
    "select length(group_concat(printf('%.*c', 100000, 'x'))) from facts",
])
def test_string_and_blob_bombs_are_cut_by_the_length_limit(site, query):
    base, _ = site
    status, seconds, text = sql(base, query)
    assert status == 400 and "too big" in text, text[:300]
    assert seconds < 3


def test_sql_that_runs_forever_is_cut_by_the_time_limit(site):
    base, _ = site
    status, seconds, text = sql(base, "with recursive c(x) as (select 1 union all select x + 1 from c) select count(*) from c")
    assert status == 400 and seconds < 10, text[:300]


def test_ogi_snippet_on_crafted_input_returns_fast(site):
    base, _ = site
    for query in [
        "select length(ogi_snippet(printf('%.*c', 150000, 'a'), printf('%.*c', 400, 'a') || 'b'))",
        "select length(ogi_snippet(printf('%.*c', 150000, ' '), printf('%.*c', 499, 'a')))",
        "select length(ogi_snippet(replace(printf('%.*c', 60000, 'a'), 'a', 'a '), 'a a a a a a a a a a a a a a a a a a b'))",
        "select ogi_snippet(x'00ff', 1), ogi_snippet(3, null), ogi_snippet(null, 'x')",
    ]:
        status, seconds, text = sql(base, query)
        assert status == 200 and seconds < 3, (query, status, seconds, text[:200])


@pytest.mark.parametrize("query,status", [
    ("line=%C2%B2", 400), ("line=abc", 400), ("line=-1", 400), ("line=0", 400), ("line=1e3", 400), ("start=%C2%B2", 400),
    ("page=x", 400), ("line=999999999", 404), ("start=999999999", 404),
])
def test_malformed_viewer_parameters_are_400_or_404(site, query, status):
    base, sources = site
    sha = sources[samples()[0].name]["sha256"]
    response = httpx.get(f"{base}/-/source/{sha}?{query}", timeout=30)
    assert response.status_code == status, (query, response.status_code, response.text[:200])


def test_a_huge_text_is_shown_a_page_at_a_time(site):
    base, sources = site
    sha = sources["big.txt"]["sha256"]
    start = time.perf_counter()
    response = httpx.get(f"{base}/-/source/{sha}?line=60000", timeout=60)
    assert response.status_code == 200 and time.perf_counter() - start < 10
    assert response.text.count('<tr id="L') == 1000 and 'id="L60000" class="cited"' in response.text
    assert "next lines" in response.text and len(response.content) < 1_000_000
    last = httpx.get(f"{base}/-/source/{sha}?start=60001", timeout=60)
    assert last.status_code == 200 and "more characters: open the original" in last.text


def test_ordinary_pages_answer_while_attacks_run(site):
    base, _ = site
    spec = importlib.util.spec_from_file_location("load_test", ROOT / "scripts" / "load_test.py")
    load_test = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load_test)
    result = load_test.run(base, seconds=8, attackers=4, rounds=1)
    load_test.report(result)
    assert result["attacked"] and all(s == 200 for s in result["quiet_status"] + result["attacked_status"])
    assert max(result["attacked"]) < 30  # generous: pages wait at most for a few time-limited queries
    assert all(status in (200, 400, 404, 503) for _, status, _ in result["attacks"])  # 503: too many at once
    assert max(seconds for _, _, seconds in result["attacks"]) < 30
