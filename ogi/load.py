"""Write reports into the SQLite database (the only stage that touches it).

In: input paths (files or folders). Out: a database at ``db_path`` with the tables of
``schema.sql``, built in a temporary file and moved into place, so a server reading the old
database never sees a half-built one.

Every input file leaves one ``sources`` row saying what happened to it; a file that fails
never stops the build. Ids come from content (``source_key``, ``fact_key`` …), so a number
keeps its id and URL from one build to the next. Maintainers' corrections
(``corrections.csv``) are applied to the parsed reports before they are written; each
build is recorded in ``builds`` with what it changed against the database it replaces.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import sqlite_utils

from . import __version__, corrections, history, isolate, read, same_report, views, vocabulary
from . import inputs as inputs_mod
from .cache import Cache, remove_files
from .isolate import Outcome, Pool
from .limits import Limits
from .locate import HEADINGS
from .model import Report
from .text import plain

@dataclass
class BuildSummary:
    files: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    reports: int = 0
    facts: int = 0
    failed_checks: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    corrections: dict[str, int] = field(default_factory=dict)  # status -> lines
    correction_problems: list[str] = field(default_factory=list)  # a sentence per line not applied
    version: str = ""
    changes: dict[str, int] = field(default_factory=dict)  # kind -> count, against the previous build
    # incremental: files parsed because new / changed (same path, other bytes), parses reused
    # from the cache, files of the previous build no longer given, parses run in this build
    incremental: dict[str, int] = field(default_factory=dict)
    failed: int = 0  # files that could not be read or parsed (status error): --strict fails on them
    workers_replaced: int = 0  # worker processes killed (timeout) or dead (crash) and replaced


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _label(table: str, key: str | None, printed: str) -> str:
    """The vocabulary's Chinese label of a key; the printed label for a row outside the template."""
    if key is None:
        return printed
    try:
        return vocabulary.label(table, key)
    except KeyError:
        return printed or key


def source_key(digest: str, path: str, first: bool) -> str:
    """A source's id: its content (sha256[:16]); a second file with the same bytes adds a
    hash of its path, so it keeps its own row without taking the first one's id."""
    if first:
        return digest[:16]
    return f"{digest[:16]}-{hashlib.sha256(path.encode('utf-8')).hexdigest()[:8]}"


def row_token(part: str, row_key: str | None, printed_label: str) -> str:
    """A row in an id: its vocabulary key (withheld.state_secret -> withheld_state_secret), or
    for a printed row outside the template a hash of its label."""
    if row_key is not None:
        return row_key.replace(".", "_")
    return "x" + hashlib.sha256(f"{part}|{printed_label}".encode("utf-8")).hexdigest()[:8]


def fact_keys(report_id: str, values) -> list[str]:
    """One id per value: <report>-<part>-<row>-<column>; a cell printed twice in one report
    (the same row repeated) adds -2, -3 in the order of the document."""
    seen: dict[str, int] = {}
    keys = []
    for v in values:
        key = f"{report_id}-{v.part}-{row_token(v.part, v.row_key, v.row_label)}-{v.col_key}"
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return keys


def section_key(report_id: str, part: str, taken: set[int]) -> int:
    """A section's id: a number derived from <report>-<part> (full-text indexes join on an
    integer, and a rowid would change with build order). The rare clash takes the next number."""
    key = int(hashlib.sha256(f"{report_id}-{part}".encode()).hexdigest()[:13], 16)
    while key in taken:
        key += 1
    taken.add(key)
    return key


def report_rows(report: Report, report_id: str, source_id: str, section_ids: set[int] | None = None) -> dict[str, list[dict]]:
    """The rows one report adds to each table; ``section_ids`` holds the section ids taken so far."""
    section_ids = set() if section_ids is None else section_ids
    failed = sum(not c.ok for c in report.checks)
    rows = {
        "reports": [
            {
                "id": report_id,
                "source_id": source_id,
                "agency": report.agency,
                "agency_printed": report.agency_printed,
                "year": report.year,
                "format": report.format,
                "mixed_format": int(report.mixed_format),
                "active_format": report.table_formats.get("active"),
                "requests_format": report.table_formats.get("requests"),
                "province": report.region.province,
                "city": report.region.city,
                "county": report.region.county,
                "adcode": report.region.adcode,
                "longitude": report.region.longitude,
                "latitude": report.region.latitude,
                "region_level": report.region.level,
                "region_status": report.region.status,
                "region_why": report.region.why,
                "title": report.title,
                "identity_status": "unchecked" if not report.checks else ("fails" if failed else "ok"),
                "checks_failed": failed,
                "facts": len(report.values),
                "warnings": len(report.warnings),
            }
        ],
        "facts": [],
        "checks": [],
        "narrative": [],
        "sections": [],
        "warnings": [],
    }
    for fact_id, v in zip(fact_keys(report_id, report.values), report.values):
        rows["facts"].append(
            {
                "id": fact_id,
                "report_id": report_id,
                "part": v.part,
                "row_key": v.row_key,
                "col_key": v.col_key,
                "row_label": _label(v.part, v.row_key, v.row_label),
                "col_label": _label(vocabulary.COLUMN_TABLE[v.part], v.col_key, v.col_key),
                "value": None if v.value is None else plain(v.value),
                "raw": v.raw,
                "printed_label": v.row_label,
                "page": v.loc.page,
                "line": v.loc.line,
                "char": v.loc.char,
                "table_no": v.loc.table,
                "row_no": v.loc.row,
                "col_no": v.loc.col,
                "bbox": ",".join(f"{x:.1f}" for x in v.loc.bbox) if v.loc.bbox else None,
                "inferred": int(v.inferred),
                "note": v.note,
                "corrected": int(v.corrected),
                "parsed_value": None if v.parsed_value is None else plain(v.parsed_value),
                "correction": v.correction,
                "source_id": source_id,
            }
        )
    for n, f in enumerate(report.narrative, start=1):
        rows["narrative"].append({
            "id": f"{report_id}-{f.key}-{n}", "report_id": report_id, "key": f.key, "label": f.label,
            "value": plain(f.value), "unit": f.unit, "raw": f.raw, "sentence": f.sentence, "part": f.part,
            "page": f.loc.page, "line": f.loc.line, "source_id": source_id,
        })
    for c in report.checks + report.narrative_checks:
        rows["checks"].append(
            {"id": f"{report_id}-{c.identity}-{c.key.replace('.', '_')}", "report_id": report_id, "identity": c.identity,
             "key": c.key, "lhs": plain(c.lhs), "rhs": plain(c.rhs), "diff": plain(c.diff), "ok": int(c.ok)}
        )
    for part, section in report.sections.items():
        rows["sections"].append(
            {
                "id": section_key(report_id, part, section_ids),
                "report_id": report_id,
                "part": part,
                "part_zh": HEADINGS[part],
                "heading": section.heading,
                "text": section.text,
                "line": section.loc.line,
                "page": section.loc.page,
            }
        )
    for n, w in enumerate(report.warnings, start=1):
        loc = w.loc
        rows["warnings"].append(
            {"id": f"{source_id}-{n}", "source_id": source_id, "report_id": report_id, "message": w.message,
             "page": loc and loc.page, "line": loc and loc.line}
        )
    return rows


def create(db: sqlite_utils.Database) -> None:
    db.executescript(resources.files("ogi").joinpath("schema.sql").read_text(encoding="utf-8"))
    position: dict[str, int] = {}
    rows = []
    for i in vocabulary.items():
        position[i.table] = position.get(i.table, 0) + 1
        group_key, group_label = views.item_group(i)
        rows.append({
            "id": f"{i.table}.{i.key}", "table_name": i.table, "key": i.key, "label_zh": i.label_zh,
            "formats": " ".join(i.formats), "notes": i.notes,
            "position": position[i.table], "group_key": group_key, "group_label": group_label,
        })
    db["items"].insert_all(rows)


def derive(db: sqlite_utils.Database) -> None:
    """Derive what the site shows from the loaded tables (ogi/views.py) and index the text."""
    views.build(db)
    # trigram: quick substring search of 3+ characters for SQL users (sqlite-utils' search);
    # the site searches sections_char_fts, which also finds 1-2 character words (views.char_tokens).
    db["sections"].enable_fts(["heading", "text"], tokenize="trigram", create_triggers=False)


ORIGINALS = "originals"  # folder next to the database with the files of its reports, named by content
MANIFEST = "sources.csv"  # beside the inputs: file,url,published for files that do not say it themselves
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_manifest(root: Path) -> tuple[dict[str, dict], list[str]]:
    """{file (relative to root, or its bare name): {"url", "published"}} from root/sources.csv,
    and a sentence for every line that cannot be used."""
    path = root / MANIFEST
    if not path.is_file():
        return {}, []
    entries, problems = {}, []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        if "file" not in (reader.fieldnames or []):
            return {}, [f"{MANIFEST}: the header must name file,url,published"]
        for row in reader:
            name = (row.get("file") or "").strip()
            url = (row.get("url") or "").strip() or None
            published = (row.get("published") or "").strip() or None
            if not name:
                problems.append(f"{MANIFEST} line {reader.line_num}: no file named")
                continue
            if url and not url.startswith(("http://", "https://")):
                problems.append(f"{MANIFEST} line {reader.line_num}: url {url!r} is not an http(s) address; ignored")
                url = None
            if published and not _DATE.match(published):
                problems.append(f"{MANIFEST} line {reader.line_num}: published {published!r} is not YYYY-MM-DD; ignored")
                published = None
            entries[name] = {"url": url, "published": published}
    return entries, problems


def _correction_row(outcome: corrections.Outcome, fact_ids: dict[tuple, str]) -> dict:
    c = outcome.correction
    if c is None:  # an invalid line: keep what it said
        given = outcome.raw_line or {}
        fields = {k: given.get(k) or None for k in corrections.COLUMNS}
    else:
        fields = {"sha256": c.sha256, "part": c.part, "row_key": c.row_key, "col_key": c.col_key, "value": c.value_text,
                  "reason": c.reason, "checked_by": c.checked_by, "checked_on": c.checked_on}
    fact_id = fact_ids.get((c.sha256, *c.cell)) if c else None
    return {
        "line": outcome.line, **fields, "status": outcome.status, "message": outcome.message,
        "parsed_value": None if outcome.parsed_value is None else plain(outcome.parsed_value),
        "report_id": fact_id.split("-", 1)[0] if fact_id else None, "fact_id": fact_id,
    }


# ---------------------------------------------------------------------------------------
# The build: find the inputs (ogi/inputs.py), read each once, parse the new ones in limited
# worker processes (ogi/isolate.py) or take their parse from the cache (ogi/cache.py), link
# files of the same report (ogi/same_report.py), write a temporary database, swap it in,
# then make originals/ hold exactly the files of the reports in it.

CACHE = "ogi-cache"  # folder next to the database: parsed reports by sha256 + parser + limits
STAGING = "staging"  # inside the cache: the bytes being parsed, copied as they were hashed
MAX_TEXT = 20_000  # characters of one stored text value; the site's SQL length limit is above it
MAX_ERROR = 600  # characters of a sources.error
_ORIGINAL_NAME = re.compile(r"^[0-9a-f]{64}(\.[a-z0-9]+)?$")


class BuildLocked(RuntimeError):
    """Another build of the same database is running."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def build_lock(db_path: Path):
    """Hold ``<db>.lock`` for the build (flock: released by the system when the build dies,
    so a killed build never leaves a stale lock); BuildLocked when another build holds it."""
    import fcntl

    fd = os.open(lock_path(db_path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            raise BuildLocked(
                f"another build of {db_path} is running ({holder}): wait for it to finish, or stop it, then build again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {datetime.now(timezone.utc).isoformat(timespec='seconds')}".encode(), 0)
        isolate.CLOSE_IN_WORKERS.add(fd)  # a forked worker must not keep the lock
        try:
            yield
        finally:
            isolate.CLOSE_IN_WORKERS.discard(fd)
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def outputs(db_path: Path) -> list[Path]:
    """Everything a build of ``db_path`` writes: never an input, even inside an input folder."""
    return [db_path, lock_path(db_path), db_path.with_name(db_path.name + "-journal"), db_path.with_name(db_path.name + "-wal"),
            db_path.with_name(db_path.name + "-shm"), db_path.parent / ORIGINALS, db_path.parent / CACHE,
            db_path.parent / ".ogi-serving"]  # ogi serve's snapshots (ogi/publish.py: SERVING)


def clean_leftovers(db_path: Path) -> int:
    """Remove what a killed build left (temporary databases, half-copied originals, staged
    files); called with the lock held, so no running build owns them. How many were removed."""
    leftovers = list(db_path.parent.glob(glob.escape(db_path.name) + ".*.tmp"))
    leftovers += list(db_path.parent.glob(glob.escape(db_path.name) + ".*.tmp-journal"))
    for folder in (db_path.parent / ORIGINALS, db_path.parent / CACHE):
        if folder.is_dir():
            leftovers += [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    removed = remove_files(leftovers)
    staging = db_path.parent / CACHE / STAGING
    if staging.is_dir():
        removed += sum(1 for p in staging.rglob("*") if p.is_file())
        shutil.rmtree(staging, ignore_errors=True)
    return removed


def _replaceable(db_path: Path) -> bool:
    """Whether ``db_path`` may be overwritten: absent, empty, or a database ogi built."""
    if not db_path.exists():
        return True
    if not db_path.is_file() or db_path.is_symlink():
        return False
    if db_path.stat().st_size == 0:
        return True
    with db_path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            return False
    try:
        conn = sqlite3.connect(f"file:{urllib.parse.quote(str(db_path.resolve()))}?mode=ro", uri=True)
        try:
            names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return {"sources", "builds"} <= names


def _previous_sources(db_path: Path) -> dict[str, str]:
    """{path: sha256} of the database being replaced (to tell new, changed and vanished files)."""
    if not db_path.is_file():
        return {}
    try:
        conn = sqlite3.connect(f"file:{urllib.parse.quote(str(db_path.resolve()))}?mode=ro", uri=True)
        try:
            return {path: sha for path, sha in conn.execute("select path, sha256 from sources where sha256 is not null")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return {}


class _Scrubber:
    """Messages for public columns without the build machine's absolute paths."""

    def __init__(self, folders: list[Path]):
        prefixes = {str(p) for f in folders for p in (f, f.absolute(), Path(os.path.realpath(f)))}
        prefixes |= {os.getcwd(), str(Path.home()), tempfile.gettempdir()}
        self.prefixes = sorted((p.rstrip("/") + "/" for p in prefixes if p and p != "/"), key=len, reverse=True)

    _ABSOLUTE = re.compile(r"(?<![\w.~])/(?:[^\s/'\"():,<>]+/)+([^\s/'\"():,<>]*)")

    def __call__(self, message: str | None) -> str | None:
        if message is None:
            return None
        for prefix in self.prefixes:
            message = message.replace(prefix, "")
        message = self._ABSOLUTE.sub(lambda m: m.group(1) or "…", message)
        return message if len(message) <= MAX_ERROR else message[: MAX_ERROR - 1] + "…"


def _insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """A report's rows into a table the schema created, in one statement run for every row.
    (sqlite-utils' insert_all looks at every value to turn lists into JSON; these rows hold only
    text and numbers, so that check was most of a report's load time.)"""
    if not rows:
        return
    columns = list(dict.fromkeys(k for row in rows for k in row))
    names = ", ".join(f"[{c}]" for c in columns)
    placeholders = ", ".join("?" for _ in columns)
    db.conn.executemany(f"INSERT INTO [{table}] ({names}) VALUES ({placeholders})", ([row.get(c) for c in columns] for row in rows))


def _bounded(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Cut any text value longer than MAX_TEXT characters (a hostile file's 'section' of
    megabytes): the site's SQL length limit must stay above every stored value."""
    for table_rows in rows.values():
        for row in table_rows:
            for k, v in row.items():
                if isinstance(v, str) and len(v) > MAX_TEXT:
                    row[k] = v[:MAX_TEXT] + f"…（以下略，共 {len(v):,} 字，全文见原文件 · cut: {len(v):,} characters in all, see the original file）"
    return rows


def _publish(entry: inputs_mod.Entry, digest: str, staged: Path | None, originals: Path, limits: Limits) -> str:
    """Put a report's file into originals/ as <sha256>.<ext> (once; the very bytes hashed)
    and return its URL on the site. Named by content: a name always means the same bytes."""
    name = digest + entry.path.suffix.lower()
    target = originals / name
    if not target.exists():
        fd, tmp = tempfile.mkstemp(prefix=name + ".", suffix=".tmp", dir=originals)
        os.close(fd)
        try:
            if staged is not None and staged.is_file():
                shutil.copyfile(staged, tmp)
            else:
                inputs_mod.read_bytes(entry, limits.max_file_bytes, copy_to=Path(tmp), expect=digest)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return f"/{ORIGINALS}/{name}"


def _prune_originals(originals: Path, keep: set[str]) -> int:
    """Remove from originals/ every file that is no report's in the new database (files of
    earlier builds, dropped inputs, failed files); only names this program writes are touched."""
    return remove_files(p for p in originals.iterdir()
                        if p.name not in keep and (_ORIGINAL_NAME.match(p.name) or p.name.endswith(".tmp")))


def _path_id(relative: str, taken: set[str]) -> str:
    """The id of a source never read (no bytes, no sha256): a hash of its path."""
    key = "path-" + hashlib.sha256(relative.encode("utf-8")).hexdigest()[:16]
    n = 1
    while key in taken:
        n += 1
        key = f"path-{hashlib.sha256(f'{relative}#{n}'.encode()).hexdigest()[:16]}"
    return key


def _scratch_database(path: str) -> sqlite_utils.Database:
    """The database being written: a temporary file that is thrown away unless it is complete,
    so it needs no rollback journal and no sync after every statement (each insert was its own
    synced transaction: most of a build's time went to waiting for the disk)."""
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    return db


def _swap_in(tmp: str, db_path: Path) -> None:
    """Put the finished database in place: its bytes on disk first, then the rename, then the
    folder's entry, so a crash leaves the old database or the whole new one."""
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, db_path)
    folder = os.open(db_path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def build(inputs: list[Path], db_path: Path, progress=lambda message: None, corrections_path: Path | None = None,
          limits: Limits | None = None, workers: int | None = None, use_cache: bool = True) -> BuildSummary:
    """Build ``db_path`` from every file under ``inputs``; see the module's docstring.

    Raises FileNotFoundError for a missing input, ValueError when ``db_path`` names an input
    or a file that is not a database ogi built, BuildLocked when another build of it runs."""
    limits = limits or Limits()
    db_path = Path(db_path)
    for given in inputs:
        if given.exists() and db_path.exists() and os.path.samefile(given, db_path):
            raise ValueError(f"--db {db_path} is one of the inputs: give the database another name")
    if not _replaceable(db_path):
        raise ValueError(f"--db {db_path} exists and is not a database built by ogi: refusing to overwrite it (give another name)")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with build_lock(db_path):
        cleaned = clean_leftovers(db_path)
        if cleaned:
            progress(f"removed {cleaned} files left by an interrupted build")
        return _build(inputs, db_path, progress, corrections_path, limits, workers, use_cache)


def _build(inputs: list[Path], db_path: Path, progress, corrections_path: Path | None, limits: Limits,
           workers: int | None, use_cache: bool) -> BuildSummary:
    originals = db_path.parent / ORIGINALS
    cache = Cache(db_path.parent / CACHE, limits.fingerprint(), enabled=use_cache)
    staging = db_path.parent / CACHE / STAGING
    entries = inputs_mod.discover(inputs, exclude=outputs(db_path))
    public = _Scrubber([*inputs, db_path.parent, staging])
    manifest: dict[tuple[Path, str], dict] = {}
    for root in dict.fromkeys(e.root for e in entries):
        try:  # only a real file: never a link out of the folder, a FIFO or a device
            regular = stat.S_ISREG(os.lstat(root / MANIFEST).st_mode)
        except OSError:
            regular = False
        if not regular:
            continue
        entries_, problems = read_manifest(root)
        manifest.update({(root, name): entry for name, entry in entries_.items()})
        for problem in problems:
            progress(problem)
    fixes, outcomes = corrections.read(corrections_path) if corrections_path else ([], [])
    fixes_by_file: dict[str, list[corrections.Correction]] = {}
    for fix in fixes:
        fixes_by_file.setdefault(fix.sha256, []).append(fix)
    previous = _previous_sources(db_path)
    summary = BuildSummary(files=len(entries))

    # 1. Every entry: a sources row; read each file once (sha256, size).
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    records: list[tuple[inputs_mod.Entry, dict]] = []
    seen: dict[str, tuple[str, str]] = {}  # sha256 -> (source id, path) of its first file
    taken: set[str] = set()
    present: set[str] = set()
    to_parse: list[int] = []  # indexes into records
    for entry in entries:
        given = manifest.get((entry.root, entry.relative)) or manifest.get((entry.root, entry.name)) or {}
        source = {
            "id": None, "path": entry.relative, "file_name": entry.name, "sha256": None,
            "format": entry.path.suffix.lower().lstrip(".") or None, "bytes": None, "status": "parsed", "error": None,
            "note": entry.note, "parser_version": __version__, "read_at": now, "url": None,
            "published_url": given.get("url"), "published_on": given.get("published"),
            "published_from": "manifest" if given.get("url") or given.get("published") else None,
        }
        records.append((entry, source))
        if entry.kind != inputs_mod.FILE:
            source.update(id=_path_id(entry.relative, taken), status="skipped" if entry.kind == inputs_mod.SKIPPED else "error",
                          error=entry.reason)
            taken.add(source["id"])
            continue
        try:
            digest, size = inputs_mod.read_bytes(entry, limits.max_file_bytes)
        except inputs_mod.InputError as e:
            source.update(id=_path_id(entry.relative, taken), status="error", error=str(e))
            taken.add(source["id"])
            continue
        present.add(digest)
        source.update(id=source_key(digest, entry.relative, first=digest not in seen), sha256=digest, bytes=size)
        taken.add(source["id"])
        if entry.name == MANIFEST and entry.path.parent == entry.root:
            source["status"] = "manifest"  # read above; not a report, not published
        elif digest in seen:
            source.update(status="duplicate", error=f"same content as {seen[digest][1]} (source {seen[digest][0]})")
        else:
            seen[digest] = (source["id"], entry.relative)
            if not read.supported(entry.path):
                source.update(status="unsupported", error=f"no reader for {entry.path.suffix or 'files without an extension'} files")
            else:
                to_parse.append(len(records) - 1)

    # Nothing changed (the same files, corrections, code and limits as the build that wrote
    # the database, which is still the file it wrote): keep the database as it is.
    fingerprint = _build_fingerprint(records, corrections_path, limits)
    if use_cache and _unchanged(db_path, fingerprint):
        summary = _kept(db_path, summary, len(to_parse), progress)
        _remember(db_path, fingerprint)
        return summary

    # 2. Parse what the cache does not hold, in limited worker processes.
    results: dict[int, Outcome] = {}
    staged: dict[int, Path] = {}
    jobs: list[tuple[int, Path]] = []
    for i in to_parse:
        entry, source = records[i]
        hit = cache.get(source["sha256"], entry.name)
        if hit is not None:
            results[i] = hit
            summary.incremental["reused"] = summary.incremental.get("reused", 0) + 1
            continue
        kind = "changed" if previous.get(source["path"]) not in (None, source["sha256"]) else "new"
        summary.incremental[kind] = summary.incremental.get(kind, 0) + 1
        folder = staging / source["sha256"][:16]
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / (entry.name if entry.name not in ("", ".", "..") else "file")
        try:
            inputs_mod.read_bytes(entry, limits.max_file_bytes, copy_to=copy, expect=source["sha256"])
        except inputs_mod.InputError as e:
            results[i] = Outcome(kind="input", message=str(e))
            continue
        staged[i] = copy
        jobs.append((i, copy))
    current = {source["path"] for _, source in records}
    summary.incremental["vanished"] = sum(1 for path in previous if path not in current)
    summary.incremental["parsed"] = len(jobs)
    if jobs:
        with Pool(limits, workers) as pool:
            progress(f"parsing {len(jobs)} files in {min(pool.size, len(jobs))} worker processes "
                     f"({len(to_parse) - len(jobs)} parses reused)")
            for i, outcome in pool.run(jobs):
                results[i] = outcome
                entry, source = records[i]
                cache.put(source["sha256"], entry.name, outcome)
                if outcome.detail:
                    progress(f"{entry.relative}: {outcome.detail}")
            summary.workers_replaced = pool.replaced

    # 3. Corrections, what the page says of itself, and one report per agency and year.
    parsed_reports: list[same_report.Parsed] = []
    parsed: set[str] = set()
    for i in to_parse:
        entry, source = records[i]
        outcome = results[i]
        if outcome.report is None:
            source.update(status="error", error=public(outcome.message))
            continue
        report, applied = corrections.apply(outcome.report, fixes_by_file.get(source["sha256"], []))
        outcomes += applied
        parsed.add(source["sha256"])
        # The page's own word on where and when it was published, unless the manifest says it.
        if not source["published_from"] and (report.published_url or report.published_on):
            source.update(published_url=report.published_url, published_on=report.published_on, published_from="page")
        parsed_reports.append(same_report.Parsed(source, report))
    primaries: dict[str, same_report.Parsed] = {}  # source id -> primary
    file_rows: list[dict] = []
    difference_rows: list[dict] = []
    for group in same_report.group(parsed_reports):
        primary = group[0]
        report_id = primary.source["id"]
        primaries[report_id] = primary
        file_rows.append(same_report.file_row(primary, report_id, "primary", 0))
        for alternate in group[1:]:
            rows = same_report.differences(primary, alternate, report_id)
            difference_rows += rows
            file_rows.append(same_report.file_row(alternate, report_id, "alternate", len(rows)))
            alternate.source.update(
                status="alternate",
                note="; ".join(filter(None, [alternate.source["note"],
                    f"the same report ({primary.report.agency} {primary.report.year}) as {primary.source['path']}, "
                    f"which was chosen as primary ({same_report.RULE}); {len(rows)} values differ (report_differences)"])))

    # 4. originals/: the files of the reports (primary and alternate), nothing else.
    originals.mkdir(exist_ok=True)
    published: dict[str, str] = {}  # sha256 -> url
    for i in to_parse:
        entry, source = records[i]
        if source["status"] in ("parsed", "alternate"):
            try:
                source["url"] = published[source["sha256"]] = _publish(entry, source["sha256"], staged.get(i), originals, limits)
            except (OSError, inputs_mod.InputError) as e:  # the numbers are still worth having without the copy
                progress(f"could not copy {entry.relative} to {ORIGINALS}/: {public(str(e))}")
    for entry, source in records:
        if source["status"] == "duplicate":
            source["url"] = published.get(source["sha256"])

    # 5. The database, written to a temporary file and swapped in when complete.
    fd, tmp = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    os.unlink(tmp)
    db = _scratch_database(tmp)
    try:
        create(db)
        db.executescript(same_report.SCHEMA)
        section_ids: set[int] = set()
        fact_ids: dict[tuple, str] = {}  # (sha256, part, row_key, col_key) -> fact id, for corrections
        for entry, source in records:
            source["error"] = public(source["error"])
            db["sources"].insert(source)
            primary = primaries.get(source["id"])
            if primary is not None:
                rows = _bounded(report_rows(primary.report, source["id"], source["id"], section_ids))
                for table, table_rows in rows.items():
                    _insert_rows(db, table, table_rows)
                for fact in rows.get("facts", []):
                    fact_ids.setdefault((source["sha256"], fact["part"], fact["row_key"], fact["col_key"]), fact["id"])
            status = source["status"]
            summary.by_status[status] = summary.by_status.get(status, 0) + 1
            if source["error"] and status not in ("duplicate",):
                summary.errors.append((source["path"], source["error"]))
            if status == "error":
                summary.failed += 1
            detail = source["error"] or (source["note"] if status == "alternate" else None)
            progress(f"{status:>11}  {source['path']}" + (f"  ({detail})" if detail else ""))
        db.conn.commit()  # the reports' rows (_insert_rows leaves them in one open transaction)
        db["report_files"].insert_all(file_rows)
        db["report_differences"].insert_all(difference_rows)

        outcomes += corrections.unmatched(fixes, parsed, present)
        outcomes.sort(key=lambda o: o.line)
        db["corrections"].insert_all(_correction_row(o, fact_ids) for o in outcomes)
        for o in outcomes:
            summary.corrections[o.status] = summary.corrections.get(o.status, 0) + 1
            if o.status != corrections.APPLIED:
                summary.correction_problems.append(f"corrections line {o.line}: {o.status}: {o.message}")

        derive(db)
        summary.reports = db["reports"].count
        summary.facts = db["facts"].count
        summary.failed_checks = db.execute("select count(*) from checks where ok = 0").fetchone()[0]
        summary.version, summary.changes = history.record(db, db_path if db_path.exists() else None, summary.files, __version__)
        db.analyze()
        db.vacuum()
        db.close()
        _swap_in(tmp, db_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    # 6. After the swap: what the new database does not name goes.
    _prune_originals(originals, {url.rsplit("/", 1)[1] for url in published.values()})
    cache.prune()
    shutil.rmtree(staging, ignore_errors=True)
    if use_cache:
        _remember(db_path, fingerprint)
    return summary


LAST_BUILD = "last-build.json"  # in the cache folder: what the database was built from


def _build_fingerprint(records: list[tuple[inputs_mod.Entry, dict]], corrections_path: Path | None, limits: Limits) -> str:
    """A hash of everything a build's result depends on: every input's path, bytes (sha256)
    and fate so far, the corrections file, the limits and the whole package's code and data."""
    digest = hashlib.sha256()
    for _, source in records:
        digest.update(repr([source[k] for k in ("path", "status", "error", "note", "sha256", "published_url", "published_on")]).encode("utf-8", "backslashreplace"))
    if corrections_path is not None and corrections_path.is_file():
        digest.update(corrections_path.read_bytes())
    digest.update(limits.fingerprint().encode())
    package = Path(__file__).resolve().parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".sql", ".csv", ".json") and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _db_identity(db_path: Path) -> list[int] | None:
    try:
        info = db_path.stat()
    except OSError:
        return None
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns]


def _remember(db_path: Path, fingerprint: str) -> None:
    state = db_path.parent / CACHE / LAST_BUILD
    try:
        state.write_text(json.dumps({"db": _db_identity(db_path), "fingerprint": fingerprint}), encoding="utf-8")
    except OSError:
        pass


def _unchanged(db_path: Path, fingerprint: str) -> bool:
    try:
        state = json.loads((db_path.parent / CACHE / LAST_BUILD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return state.get("fingerprint") == fingerprint and state.get("db") == _db_identity(db_path) and _replaceable(db_path)


def _kept(db_path: Path, summary: BuildSummary, files: int, progress) -> BuildSummary:
    """A build that found nothing to do: the database as it is, with this build recorded in
    ``builds`` (nothing changed), swapped in like any other; the summary read from it."""
    progress("nothing changed since the last build (files, corrections, code, limits): no file parsed, no table rebuilt")
    fd, tmp = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    try:
        shutil.copyfile(db_path, tmp)
        db = _scratch_database(tmp)
        previous = db.execute("select id from builds order by id desc limit 1").fetchone()
        db["builds"].insert({
            "id": history._version(db), "parser_version": __version__, "inputs": summary.files, "reports": db["reports"].count,
            "facts": db["facts"].count, "corrections_applied": db.execute("select count(*) from facts where corrected").fetchone()[0],
            "previous": previous[0] if previous else None, "reports_added": 0, "reports_removed": 0, "values_changed": 0,
            "summary": "nothing changed",
        })
        db.close()
        _swap_in(tmp, db_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    db = sqlite_utils.Database(db_path)
    try:
        for status, n in db.execute("select status, count(*) from sources group by status"):
            summary.by_status[status] = n
        summary.errors = [(p, e) for p, e in db.execute("select path, error from sources where error is not null and status != 'duplicate'")]
        summary.failed = summary.by_status.get("error", 0)
        summary.reports = db["reports"].count
        summary.facts = db["facts"].count
        summary.failed_checks = db.execute("select count(*) from checks where ok = 0").fetchone()[0]
        for status, n in db.execute("select status, count(*) from corrections group by status"):
            summary.corrections[status] = n
        summary.correction_problems = [f"corrections line {line}: {status}: {message}" for line, status, message in
                                       db.execute("select line, status, message from corrections where status != ? order by line", [corrections.APPLIED])]
        summary.version = db.execute("select id from builds order by id desc limit 1").fetchone()[0]
    finally:
        db.close()
    summary.changes = {kind: 0 for kind, _ in history._CHANGES}
    summary.incremental = {"reused": files, "vanished": 0, "parsed": 0}
    return summary
