"""Compare parsed reports with gold files, value by value.

In: a parsed report (``parse.as_json``) and its gold JSON. Out: a ``Comparison`` listing
values read exactly, wrong, missing and extra, and whether agency/year/format/region match.
Used by the tests and by ``scripts/accuracy.py``.

Gold conventions (report-format.md): a blank cell is 0 in gold; "/" or "—" is absent
(listed in ``not_applicable``); a value the report does not print is absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TABLE_PARTS = ("active", "requests", "appeals")
HEADER_FIELDS = ("agency", "year", "format", "region")


def values_of(report: dict) -> dict[str, float]:
    """{'requests.granted.total': 1, …} for every number of the three tables."""
    return {
        f"{part}.{row}.{col}": value
        for part in TABLE_PARTS
        for row, cols in report.get(part, {}).items()
        for col, value in cols.items()
    }


@dataclass
class Comparison:
    file: str
    exact: list[str] = field(default_factory=list)
    wrong: dict[str, tuple] = field(default_factory=dict)  # path -> (read, gold)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    header: dict[str, tuple] = field(default_factory=dict)  # field -> (read, gold) where they differ
    error: str | None = None

    @property
    def gold_values(self) -> int:
        return len(self.exact) + len(self.wrong) + len(self.missing)

    @property
    def perfect(self) -> bool:
        return not (self.wrong or self.missing or self.extra or self.header or self.error)

    def describe(self) -> str:
        lines = []
        if self.error:
            lines.append(f"error: {self.error}")
        lines += [f"{k}: read {got!r}, gold {want!r}" for k, (got, want) in self.header.items()]
        lines += [f"{k}: read {got}, gold {want}" for k, (got, want) in sorted(self.wrong.items())]
        lines += [f"{k}: not read" for k in self.missing]
        lines += [f"{k}: read but not in gold" for k in self.extra]
        return "\n".join(lines)


def compare(parsed: dict | None, gold: dict, error: str | None = None) -> Comparison:
    result = Comparison(gold.get("file", "?"))
    want = values_of(gold)
    if parsed is None:
        result.error = error or "not parsed"
        result.missing = sorted(want)
        return result
    got = values_of(parsed)
    for path, value in want.items():
        if path not in got:
            result.missing.append(path)
        elif got[path] == value:
            result.exact.append(path)
        else:
            result.wrong[path] = (got[path], value)
    result.extra = sorted(set(got) - set(want))
    for name in HEADER_FIELDS:
        if parsed.get(name) != gold.get(name):
            result.header[name] = (parsed.get(name), gold.get(name))
    return result
