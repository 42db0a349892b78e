"""What each build changed: the dataset's versions and the differences between them.

In: the new database, complete but not yet in place, and the path of the database it will
replace (or None). Out, in the new database: the previous database's ``builds`` and
``changes`` carried over, one new ``builds`` row (the version, the parser version, counts,
and how many reports were added or removed and values changed), and one ``changes`` row per
report added or removed, value changed, added or removed, and correction applied.

Ids are derived from content (ogi/load.py), so "the same fact" is the same id in both
databases and the comparison is a join.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

_CELL = "f.part || ' · ' || coalesce(f.row_key, f.printed_label) || ' · ' || f.col_key"

# (kind, the new database's rows of that kind against the old one, attached as "old")
_CHANGES = (
    ("report_added", """SELECT r.id, r.label, NULL, NULL, NULL, NULL, r.title FROM main.reports r
        WHERE r.id NOT IN (SELECT id FROM old.reports)"""),
    ("report_removed", """SELECT r.id, r.agency || ' ' || r.year, NULL, NULL, NULL, NULL, r.title FROM old.reports r
        WHERE r.id NOT IN (SELECT id FROM main.reports)"""),
    ("value_changed", f"""SELECT f.report_id, r.label, f.id, {_CELL}, o.value, f.value,
            CASE WHEN f.raw IS NOT o.raw THEN 'printed as ' || quote(o.raw) || ', now read as ' || quote(f.raw) END
        FROM main.facts f JOIN old.facts o ON o.id = f.id JOIN main.reports r ON r.id = f.report_id
        WHERE f.value IS NOT o.value AND NOT f.corrected"""),
    ("value_added", f"""SELECT f.report_id, r.label, f.id, {_CELL}, NULL, f.value, NULL
        FROM main.facts f JOIN main.reports r ON r.id = f.report_id
        WHERE f.report_id IN (SELECT id FROM old.reports) AND f.id NOT IN (SELECT id FROM old.facts)"""),
    ("value_removed", f"""SELECT f.report_id, r.agency || ' ' || r.year, f.id, {_CELL}, f.value, NULL, NULL
        FROM old.facts f JOIN old.reports r ON r.id = f.report_id
        WHERE f.report_id IN (SELECT id FROM main.reports) AND f.id NOT IN (SELECT id FROM main.facts)"""),
    ("correction_applied", f"""SELECT f.report_id, r.label, f.id, {_CELL}, coalesce(o.value, f.parsed_value), f.value, f.correction
        FROM main.facts f JOIN main.reports r ON r.id = f.report_id LEFT JOIN old.facts o ON o.id = f.id
        WHERE f.corrected AND (o.id IS NULL OR NOT o.corrected OR o.value IS NOT f.value)"""),
)


def _version(db: sqlite_utils.Database) -> str:
    """The UTC time of the build; a second build within the same second gets a suffix."""
    base = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    taken = {row[0] for row in db.execute("SELECT id FROM builds WHERE id LIKE ?", [base + "%"])}
    version, n = base, 1
    while version in taken:
        n += 1
        version = f"{base}.{n}"
    return version


def _comparable(db: sqlite_utils.Database) -> bool:
    """Whether the attached old database has content-derived ids (it records its builds)."""
    return bool(db.execute("SELECT 1 FROM old.sqlite_master WHERE type = 'table' AND name = 'builds'").fetchone())


def record(db: sqlite_utils.Database, previous: Path | None, inputs: int, parser_version: str) -> tuple[str, dict[str, int]]:
    """Record this build and its changes against ``previous``; returns (version, {kind: count})."""
    counts: dict[str, int] = {}
    previous_version = None
    attached = False
    if previous is not None:
        try:
            db.execute("ATTACH DATABASE ? AS old", [str(previous)])
            attached = _comparable(db)
        except sqlite3.DatabaseError:
            attached = False  # not a database we can read: nothing to compare with
    try:
        if attached:
            db.execute("INSERT INTO builds SELECT * FROM old.builds")
            db.execute("INSERT INTO changes (build_id, kind, report_id, report_label, fact_id, cell, old_value, new_value, detail) "
                       "SELECT build_id, kind, report_id, report_label, fact_id, cell, old_value, new_value, detail FROM old.changes ORDER BY id")
            previous_version = db.execute("SELECT id FROM old.builds ORDER BY id DESC LIMIT 1").fetchone()
            previous_version = previous_version[0] if previous_version else None
        version = _version(db)
        if attached:
            for kind, query in _CHANGES:
                cursor = db.execute(
                    "INSERT INTO changes (build_id, kind, report_id, report_label, fact_id, cell, old_value, new_value, detail) "
                    f"SELECT ?, ?, * FROM ({query})", [version, kind]
                )
                counts[kind] = cursor.rowcount
    finally:
        if previous is not None:
            db.conn.commit()
            try:
                db.execute("DETACH DATABASE old")
            except sqlite3.OperationalError:
                pass
    reports = db["reports"].count
    facts = db["facts"].count
    applied = db.execute("SELECT count(*) FROM facts WHERE corrected").fetchone()[0]
    if attached:
        summary = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in counts.items() if n) or "nothing changed"
    else:
        summary = "first build: nothing to compare with"
    db["builds"].insert({
        "id": version, "parser_version": parser_version, "inputs": inputs, "reports": reports, "facts": facts,
        "corrections_applied": applied, "previous": previous_version,
        "reports_added": counts.get("report_added") if attached else None,
        "reports_removed": counts.get("report_removed") if attached else None,
        "values_changed": counts.get("value_changed") if attached else None,
        "summary": summary,
    })
    return version, counts
