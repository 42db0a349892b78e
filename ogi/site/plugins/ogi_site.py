"""The site's own behaviour on top of Datasette 0.65 (loaded with ``--plugins-dir plugins``).

In: requests to a site serving a database built by ``ogi build``. Out:

- search that finds words of any length: ``escape_fts`` spells a query the way
  ``ogi/views.py:char_tokens`` indexed the text, one token per character, so 复议 is the
  phrase "复 议"; ``ogi_snippet(text, query)`` shows where it was found;
- links from every number to the facts it was read from (the ``provenance`` view) and from
  there to the original file at the page or line (``source_url``);
- the original files, read-only: ``/originals/<sha256>.<ext>`` with the right type and
  encoding, and ``/-/source/<sha256>?line=N``, the text with line numbers and line N marked;
- column descriptions in Chinese and English, read from the database's ``data_dictionary``;
- the lists the home page shows, a stylesheet, and the site's menu.

Self-contained (it does not import ``ogi``), so a published site needs only Datasette, the
plugins named in ogi/publish.py and this folder.
"""

from __future__ import annotations

import asyncio
import copy
import csv
import io
import math
import os
import re
import sqlite3
import tempfile
import threading
import urllib.parse
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import AsgiStream, NotFound, Response, asgi_send_file
from markupsafe import Markup, escape

DATABASE = "ogi"
ORIGINALS_MOUNT = "originals"
ORIGINALS_ENV = "OGI_ORIGINALS"  # the folder of original files, set by `ogi serve` (ogi/publish.py)

# ---------------------------------------------------------------------------------------
# Search


_TERMS = re.compile(r'"([^"]*)"|(\S+)')


@lru_cache(maxsize=1)
def _simplifier():
    import opencc  # ogi-reports depends on it; a published site installs it (ogi/publish.py)

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """Traditional and variant characters to Simplified, one for one (复议 / 復議 / 複議 -> 复议),
    as ogi/views.py:char_tokens indexes the text: positions stay, so a word found in the folded
    text is marked in the text as printed."""
    if not isinstance(text, str) or not text:
        return text
    folded = _simplifier().convert(text[:SNIPPET_TEXT_CHARS])
    return folded if len(folded) == len(text[:SNIPPET_TEXT_CHARS]) else text[:SNIPPET_TEXT_CHARS]


def escape_fts(query: str) -> str:
    """What a person typed -> an FTS5 query for the per-character index.

    Each word (or "quoted phrase") becomes the phrase of its characters, every one must be
    found: 复议 诉讼 -> "复 议" "诉 讼". Whitespace inside a word is dropped, as the index
    drops it (ogi/views.py:char_tokens); quotes cannot break out of the phrase.
    """
    phrases = []
    for quoted, bare in _TERMS.findall(fold(query or "")):
        chars = [ch for ch in (quoted or bare) if not ch.isspace() and ch != '"']
        if chars:
            phrases.append('"' + " ".join(chars) + '"')
    # An empty phrase matches nothing, where an empty query would be a syntax error.
    return " ".join(phrases) or '""'


# Bounds on what the functions below look at, whatever SQL passes them: each runs in time
# linear in these, so SQLite's progress handler (sql_time_limit_ms) fires between calls.
SNIPPET_TEXT_CHARS = 200_000
QUERY_CHARS = 500
QUERY_TERMS = 16
_RUN = re.compile(r"\S+")


def _terms(query) -> list[str]:
    """The words of a query without whitespace or quotes, lowercased, bounded in number and length."""
    if not isinstance(query, str):
        return []
    terms = []
    for quoted, bare in _TERMS.findall(fold(query[:QUERY_CHARS])):
        word = "".join(ch for ch in (quoted or bare) if not ch.isspace() and ch != '"')
        if word:
            terms.append(_lower(word))
    return terms[:QUERY_TERMS]


def _lower(text: str) -> str:
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text  # keep positions where lower() changes lengths


def _squeezed(text: str) -> tuple[str, list[int], list[int]]:
    """text without whitespace (lowercased), the start of each run of non-space characters in
    it and in text: a word found in the squeezed text maps back to text, line wraps and all."""
    runs = list(_RUN.finditer(text))
    at, squeezed_starts, text_starts = 0, [], []
    for m in runs:
        squeezed_starts.append(at)
        text_starts.append(m.start())
        at += m.end() - m.start()
    return _lower(fold("".join(m.group() for m in runs))), squeezed_starts, text_starts


def _to_text(i: int, squeezed_starts: list[int], text_starts: list[int]) -> int:
    run = bisect_right(squeezed_starts, i) - 1
    return text_starts[run] + (i - squeezed_starts[run])


def snippet(text: str | None, query: str | None, before: int = 30, after: int = 60) -> str | None:
    """The passage around the first word of the query found in text, every word found in
    it marked <mark>…</mark>; the rest of the text is returned as it is (escaped on display).

    Linear time: the text (first SNIPPET_TEXT_CHARS characters searched) is squeezed of
    whitespace once and each word found with str.find; no regular expression backtracks."""
    if not text or not isinstance(text, str):
        return text if isinstance(text, str) or text is None else None
    terms = _terms(query)
    head = text[:SNIPPET_TEXT_CHARS]
    squeezed, squeezed_starts, text_starts = _squeezed(head)
    found = [i for i in (squeezed.find(t) for t in terms) if i >= 0]
    if not found:
        return text[: before + after] + ("…" if len(text) > before + after else "")
    first = _to_text(min(found), squeezed_starts, text_starts)
    start, end = max(0, first - before), min(len(text), first + after)
    passage = text[start:end]
    p_squeezed, p_squeezed_starts, p_text_starts = _squeezed(passage)
    spans = set()
    for t in terms:
        i = p_squeezed.find(t)
        while i >= 0:
            s = _to_text(i, p_squeezed_starts, p_text_starts)
            e = _to_text(i + len(t) - 1, p_squeezed_starts, p_text_starts) + 1
            spans.add((s, e))
            i = p_squeezed.find(t, i + len(t))
    out, at = [], 0
    for s, e in sorted(spans):
        if s < at:
            continue
        out += [passage[at:s], "<mark>", passage[s:e], "</mark>"]
        at = e
    out.append(passage[at:])
    return ("…" if start else "") + "".join(out).replace("\n", " ") + ("…" if end < len(text) else "")


# SQLite's own limits on every connection of the site (Python 3.11+): no string or blob of a
# query can grow past SQL_VALUE_BYTES (printf('%.*c', …), randomblob, zeroblob, replace bombs
# stop at once with "string or blob too big"), which also bounds the work of built-ins that
# SQLite cannot interrupt inside one call (instr, like). The build cuts every stored text far
# below it (ogi/load.py: MAX_TEXT).
SQL_VALUE_BYTES = 200_000
SQLITE_LIMITS = {
    "SQLITE_LIMIT_LENGTH": SQL_VALUE_BYTES,
    "SQLITE_LIMIT_SQL_LENGTH": 100_000,
    "SQLITE_LIMIT_LIKE_PATTERN_LENGTH": 1_000,
    "SQLITE_LIMIT_EXPR_DEPTH": 200,
    "SQLITE_LIMIT_COMPOUND_SELECT": 100,
    "SQLITE_LIMIT_FUNCTION_ARG": 100,
}


# SQLite's printf (and its alias format) fills a '%.*c' of two billion characters one at a time
# inside one call, past the length limit and out of reach of the time limit (9 s here). The
# site's printf refuses a width or precision above SQL_VALUE_BYTES and leaves the rest to
# SQLite's own printf, on a private in-memory connection of the thread.
_FORMAT_NUMBER = re.compile(r"%%|%[-+ 0#,!]*(\*|\d*)(?:\.(\*|\d*))?")
_printf_connections = threading.local()
# What a function returns to make SQLite answer "string or blob too big", as its own
# built-ins do past the length limit (a Python function cannot choose its error message).
_TOO_BIG = "x" * (SQL_VALUE_BYTES + 1)


def _too_wide(fmt: str, args: tuple) -> bool:
    """Whether a printf format asks for a width or precision above SQL_VALUE_BYTES."""
    values = iter(args)
    for m in _FORMAT_NUMBER.finditer(fmt):
        if m.group(0) == "%%":
            continue
        for part in m.groups():
            if part == "*":
                n = next(values, 0)
                if isinstance(n, (int, float)) and abs(n) > SQL_VALUE_BYTES:
                    return True
                if isinstance(n, str) and n.strip().lstrip("+-").isdigit() and abs(int(n)) > SQL_VALUE_BYTES:
                    return True
            elif part and int(part[:12]) > SQL_VALUE_BYTES:
                return True
        next(values, None)  # the value the conversion formats
    return False


def _safe_printf(*args):
    if not args:
        return None
    fmt = args[0]
    if isinstance(fmt, str) and (len(fmt) > SQL_VALUE_BYTES or _too_wide(fmt, args[1:])):
        return _TOO_BIG
    conn = getattr(_printf_connections, "conn", None)
    if conn is None:
        conn = _printf_connections.conn = sqlite3.connect(":memory:", check_same_thread=False)
        if hasattr(conn, "setlimit"):
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQL_VALUE_BYTES)
    placeholders = ", ".join("?" * len(args))
    try:
        return conn.execute(f"select printf({placeholders})", args).fetchone()[0]
    except sqlite3.DataError:  # string or blob too big
        return _TOO_BIG


def _escape_fts(query):
    return escape_fts(query[:QUERY_CHARS] if isinstance(query, str) else "")


@hookimpl(trylast=True)
def prepare_connection(conn):
    if hasattr(conn, "setlimit"):
        for name, value in SQLITE_LIMITS.items():
            if hasattr(sqlite3, name):
                conn.setlimit(getattr(sqlite3, name), value)
    # trylast: Datasette registers its own escape_fts; ours must be the one that stays, so
    # the search box of the sections table (fts_table sections_char_fts) finds 复议 too.
    conn.create_function("escape_fts", 1, _escape_fts, deterministic=True)
    conn.create_function("ogi_snippet", 2, snippet, deterministic=True)
    # Traditional and variant forms as Simplified, for filters: agency like '%' || ogi_fold(:agency) || '%'
    conn.create_function("ogi_fold", 1, lambda text: fold(text[:QUERY_CHARS]) if isinstance(text, str) else text, deterministic=True)
    conn.create_function("printf", -1, _safe_printf, deterministic=True)
    conn.create_function("format", -1, _safe_printf, deterministic=True)


# ---------------------------------------------------------------------------------------
# No request can hold the site: SQL written by visitors (?sql=, _where=) and questions asked
# with parameters run at most EXPENSIVE_AT_ONCE at a time, so some of Datasette's SQL threads
# (ogi/publish.py: num_sql_threads) are always free for ordinary pages; each is cut at
# sql_time_limit_ms. A request that finds them all busy waits up to EXPENSIVE_WAIT_S, then
# gets 503 with Retry-After.

EXPENSIVE_AT_ONCE = 2
EXPENSIVE_WAIT_S = 5.0


def _expensive(datasette, scope) -> bool:
    query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if "sql" in query or "_where" in query:
        return True
    parts = scope.get("path", "").strip("/").split("/")
    if len(parts) == 2 and parts[0] == DATABASE and query:
        name = parts[1].rsplit(".", 1)[0] if parts[1].endswith((".json", ".csv")) else parts[1]
        queries = datasette.metadata("queries", database=DATABASE, fallback=False) or {}
        return name in queries
    return False


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        gate = {}

        async def wrapped(scope, receive, send):
            if scope.get("type") != "http" or not _expensive(datasette, scope):
                return await app(scope, receive, send)
            semaphore = gate.setdefault("semaphore", asyncio.Semaphore(EXPENSIVE_AT_ONCE))
            try:
                await asyncio.wait_for(semaphore.acquire(), timeout=EXPENSIVE_WAIT_S)
            except asyncio.TimeoutError:
                await Response.text("Too many queries are running on this site right now: try again in a few seconds.",
                                    status=503, headers={"retry-after": "5"}).asgi_send(send)
                return
            try:
                await app(scope, receive, send)
            finally:
                semaphore.release()

        return wrapped

    return wrap


# ---------------------------------------------------------------------------------------
# The data dictionary: column descriptions and where each number comes from


def _immutable(path: str) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{urllib.parse.quote(path)}?mode=ro&immutable=1", uri=True)


def _read_once(datasette, attribute: str, read):
    """What ``read(connection)`` makes of the database, read once per server and kept on it:
    the database is immutable. Read synchronously, as get_metadata and render_cell are
    synchronous hooks. Empty until the database is attached; empty for a database built before
    the table existed."""
    cached = getattr(datasette, attribute, None)
    if cached is not None:
        return cached
    database = datasette.databases.get(DATABASE)
    if database is None or not database.path:
        return {}  # not attached yet: ask again later
    conn = _immutable(database.path)
    conn.row_factory = sqlite3.Row
    try:
        value = read(conn)
    except sqlite3.Error:
        value = {}
    finally:
        conn.close()
    setattr(datasette, attribute, value)
    return value


def _dictionary(datasette) -> dict[str, dict[str, tuple[str, str, str | None]]]:
    """{table: {column: (label_zh, english, provenance filter)}}."""
    def read(conn):
        out: dict = {}
        for row in conn.execute("select table_name, column_name, label_zh, description, provenance from data_dictionary"):
            out.setdefault(row["table_name"], {})[row["column_name"]] = (row["label_zh"], row["description"], row["provenance"])
        return out

    return _read_once(datasette, "_ogi_dictionary", read)


# Chinese labels of columns that questions add (the tables' own come from data_dictionary).
QUERY_LABELS = {
    "report": "报告", "reports": "报告数", "reports_pooled": "纳入报告数", "pooled_failing": "其中不平衡",
    "pooled_recomputed": "其中重算", "reports_left_out": "未纳入（无依据）", "reports_ranked": "排名报告数",
    "ranked_failing": "其中不平衡", "left_out_small": "样本过小未列", "previous_year": "上一年度",
    "cross_year_check": "跨年核对", "cross_year_gap": "跨年差额", "snippet": "摘录", "part": "部分",
    "divisions": "区划数", "with_reports": "有报告", "with_reports_pct": "有报告（%）",
    "with_government_report": "政府有报告", "failed_only": "仅有读取失败", "none": "无报告",
    "corrected_rate": "纠正率（%）", "failing_checks": "不平衡项数", "total_gap": "差额合计", "largest_gap": "最大差额",
    "largest": "最大差额项", "identities": "不平衡类型", "identity": "勾稽关系", "key": "项目", "lhs": "左边", "rhs": "右边",
    "diff": "差额", "section_id": "段落编号",
}


def _column_labels(datasette, table: str | None) -> dict[str, str]:
    """{column: Chinese label} of a table, or for a question's columns (table None) the labels
    the tables for people give the same names."""
    dictionary = _dictionary(datasette)
    if table is not None:
        return {column: zh for column, (zh, _, _) in dictionary.get(table, {}).items()}
    labels = dict(QUERY_LABELS)
    for name in ("active_wide", "appeals_wide", "requests_wide", "report_summary"):
        labels.update({column: zh for column, (zh, _, _) in dictionary.get(name, {}).items()})
    return labels


@hookimpl
def get_metadata(datasette, key, database, table):
    # Descriptions generated from the vocabulary at build time; metadata.yml overrides them.
    generated = getattr(datasette, "_ogi_generated_metadata", None)
    if generated is None:
        tables = {
            name: {"columns": {column: f"{zh} · {en}" for column, (zh, en, _) in columns.items()}}
            for name, columns in _dictionary(datasette).items()
        }
        if not tables:
            return {}
        generated = {"databases": {DATABASE: {"tables": tables}}}
        datasette._ogi_generated_metadata = generated
    # A copy: Datasette merges metadata.yml into what this returns.
    return copy.deepcopy(generated)


# Which wide table a query's row resembles, by the column holding its row key.
_QUERY_TABLES = (("appeal", "appeals_wide"), ("item", "active_wide"), ("row_key", "requests_wide"))


def _plain(value):
    """A cell's value; on table pages a foreign key arrives expanded as {"value": …, "label": …}."""
    return value["value"] if isinstance(value, dict) else value


def _corrected_facts(datasette) -> dict[str, list[dict]]:
    """{report_id: [corrected fact, …]}: maintainers' corrections."""
    def read(conn):
        out: dict = {}
        for fact in conn.execute("select id, report_id, part, row_key, col_key, value, parsed_value, correction from facts where corrected"):
            out.setdefault(fact["report_id"], []).append(dict(fact))
        return out

    return _read_once(datasette, "_ogi_corrected", read)


def _matches(filters: dict[str, str], fact: dict) -> bool:
    """Whether a fact is one of those a provenance filter (part=…&row_key__startswith=…) lists."""
    for name, wanted in filters.items():
        column, _, op = name.partition("__")
        have = fact.get(column)
        if op == "" and str(have) != wanted:
            return False
        if op == "startswith" and not str(have or "").startswith(wanted):
            return False
        if op == "not" and str(have) == wanted:
            return False
        if op == "notin" and (have is None or have in wanted.split(",")):
            return False
        if op == "notnull" and have is None:
            return False
    return True


_RATES = ("grant_rate", "refusal_rate", "unable_rate")


def _basis_column(datasette, column: str) -> str | None:
    """The basis column (rates_basis, appeals_basis) a summary column's value follows: the rates
    and every total read from 总计 cells (ogi/totals.py), by what the data dictionary says of it."""
    if column in _RATES:
        return "rates_basis"
    if column.endswith(("_printed", "_recomputed")):  # one reading, whatever the basis
        return None
    entry = _dictionary(datasette).get("report_summary", {}).get(column)
    if not entry or not entry[2] or not entry[2].endswith("col_key=total"):
        return None
    return "rates_basis" if entry[2].startswith("part=requests") else "appeals_basis"


def _recomputed(datasette, row, column: str) -> bool:
    """Whether a summary-like row's ``column`` is built on totals recomputed from their parts."""
    basis = _basis_column(datasette, column)
    return basis is not None and basis in row.keys() and _plain(row[basis]) == "recomputed"


def _number_facts(datasette, table, column, row) -> tuple[str, str] | None:
    """(report_id, provenance filter) of the facts a number cell was read from, or None.

    A summary total whose report's basis is 'recomputed' was read from its parts: the filter
    is then its _recomputed twin's, or its row's cells other than 总计."""
    keys = row.keys()
    report_id = _plain(row["report_id"]) if "report_id" in keys else None
    if report_id is None:
        return None
    dictionary = _dictionary(datasette)
    if table is None:  # a query: like the wide table whose row key it has, else like report_summary
        table = next((t for key, t in _QUERY_TABLES if key in keys), "report_summary")
    columns = dictionary.get(table, {})
    entry = columns.get(column)
    if not entry or not entry[2]:
        return None
    filters = entry[2]
    if table == "report_summary" and _recomputed(datasette, row, column):
        twin = columns.get(f"{column}_recomputed")
        filters = twin[2] if twin else filters.replace("col_key=total", "col_key__not=total")
    values = {}
    for name in re.findall(r"\{(\w+)\}", filters):
        if name not in keys or _plain(row[name]) is None:
            return None
        values[name] = urllib.parse.quote(str(_plain(row[name])), safe=".")
    return str(report_id), filters.format(**values)


def _markers(datasette, row, column: str, report_id: str | None, filters: str | None) -> Markup:
    """Signs after a number: ✎ corrected by a maintainer, 算 recomputed from its parts."""
    out = Markup("")
    if report_id is not None and filters is not None:
        wanted = dict(urllib.parse.parse_qsl(filters))
        fixed = [f for f in _corrected_facts(datasette).get(report_id, []) if _matches(wanted, f)]
        if fixed:
            why = "; ".join(f"{f['part']} · {f['row_key']} · {f['col_key']}: read {f['parsed_value']}, corrected to {f['value']} ({f['correction']})" for f in fixed)
            out += Markup(' <span class="ogi-corrected" title="Corrected: {}">✎ corrected</span>').format(why)
    if _recomputed(datasette, row, column):
        keys = row.keys()
        printed = _plain(row[f"{column}_printed"]) if f"{column}_printed" in keys else None
        note = next((_plain(row[n]) for n in ("rates_note", "appeals_note") if n in keys and _plain(row[n])), "")
        title = (f"Recomputed from its parts; printed {printed}" if printed is not None else "Rests on totals recomputed from their parts") + f" ({note})"
        out += Markup(' <span class="ogi-recomputed" title="{}">算 recomputed</span>').format(title)
    return out


def _source_link_text(url: str, row=None) -> str:
    if "?fact=" in url:  # the viewer at the number (provenance.source_url): say where that is
        keys = row.keys() if row is not None else ()
        page = _plain(row["page"]) if "page" in keys else None
        line = _plain(row["line"]) if "line" in keys else None
        name = str(_plain(row["file_name"]) or "") if "file_name" in keys else ""
        if page:
            return f"page {page}"
        if line and name.lower().endswith((".txt", ".md", ".markdown")):
            return f"line {line}"
        return "see it in the original"
    if "#page=" in url:
        return "page " + url.rsplit("#page=", 1)[1]
    if "?line=" in url:
        return "line " + url.split("?line=", 1)[1].split("#", 1)[0]
    return "file"


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE:
        return None
    if column == "source_url" and isinstance(value, str) and value.startswith("/"):
        return Markup('<a class="source-link" href="{}" title="Open the original">{} ↗</a>').format(
            datasette.urls.path(value), _source_link_text(value, row)
        )
    if column == "snippet" and table is None and isinstance(value, str):
        # Only the <mark> tags ogi_snippet added become HTML; everything else is escaped.
        return Markup(str(escape(value)).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))
    if table == "sources" and column == "url" and isinstance(value, str) and value.startswith("/"):
        return Markup('<a href="{}">{}</a>').format(datasette.urls.path(value), value)
    if table == "sources" and column == "sha256" and isinstance(value, str):
        return Markup('<a href="{}" title="Read the file">{}</a>').format(datasette.urls.path(f"/-/source/{value}"), value)
    if column == "agency" and isinstance(value, str) and table != "agencies":
        keys = row.keys()
        agency_id = _plain(row["agency_id"]) if "agency_id" in keys else None
        if agency_id is None and "report_id" in keys:
            agency_id = _agency_of(datasette).get(str(_plain(row["report_id"])))
        if agency_id is None and table == "reports":
            agency_id = _agency_of(datasette).get(str(_plain(row["id"])))
        if agency_id:  # every agency name leads to the agency's years side by side
            return Markup('<a href="{}" title="The agency, all its years">{}</a>').format(
                datasette.urls.path(f"/-/agency/{agency_id}"), value)
    if table == "agencies" and column == "name" and isinstance(value, str):
        return Markup('<a href="{}" title="The agency, all its years">{}</a>').format(
            datasette.urls.path(f"/-/agency/{_plain(row['id'])}"), value)
    if column == "page" and table == "agencies" and isinstance(value, str) and value.startswith("/-/agency/"):
        return Markup('<a href="{}">agency page</a>').format(datasette.urls.path(value))
    if table == "report_summary" and column == "year" and isinstance(value, int):
        # the summary's key is the report (Datasette links a key to its own row): the year leads
        # to the report's row, which lists everything read from it
        return Markup('<a href="{}" title="The report and everything read from it">{}</a>').format(
            datasette.urls.row(database, "reports", _plain(row["report_id"])), value)
    if column == "report_id" and table is None and isinstance(value, str):
        return Markup('<a href="{}">{}</a>').format(datasette.urls.row(database, "reports", value), value)
    if column == "fact_id" and isinstance(value, str):  # provenance: the number's own, citable page
        return Markup('<a href="{}" title="This number\'s page: cite it">{}</a>').format(datasette.urls.row(database, "facts", value), value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        keys = row.keys()
        if (table == "facts" and column == "value") or (table == "provenance" and column == "value"):
            fact_id = row["id"] if table == "facts" else row["fact_id"]
            url = f"{datasette.urls.table(database, 'provenance')}?fact_id={urllib.parse.quote(str(fact_id))}"
            marker = Markup("")
            if "corrected" in keys and row["corrected"]:
                marker = Markup(' <span class="ogi-corrected" title="Corrected: {}; the parser read {}">✎ corrected</span>').format(
                    row["correction"], row["parsed_value"])
            return Markup('<a class="number" href="{}" title="Where this number was printed">{}</a>{}').format(url, value, marker)
        found = _number_facts(datasette, table, column, row)
        if found:
            report_id, filters = found
            url = f"{datasette.urls.table(database, 'provenance')}?report_id={urllib.parse.quote(report_id)}&{filters}"
            return Markup('<a class="number" href="{}" title="Where this number was printed">{}</a>{}').format(
                url, value, _markers(datasette, row, column, report_id, filters))
        if column in _RATES and _recomputed(datasette, row, column):
            return Markup("{}{}").format(value, _markers(datasette, row, column, None, None))
    return None


# ---------------------------------------------------------------------------------------
# Original files


TEXT_TYPES = {".txt": "text/plain", ".md": "text/plain", ".markdown": "text/plain", ".html": "text/html", ".htm": "text/html"}
BINARY_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file, in the order the readers try (ogi/read/plaintext.py, html.py)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["gb18030"]:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace"), "utf-8"


def _originals_dir(datasette) -> Path:
    """The folder of original files: OGI_ORIGINALS (set by ``ogi serve``, which mounts no
    static folder), else a hosted site's --static originals:… mount, which only ships the
    files: ``serve_original`` answers every path under /originals/ before Datasette's static
    handler can."""
    configured = os.environ.get(ORIGINALS_ENV)
    if configured:
        return Path(configured)
    for mount, directory in datasette.static_mounts:
        if mount == ORIGINALS_MOUNT:
            return Path(directory)
    raise NotFound("This site does not serve the original files")


async def _source_row(datasette, sha256: str) -> dict | None:
    db = datasette.get_database(DATABASE)
    rows = await db.execute("select * from sources where sha256 = ? order by url is null, id limit 1", [sha256])
    return dict(rows.first()) if rows.first() else None


# Content-addressed: a name always means the same bytes.
_IMMUTABLE = {"cache-control": "public, max-age=31536000, immutable", "x-content-type-options": "nosniff"}
# Whatever a collected file holds, it never runs on this site's origin: no scripts, no
# requests, a unique origin (sandbox). PDFs are shown by the browser's viewer, which a sandbox
# would block, and run no page scripts.
_SANDBOX = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_ORIGINAL_NAME = re.compile(r"^/(?P<sha256>[0-9a-f]{64})(?P<suffix>\.[a-z0-9]{1,10})?$")


def _not_found(message: str) -> Response:
    """A plain 404 (never Datasette's trailing-slash redirect or a static file)."""
    return Response.text(message, status=404, headers={"x-content-type-options": "nosniff", "content-security-policy": _SANDBOX})


async def serve_original(request, send, datasette):
    """Every path under /originals/: the exact name of a file of a report in this database
    (/originals/<sha256>.<ext>, as sources.url gives it) with its type, else 404."""
    if request.method not in ("GET", "HEAD"):
        await Response.text("Read-only: the original files can only be fetched", status=405).asgi_send(send)
        return
    rest = request.url_vars.get("rest") or ""
    match = _ORIGINAL_NAME.match(rest)
    if match is None:
        await _not_found("No such original file").asgi_send(send)
        return
    db = datasette.get_database(DATABASE)
    url = f"/{ORIGINALS_MOUNT}{rest}"
    row = (await db.execute("select file_name from sources where url = ? order by id limit 1", [url])).first()
    try:
        path = _originals_dir(datasette) / rest[1:]
    except NotFound:
        path = None
    if row is None or path is None or not path.is_file():
        await _not_found(f"No original file {rest[1:]}").asgi_send(send)
        return
    filename = urllib.parse.quote(row["file_name"])
    headers = dict(_IMMUTABLE, **{"content-disposition": f"inline; filename*=UTF-8''{filename}"})
    suffix = (match.group("suffix") or "").lower()
    if suffix in TEXT_TYPES:
        data = path.read_bytes()
        _, encoding = decode(data)
        # A government page served from this site must not run its scripts here.
        headers["content-security-policy"] = _SANDBOX
        await Response(data, headers=headers, content_type=f"{TEXT_TYPES[suffix]}; charset={encoding}").asgi_send(send)
        return
    content_type = BINARY_TYPES.get(suffix)
    if content_type is None:  # no reader makes such a report; never rendered by the browser
        content_type = "application/octet-stream"
        headers["content-disposition"] = f"attachment; filename*=UTF-8''{filename}"
    if content_type != "application/pdf":
        headers["content-security-policy"] = _SANDBOX
    await asgi_send_file(send, path, content_type=content_type, headers=headers)


# The viewer shows a text file a page of lines at a time, each line cut at LINE_CHARS, and
# reads at most VIEWER_BYTES of a file (the rest: open the original).
LINES_PER_PAGE = 1000
LINE_CHARS = 4000
VIEWER_BYTES = 16 * 1024 * 1024
_NUMBER = re.compile(r"^[1-9][0-9]{0,8}$")  # ASCII digits only: '²'.isdigit() is True


class BadRequest(Exception):
    pass


def _number_arg(request, name: str) -> int | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not _NUMBER.match(value):
        raise BadRequest(f"{name} must be a whole number from 1, not {value[:40]!r}")
    return int(value)


@lru_cache(maxsize=8)
def _lines(path: str, html: bool) -> tuple[tuple[str, ...], str, bool]:
    """(lines, encoding, cut) of a text original, read once per process (a name is a content)."""
    with open(path, "rb") as f:
        data = f.read(VIEWER_BYTES + 1)
    cut = len(data) > VIEWER_BYTES
    text, encoding = decode(data[:VIEWER_BYTES])
    # Line numbers as the readers count them: splitlines for text, \n for HTML (lxml's sourceline).
    return tuple(text.split("\n") if html else text.splitlines()), encoding, cut


async def _source_reports(datasette, source: dict) -> list[dict]:
    db = datasette.get_database(DATABASE)
    try:
        return [dict(r) for r in await db.execute(
            "select distinct r.id, r.label from reports r left join report_files f on f.report_id = r.id "
            "where r.source_id = :id or f.source_id = :id", {"id": source["id"]})]
    except Exception:  # noqa: BLE001 - a database built before report_files
        return [dict(r) for r in await db.execute("select id, label from reports where source_id = ?", [source["id"]])]


async def source_view(request, datasette):
    """The original at the place a number was printed (?fact=<id>; see "Viewer" below): a PDF's
    page with the cell outlined, a web page's or Word file's table with the cell marked, a text's
    line. Text files page by page, LINES_PER_PAGE lines (the cited line's, or ?start=N).
    Malformed parameters are 400, a number, page, table or line the file does not have 404."""
    sha256 = request.url_vars["sha256"]
    try:
        cited = _number_arg(request, "line")
        start = _number_arg(request, "start")
        page = _number_arg(request, "page")
        place = tuple(_number_arg(request, name) for name in ("table", "row", "col"))
        fact_id = _fact_arg(request)
    except BadRequest as e:
        return Response.text(str(e), status=400, headers={"x-content-type-options": "nosniff"})
    source = await _source_row(datasette, sha256)
    if source is None or not source.get("url"):
        raise NotFound(f"No source file with SHA-256 {sha256}")
    path = _originals_dir(datasette) / source["url"].rsplit("/", 1)[1]
    if not path.is_file():
        raise NotFound("The original file is not on this site")
    fact = await _fact_row(datasette, fact_id, sha256) if fact_id else None
    view = {"source": source, "fact": fact, "reports": await _source_reports(datasette, source),
            "original_url": datasette.urls.path(source["url"]), "database": DATABASE,
            "base": datasette.urls.path(f"/-/source/{sha256}")}
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            return await _render(datasette, request, await _page_view(view, path, page))
        if suffix in IMAGE_SUFFIXES:
            return await _render(datasette, request, await _image_view(view, path))
        if suffix in (".docx", ".doc") or (suffix in (".html", ".htm") and (place[0] or (fact and fact["table_no"]))):
            table_view = await _table_view(view, path, place)
            if table_view is not None:
                return await _render(datasette, request, table_view)
    except Busy:
        return Response.text("The viewer is busy: try again in a few seconds", status=503,
                             headers={"retry-after": "5", "x-content-type-options": "nosniff"})
    if suffix not in TEXT_TYPES:
        return Response.redirect(view["original_url"])
    if cited is None and fact is not None:
        cited = fact["line"]
    loop = asyncio.get_running_loop()  # read and decode off the event loop
    lines, encoding, cut = await loop.run_in_executor(None, _lines, str(path), suffix in (".html", ".htm"))
    if cited is not None and cited > len(lines):
        raise NotFound(f"line {cited}: the file has {len(lines):,} lines" + (" in the part the viewer reads" if cut else ""))
    if start is None:
        start = 1 if cited is None else ((cited - 1) // LINES_PER_PAGE) * LINES_PER_PAGE + 1
    if start > max(1, len(lines)):
        raise NotFound(f"line {start}: the file has {len(lines):,} lines")
    end = min(len(lines), start - 1 + LINES_PER_PAGE)
    shown = [(n, line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + f" … ({len(line) - LINE_CHARS:,} more characters: open the original)")
             for n, line in zip(range(start, end + 1), lines[start - 1 : end])]
    base = view["base"]
    pages = {"previous": f"{base}?start={max(1, start - LINES_PER_PAGE)}" if start > 1 else None,
             "next": f"{base}?start={end + 1}" if end < len(lines) else None}
    view.update({"mode": "lines", "lines": shown, "cited": cited, "encoding": encoding, "first": start, "last": end,
                 "total": len(lines), "pages": pages, "cut": cut, "line_chars": LINE_CHARS,
                 "marked": _marked(fact, cited, lines) if fact and fact["line"] == cited and suffix not in (".html", ".htm") else None})
    return await _render(datasette, request, view)


# ---------------------------------------------------------------------------------------
# Viewer: a number where it is printed
#
# /-/source/<sha256>?fact=<id> (every number's source_url, ogi/views.py) shows the cell a
# number was read from, in the original file, with what the database says of it:
# - PDFs, scanned pages included: the page as an image (/-/source/<sha256>/page-<n>.png, drawn
#   by pypdfium2 at PAGE_SCALE, at most PAGE_PIXELS pixels) with the cell's bbox outlined over
#   it, placed in percent of the page so it scales with the image; ?page=N shows any page;
# - PNG and JPEG scans: the image itself, the cell outlined;
# - HTML and DOCX: the report's table rebuilt from the original as bare structure and text
#   (rows, cells, rowspan/colspan and the cells' text, all escaped: nothing else of the file,
#   no attribute, style, script, link or image) with the cell marked. The tables are found and
#   numbered by the very readers that numbered the facts (ogi/read/html.py, docx.py: only
#   innermost tables count); ?table=N[&row=R&col=C] shows any table. A .doc is shown only when it
#   is a DOCX package: its tables are those of LibreOffice's conversion, which the site does not run;
# - text: the line, the printed text marked.
# Work is bounded: one page rendered per request, VIEWER_WORK_AT_ONCE renders or parses at a
# time (then 503 after VIEWER_WAIT_S), tables cut to TABLE_POSITIONS grid positions around the cell.
# Page images are cached on disk (_page_cache: $OGI_PAGE_IMAGES, else the user's cache folder,
# ~/.cache/ogi-reports/page-images, else the system's temporary folder; none writable: rendered
# each time), never beside the originals: the build prunes originals/, and a folder next to the
# database may lie inside an input folder, where its PNG files would be read as reports.

PAGE_SCALE = 2.0  # 144 dpi: small Chinese characters stay legible on a phone's screen
PAGE_PIXELS = 6_000_000  # a page larger than A3 is drawn at a smaller scale, never more pixels
PAGE_CACHE_ENV = "OGI_PAGE_IMAGES"
VIEWER_WORK_AT_ONCE = 2
VIEWER_WAIT_S = 10
VIEWER_FILE_BYTES = 32 * 1024 * 1024  # HTML and DOCX parsed for their tables at most this size
TABLE_POSITIONS = 20_000
CELL_CHARS = 1_000
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
_FACT_ID = re.compile(r"^[0-9a-f]{16}-[0-9a-z_.-]{1,180}$")
_PDFIUM = threading.Lock()  # pdfium is not thread-safe: one call into it at a time
_viewer_work: asyncio.Semaphore | None = None


class Busy(Exception):
    pass


class NoTables(Exception):
    """The file's tables cannot be shown here (a reader is missing, a Word 97 file …): why."""


def _fact_arg(request) -> str | None:
    value = request.args.get("fact")
    if value is None or value == "":
        return None
    if not _FACT_ID.match(value):
        raise BadRequest(f"fact must be a number's id (<report>-<part>-<row>-<column>), not {value[:80]!r}")
    return value


_FACT = """select f.id, f.report_id, f.part, f.row_key, f.col_key, f.row_label, f.col_label, f.printed_label, f.value,
       f.raw, f.page, f.line, f.char, f.table_no, f.row_no, f.col_no, f.bbox, f.inferred, f.note, f.corrected,
       f.parsed_value, f.correction, r.label, s.sha256
from facts f join reports r on r.id = f.report_id join sources s on s.id = f.source_id where f.id = ?"""


async def _fact_row(datasette, fact_id: str, sha256: str) -> dict:
    found = (await datasette.get_database(DATABASE).execute(_FACT, [fact_id])).first()
    if found is None:
        raise NotFound(f"No number with id {fact_id}")
    if found["sha256"] != sha256:
        raise NotFound(f"Number {fact_id} was not read from this file")
    return dict(found)


async def _bounded(function, *args):
    """``function(*args)`` in a thread, at most VIEWER_WORK_AT_ONCE at a time; Busy when no
    turn comes within VIEWER_WAIT_S."""
    global _viewer_work
    if _viewer_work is None:
        _viewer_work = asyncio.Semaphore(VIEWER_WORK_AT_ONCE)
    try:
        await asyncio.wait_for(_viewer_work.acquire(), VIEWER_WAIT_S)
    except asyncio.TimeoutError:
        raise Busy() from None
    try:
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)
    finally:
        _viewer_work.release()


async def _render(datasette, request, view: dict) -> Response:
    return Response.html(await datasette.render_template("ogi_source.html", view, request=request))


def _marked(fact: dict, cited: int, lines) -> tuple[str, str, str] | None:
    """The cited line cut around the printed text (before, text, after), when it is where the
    fact says; None otherwise."""
    raw, char = fact.get("raw"), fact.get("char")
    if not raw or not char or cited > len(lines):
        return None
    line = lines[cited - 1][:LINE_CHARS]
    cell = line[char - 1 :]  # char is where the cell starts, spaces before the text included
    at = char - 1 + len(cell) - len(cell.lstrip())
    if line[at : at + len(raw)] != raw:
        return None
    return line[:at], raw, line[at + len(raw) :]


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    try:
        box = tuple(float(v) for v in (text or "").split(","))
    except ValueError:
        return None
    if len(box) != 4 or not all(math.isfinite(v) for v in box) or box[2] < box[0] or box[3] < box[1]:
        return None
    return box


def _outline(box, left: float, top: float, width: float, height: float) -> dict | None:
    """The box as percentages of the region shown (left, top, width, height in the box's units)."""
    if box is None or width <= 0 or height <= 0:
        return None
    clamp = lambda v: min(max(v, 0.0), 100.0)  # noqa: E731
    x0, y0 = clamp((box[0] - left) / width * 100), clamp((box[1] - top) / height * 100)
    x1, y1 = clamp((box[2] - left) / width * 100), clamp((box[3] - top) / height * 100)
    return {"left": f"{x0:.3f}%", "top": f"{y0:.3f}%", "width": f"{x1 - x0:.3f}%", "height": f"{y1 - y0:.3f}%"}


# --- pages of PDFs ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _page_cache() -> Path | None:
    """A folder this server may write page images to (see the section's comment), or None."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates = [os.environ.get(PAGE_CACHE_ENV), os.path.join(home, "ogi-reports", "page-images"),
                  os.path.join(tempfile.gettempdir(), f"ogi-page-images-{os.getuid() if hasattr(os, 'getuid') else 0}")]
    for candidate in candidates:
        if not candidate:
            continue
        folder = Path(candidate)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


@lru_cache(maxsize=256)
def _pdf_page(path: str, number: int) -> tuple[int, float, float, float, float, int, float] | None:
    """(pages, left, top, width, height, rotation, scale) of page ``number``: the region pdfium
    draws (the crop box) in pdfplumber's coordinates, where facts.bbox is (points from the top
    left of the media box), and the scale it is drawn at. None past the last page."""
    import pypdfium2

    with _PDFIUM:
        document = pypdfium2.PdfDocument(path)
        try:
            pages = len(document)
            if number > pages:
                return None
            page = document[number - 1]
            media, crop, rotation = page.get_mediabox(), page.get_cropbox(), page.get_rotation()
            page.close()
        finally:
            document.close()
    height = media[3] - media[1]
    width, tall = crop[2] - crop[0], crop[3] - crop[1]
    if width <= 0 or tall <= 0:
        return None
    scale = min(PAGE_SCALE, math.sqrt(PAGE_PIXELS / (width * tall)))
    return pages, crop[0], height - crop[3], width, tall, rotation, scale


def _page_png(path: str, number: int, name: str) -> bytes:
    """Page ``number`` drawn as PNG, from the cache when it was drawn before."""
    cache = _page_cache()
    target = cache / name if cache else None
    if target is not None and target.is_file():
        return target.read_bytes()
    import pypdfium2

    scale = _pdf_page(path, number)[6]
    with _PDFIUM:
        document = pypdfium2.PdfDocument(path)
        try:
            page = document[number - 1]
            image = page.render(scale=scale).to_pil()
            page.close()
        finally:
            document.close()
    out = io.BytesIO()
    image.convert("RGB").save(out, "PNG")
    data = out.getvalue()
    if target is not None:
        try:
            fd, tmp = tempfile.mkstemp(prefix=name + ".", suffix=".tmp", dir=cache)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except OSError:  # a full disk: serve it all the same
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass
    return data


def _page_name(sha256: str, number: int, scale: float) -> str:
    return f"{sha256}-{number}-{round(scale * 1000)}.png"


async def _pdf_geometry(path: Path, number: int):
    try:
        import pypdfium2  # noqa: F401
    except ImportError:
        return "missing"
    try:
        return await _bounded(_pdf_page, str(path), number)
    except Busy:
        raise
    except Exception:  # noqa: BLE001 - pdfium raises on damaged files; the build read this one
        return "damaged"


async def _page_view(view: dict, path: Path, page: int | None) -> dict:
    fact = view["fact"]
    number = page or (fact and fact["page"]) or 1
    geometry = await _pdf_geometry(path, number)
    view.update({"mode": "page", "page": number})
    if isinstance(geometry, str):
        view["problem"] = ("This site cannot draw PDF pages (pypdfium2 is not installed): open the original at the page."
                           if geometry == "missing" else "The page could not be drawn: open the original.")
        view["original_page_url"] = f"{view['original_url']}#page={number}"
        return view
    if geometry is None:
        raise NotFound(f"page {number}: the PDF has fewer pages")
    pages, left, top, width, height, rotation, scale = geometry
    view.update({"pages": pages, "image_url": f"{view['base']}/page-{number}.png",
                 "image_width": round(width * scale), "image_height": round(height * scale),
                 "original_page_url": f"{view['original_url']}#page={number}",
                 "previous_url": f"{view['base']}?page={number - 1}" if number > 1 else None,
                 "next_url": f"{view['base']}?page={number + 1}" if number < pages else None})
    if fact is not None and fact["page"] == number:
        box = _bbox(fact["bbox"])
        if rotation:
            view["problem"] = "This page is rotated: the viewer cannot place the cell's outline on it."
        elif box is None:
            view["problem"] = "The database holds no position on the page for this number."
        else:
            view["outline"] = _outline(box, left, top, width, height)
    elif fact is not None and fact["page"]:
        view["problem"] = f"The number was printed on page {fact['page']}."
    return view


async def page_image(request, datasette):
    """/-/source/<sha256>/page-<n>.png: page n of a report's PDF as an image."""
    sha256, number = request.url_vars["sha256"], request.url_vars["page"]
    if not _NUMBER.match(number):
        return _not_found("No such page")
    source = await _source_row(datasette, sha256)
    if source is None or not source.get("url") or not source["url"].lower().endswith(".pdf"):
        return _not_found(f"No PDF with SHA-256 {sha256}")
    path = _originals_dir(datasette) / source["url"].rsplit("/", 1)[1]
    if not path.is_file():
        return _not_found("The original file is not on this site")
    number = int(number)
    try:
        geometry = await _pdf_geometry(path, number)
        if geometry is None:
            return _not_found(f"page {number}: the PDF has fewer pages")
        if isinstance(geometry, str):
            return _not_found("This site cannot draw this page: open the original")
        data = await _bounded(_page_png, str(path), number, _page_name(sha256, number, geometry[6]))
    except Busy:
        return Response.text("The viewer is busy: try again in a few seconds", status=503,
                             headers={"retry-after": "5", "x-content-type-options": "nosniff"})
    return Response(data, content_type="image/png", headers=dict(_IMMUTABLE))


async def source_not_found(request, datasette):
    return _not_found("No such file or page: /-/source/<sha256> views a report's file, /-/source/<sha256>/page-<n>.png is a PDF's page")


# --- scanned images -----------------------------------------------------------------------


@lru_cache(maxsize=64)
def _image_size(path: str) -> tuple[int, int] | None:
    """The image's size as shown (EXIF rotation applied, as the OCR reader and browsers do)."""
    try:
        from PIL import Image
    except ImportError:
        return None
    try:
        with Image.open(path) as image:
            width, height = image.size
            if image.getexif().get(0x0112) in (5, 6, 7, 8):
                width, height = height, width
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of errors on damaged files
        return None
    return width, height


async def _image_view(view: dict, path: Path) -> dict:
    fact = view["fact"]
    size = await _bounded(_image_size, str(path))
    view.update({"mode": "image", "page": 1, "pages": 1, "image_url": view["original_url"],
                 "original_page_url": view["original_url"]})
    if size:
        view["image_width"], view["image_height"] = size
    if fact is not None:
        box = _bbox(fact["bbox"])
        if size and box:
            view["outline"] = _outline(box, 0, 0, size[0], size[1])
        else:
            view["problem"] = "The viewer cannot place the cell's outline on this image."
    return view


# --- tables of web pages and Word files ---------------------------------------------------
# A table is (owners, texts, rows): owners maps each grid position (row, col), 1-based as the
# readers number them, to the cell printed there or covering it; texts holds each cell's text.


def _html_tables(path: str) -> list[tuple[dict, dict, int]]:
    from ogi.read import html as reader  # the reader that numbered the facts' tables

    with open(path, "rb") as f:
        data = f.read(VIEWER_FILE_BYTES + 1)
    if len(data) > VIEWER_FILE_BYTES:
        raise NoTables("The page is too large for the viewer: open the original.")
    root = reader.parse(reader.decode(data))
    reader.drop_chrome(root)  # as reader.read does: the same tables, in the same order
    found = []

    class Tables(reader._Flow):
        def data_table(self, table) -> None:
            self.table += 1
            found.append(table)

    Tables().element(reader.article(root))
    tables = []
    for table in found:
        grid = reader.table_grid(table)
        keys, owners, texts = {}, {}, {}
        for r, positions in enumerate(grid, start=1):
            for c, position in positions.items():
                key = keys.setdefault(id(position.cell), len(keys))
                owners[(r, c + 1)] = key
                if position.origin:
                    texts[key] = reader.cell_text(position.cell)
        tables.append((owners, texts, len(grid)))
    return tables


def _docx_tables(path: str) -> list[tuple[dict, dict, int]]:
    from ogi.read import docx as reader  # the reader that numbered the facts' tables

    W = reader.W
    with open(path, "rb") as f:
        if f.read(len(reader.OLE_MAGIC)) == reader.OLE_MAGIC:
            raise NoTables("A Word 97-2003 file: the build read its tables from LibreOffice's conversion to DOCX, "
                           "which this site does not run. Open the original; the table, row and column above count "
                           "the tables and grid positions of that conversion.")
    if os.path.getsize(path) > VIEWER_FILE_BYTES:
        raise NoTables("The file is too large for the viewer: open the original.")
    found = []

    class Tables(reader._Flow):
        def data_table(self, tbl) -> None:
            self.block += 1
            self.table += 1
            found.append(tbl)

    Tables().blocks(reader._open_body(Path(path)))
    tables = []
    for tbl in found:
        owners, texts = {}, {}
        rows = list(reader._children(tbl, W + "tr"))
        for r, tr in enumerate(rows, start=1):
            c = reader._int_val(tr, f"{W}trPr/{W}gridBefore", 0)  # positions before the first cell: no cell
            for tc in reader._children(tr, W + "tc"):
                span = max(reader._int_val(tc, f"{W}tcPr/{W}gridSpan", 1), 1)
                across = reader._val(tc, f"{W}tcPr/{W}hMerge") not in (None, "restart")
                down = reader._val(tc, f"{W}tcPr/{W}vMerge") not in (None, "restart")
                if across and (r, c) in owners:  # legacy merge: the cell before goes on
                    key = owners[(r, c)]
                elif down and (r - 1, c + 1) in owners:  # vMerge: the cell above goes on
                    key = owners[(r - 1, c + 1)]
                else:
                    key = len(texts)
                    texts[key] = reader.cell_text(tc)
                for k in range(span):
                    owners[(r, c + 1 + k)] = key
                c += span
        tables.append((owners, texts, len(rows)))
    return tables


@lru_cache(maxsize=4)
def _tables(path: str, kind: str) -> list[tuple[dict, dict, int]]:
    """The data tables of a web page or Word file as its reader numbers them, read once per
    process (a name is a content)."""
    try:
        return _html_tables(path) if kind == "html" else _docx_tables(path)
    except ImportError as e:
        raise NoTables(f"This site cannot read the file's tables ({e.name or 'a reader'} is not installed): open the original.") from e
    except NoTables:
        raise
    except Exception as e:  # noqa: BLE001 - the readers raise many kinds of errors on damaged files
        raise NoTables(f"The file's tables could not be read ({type(e).__name__}): open the original.") from e


def _normal(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


TABLE_COLUMNS = 200  # columns shown at most (around the cell's)


def _window(size: int, middle: int | None, shown: int) -> tuple[int, int]:
    """``shown`` numbers of 1..size around ``middle`` (from 1 without one)."""
    if size <= shown:
        return 1, size
    first = max(1, min((middle or 1) - shown // 2, size - shown + 1))
    return first, first + shown - 1


def _table_rows(owners: dict, texts: dict, rows: int, cited: tuple[int, int] | None) -> tuple[list, tuple[int, int, int, int]]:
    """The rows to draw, each (row, cells), a cell being (row, col, text, rowspan, colspan,
    cited, none): all of a table, or the rows and columns around the cited cell of one larger
    than TABLE_POSITIONS. Positions no cell covers are drawn as empty cells, so the grid stays
    aligned; a cell cut by the window is drawn where the window starts."""
    width = max((c for _, c in owners), default=0)
    first_col, last_col = _window(width, cited[1] if cited else None, TABLE_COLUMNS)
    columns = last_col - first_col + 1
    first, last = _window(rows, cited[0] if cited else None, max(1, min(rows, TABLE_POSITIONS // max(columns, 1))))
    extent: dict = {}
    for (r, c), key in owners.items():
        if first <= r <= last and first_col <= c <= last_col:
            r0, c0, r1, c1 = extent.get(key, (r, c, r, c))
            extent[key] = (min(r0, r), min(c0, c), max(r1, r), max(c1, c))
    cited_key = owners.get(cited) if cited else None
    drawn = []
    for r in range(first, last + 1):
        cells = []
        for c in range(first_col, last_col + 1):
            key = owners.get((r, c))
            if key is None:
                cells.append({"row": r, "col": c, "text": "", "rowspan": 1, "colspan": 1, "cited": False, "none": True})
                continue
            r0, c0, r1, c1 = extent[key]
            if (r, c) != (r0, c0):
                continue
            text = texts.get(key, "")
            if len(text) > CELL_CHARS:
                text = text[:CELL_CHARS] + " …"
            cells.append({"row": r, "col": c, "text": text, "rowspan": r1 - r0 + 1, "colspan": c1 - c0 + 1,
                          "cited": cited_key is not None and key == cited_key, "none": False})
        drawn.append((r, cells))
    return drawn, (first, last, first_col, last_col)


async def _table_view(view: dict, path: Path, place: tuple) -> dict | None:
    """The table view, or None to show the lines instead (an HTML page whose tables this site
    cannot read: its source lines still show the number)."""
    fact = view["fact"]
    table_no, row_no, col_no = place
    if table_no is None and fact is not None and fact["table_no"]:
        table_no, row_no, col_no = fact["table_no"], fact["row_no"], fact["col_no"]
    kind = "html" if path.suffix.lower() in (".html", ".htm") else "docx"
    view.update({"mode": "table", "table": table_no or 1, "row": row_no, "col": col_no})
    try:
        tables = await _bounded(_tables, str(path), kind)
    except NoTables as e:
        view["problem"] = str(e)
        if kind == "html":  # its source lines still show the number
            return None
        view["problem"] = str(e)
        view["tables"] = None
        return view
    number = table_no or 1
    if not tables:
        view["problem"] = "The viewer finds no table in this file."
        view["tables"] = 0
        return view
    if number > len(tables):
        raise NotFound(f"table {number}: the file has {len(tables)} tables")
    owners, texts, rows = tables[number - 1]
    cited = (row_no, col_no) if row_no and col_no else None
    if cited and cited not in owners:
        if row_no > rows or col_no > max((c for _, c in owners), default=0):
            raise NotFound(f"row {row_no}, column {col_no}: table {number} has {rows} rows")
    drawn, window = _table_rows(owners, texts, rows, cited)
    view.update({"table": number, "tables": len(tables), "table_rows": drawn, "window": window,
                 "total": rows, "width": max((c for _, c in owners), default=0), "cited": cited,
                 "previous_url": f"{view['base']}?table={number - 1}" if number > 1 else None,
                 "next_url": f"{view['base']}?table={number + 1}" if number < len(tables) else None})
    if cited and fact is not None and fact["table_no"] == number and (fact["row_no"], fact["col_no"]) == cited:
        shown = texts.get(owners.get(cited), "")
        if fact["raw"] is not None and _normal(shown) != _normal(fact["raw"]):
            view["problem"] = f"This cell reads “{shown[:200]}” here, the database “{fact['raw'][:200]}”: the file may have been read by another version of the reader."
    return view


STYLE = """
.ogi-nav { display: flex; flex-wrap: wrap; gap: 0.2em 1.2em; margin: 0 0 0.3em 0; }
.ogi-nav a { color: #fff; font-weight: bold; }
.ogi-start { display: grid; grid-template-columns: repeat(auto-fit, minmax(18em, 1fr)); gap: 1em; margin: 1em 0; }
.ogi-card { border: 1px solid #ccc; border-radius: 6px; padding: 0.6em 1em; background: #fafafa; }
.ogi-card h3 { margin: 0.2em 0 0.4em 0; font-size: 1.05em; }
.ogi-card p { margin: 0.3em 0; font-size: 0.92em; }
.ogi-search label { width: auto; display: inline; }
.ogi-search input[type=search] { font-size: 1.1em; width: 20em; max-width: 70%; padding: 0.3em; }
.ogi-search input[type=submit] { font-size: 1em; }
.ogi-hint { color: #555; font-size: 0.9em; }
dl.column-descriptions { max-height: 14em; overflow-y: auto; border: 1px solid #eee; padding: 0.4em; font-size: 0.85em; }
th .col-zh { display: block; font-weight: normal; font-size: 0.85em; color: #555; min-width: 5em; }
td.col-row_label, td.col-appeal_label, td.col-item_label, td.col-report { min-width: 14em; }
td.col-report_id, td.col-agency { min-width: 9em; }
a.number { text-decoration: none; border-bottom: 1px dotted #888; }
mark { background: #ffe066; }
.ogi-cite { border: 1px solid #ccc; border-radius: 6px; padding: 0.4em 1em 0.8em; margin: 1.5em 0; background: #fafafa; max-width: 60em; }
.ogi-cite textarea { width: 100%; box-sizing: border-box; font-size: 0.9em; margin-bottom: 0.6em; field-sizing: content; }
td.col-rates_note, td.col-appeals_note { min-width: 22em; font-size: 0.85em; }
.ogi-cite label { display: block; font-weight: bold; width: auto; }
.ogi-corrected, .ogi-recomputed { font-size: 0.75em; white-space: nowrap; border-radius: 3px; padding: 0 0.25em; cursor: help; }
.ogi-corrected { background: #ffe0cc; color: #8a3000; }
.ogi-recomputed { background: #dde8ff; color: #123a8a; }
dl.ogi-source-meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; }
dl.ogi-source-meta dt { font-weight: bold; }
dl.ogi-source-meta dd { margin: 0; }
.ogi-prose { max-width: 48em; }
.ogi-compact-switch { display: none; }
@media only screen and (max-width: 576px) {
  .ogi-compact-switch { display: block; }
  table.ogi-compact td:not(.ogi-key), table.ogi-compact th:not(.ogi-key) { display: none; }
  .ogi-params input[type=text] { width: 100%; box-sizing: border-box; }
  pre.wrapped-sql, pre { white-space: pre-wrap; word-break: break-all; }
  .ogi-cite textarea { font-size: 0.85em; }
}
.ogi-prose pre { white-space: pre-wrap; word-break: break-all; background: #f3f3f3; padding: 0.5em; }
.ogi-agency-table { overflow-x: auto; max-width: 100%; }
.ogi-agency-table table { border-collapse: collapse; font-size: 0.9em; }
.ogi-agency-table th, .ogi-agency-table td { border-bottom: 1px solid #ddd; padding: 0.2em 0.6em; text-align: right; white-space: nowrap; }
.ogi-agency-table th:first-child, .ogi-agency-table td:first-child { text-align: left; white-space: normal; min-width: 12em; position: sticky; left: 0; background: #f8fafb; }
.ogi-agency-table .gap { background: repeating-linear-gradient(45deg, #f3f3f3, #f3f3f3 6px, #e8e8e8 6px, #e8e8e8 12px); color: #888; text-align: center; }
.ogi-check-fails { color: #a40000; font-weight: bold; }
table.source-lines { border-collapse: collapse; font-family: monospace; font-size: 0.9em; }
table.source-lines td { padding: 0 0.6em; vertical-align: top; white-space: pre-wrap; word-break: break-all; }
table.source-lines td.n { text-align: right; color: #888; user-select: none; }
table.source-lines tr.cited, table.source-lines tr:target { background: #ffe066; }
"""


async def stylesheet():
    return Response(STYLE, content_type="text/css; charset=utf-8", headers={"cache-control": "max-age=3600"})


@hookimpl
def register_routes():
    # Checked before Datasette's own routes, so /originals/ gets the right type and encoding
    # rather than the plain static handler's guess (text/plain without a charset).
    # Every path under /originals/ is ours: the exact name of a report's file, or 404; never
    # Datasette's static handler (which would serve /originals/<name>/ as text/html).
    return [
        (r"^/originals(?P<rest>/.*)?$", serve_original),
        (r"^/-/source/(?P<sha256>[0-9a-f]{64})$", source_view),
        (r"^/-/source/(?P<sha256>[0-9a-f]{64})/page-(?P<page>[0-9]{1,12})\.png$", page_image),
        (r"^/-/source(?:/.*)?$", source_not_found),  # the rest under /-/source/: 404, never Datasette's 500
        (r"^/-/ogi-site\.css$", stylesheet),
        (r"^/-/agency/(?P<agency_id>[^/]+)$", agency_page),
        (r"^/-/export/(?P<name>[a-z_]+)\.csv$", export_table),
        (r"^/-/export/q/(?P<name>[a-z_]+)\.csv$", export_query),
        (r"^/-/about$", about_page),
        (r"^/-/api$", api_page),
        (r"^/robots\.txt$", robots_txt),
        (r"^/sitemap\.xml$", sitemap_xml),
    ]


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.path("/-/ogi-site.css")]


# ---------------------------------------------------------------------------------------
# One agency, its years side by side


# The key figures of an agency page, in order: (report_summary column, label).
AGENCY_FIGURES = (
    ("new_received", "本年新收 New requests"), ("carried_over", "上年结转 Carried over"), ("answered", "办理 Answered"),
    ("granted", "予以公开 Granted"), ("partially_granted", "部分公开 Partially granted"), ("withheld", "不予公开 Refused"),
    ("unable", "无法提供 Unable to provide"), ("not_processed", "不予处理 Not processed"), ("other", "其他处理 Other"),
    ("carried_forward", "结转下年度 Carried forward"), ("grant_rate", "公开率 Grant rate %"), ("refusal_rate", "不予公开率 Refusal rate %"),
    ("unable_rate", "无法提供率 Unable rate %"), ("rates_basis", "比率依据 Rates rest on"), ("reviews", "行政复议 Reviews"),
    ("reviews_corrected", "复议纠正 Reviews corrected"), ("lawsuits", "行政诉讼 Lawsuits"),
    ("lawsuits_corrected", "诉讼纠正 Lawsuits corrected"), ("identity_status", "勾稽关系 Numbers add up"),
)
_AGENCY_ID = re.compile(r"^[0-9]{6}-[0-9a-f]{8}$")
PART_TITLES = {"active": "二、主动公开政府信息情况 · Proactive disclosure", "requests": "三、收到和处理政府信息公开申请情况 · Requests (总计 column)",
               "appeals": "四、政府信息公开行政复议、行政诉讼情况 · Reviews and lawsuits"}


async def agency_page(request, datasette):
    """An agency's years side by side: key figures and a chart, tables 二, 三 (总计) and 四 as the
    template prints them, cross-year checks, the years with no report as gaps, every original."""
    agency_id = request.url_vars["agency_id"]
    if not _AGENCY_ID.match(agency_id):
        raise NotFound("No such agency")
    db = datasette.get_database(DATABASE)
    agency = (await db.execute("select * from agencies where id = ?", [agency_id])).first()
    if agency is None:
        raise NotFound("No such agency")
    summaries = [dict(r) for r in await db.execute(
        "select s.*, r.label, r.title, src.file_name, src.sha256, src.url as original from report_summary s "
        "join reports r on r.id = s.report_id join sources src on src.id = r.source_id "
        "where r.agency_id = ? order by s.year, s.report_id", [agency_id])]
    first, last = (await db.execute("select min(year), max(year) from reports")).first()
    first, last = min([first] + [s["year"] for s in summaries]), max([last] + [s["year"] for s in summaries])
    by_year: dict[int, list[dict]] = {}
    for s in summaries:
        by_year.setdefault(s["year"], []).append(s)
    # One column per report, and a gap column per year without one.
    columns = [{"year": y, "report": s} for y in range(first, last + 1) for s in (by_year.get(y) or [None])]
    cells: dict[tuple, dict] = {}
    for f in await db.execute(
        "select f.report_id, f.part, f.row_key, f.col_key, f.value, f.raw, f.corrected, f.correction, f.parsed_value "
        "from facts f join reports r on r.id = f.report_id where r.agency_id = ? and f.row_key is not null "
        "and (f.part <> 'requests' or f.col_key = 'total')", [agency_id]):
        cells[(f["part"], f["row_key"], f["col_key"], f["report_id"])] = dict(f)
    items = [dict(i) for i in await db.execute("select table_name, key, label_zh, position from items order by table_name, position")]
    rows_of = {part: [i for i in items if i["table_name"] == part] for part in ("active", "requests", "appeals")}
    columns_of = {"active": [i for i in items if i["table_name"] == "active_metric"],
                  "appeals": [i for i in items if i["table_name"] == "appeal_outcome"],
                  "requests": [{"key": "total", "label_zh": "总计"}]}
    tables = []
    for part in ("active", "requests", "appeals"):
        lines = []
        for row in rows_of[part]:
            for col in columns_of[part]:
                values = [cells.get((part, row["key"], col["key"], c["report"]["report_id"])) if c["report"] else None for c in columns]
                if any(v is not None for v in values):
                    label = row["label_zh"] if part == "requests" else f"{row['label_zh']} · {col['label_zh']}"
                    lines.append({"label": label, "row_key": row["key"], "col_key": col["key"], "cells": values})
        tables.append({"part": part, "title": PART_TITLES[part], "lines": lines})
    ids = [s["report_id"] for s in summaries]
    checks = [dict(c) for c in await db.execute(
        f"select c.*, r.year, p.year as previous_year from checks c join reports r on r.id = c.report_id "
        f"left join reports p on p.id = c.previous_report_id "
        f"where c.identity like 'cross_year_%' and c.report_id in ({','.join('?' * len(ids))}) order by r.year", ids)] if ids else []
    years = sorted(by_year)
    gaps = [(a, b) for a, b in zip(years, years[1:]) if b - a > 1]
    # A line must not bridge a missing year: each run of consecutive years is a segment of its own.
    segment = {y: sum(1 for a, b in gaps if b <= y) for y in years}
    chart = [{"year": s["year"], "figure": label, "value": s[column], "segment": segment[s["year"]]} for s in summaries
             for column, label in AGENCY_FIGURES[:10] if column in ("new_received", "answered", "granted", "withheld", "unable") and s[column] is not None]
    rates = [{"year": s["year"], "figure": label, "value": s[column], "basis": s["rates_basis"], "segment": segment[s["year"]]}
             for s in summaries for column, label in AGENCY_FIGURES if column.endswith("_rate") and s[column] is not None]
    return Response.html(await datasette.render_template("ogi_agency.html", {
        "agency": dict(agency), "columns": columns, "figures": AGENCY_FIGURES, "tables": tables, "checks": checks,
        "gaps": gaps, "chart": chart, "rates": rates, "names": [dict(n) for n in await db.execute(
            "select name, years, reports from agency_names where agency_id = ? order by years", [agency_id])],
        "database": DATABASE,
    }, request=request))


# The columns a phone shows of a table for people (the rest after "Show all columns"): a
# summary row is then a short card, not seventy stacked fields.
COMPACT_COLUMNS = {
    "report_summary": ("report_id", "agency", "year", "province", "new_received", "answered", "withheld",
                       "refusal_rate", "rates_basis", "identity_status", "source_url"),
    "requests_wide": ("agency", "year", "row_label", "natural_person", "total", "total_recomputed", "page", "line"),
    "appeals_wide": ("agency", "year", "appeal_label", "upheld", "corrected", "total"),
    "active_wide": ("agency", "year", "item_label", "made", "issued", "in_force", "decisions"),
    "reports": ("id", "agency", "year", "province", "identity_status", "label"),
    "facts": ("id", "part", "row_label", "col_label", "value", "raw", "page", "line"),
    "provenance": ("fact_id", "agency", "year", "row_label", "col_label", "value", "raw", "source_url"),
    "agencies": ("id", "name", "level", "kind", "province", "years"),
    "coverage": ("name", "level", "year", "own_reports", "status"),
}
# What a question's parameters may be, drawn from the data (offered as choices; any text may
# still be typed: province and agency take part of a name).
PARAM_CHOICES = {
    "province": "select distinct province from reports where province is not null order by 1",
    "city": "select distinct city from reports where city is not null order by 1",
    "year": "select distinct year from reports order by 1 desc",
    "agency": "select name from (select distinct agency as name from reports union select name from agency_names) order by 1 limit 5000",
    "level": "select distinct level from agencies where level is not null order by 1",
    "identity": "select distinct identity from checks order by 1",
}
FIXED_CHOICES = {
    "check_status": ["ok", "fails", "unchecked", "gap", "first"],
    "min_answered": ["0", "10", "50", "100"],
    "min_appeals": ["0", "10"],
}
PARAM_LABELS = {
    "province": "省份 Province (part of the name: 江苏)", "city": "市 City", "year": "年度 Year",
    "agency": "机关 Agency (part of any name it printed)", "level": "层级 Level", "identity": "勾稽关系 Identity",
    "check_status": "跨年核对 Cross-year check", "min_answered": "最少办理数 At least this many answered (empty = 10)",
    "min_appeals": "最少复议诉讼数 At least this many appeals (empty = all)", "q": "检索词 Words to find",
}


async def _param_choices(datasette) -> dict[str, list[str]]:
    cache = getattr(datasette, "_ogi_param_choices", None)
    if cache is None:
        db = datasette.get_database(DATABASE)
        cache = dict(FIXED_CHOICES)
        for name, sql in PARAM_CHOICES.items():
            try:
                cache[name] = [str(r[0]) for r in await db.execute(sql)]
            except Exception:  # noqa: BLE001 - a table an older database lacks: no choices
                cache[name] = []
        datasette._ogi_param_choices = cache
    return cache


_AGENCY_OF_REPORT_SQL = "select id, agency_id from reports where agency_id is not null"


def _agency_of(datasette) -> dict[str, str]:
    """{report_id: agency_id}."""
    return _read_once(datasette, "_ogi_agency_of",
                      lambda conn: {r["id"]: r["agency_id"] for r in conn.execute(_AGENCY_OF_REPORT_SQL)})


# ---------------------------------------------------------------------------------------
# Downloads that open anywhere


# What /-/export/<name>.csv streams, each whole: (name, the column it is paged by).
EXPORTS = {name: "rowid" for name in (
    "report_summary", "requests_wide", "appeals_wide", "active_wide", "reports", "facts", "sources", "agencies",
    "agency_names", "coverage", "checks", "narrative", "sections", "warnings", "corrections", "builds", "changes",
    "items", "data_dictionary")}
EXPORTS["provenance"] = "fact_id"  # a view: paged by its key
EXPORT_CHUNK = 2000
# Columns holding a link on this site: made absolute, so a spreadsheet can open them.
_LINK_COLUMNS = ("source_url", "url", "page", "original")


def _csv_line(values) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return out.getvalue()


def _absolute(request, value):
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//"):
        return f"{request.scheme}://{request.host}{value}"
    return value


def _header(datasette, table: str | None, columns: list[str], chinese: bool) -> list[str]:
    if not chinese:
        return columns
    labels = _column_labels(datasette, table)
    return [f"{labels[c]} ({c})" if c in labels else c for c in columns]


def _csv_headers(filename: str) -> dict:
    return {"content-disposition": f"attachment; filename*=UTF-8''{urllib.parse.quote(filename)}",
            "access-control-allow-origin": "*", "x-content-type-options": "nosniff"}


async def export_table(request, datasette):
    """A whole table (or the provenance view) as CSV for spreadsheets: UTF-8 with a byte-order
    mark (Excel on Chinese and English Windows reads it right on a double-click), links made
    absolute, no HTML, every row (paged by its key, each page a bounded query), equality filters
    on its columns (?province=江苏省), Chinese column headers with ?headers=zh."""
    name = request.url_vars["name"]
    if name not in EXPORTS:
        return _not_found(f"No table {name} to download")
    db = datasette.get_database(DATABASE)
    columns = await db.table_columns(name)
    filters = [(k, request.args.get(k)) for k in request.args.keys() if k in columns]
    key = EXPORTS[name]
    where = "".join(f" and [{k}] = :f{i}" for i, (k, _) in enumerate(filters))
    params = {f"f{i}": v for i, (_, v) in enumerate(filters)}
    links = [c in _LINK_COLUMNS for c in columns]
    header = _header(datasette, name, columns, request.args.get("headers") == "zh")

    async def stream(writer):
        await writer.write("\ufeff" + _csv_line(header))
        last = None
        while True:
            page = await db.execute(
                f"select {key} as _ogi_key, * from [{name}] where (:last is null or {key} > :last){where} "
                f"order by {key} limit {EXPORT_CHUNK}", {"last": last, **params})
            rows = page.rows
            if not rows:
                break
            await writer.write("".join(
                _csv_line(_absolute(request, v) if link else v for v, link in zip(tuple(r)[1:], links)) for r in rows))
            last = rows[-1][0]
            if len(rows) < EXPORT_CHUNK:
                break

    suffix = "-zh" if request.args.get("headers") == "zh" else ""
    return AsgiStream(stream, headers=_csv_headers(f"{name}{suffix}.csv"), content_type="text/csv; charset=utf-8")


async def export_query(request, datasette):
    """A question's answer as CSV for spreadsheets (as export_table), with its parameters."""
    name = request.url_vars["name"]
    queries = datasette.metadata("queries", database=DATABASE, fallback=False) or {}
    if name not in queries:
        return _not_found(f"No question {name}")
    sql = queries[name]["sql"]
    params = {p: request.args.get(p, "") for p in re.findall(r"(?<!:):(\w+)", sql)}
    db = datasette.get_database(DATABASE)
    try:
        results = await db.execute(sql, params)
    except Exception as e:  # noqa: BLE001 - a time limit or a bad parameter: say so, plainly
        return Response.text(f"The question could not be answered: {e}", status=400)
    columns = list(results.columns)
    links = [c in _LINK_COLUMNS for c in columns]
    body = "\ufeff" + _csv_line(_header(datasette, None, columns, request.args.get("headers") == "zh")) + "".join(
        _csv_line(_absolute(request, v) if link else v for v, link in zip(tuple(r), links)) for r in results.rows)
    if results.truncated:
        body += _csv_line([f"(cut at {len(results.rows)} rows: the site's limit for one answer; download the tables for every row)"])
    return Response(body, headers=_csv_headers(f"{name}.csv"), content_type="text/csv; charset=utf-8")


# ---------------------------------------------------------------------------------------
# The site's own pages: about the data, the API, robots.txt and the sitemap


SITEMAP_MAX = 50_000  # URLs in one sitemap file (the protocol's limit)


async def about_page(request, datasette):
    db = datasette.get_database(DATABASE)
    counts = {}
    for name in ("reports", "agencies", "facts", "sources", "corrections"):
        try:
            counts[name] = (await db.execute(f"select count(*) from [{name}]")).single_value()
        except Exception:  # noqa: BLE001 - an older database without the table
            counts[name] = None
    try:
        version = (await db.execute("select id from builds order by id desc limit 1")).single_value()
    except Exception:  # noqa: BLE001
        version = None
    return Response.html(await datasette.render_template(
        "ogi_about.html", {"counts": counts, "version": version, "database": DATABASE}, request=request))


async def api_page(request, datasette):
    db = datasette.get_database(DATABASE)
    example = (await db.execute("select agency, year from report_summary order by new_received desc limit 1")).first()
    base = f"{request.scheme}://{request.host}"
    return Response.html(await datasette.render_template(
        "ogi_api.html", {"base": base, "example": dict(example) if example else None, "database": DATABASE}, request=request))


async def robots_txt(request, datasette):
    base = f"{request.scheme}://{request.host}"
    # Crawlers read the pages; the SQL, exports and the database are for people and programs.
    return Response.text("\n".join([
        "User-agent: *", "Disallow: /*?*sql=", "Disallow: /*.json", "Disallow: /*.csv", "Disallow: /-/export/",
        f"Disallow: /{DATABASE}.db", "Disallow: /*?*_facet", "Disallow: /*?*_sort", "Allow: /", f"Sitemap: {base}/sitemap.xml", "",
    ]))


async def sitemap_xml(request, datasette):
    base = f"{request.scheme}://{request.host}"
    paths = ["/", "/-/about", "/-/api", "/-/dashboards/overview", "/-/dashboards/map", f"/{DATABASE}"]
    paths += [f"/{DATABASE}/{t}" for t in ("report_summary", "agencies", "coverage", "requests_wide", "appeals_wide", "active_wide", "builds")]
    queries = datasette.metadata("queries", database=DATABASE, fallback=False) or {}
    paths += [f"/{DATABASE}/{q}" for q in queries]
    db = datasette.get_database(DATABASE)
    room = SITEMAP_MAX - len(paths)
    for sql in ("select '/-/agency/' || id from agencies order by id", f"select '/{DATABASE}/reports/' || id from reports order by id"):
        if room <= 0:
            break
        try:
            rows = (await db.execute(f"{sql} limit {room}")).rows
        except Exception:  # noqa: BLE001 - an older database without agencies
            rows = []
        paths += [r[0] for r in rows]
        room -= len(rows)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    body += "".join(f"<url><loc>{escape(base + path)}</loc></url>\n" for path in paths) + "</urlset>\n"
    return Response(body, content_type="application/xml; charset=utf-8")


# ---------------------------------------------------------------------------------------
# Citing a report or a number


TABLES_ZH = {"active": "表二 主动公开政府信息情况", "requests": "表三 收到和处理政府信息公开申请情况",
             "appeals": "表四 政府信息公开行政复议、行政诉讼情况"}
TABLES_EN = {"active": "table 2 (proactive disclosure)", "requests": "table 3 (information requests)",
             "appeals": "table 4 (administrative reviews and lawsuits)"}

_CITE_REPORT = """select r.id as report_id, r.agency, r.agency_printed, r.year, r.title, s.sha256, s.file_name, s.url,
       s.published_url, s.published_on from reports r join sources s on s.id = r.source_id where r.id = ?"""
_CITE_FACT = """select f.id as fact_id, f.part, f.row_label, f.printed_label, f.col_label, f.value, f.raw, f.corrected,
       f.parsed_value, f.correction, f.page, f.line, r.id as report_id, r.agency, r.agency_printed, r.year, r.title,
       s.sha256, s.file_name, s.url, s.published_url, s.published_on
from facts f join reports r on r.id = f.report_id join sources s on s.id = f.source_id where f.id = ?"""


async def citation(datasette, request, table: str, pk: str) -> dict | None:
    """A "cite this" text in Chinese and in English for a report or a number, with the
    original's SHA-256, its web address and date where known, and the dataset version."""
    db = datasette.get_database(DATABASE)
    found = (await db.execute(_CITE_FACT if table == "facts" else _CITE_REPORT, [pk])).first()
    if found is None:
        return None
    c = dict(found)
    try:
        version = (await db.execute("select id from builds order by id desc limit 1")).single_value()
    except Exception:  # noqa: BLE001 - a database without builds still has a citation
        version = None
    here = datasette.absolute_url(request, request.path)
    original = datasette.absolute_url(request, c["url"]) if c.get("url") else None
    where_zh = where_en = ""
    if c.get("page"):
        where_zh, where_en = f"第{c['page']}页，", f", page {c['page']}"
    elif c.get("line"):
        where_zh, where_en = f"第{c['line']}行，", f", line {c['line']}"
    published_zh = "".join([f"，原载 {c['published_url']}" if c.get("published_url") else "",
                            f"，发布于 {c['published_on']}" if c.get("published_on") else ""])
    published_en = "".join([f", published at {c['published_url']}" if c.get("published_url") else "",
                            f" on {c['published_on']}" if c.get("published_on") else ""])
    report_zh = f"{c['agency_printed'] or c['agency']}《{c['title']}》"
    report_en = f"{c['agency']}, open government information annual report for {c['year']} ({c['title']})"
    dataset_zh = f"政府信息公开工作年度报告数据集（ogi-reports），版本 {version or '未记录'}，{here}"
    dataset_en = f"ogi-reports dataset, version {version or 'not recorded'}, {here}"
    file_zh = f"原文件 SHA-256 {c['sha256']}" + (f"（{original}）" if original else "")
    file_en = f"original file SHA-256 {c['sha256']}" + (f" ({original})" if original else "")
    if table == "facts":
        printed = c["raw"] if c["raw"] is not None else "（未印出，由勾稽关系推断）"
        cell_zh = f"{TABLES_ZH.get(c['part'], c['part'])}，“{c['printed_label'] or c['row_label']}”行“{c['col_label']}”列，{where_zh}印为“{printed}”"
        cell_en = f"{TABLES_EN.get(c['part'], c['part'])}, row “{c['printed_label'] or c['row_label']}”, column “{c['col_label']}”{where_en}: printed “{c['raw'] if c['raw'] is not None else '(not printed; inferred)'}”"
        if c["corrected"]:
            cell_zh += f"，经更正为 {c['value']}（解析为 {c['parsed_value']}；更正理由：{c['correction']}）"
            cell_en += f", corrected to {c['value']} (read as {c['parsed_value']}; reason: {c['correction']})"
        zh = f"{report_zh}，{cell_zh}。{file_zh}{published_zh}。{dataset_zh}。"
        en = f"{report_en}, {cell_en}. {file_en}{published_en}. {dataset_en}."
    else:
        zh = f"{report_zh}。{file_zh}{published_zh}。{dataset_zh}。"
        en = f"{report_en}. {file_en}{published_en}. {dataset_en}."
    # a number: the viewer at the place it was printed (see "Viewer")
    viewer = datasette.urls.path(f"/-/source/{c['sha256']}?fact={c['fact_id']}#cited") if table == "facts" and c.get("url") else None
    return {"zh": zh, "en": en, "version": version, "corrected": bool(c.get("corrected")), "correction": c.get("correction"),
            "parsed_value": c.get("parsed_value"), "value": c.get("value"), "published_url": c.get("published_url"),
            "viewer": viewer, "page": c.get("page")}


# ---------------------------------------------------------------------------------------
# Templates and menu


@hookimpl
def extra_template_vars(template, database, table, datasette, request):
    async def inner():
        variables = {"ogi_database": DATABASE, "ogi_settings": datasette.settings_dict()}
        if template == "index.html":
            queries = await datasette.get_canned_queries(DATABASE, request.actor if request else None)
            variables["ogi_queries"] = queries
            db = datasette.databases.get(DATABASE)
            counts = {}
            if db is not None:
                for name in ("reports", "facts", "sources"):
                    counts[name] = (await db.execute(f"select count(*) from [{name}]")).single_value()
                years = await db.execute("select min(year), max(year), count(distinct province) from reports")
                counts["first_year"], counts["last_year"], counts["provinces"] = years.first()
            variables["ogi_counts"] = counts
        if table:
            variables["ogi_column_labels"] = _column_labels(datasette, table)
            variables["ogi_compact"] = COMPACT_COLUMNS.get(table)
        elif template.startswith("query"):
            variables["ogi_column_labels"] = _column_labels(datasette, None)
            variables["ogi_param_choices"] = await _param_choices(datasette)
            variables["ogi_param_labels"] = PARAM_LABELS
        if template.startswith("row") and table in ("facts", "reports") and request is not None:
            variables["ogi_cite"] = await citation(datasette, request, table, tilde_decode(request.url_vars.get("pks", "")))
        return variables

    return inner


NAV_SCRIPT = """
(function () {
  if (document.querySelector(".ogi-nav")) return;
  var nav = document.querySelector("header nav");
  if (!nav) return;
  var p = document.createElement("p");
  p.className = "ogi-nav";
  [["/", "政府信息公开年报 Home"], ["/-/dashboards/overview", "Dashboard 图表"], ["/ogi/search", "Search 检索"],
   ["/ogi/report_summary", "Summary 汇总"], ["/ogi#queries", "Questions 问题"]].forEach(function (link) {
    var a = document.createElement("a");
    a.href = link[0];
    a.textContent = link[1];
    p.appendChild(a);
  });
  nav.insertBefore(p, nav.firstChild);
})();
"""


@hookimpl
def extra_body_script(view_name):
    # datasette-dashboards' pages replace the header's links with their own crumbs: put the
    # site's navigation back (the same links as templates/_crumbs.html).
    if view_name is None or "dashboard" in str(view_name):
        return NAV_SCRIPT
    return None


@hookimpl
def menu_links(datasette):
    return [
        {"href": datasette.urls.path("/-/dashboards/overview"), "label": "Dashboard 图表"},
        {"href": datasette.urls.query(DATABASE, "search"), "label": "Search the text 全文检索"},
        {"href": datasette.urls.table(DATABASE, "report_summary"), "label": "Report summary 报告汇总"},
        {"href": datasette.urls.table(DATABASE, "agencies"), "label": "Agencies 机关"},
        {"href": datasette.urls.table(DATABASE, "coverage"), "label": "Coverage 覆盖"},
        {"href": datasette.urls.path("/-/dashboards/map"), "label": "Map 地图"},
        {"href": datasette.urls.table(DATABASE, "builds"), "label": "What changed 更新记录"},
        {"href": datasette.urls.database(DATABASE), "label": "All tables and questions"},
        {"href": datasette.urls.path("/-/api"), "label": "API and downloads 数据接口"},
        {"href": datasette.urls.path("/-/about"), "label": "About the data 关于"},
    ]
