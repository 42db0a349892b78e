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
import hashlib
import os
import re
import shutil
import tempfile
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import sqlite_utils

from . import __version__, corrections, history, read, views, vocabulary
from .locate import HEADINGS
from .model import ParseError, Report
from .parse import parse_file
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


def input_files(inputs: list[Path]) -> list[tuple[Path, Path]]:
    """(file, folder it was found under) for every file below the inputs, sorted, hidden ones skipped."""
    found = []
    for root in inputs:
        if root.is_file():
            found.append((root, root.parent))
            continue
        if not root.exists():
            raise FileNotFoundError(f"{root}: no such file or folder")
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            found += [(Path(dirpath) / f, root) for f in sorted(filenames) if not f.startswith(".")]
    return found


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
                "title": report.title,
                "identity_status": "unchecked" if not report.checks else ("fails" if failed else "ok"),
                "checks_failed": failed,
                "facts": len(report.values),
                "warnings": len(report.warnings),
            }
        ],
        "facts": [],
        "checks": [],
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
    for c in report.checks:
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


ORIGINALS = "originals"  # folder next to the database with every input file, named by content
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


def publish_original(path: Path, digest: str, originals: Path) -> str:
    """Copy a file into the originals folder as <sha256>.<ext> (once) and return its URL on the site.

    Named by content, so a file is stored once however often it is given, a rebuild never
    overwrites a file a reader has cited, and the name proves what the file is.
    """
    name = digest + path.suffix.lower()
    target = originals / name
    if not target.exists():
        fd, tmp = tempfile.mkstemp(prefix=name + ".", suffix=".tmp", dir=originals)
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return f"/{ORIGINALS}/{name}"


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


def _parse(path: Path, source: dict, fixes: list, outcomes: list, section_ids: set[int], progress) -> dict[str, list[dict]]:
    """The rows of one file's report with its corrections applied; on failure, the error in
    ``source`` and no rows."""
    try:
        report = parse_file(path)
    except ParseError as e:
        source.update(status="error", error=str(e))
        return {}
    except Exception as e:  # a parser bug must not stop the build; record it
        source.update(status="error", error=f"internal error: {type(e).__name__}: {e}")
        progress(traceback.format_exc())
        return {}
    report, applied = corrections.apply(report, fixes)
    outcomes += applied
    # The page's own word on where and when it was published, unless the manifest says it.
    if not source["published_from"] and (report.published_url or report.published_on):
        source.update(published_url=report.published_url, published_on=report.published_on, published_from="page")
    return report_rows(report, source["id"], source["id"], section_ids)


def build(inputs: list[Path], db_path: Path, progress=lambda message: None, corrections_path: Path | None = None) -> BuildSummary:
    files = input_files(inputs)
    manifest: dict[tuple[Path, str], dict] = {}
    for root in dict.fromkeys(root for _, root in files):
        entries, problems = read_manifest(root)
        manifest.update({(root, name): entry for name, entry in entries.items()})
        for problem in problems:
            progress(problem)
    fixes, outcomes = corrections.read(corrections_path) if corrections_path else ([], [])
    fixes_by_file: dict[str, list[corrections.Correction]] = {}
    for fix in fixes:
        fixes_by_file.setdefault(fix.sha256, []).append(fix)

    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=db_path.name + ".", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    os.unlink(tmp)
    summary = BuildSummary(files=len(files))
    originals = db_path.parent / ORIGINALS
    originals.mkdir(exist_ok=True)
    db = sqlite_utils.Database(tmp)
    try:
        create(db)
        seen: dict[str, tuple[str, str]] = {}  # sha256 -> (source id, path) of its first file
        present: set[str] = set()
        parsed: set[str] = set()
        section_ids: set[int] = set()
        fact_ids: dict[tuple, str] = {}  # (sha256, part, row_key, col_key) -> fact id, for corrections
        for path, root in files:
            relative = str(path.relative_to(root)) if path != root else path.name
            digest = _sha256(path)
            present.add(digest)
            given = manifest.get((root, relative)) or manifest.get((root, path.name)) or {}
            source = {
                "id": source_key(digest, relative, first=digest not in seen),
                "path": relative,
                "file_name": path.name,
                "sha256": digest,
                "format": path.suffix.lower().lstrip(".") or None,
                "bytes": path.stat().st_size,
                "status": "parsed",
                "error": None,
                "parser_version": __version__,
                "read_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "url": None,
                "published_url": given.get("url"),
                "published_on": given.get("published"),
                "published_from": "manifest" if given.get("url") or given.get("published") else None,
            }
            rows: dict[str, list[dict]] = {}
            if path.name == MANIFEST and path.parent == root:
                source["status"] = "manifest"  # read above; not a report, not published
            elif digest in seen:
                source.update(status="duplicate", error=f"same content as {seen[digest][1]} (source {seen[digest][0]})", url=f"/{ORIGINALS}/{digest}{path.suffix.lower()}")
            else:
                try:
                    source["url"] = publish_original(path, digest, originals)
                except OSError as e:  # the numbers are still worth having without the copy
                    progress(f"could not copy {path} to {originals}: {e}")
                seen[digest] = (source["id"], relative)
                if not read.supported(path):
                    source.update(status="unsupported", error=f"no reader for {path.suffix or 'files without an extension'} files")
                else:
                    rows = _parse(path, source, fixes_by_file.get(digest, []), outcomes, section_ids, progress)
                    if rows:
                        parsed.add(digest)
                        for fact in rows["facts"]:
                            fact_ids.setdefault((digest, fact["part"], fact["row_key"], fact["col_key"]), fact["id"])
            db["sources"].insert(source)
            for table, table_rows in rows.items():
                db[table].insert_all(table_rows)
            summary.by_status[source["status"]] = summary.by_status.get(source["status"], 0) + 1
            if source["error"]:
                summary.errors.append((source["path"], source["error"]))
            progress(f"{source['status']:>11}  {source['path']}" + (f"  ({source['error']})" if source["error"] else ""))

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
        os.replace(tmp, db_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return summary
