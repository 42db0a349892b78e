"""The identities the numbers of a report must satisfy (report-format.md).

In: values as nested dicts ``{row: {column: Decimal}}`` per table. Out: one ``Check`` per
identity and key, holding or not. A report that breaks one is kept as printed: checks
describe it, they never change it.

requests_balance      per column: 新收 + 上年结转 = 总计 + 结转下年度
requests_results_sum  per column: 总计 = sum of the result rows
requests_row_total    per row:    总计 column = sum of the six applicant columns
appeals_total         per group:  总计 = 维持 + 纠正 + 其他 + 尚未审结
"""

from __future__ import annotations

from decimal import Decimal

from . import vocabulary
from .model import Check, Value

Table = dict[str, dict[str, Decimal]]
ZERO = Decimal(0)


def _get(table: Table, row: str, col: str) -> Decimal:
    return table.get(row, {}).get(col) or ZERO


def request_checks(requests: Table) -> list[Check]:
    checks = []
    columns = vocabulary.request_columns()
    if {"new_received", "carried_over", "total", "carried_forward"} <= requests.keys():
        for c in columns:
            lhs = _get(requests, "new_received", c) + _get(requests, "carried_over", c)
            rhs = _get(requests, "total", c) + _get(requests, "carried_forward", c)
            checks.append(Check("requests_balance", c, lhs, rhs))
    results = [r for r in vocabulary.result_rows() if r in requests]
    if "total" in requests and results:
        for c in columns:
            checks.append(Check("requests_results_sum", c, _get(requests, "total", c), sum((_get(requests, r, c) for r in results), ZERO)))
    applicants = columns[:-1]
    for row in requests:
        if "total" in requests[row] or any(c in requests[row] for c in applicants):
            checks.append(Check("requests_row_total", row, _get(requests, row, "total"), sum((_get(requests, row, c) for c in applicants), ZERO)))
    return checks


def appeal_checks(appeals: Table) -> list[Check]:
    outcomes = [o for o in vocabulary.appeal_outcomes() if o != "total"]
    return [
        Check("appeals_total", group, _get(appeals, group, "total"), sum((_get(appeals, group, o) for o in outcomes), ZERO))
        for group in vocabulary.appeal_groups()
        if group in appeals
    ]


def tables(values: list[Value]) -> dict[str, Table]:
    """Values of the template rows, as {part: {row: {column: number}}} (blank = 0, n/a absent)."""
    out: dict[str, Table] = {}
    for v in values:
        if v.row_key is not None and v.value is not None:
            out.setdefault(v.part, {}).setdefault(v.row_key, {})[v.col_key] = v.value
    return out


def check(values: list[Value]) -> list[Check]:
    by_part = tables(values)
    return request_checks(by_part.get("requests", {})) + appeal_checks(by_part.get("appeals", {}))
