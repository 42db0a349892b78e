"""Map the three statistical tables to keyed values.

In: ``Parts`` (the located sections). Out: ``Mapped``: one ``Value`` per printed cell with
its row and column key from the vocabulary, the format each table follows, and warnings
for every reading that needed a choice.

Formats are decided per table from what is printed (the 2021 columns of table 二, the three
（六） sub-rows of table 三). Only when table 二 prints no column header that names a template's
columns does the report's year decide its columns (2021 from 2021 on), and then a warning says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations

from . import vocabulary
from .align import align, best_matches, fill_gaps
from .check import request_checks, tables
from .model import Location, Parts, Section, Value, Warning
from .printed_rows import PrintedRow, Token, printed_rows
from .text import label_key, nfkc

APPEAL_CELLS = len(vocabulary.appeal_groups()) * len(vocabulary.appeal_outcomes())


@dataclass
class Mapped:
    values: list[Value] = field(default_factory=list)
    table_formats: dict[str, str] = field(default_factory=dict)
    warnings: list[Warning] = field(default_factory=list)


def fit(cells: list[Token], n: int) -> list[Token]:
    """Drop the blank cells a layout adds around a row's n values (trailing first, then leading)."""
    cells = list(cells)
    while len(cells) > n and cells[-1].kind == "blank":
        cells.pop()
    while len(cells) > n and cells[0].kind == "blank":
        cells.pop(0)
    return cells


def amount(token: Token, metric: str, header_unit: str | None = None) -> Decimal | None:
    """The token's number in the metric's own unit: the cell's unit if it prints one, else the
    unit its column header names (100万 -> 1000000 for an amount in 元; 12.5 under
    采购总金额（万元） -> 125000; 3500 under 本年收费金额（单位：元） -> 0.35 for an amount in 万元)."""
    if token.kind == "blank":
        return Decimal(0)
    if token.kind != "number":
        return None
    number = token.number
    per_unit = vocabulary.metric_unit_in_yuan(metric)
    unit = number.unit or header_unit
    if per_unit is None or unit not in ("万", "万元", "元"):
        return number.value
    in_yuan = number.value * (10_000 if unit.startswith("万") else 1)
    return in_yuan / per_unit


def make_value(part: str, row: str | None, col: str, token: Token, label: str, header_unit: str | None = None) -> Value:
    number = amount(token, col, header_unit) if part == "active" else amount(token, "")
    note = token.number.note if token.number else None
    return Value(part, row, col, number, token.raw.strip(), token.loc, label, note=note)


def inferred_value(part: str, row: str, col: str, number: Decimal, loc: Location, label: str, why: str) -> Value:
    return Value(part, row, col, number, None, loc, label, inferred=True, note=why)


# --- table 二: active disclosure ------------------------------------------------------------


def _metric_patterns() -> list[tuple[str, str]]:
    patterns = []
    for metric in vocabulary.active_metrics():
        for text in metric.labels:
            for form in (text, re.sub(r"[(（][^()（）]*[)）]", "", text)):
                patterns.append((label_key(form), metric.key))
    return sorted(set(patterns), key=lambda p: -len(p[0]))


def find_metrics(label: str) -> list[str]:
    """Column headers named in a label, in printed order (longest name wins an overlap)."""
    key = label_key(label)
    taken = [False] * len(key)
    found: list[tuple[int, str]] = []
    for pattern, metric in _metric_patterns():
        start = key.find(pattern)
        while start >= 0:
            if not any(taken[start : start + len(pattern)]):
                taken[start : start + len(pattern)] = [True] * len(pattern)
                found.append((start, metric))
            start = key.find(pattern, start + 1)
    ordered = []
    for _, metric in sorted(found):
        if metric not in ordered:
            ordered.append(metric)
    return ordered


_UNIT_AFTER = re.compile(r"^(?:单位)?(万元|元)")


def header_units(label: str) -> dict[str, str]:
    """The unit a column header names right after a metric's name: 采购总金额（万元） ->
    {procurement_amount_yuan: 万元}; 本年收费金额（单位：元） -> {fee_amount_10k_yuan: 元}."""
    key = label_key(label)
    units = {}
    for pattern, metric in _metric_patterns():
        start = key.find(pattern)
        if start >= 0 and metric not in units and (m := _UNIT_AFTER.match(key[start + len(pattern) :])):
            units[metric] = m[1]
    return units


def format_of_metrics(metrics: list[str]) -> str | None:
    votes = [vocabulary.metric_formats(m) for m in metrics]
    only = {f[0] for f in votes if len(f) == 1}
    return only.pop() if len(only) == 1 else None


def map_active(section: Section, year: int, out: Mapped) -> None:
    rows = printed_rows(section.rows)
    items = {item.key: item for item in vocabulary.active_items()}
    # The sub-tables （一）…（九） are sometimes printed out of order; their row labels are distinct.
    keys = best_matches([(r.label, r.has_numbers) for r in rows], [(k, i.labels) for k, i in items.items()])
    header: list[str] = []
    units: dict[str, str] = {}
    used_metrics: list[str] = []
    named_metrics: list[str] = []  # the columns printed headers name
    by_year = False  # some row's columns came from the year, not from a header
    for row, key in zip(rows, keys):
        found = find_metrics(row.label)
        if found:
            header, units = found, header_units(row.label)
        if key is None:
            _extra_row(out, "active", row, [f"c{i + 1}" for i in range(len(row.values))])
            continue
        metrics = [m for m in header if set(items[key].sections) & set(vocabulary.item("active_metric", m).sections)]
        if metrics:
            named_metrics.extend(metrics)
        else:
            named = format_of_metrics(header)
            fmt = named or ("2021" if year >= 2021 else "2019")
            by_year = by_year or named is None
            metrics = list(vocabulary.default_metrics(key, fmt))
            out.warnings.append(Warning(f"active.{key}: no column header printed; read as the {fmt} template's {', '.join(metrics)}", row.loc))
        cells = fit(row.values, len(metrics))
        if len(cells) != len(metrics):
            out.warnings.append(Warning(f"active.{key}: {len(cells)} cells for {len(metrics)} columns; read left to right", row.loc))
        for metric, token in zip(metrics, cells):
            out.values.append(make_value("active", key, metric, token, row.printed_label, units.get(metric)))
        used_metrics.extend(metrics)
    fmt = format_of_metrics(used_metrics)
    if fmt:
        out.table_formats["active"] = fmt
        if by_year and format_of_metrics(named_metrics) != fmt:
            out.warnings.append(Warning(f"active: format {fmt} decided by the year {year}: no printed column header names a template's columns", section.loc))


# --- table 三: requests ---------------------------------------------------------------------


def requests_template(rows: list[PrintedRow]) -> tuple[str | None, list[vocabulary.Item]]:
    """The table's format and the template rows for it: the single 2019 （六）其他处理 row or the
    three 2021 sub-rows, whichever the printed labels name (both when neither is printed)."""
    items = list(vocabulary.request_rows())
    keys = {key for key, _ in align([(r.label, r.has_numbers) for r in rows], [(i.key, i.labels) for i in items])}
    fmt = "2021" if any(k and k.startswith("other.") for k in keys) else "2019" if "other" in keys else None
    drop = {"2021": lambda k: k == "other", "2019": lambda k: k.startswith("other."), None: lambda k: False}[fmt]
    return fmt, [i for i in items if not drop(i.key)]


def map_requests(section: Section, out: Mapped) -> None:
    rows = printed_rows(section.rows)
    columns = vocabulary.request_columns()
    fmt, template = requests_template(rows)
    if fmt:
        out.table_formats["requests"] = fmt
    aligned = align([(r.label, r.has_numbers) for r in rows], [(i.key, i.labels) for i in template])
    keys = fill_gaps([(r.label, len(fit(r.values, len(columns)))) for r in rows], aligned, [i.key for i in template], len(columns))
    for row, key, (by_label, _) in zip(rows, keys, aligned):
        if key is not None and key != by_label:
            out.warnings.append(Warning(f"requests.{key}: assigned by row order between labelled rows (printed label: {row.label[-30:]!r})", row.loc))
    placed: dict[str, list[Token]] = {}
    labels: dict[str, PrintedRow] = {}
    stray: list[PrintedRow] = []
    for row, key in zip(rows, keys):
        if key is None:
            if row.has_numbers and len(fit(row.values, len(columns))) < len(columns) - 1:
                stray.append(row)
            else:
                _extra_row(out, "requests", row, list(columns))
            continue
        cells = fit(row.values, len(columns))
        if len(cells) > len(columns):
            out.warnings.append(Warning(f"requests.{key}: {len(cells)} cells for {len(columns)} columns; kept the last {len(columns)}", row.loc))
            cells = cells[-len(columns):]
        placed[key], labels[key] = cells, row
    complete = {k: v for k, v in placed.items() if len(v) == len(columns)}
    values = [make_value("requests", k, c, t, labels[k].printed_label) for k, cells in complete.items() for c, t in zip(columns, cells)]
    short = {k: v for k, v in placed.items() if len(v) < len(columns)}
    values += _place_short_rows(short, labels, values, out)
    values = _place_stray_cells(stray, values, out)
    order = {item.key: n for n, item in enumerate(vocabulary.request_rows())}
    values.sort(key=lambda v: (order[v.row_key], columns.index(v.col_key)))
    out.values += values


def _failures(values: list[Value]) -> int:
    return sum(not c.ok for c in request_checks(tables(values).get("requests", {})))


def _place_stray_cells(stray: list[PrintedRow], values: list[Value], out: Mapped) -> list[Value]:
    """A value printed apart from any row (a lone '1' between labels) was displaced from a
    cell by the extraction. It may fill a cell printed blank, but only where the identities
    then hold better than with the cell left blank; otherwise it is reported and left out."""
    for row in stray:
        for token in row.values:
            if token.kind != "number":
                continue
            blanks = [n for n, v in enumerate(values) if v.raw is not None and not v.raw.strip()]
            baseline = _failures(values)
            best = None
            for n in blanks:
                trial = values[:n] + [make_value("requests", values[n].row_key, values[n].col_key, token, values[n].row_label)] + values[n + 1:]
                score = _failures(trial)
                if score < baseline and (best is None or score < best[0]):
                    best = (score, n, trial)
            if best is None:
                out.warnings.append(Warning(f"requests: value {token.raw!r} printed outside any row; not placed (no blank cell where it makes the identities hold)", token.loc))
                continue
            _, n, values = best
            target = values[n]
            target.note = f"printed apart from its row ({token.loc.describe()}); placed in this blank cell because the identities then hold"
            out.warnings.append(Warning(f"requests.{target.row_key}.{target.col_key}: took the stray value {token.raw!r} printed at {token.loc.describe()}; the cell was blank and the identities hold with it", token.loc))
    return values


def _placements(cells: list[Token], loc: Location, label: str, key: str) -> list[list[Value]]:
    """Every way to put k printed cells into the 7 columns in order; a single gap is
    filled from the row's own total identity (总计 = the six columns), others stay absent."""
    columns = vocabulary.request_columns()
    options = []
    for slots in combinations(range(len(columns)), len(cells)):
        row = {columns[s]: make_value("requests", key, columns[s], t, label) for s, t in zip(slots, cells)}
        missing = [c for c in columns if c not in row]
        if len(missing) == 1 and all(v.value is not None for v in row.values()):
            gap = missing[0]
            applicants = sum((row[c].value for c in columns[:-1] if c in row), Decimal(0))
            number = applicants if gap == "total" else row["total"].value - applicants
            if number < 0:
                continue
            why = f"not printed: the row shows {len(cells)} cells for 7 columns; filled from requests_row_total"
            row[gap] = inferred_value("requests", key, gap, number, loc, label, why)
        options.append([row[c] for c in columns if c in row])
    return options


def _place_short_rows(short: dict[str, list[Token]], labels: dict[str, PrintedRow], known: list[Value], out: Mapped) -> list[Value]:
    """Rows that lost cells: choose, per row, the placement under which most identities hold.

    Identities choose between readings of what is printed; the choice is reported as a warning.
    """
    columns = vocabulary.request_columns()
    options = {
        key: _placements(cells, labels[key].loc, labels[key].printed_label, key)
        or [[make_value("requests", key, c, t, labels[key].printed_label) for c, t in zip(columns, cells)]]
        for key, cells in short.items()
    }

    def best(key: str) -> list[int]:
        """The readings of this row (their indices) under which fewest identities fail, with
        every other row at its chosen reading."""
        others = known + [v for k, i in chosen.items() if k != key for v in options[k][i]]
        scores = [_failures(others + o) for o in options[key]]
        return [i for i, s in enumerate(scores) if s == min(scores)]

    chosen = {key: 0 for key in options}  # the index of each row's reading
    # Each row chooses seeing the others at their chosen reading, pass after pass (a row that
    # changes can change what suits another), until a pass changes nothing, or comes back to
    # choices an earlier pass made: there are finitely many, so this always ends.
    seen: set[tuple[int, ...]] = set()
    while tuple(chosen.values()) not in seen:
        seen.add(tuple(chosen.values()))
        for key in options:
            chosen[key] = best(key)[0]
    choice = {key: options[key][i] for key, i in chosen.items()}
    # The doubt is judged against the final choices: a row's reading is in doubt only when
    # another reading fits them equally well.
    ambiguous = {key for key in options if len({tuple((v.col_key, v.value) for v in options[key][i]) for i in best(key)}) > 1}
    for key, option in choice.items():
        placed = ", ".join(v.col_key + ("*" if v.inferred else "") for v in option)
        doubt = "; several readings fit the identities equally, took the first" if key in ambiguous else ""
        out.warnings.append(Warning(f"requests.{key}: {len(short[key])} cells printed for 7 columns; read as {placed} (* inferred){doubt}", labels[key].loc))
    return [v for option in choice.values() for v in option]


# --- table 四: appeals ----------------------------------------------------------------------


def _appeals_sideways(rows: list[PrintedRow]) -> dict[str, tuple[PrintedRow, list[Token]]]:
    """Table 四 printed turned sideways: one row per group (行政复议 / 未经复议直接起诉 /
    复议后起诉), five outcome cells each; a group's row may be all blank (= 0)."""
    groups = [(item.key, (item.labels[0].split("·")[-1].strip(),)) for item in vocabulary.of_table(vocabulary.APPEAL_GROUPS_TABLE)]
    width = len(vocabulary.appeal_outcomes())
    found = {}
    for row, key in zip(rows, best_matches([(r.label, True) for r in rows], groups)):
        cells = fit(row.values, width)
        if key and len(cells) == width and all(t.kind in ("number", "blank", "na") for t in cells):
            found[key] = (row, cells)
    return found


def map_appeals(section: Section, out: Mapped) -> None:
    rows = printed_rows(section.rows)
    slots = [(g, o) for g in vocabulary.appeal_groups() for o in vocabulary.appeal_outcomes()]
    if not any(row.has_numbers and len(row.values) >= APPEAL_CELLS for row in rows):
        sideways = _appeals_sideways(rows)
        if len(sideways) >= 2 and any(t.kind == "number" for _, cells in sideways.values() for t in cells):
            for group, (row, cells) in sideways.items():
                for outcome, token in zip(vocabulary.appeal_outcomes(), cells):
                    out.values.append(make_value("appeals", group, outcome, token, nfkc(row.printed_label)))
            return
    cells: list[Token] = []
    label = ""
    for row in rows:
        if not row.has_numbers:
            continue
        # One row of 15, or the 15 cells spread over several rows; a row's blank cells count.
        cells += fit(row.values, APPEAL_CELLS) if not cells else row.values
        label = label or row.printed_label
        if len(cells) >= APPEAL_CELLS:
            break
    if len(cells) < APPEAL_CELLS:
        if cells:
            out.warnings.append(Warning(f"appeals: found {len(cells)} of {APPEAL_CELLS} cells; table not read", cells[0].loc))
        return
    if len(cells) > APPEAL_CELLS:
        out.warnings.append(Warning(f"appeals: {len(cells)} cells; read the first {APPEAL_CELLS}", cells[0].loc))
    for (group, outcome), token in zip(slots, cells):
        out.values.append(make_value("appeals", group, outcome, token, nfkc(label)))


def _extra_row(out: Mapped, part: str, row: PrintedRow, columns: list[str]) -> None:
    """A printed row with numbers that is not in the template: kept under its own label."""
    if not any(t.kind == "number" for t in row.values):
        return  # a row of '-' or blanks outside the template is layout debris, not data
    cells = fit(row.values, len(columns))
    for n, token in enumerate(cells):
        col = columns[n] if n < len(columns) else f"c{n + 1}"
        out.values.append(make_value(part, None, col, token, row.printed_label))
    out.warnings.append(Warning(f"{part}: printed row not in the template, kept with its own label: {row.label[:40]!r}", row.loc))


def map_tables(parts: Parts) -> Mapped:
    out = Mapped()
    if "active" in parts.sections:
        map_active(parts.sections["active"], parts.year, out)
    if "requests" in parts.sections:
        map_requests(parts.sections["requests"], out)
    if "appeals" in parts.sections:
        map_appeals(parts.sections["appeals"], out)
    return out
