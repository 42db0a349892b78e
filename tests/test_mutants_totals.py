"""The rule for printed vs recomputed totals (ogi/totals.py), branch by branch, with the exact
basis and note each reading gets. Written for mutants of scripts/mutation.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ogi.totals import NONE, PRINTED, RECOMPUTED, Basis, appeals_basis, rate, requests_basis

WHY_7_5 = "the printed result rows add up to 5, not （七）总计 7"


@pytest.mark.parametrize(
    "printed, recomputed, basis, note",
    [
        ({}, {}, NONE, "table 三 prints no （七）总计 row"),
        ({"granted": 3}, {"answered": 3}, NONE, "table 三 prints no （七）总计 row"),
        (
            {"answered": 10, "granted": 6, "withheld": 4},
            {"answered": 10, "granted": 6, "withheld": 4},
            PRINTED,
            "the printed totals add up: （七）总计 10 = the result rows",
        ),
        (  # SQLite's floats and ints compare exactly
            {"answered": 10.0, "granted": 6, "withheld": 4.0},
            {},
            PRINTED,
            "the printed totals add up: （七）总计 10 = the result rows",
        ),
        (  # every result row counts: partially_granted, unable, not_processed, other
            {"answered": 10, "partially_granted": 1, "unable": 2, "not_processed": 3, "other": 4},
            {},
            PRINTED,
            "the printed totals add up: （七）总计 10 = the result rows",
        ),
        (
            {"answered": 10, "granted": 6, "withheld": 4},
            {"answered": 10, "granted": 5, "carried_forward": 2, "new_received": None},
            PRINTED,
            "the printed totals add up: （七）总计 10 = the result rows; the applicant columns of "
            "granted, carried_forward add up to another number (see checks)",
        ),
        (  # 上海市人民政府办公厅 2019: 0 in every printed result total, the applicant columns add up
            {"answered": 805, "granted": 0},
            {"answered": 805},
            RECOMPUTED,
            "the printed result rows add up to 0, not （七）总计 805; the applicant columns of the "
            "result rows add up to 805, the printed （七）总计",
        ),
        (
            {"answered": 7, "granted": 5},
            {"answered": 9, "new_received": 10, "carried_over": 1, "carried_forward": 2},
            RECOMPUTED,
            WHY_7_5 + "; the applicant columns add up to 9 answered, which balances "
            "新收 10 + 上年结转 1 = 9 + 结转下年度 2",
        ),
        (  # does not balance
            {"answered": 7, "granted": 5},
            {"answered": 9, "new_received": 10, "carried_over": 2, "carried_forward": 2},
            NONE,
            WHY_7_5 + ", and the applicant columns do not settle it",
        ),
        (  # one balance row missing
            {"answered": 7, "granted": 5},
            {"answered": 9, "new_received": 10, "carried_over": 1},
            NONE,
            WHY_7_5 + ", and the applicant columns do not settle it",
        ),
        (
            {"answered": 7, "granted": 5},
            {"answered": 9, "carried_over": 1, "carried_forward": 2},
            NONE,
            WHY_7_5 + ", and the applicant columns do not settle it",
        ),
        (
            {"answered": 7, "granted": 5},
            {"answered": 9, "new_received": 10, "carried_forward": 2},
            NONE,
            WHY_7_5 + ", and the applicant columns do not settle it",
        ),
        (  # the applicant columns add up to nothing: no basis, even though it would balance
            {"answered": 7, "granted": 5},
            {"answered": 0, "new_received": 0, "carried_over": 0, "carried_forward": 0},
            NONE,
            WHY_7_5 + ", and the applicant columns do not settle it",
        ),
        ({"answered": 1, "granted": 1}, {}, PRINTED, "the printed totals add up: （七）总计 1 = the result rows"),
        (
            {"answered": 1, "granted": 0},
            {"answered": 1},
            RECOMPUTED,
            "the printed result rows add up to 0, not （七）总计 1; the applicant columns of the "
            "result rows add up to 1, the printed （七）总计",
        ),
        ({"answered": 0}, {}, NONE, "no request was answered: a rate of nothing is not 0"),
        ({"answered": 0, "granted": 0}, {"answered": 0}, NONE, "no request was answered: a rate of nothing is not 0"),
        (
            {"answered": 0, "granted": 2},
            {},
            NONE,
            "the printed result rows add up to 2, not （七）总计 0, and the applicant columns do not settle it",
        ),
        (  # printed 0 everywhere but the applicant columns say 4 without balancing
            {"answered": 0},
            {"answered": 4},
            NONE,
            "the printed result rows add up to 0, not （七）总计 0, and the applicant columns do not settle it",
        ),
    ],
)
def test_requests_basis(printed, recomputed, basis, note):
    assert requests_basis(printed, recomputed) == Basis(basis, note)


@pytest.mark.parametrize(
    "groups, basis, note",
    [
        ({}, NONE, "no table 四"),
        ({"reviews": (3, 3), "lawsuits": (2.0, 2)}, PRINTED, "each 总计 equals its outcomes added up"),
        ({"reviews": (3, None)}, PRINTED, "each 总计 equals its outcomes added up"),
        (  # 洪泽区人民政府 2023: 行政复议 总计 0 beside 11 outcomes
            {"reviews": (0, 11), "lawsuits": (2, 2)},
            RECOMPUTED,
            "reviews 总计 0 ≠ outcomes 11: the totals are the outcomes added up",
        ),
        (
            {"reviews": (None, 2), "lawsuits": (5, 4)},
            RECOMPUTED,
            "reviews 总计 ∅ ≠ outcomes 2; lawsuits 总计 5 ≠ outcomes 4: the totals are the outcomes added up",
        ),
    ],
)
def test_appeals_basis(groups, basis, note):
    assert appeals_basis(groups) == Basis(basis, note)


def test_only_the_recomputed_basis_is_recomputed():
    assert Basis(RECOMPUTED, "").recomputed is True
    assert Basis(PRINTED, "").recomputed is False
    assert Basis(NONE, "").recomputed is False


def test_rate_is_a_percentage_of_the_answered_with_one_decimal():
    printed = Basis(PRINTED, "")
    assert rate(2, 3, printed) == 66.7
    assert rate(1, 3, Basis(RECOMPUTED, "")) == 33.3
    assert rate(Decimal(1), Decimal(8), printed) == 12.5
    assert rate(0, 5, printed) == 0.0


def test_no_rate_without_a_basis_or_answered_requests():
    assert rate(1, 3, Basis(NONE, "")) is None
    assert rate(1, 0, Basis(PRINTED, "")) is None
    assert rate(1, None, Basis(PRINTED, "")) is None
    assert rate(None, 3, Basis(PRINTED, "")) is None
