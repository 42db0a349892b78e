"""The identities on the smallest tables that tell each condition apart (ogi/check.py).

Written for mutants of scripts/mutation.py that the other tests left alive: every test names
the exact checks a table must give, so a condition loosened or tightened shows.
"""

from __future__ import annotations

from decimal import Decimal as D

from ogi.check import _get, check, request_checks
from ogi.model import Check, Location, Value

APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org")


def _value(part, row, col, value, raw="1"):
    return Value(part, row, col, value, raw, Location(line=1), "label")


def test_a_row_the_table_does_not_have_counts_as_zero():
    assert _get({}, "granted", "total") == 0
    assert _get({"granted": {}}, "granted", "total") == 0


def test_no_values_no_checks():
    assert check([]) == []


def test_appeals_alone_give_only_appeal_checks():
    values = [_value("appeals", "review", "upheld", D(2)), _value("appeals", "review", "total", D(2))]
    assert check(values) == [Check("appeals_total", "review", D(2), D(2))]


def test_requests_alone_give_only_request_checks():
    values = [_value("requests", "granted", "total", D(5))]
    assert check(values) == [Check("requests_row_total", "granted", D(5), D(0))]


def test_a_row_that_prints_only_its_total_is_checked_against_zero_applicants():
    # No 总计 row: no results_sum; no balance rows: no balance; the row's own total is checked.
    assert request_checks({"granted": {"total": D(5)}}) == [Check("requests_row_total", "granted", D(5), D(0))]


def test_a_row_that_prints_every_applicant_but_no_total_is_checked():
    row = {c: D(1) for c in APPLICANTS}
    assert request_checks({"granted": row}) == [Check("requests_row_total", "granted", D(0), D(6))]


def test_a_row_with_neither_total_nor_applicants_is_not_checked():
    assert request_checks({"granted": {"unknown_column": D(3)}}) == []


def test_balance_is_checked_when_the_table_has_exactly_its_four_rows():
    rows = {"new_received": {"total": D(4)}, "carried_over": {"total": D(1)}, "total": {"total": D(3)}, "carried_forward": {"total": D(2)}}
    balance = [c for c in request_checks(rows) if c.identity == "requests_balance"]
    assert [(c.key, c.lhs, c.rhs) for c in balance] == [
        (col, D(5) if col == "total" else D(0), D(5) if col == "total" else D(0))
        for col in APPLICANTS + ("total",)
    ]


def test_not_applicable_values_leave_the_row_out_of_the_checks():
    # '/' printed in a row's total: value None -> the row is not in the tables, nothing to check.
    assert check([_value("requests", "granted", "total", None, raw="/")]) == []
    # A value of a printed row that is not in the template (row_key None) is never checked.
    assert check([_value("requests", None, "total", D(3))]) == []
