"""Corrections reviewed like code: a maintainer's fix of one misread number.

In: ``corrections.csv`` (columns ``sha256,part,row_key,col_key,value,reason,checked_by,checked_on``),
one row per cell: the file by its SHA-256, the cell by its vocabulary keys, the right value
(a number in the key's unit, or ``/`` for "not applicable"), why, who checked and when.

Out: ``read`` gives the corrections and the lines that are not valid ones; ``apply`` gives a
report whose values carry the corrections (``value`` corrected, ``parsed_value`` the parser's
reading, ``raw`` untouched, as printed) and whose checks are recomputed, plus one ``Outcome``
per correction that named the report's file. ``unmatched`` turns the corrections no file of
the build claimed into outcomes too, so that no correction is ever silently dropped.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from . import check, narrative, vocabulary
from .model import Report
from .text import is_not_applicable, parse_number

COLUMNS = ("sha256", "part", "row_key", "col_key", "value", "reason", "checked_by", "checked_on")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# What happened to a correction, in the `corrections` table and the build summary.
APPLIED = "applied"
UNCHANGED = "unchanged"  # the parser now reads the same value: the line can go
NO_FILE = "file_not_in_build"
NOT_PARSED = "file_not_parsed"
NO_CELL = "cell_not_found"
INVALID = "invalid"


@dataclass(frozen=True)
class Correction:
    line: int  # line of corrections.csv (the header is line 1)
    sha256: str
    part: str
    row_key: str
    col_key: str
    value: Decimal | None  # None: "/" (not applicable)
    value_text: str
    reason: str
    checked_by: str
    checked_on: str

    @property
    def cell(self) -> tuple[str, str, str]:
        return (self.part, self.row_key, self.col_key)


@dataclass(frozen=True)
class Outcome:
    """What became of one line of corrections.csv."""

    line: int
    status: str
    message: str
    correction: Correction | None = None
    raw_line: dict | None = None  # the line as read, for invalid ones
    parsed_value: Decimal | None = None


def _problem(row: dict, correction_fields: tuple[str, str, str]) -> str | None:
    """Why a line is not a valid correction, or None."""
    missing = [c for c in COLUMNS if not (row.get(c) or "").strip()]
    if missing:
        return "missing " + ", ".join(missing)
    if not _SHA256.match(row["sha256"].strip().lower()):
        return "sha256 must be the file's 64 hex digits"
    part, row_key, col_key = correction_fields
    if part not in vocabulary.COLUMN_TABLE:
        return f"part must be one of {', '.join(vocabulary.COLUMN_TABLE)}"
    row_table = part
    try:
        vocabulary.item(row_table, row_key)
    except KeyError:
        return f"{row_key!r} is not a row of {part} (see items.csv)"
    try:
        vocabulary.item(vocabulary.COLUMN_TABLE[part], col_key)
    except KeyError:
        return f"{col_key!r} is not a column of {part} (see items.csv)"
    value = row["value"].strip()
    if not is_not_applicable(value) and (parse_number(value) is None or parse_number(value).unit or parse_number(value).note):
        return f"value {value!r} is not a plain number (in the key's unit) or /"
    if not _DATE.match(row["checked_on"].strip()):
        return "checked_on must be a date, YYYY-MM-DD"
    return None


def read(path: Path) -> tuple[list[Correction], list[Outcome]]:
    """The valid corrections of a file, and an ``invalid`` outcome for every other line."""
    corrections, invalid = [], []
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        absent = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if absent:
            raise ValueError(f"{path}: the header must name {','.join(COLUMNS)} (missing {', '.join(absent)})")
        seen: dict[tuple[str, str, str, str], int] = {}
        for row in reader:
            line = reader.line_num
            row = {k: (v or "").strip() for k, v in row.items() if k is not None}
            fields = (row.get("part", ""), row.get("row_key", ""), row.get("col_key", ""))
            problem = _problem(row, fields)
            key = (row.get("sha256", "").lower(), *fields)
            if problem is None and key in seen:
                problem = f"the same cell is corrected on line {seen[key]}"
            if problem:
                invalid.append(Outcome(line, INVALID, problem, raw_line=row))
                continue
            seen[key] = line
            number = None if is_not_applicable(row["value"]) else parse_number(row["value"]).value
            corrections.append(
                Correction(line, key[0], *fields, number, row["value"], row["reason"], row["checked_by"], row["checked_on"])
            )
    return corrections, invalid


def apply(report: Report, corrections: list[Correction]) -> tuple[Report, list[Outcome]]:
    """The report with the corrections of its file applied and its checks recomputed."""
    by_cell = {c.cell: c for c in corrections}
    outcomes, values, found = [], [], set()
    for v in report.values:
        c = by_cell.get((v.part, v.row_key, v.col_key))
        if c is None or c.cell in found:
            values.append(v)
            continue
        found.add(c.cell)
        if v.value == c.value:
            outcomes.append(Outcome(c.line, UNCHANGED, "the parser now reads this value; the line can be removed", c, parsed_value=v.value))
            values.append(v)
            continue
        values.append(replace(v, value=c.value, corrected=True, parsed_value=v.value, correction=c.reason))
        outcomes.append(Outcome(c.line, APPLIED, f"{_show(v.value)} -> {c.value_text}", c, parsed_value=v.value))
    for c in corrections:
        if c.cell not in found:
            outcomes.append(Outcome(c.line, NO_CELL, f"the report has no cell {'.'.join(c.cell)}", c))
    corrected = replace(report, values=values, checks=check.check(values),
                        narrative_checks=narrative.checks(report.narrative, values))
    return corrected, outcomes


def unmatched(corrections: list[Correction], parsed: set[str], present: set[str]) -> list[Outcome]:
    """Outcomes for corrections of files that were not parsed (``present``) or not in the build."""
    out = []
    for c in corrections:
        if c.sha256 in parsed:
            continue
        if c.sha256 in present:
            out.append(Outcome(c.line, NOT_PARSED, "the file is in the build but was not parsed as a report", c))
        else:
            out.append(Outcome(c.line, NO_FILE, "no file of this build has this SHA-256", c))
    return out


def _show(value: Decimal | None) -> str:
    return "/" if value is None else str(value)
