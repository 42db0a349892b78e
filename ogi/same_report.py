"""Two files of the same report (a PDF and its web page, two versions): one report, both files.

In: the parsed reports of a build, each with its source row (path, format, sha256). Out:
which report of each group is the primary, and the rows of ``report_files`` (every file of
every report, its role and why) and ``report_differences`` (each value on which an alternate
file disagrees with the primary).

Reports are the same when agency (Simplified), year, province, city and county agree. The
primary is chosen by one rule, in this order:
1. fewer identity checks failing (the file that reads consistently);
2. more values read from template rows, not inferred;
3. the format: pdf, docx, doc, html/htm, txt/md/markdown, then images (the signed document
   before its web copy, text before OCR);
4. the path, then the sha256 (so the choice never depends on the order of the walk).

Only the primary's report is written to ``reports``, ``facts`` and the other report tables
(its id is the primary file's sha256[:16]), so sums and rankings count the report once; the
alternate's source row has status ``alternate`` and its differences are listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Report
from .text import plain

FORMAT_RANK = {"pdf": 0, "docx": 1, "doc": 2, "html": 3, "htm": 3, "txt": 4, "md": 4, "markdown": 4}
RULE = "fewest failing checks, then most values read, then format (pdf, docx, doc, html, text, images), then path"

SCHEMA = """
-- Every file of every report (ogi/same_report.py): the primary, whose numbers are the report's,
-- and the alternates (the same agency and year in another file), with how they differ.
CREATE TABLE report_files (
    id TEXT PRIMARY KEY,           -- the source id
    report_id TEXT NOT NULL REFERENCES reports(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    role TEXT NOT NULL,            -- primary or alternate
    path TEXT NOT NULL,
    format TEXT,
    checks_failed INTEGER NOT NULL,
    "values" INTEGER NOT NULL,     -- values read from template rows, not inferred
    differences INTEGER NOT NULL,  -- values on which this file disagrees with the primary (0 for the primary)
    why TEXT NOT NULL              -- why the primary was chosen
);
CREATE TABLE report_differences (
    id TEXT PRIMARY KEY,           -- <report>-<alternate source>-<part>-<row>-<column>
    report_id TEXT NOT NULL REFERENCES reports(id),
    source_id TEXT NOT NULL REFERENCES sources(id),  -- the alternate file
    part TEXT NOT NULL,
    row_key TEXT NOT NULL,
    col_key TEXT NOT NULL,
    kind TEXT NOT NULL,            -- differs, only_primary, only_alternate
    primary_value NUMERIC,
    alternate_value NUMERIC,
    primary_raw TEXT,
    alternate_raw TEXT,
    alternate_where TEXT           -- page/line/table of the value in the alternate file
);
CREATE INDEX report_files_report ON report_files(report_id);
CREATE INDEX report_differences_report ON report_differences(report_id);
"""


@dataclass
class Parsed:
    source: dict  # the sources row (id, path, format, sha256 …)
    report: Report


def key(report: Report) -> tuple:
    r = report.region
    return (report.agency, report.year, r.province, r.city, r.county)


def _good_values(report: Report) -> int:
    return sum(1 for v in report.values if v.row_key is not None and not v.inferred)


def _failing(report: Report) -> int:
    return sum(not c.ok for c in report.checks)


def _rank(p: Parsed) -> tuple:
    return (_failing(p.report), -_good_values(p.report), FORMAT_RANK.get(p.source.get("format") or "", 5),
            p.source["path"], p.source["sha256"])


def group(parsed: list[Parsed]) -> list[list[Parsed]]:
    """Groups of the same report, primary first, in the order their first file was found."""
    groups: dict[tuple, list[Parsed]] = {}
    for p in parsed:
        groups.setdefault(key(p.report), []).append(p)
    return [sorted(g, key=_rank) for g in groups.values()]


def _cells(report: Report) -> dict[tuple, object]:
    cells = {}
    for v in report.values:
        if v.row_key is not None:
            cells.setdefault((v.part, v.row_key, v.col_key), v)
    return cells


def _number(v) -> object:
    return None if v is None or v.value is None else plain(v.value)


def differences(primary: Parsed, alternate: Parsed, report_id: str) -> list[dict]:
    """The values on which the alternate disagrees with the primary, cell by cell."""
    a, b = _cells(primary.report), _cells(alternate.report)
    rows = []
    for cell in sorted(set(a) | set(b)):
        va, vb = a.get(cell), b.get(cell)
        if va is not None and vb is not None and _number(va) == _number(vb):
            continue
        kind = "differs" if va is not None and vb is not None else ("only_primary" if vb is None else "only_alternate")
        part, row_key, col_key = cell
        rows.append({
            "id": f"{report_id}-{alternate.source['id']}-{part}-{row_key.replace('.', '_')}-{col_key}",
            "report_id": report_id, "source_id": alternate.source["id"], "part": part, "row_key": row_key,
            "col_key": col_key, "kind": kind, "primary_value": _number(va), "alternate_value": _number(vb),
            "primary_raw": va.raw if va is not None else None, "alternate_raw": vb.raw if vb is not None else None,
            "alternate_where": vb.loc.describe() if vb is not None else None,
        })
    return rows


def file_row(p: Parsed, report_id: str, role: str, n_differences: int) -> dict:
    return {"id": p.source["id"], "report_id": report_id, "source_id": p.source["id"], "role": role,
            "path": p.source["path"], "format": p.source.get("format"), "checks_failed": _failing(p.report),
            "values": _good_values(p.report), "differences": n_differences, "why": RULE}
