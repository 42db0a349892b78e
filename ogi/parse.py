"""One file in, one Report out: read -> locate -> map -> check, plus the report's region.

In: a path. Out: a ``Report`` (or ``ParseError`` with a sentence for a person).
``as_json`` gives the report in the shape of the gold files, with the provenance of
every value beside it.
"""

from __future__ import annotations

from pathlib import Path

from . import check, locate, mapping, narrative, read, region
from .model import Report, Warning
from .text import plain, printed_in_traditional, simplified


def report_format(table_formats: dict[str, str], year: int) -> tuple[str, list[Warning]]:
    """2021 as soon as one table follows it (a 2023 report may keep a 2019 row); else 2019.
    When no table's format is decided by what it prints, the year decides, with a warning."""
    if "2021" in table_formats.values():
        return "2021", []
    if "2019" in table_formats.values():
        return "2019", []
    fmt = "2021" if year >= 2021 else "2019"
    return fmt, [Warning(f"format {fmt} decided by the year {year}: no table prints the headers or rows of one template")]


def parse_file(path: str | Path) -> Report:
    document = read.read(path)
    parts = locate.locate(document)
    mapped = mapping.map_tables(parts)
    fmt, format_warnings = report_format(mapped.table_formats, parts.year)
    text = "\n".join(r.text for r in document.rows)
    place, agency, region_warnings = region.resolve(parts.agency, text, evidence=Path(path).name, title=parts.title)
    # Only a title printed in Traditional is converted: OpenCC would also turn a Simplified
    # place name such as 乾县 into 干县.
    if printed_in_traditional(parts.title.replace(parts.agency, "")):
        agency = simplified(agency)
    stated = narrative.figures(parts.sections, agency)  # what the narrative says in words
    return Report(
        path=str(path),
        title=parts.title,
        agency=agency,
        agency_printed=parts.agency,
        year=parts.year,
        format=fmt,
        table_formats=mapped.table_formats,
        region=place,
        values=mapped.values,
        checks=check.check(mapped.values),
        sections=parts.sections,
        warnings=mapped.warnings + format_warnings + region_warnings,
        published_url=document.published_url,
        published_on=document.published_on,
        narrative=stated,
        narrative_checks=narrative.checks(stated, mapped.values),
    )


def as_json(report: Report) -> dict:
    """The gold-file shape (agency, year, format, region, active, requests, appeals) plus
    ``provenance`` (same keys: where each value was read and its raw text), checks and warnings."""
    out = {
        "file": Path(report.path).name,
        "agency": report.agency,
        "agency_printed": report.agency_printed,
        "year": report.year,
        "format": report.format,
        "mixed_format": report.mixed_format,
        "table_formats": report.table_formats,
        "region": {"province": report.region.province, "city": report.region.city, "county": report.region.county},
        # How the region was settled (ogi/region.py): adcode, coordinates, level, status, why.
        "region_detail": {k: getattr(report.region, k) for k in ("adcode", "longitude", "latitude", "level", "status", "why")},
        "active": {},
        "requests": {},
        "appeals": {},
    }
    provenance: dict = {"active": {}, "requests": {}, "appeals": {}}
    extra_rows = []
    for v in report.values:
        where = {**v.loc.as_dict(), "raw": v.raw, "label": v.row_label}
        if v.inferred:
            where["inferred"] = True
        if v.note:
            where["note"] = v.note
        if v.row_key is None:
            extra_rows.append({"part": v.part, "label": v.row_label, "column": v.col_key, "value": None if v.value is None else plain(v.value), **where})
            continue
        provenance[v.part].setdefault(v.row_key, {})[v.col_key] = where
        if v.value is not None:  # "/" and "—" print "not applicable": no value
            out[v.part].setdefault(v.row_key, {})[v.col_key] = plain(v.value)
    out["provenance"] = provenance
    out["extra_rows"] = extra_rows
    out["checks"] = [
        {"identity": c.identity, "key": c.key, "lhs": plain(c.lhs), "rhs": plain(c.rhs), "diff": plain(c.diff), "ok": c.ok}
        for c in report.checks
    ]
    out["narrative"] = [
        {"key": f.key, "value": plain(f.value), "unit": f.unit, "label": f.label, "raw": f.raw, "sentence": f.sentence, "part": f.part, **f.loc.as_dict()}
        for f in report.narrative
    ]
    out["narrative_checks"] = [
        {"identity": c.identity, "key": c.key, "lhs": plain(c.lhs), "rhs": plain(c.rhs), "diff": plain(c.diff), "ok": c.ok}
        for c in report.narrative_checks
    ]
    out["warnings"] = [{"message": w.message, **(w.loc.as_dict() if w.loc else {})} for w in report.warnings]
    return out
