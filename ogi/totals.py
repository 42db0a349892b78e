"""Printed totals against totals recomputed from their parts, and which of them a report's
rates rest on.

In: for one report, two readings of every total of table 三 and table 四, keyed by the
summary's column names (``granted``, ``withheld``, ``answered``, ``reviews`` …): as printed
(its 总计 cell) and recomputed (the sum of its parts: a row's six applicant columns; for
``answered`` the result rows; for an appeal group its four outcomes). A reading is None when
nothing of it was printed.

Out: a ``Basis`` per table: which reading its totals and rates use and why, in numbers.

The rule (README, "Printed or recomputed"), one for every report:

- table 三 uses the printed totals when they add up: （七）总计 is above 0 and equals the sum
  of the printed result rows (（二）…（六）). Rows whose applicant columns disagree with their
  printed 总计 are named in the note, but the printed totals stay.
- Otherwise it uses the recomputed totals, when they are sound: answered, recomputed, is above 0
  and either equals the printed （七）总计 or balances the table (新收 + 上年结转 = answered +
  结转下年度, all recomputed).
- Otherwise none: the totals shown are the printed ones and every rate is empty, never 0.
- table 四 uses each group's printed 总计 when it equals its four outcomes added up; when one
  does not, the outcomes added up (the corrected-outcome figures are outcomes, so the total
  must be made of them too).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .text import plain

PRINTED, RECOMPUTED, NONE = "printed", "recomputed", "none"
SMALL_DENOMINATOR = 10  # answered below this: a rate says little (README)

# The rows of table 三 that are not results: the rest add up to （七）总计.
REQUEST_BALANCE_ROWS = ("new_received", "carried_over", "total", "carried_forward")
REQUEST_TOTALS = (
    "new_received", "carried_over", "granted", "partially_granted", "withheld", "unable",
    "not_processed", "other", "answered", "carried_forward",
)
RESULT_TOTALS = ("granted", "partially_granted", "withheld", "unable", "not_processed", "other")
APPEAL_TOTALS = ("reviews", "lawsuits")

Readings = dict[str, "Decimal | int | float | None"]


@dataclass(frozen=True)
class Basis:
    basis: str  # printed, recomputed, none
    note: str

    @property
    def recomputed(self) -> bool:
        return self.basis == RECOMPUTED


def _decimals(readings: Readings) -> dict[str, Decimal | None]:
    # SQLite gives ints and floats; compare them exactly.
    return {k: None if v is None else Decimal(str(v)) for k, v in readings.items()}


def _sum(readings: dict, keys) -> Decimal:
    return sum((readings.get(k) or Decimal(0) for k in keys), Decimal(0))


def _n(x: Decimal | None) -> str:
    return "∅" if x is None else str(plain(x))


def requests_basis(printed: Readings, recomputed: Readings) -> Basis:
    printed, recomputed = _decimals(printed), _decimals(recomputed)
    answered = printed.get("answered")
    if answered is None:
        return Basis(NONE, "table 三 prints no （七）总计 row")
    results = _sum(printed, RESULT_TOTALS)
    if answered > 0 and answered == results:
        differ = [k for k in REQUEST_TOTALS if recomputed.get(k) is not None and recomputed[k] != printed.get(k)]
        note = f"the printed totals add up: （七）总计 {_n(answered)} = the result rows"
        if differ:
            note += "; the applicant columns of " + ", ".join(differ) + " add up to another number (see checks)"
        return Basis(PRINTED, note)
    why = f"the printed result rows add up to {_n(results)}, not （七）总计 {_n(answered)}"
    answered_parts = recomputed.get("answered")
    if answered_parts is not None and answered_parts > 0:
        if answered_parts == answered:
            return Basis(RECOMPUTED, f"{why}; the applicant columns of the result rows add up to {_n(answered_parts)}, the printed （七）总计")
        balance = [recomputed.get(k) for k in ("new_received", "carried_over", "carried_forward")]
        if None not in balance and balance[0] + balance[1] == answered_parts + balance[2]:
            return Basis(
                RECOMPUTED,
                f"{why}; the applicant columns add up to {_n(answered_parts)} answered, which balances "
                f"新收 {_n(balance[0])} + 上年结转 {_n(balance[1])} = {_n(answered_parts)} + 结转下年度 {_n(balance[2])}",
            )
    if answered == 0 and results == 0 and not answered_parts:
        return Basis(NONE, "no request was answered: a rate of nothing is not 0")
    return Basis(NONE, f"{why}, and the applicant columns do not settle it")


def appeals_basis(groups: dict[str, tuple]) -> Basis:
    """``groups``: appeal group -> (printed 总计, its outcomes added up), as table 四 prints them."""
    if not groups:
        return Basis(NONE, "no table 四")
    groups = {g: tuple(None if x is None else Decimal(str(x)) for x in pair) for g, pair in groups.items()}
    differ = [f"{g} 总计 {_n(p)} ≠ outcomes {_n(r)}" for g, (p, r) in groups.items() if r is not None and p != r]
    if differ:
        return Basis(RECOMPUTED, "; ".join(differ) + ": the totals are the outcomes added up")
    return Basis(PRINTED, "each 总计 equals its outcomes added up")


def rate(numerator, answered, basis: Basis) -> float | None:
    """A percentage of the requests answered, one decimal; None without a sound basis."""
    if basis.basis == NONE or not answered or numerator is None:
        return None
    return round(100.0 * float(numerator) / float(answered), 1)
