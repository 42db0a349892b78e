"""Write reports into the SQLite database (the only stage that touches it).

In: input paths (files or folders). Out: a database at ``db_path`` with the tables of
``schema.sql``, built in a temporary file and moved into place, so a server reading the old
database never sees a half-built one.

Every input file leaves one ``sources`` row saying what happened to it; a file that fails
never stops the build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import sqlite_utils

from . import __version__, read, views, vocabulary
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


def report_rows(report: Report, report_id: int, source_id: int) -> dict[str, list[dict]]:
    failed = sum(not c.ok for c in report.checks)
    rows = {
        "reports": [
            {
                "id": report_id,
                "source_id": source_id,
                "agency": report.agency,
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
    for v in report.values:
        rows["facts"].append(
            {
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
                "source_id": source_id,
            }
        )
    for c in report.checks:
        rows["checks"].append(
            {"report_id": report_id, "identity": c.identity, "key": c.key, "lhs": plain(c.lhs), "rhs": plain(c.rhs), "diff": plain(c.diff), "ok": int(c.ok)}
        )
    for part, section in report.sections.items():
        rows["sections"].append(
            {
                "report_id": report_id,
                "part": part,
                "part_zh": HEADINGS[part],
                "heading": section.heading,
                "text": section.text,
                "line": section.loc.line,
                "page": section.loc.page,
            }
        )
    for w in report.warnings:
        loc = w.loc
        rows["warnings"].append(
            {"source_id": source_id, "report_id": report_id, "message": w.message, "page": loc and loc.page, "line": loc and loc.line}
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


def finish(db: sqlite_utils.Database) -> None:
    """Derive what the site shows from the loaded tables (ogi/views.py), index, compact."""
    views.build(db)
    # trigram: quick substring search of 3+ characters for SQL users (sqlite-utils' search);
    # the site searches sections_char_fts, which also finds 1-2 character words (views.char_tokens).
    db["sections"].enable_fts(["heading", "text"], tokenize="trigram", create_triggers=False)
    db.analyze()
    db.vacuum()


ORIGINALS = "originals"  # folder next to the database with every input file, named by content


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


def build(inputs: list[Path], db_path: Path, progress=lambda message: None) -> BuildSummary:
    files = input_files(inputs)
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
        seen: dict[str, int] = {}
        report_id = 0
        for source_id, (path, root) in enumerate(files, start=1):
            digest = _sha256(path)
            source = {
                "id": source_id,
                "path": str(path.relative_to(root)) if path != root else path.name,
                "file_name": path.name,
                "sha256": digest,
                "format": path.suffix.lower().lstrip(".") or None,
                "bytes": path.stat().st_size,
                "status": "parsed",
                "error": None,
                "parser_version": __version__,
                "read_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "url": None,
            }
            try:
                source["url"] = publish_original(path, digest, originals)
            except OSError as e:  # the numbers are still worth having without the copy
                progress(f"could not copy {path} to {originals}: {e}")
            rows: dict[str, list[dict]] = {}
            if digest in seen:
                source.update(status="duplicate", error=f"same content as source {seen[digest]}")
            elif not read.supported(path):
                source.update(status="unsupported", error=f"no reader for {path.suffix or 'files without an extension'} files")
            else:
                seen[digest] = source_id
                try:
                    report = parse_file(path)
                    report_id += 1
                    rows = report_rows(report, report_id, source_id)
                except ParseError as e:
                    source.update(status="error", error=str(e))
                except Exception as e:  # a parser bug must not stop the build; record it
                    source.update(status="error", error=f"internal error: {type(e).__name__}: {e}")
                    progress(traceback.format_exc())
            db["sources"].insert(source)
            for table, table_rows in rows.items():
                db[table].insert_all(table_rows)
            summary.by_status[source["status"]] = summary.by_status.get(source["status"], 0) + 1
            if source["error"]:
                summary.errors.append((source["path"], source["error"]))
            progress(f"{source['status']:>11}  {source['path']}" + (f"  ({source['error']})" if source["error"] else ""))
        finish(db)
        summary.reports = db["reports"].count
        summary.facts = db["facts"].count
        summary.failed_checks = db.execute("select count(*) from checks where ok = 0").fetchone()[0]
        db.close()
        os.replace(tmp, db_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return summary
