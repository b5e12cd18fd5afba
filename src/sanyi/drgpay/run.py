"""One payment run: base points from history, coefficients, case points, monthly prepayments and the
year-end (or one month's interim) settlement — the engine's steps in the order of the Zhejiang cycle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sanyi.drgpay.errors import DRGPAY_NO_POINTS
from sanyi.drgpay.model import (
    BasePointTable,
    CasePoints,
    HistoryCase,
    HospitalInput,
    Review,
    Settlement,
    Stay,
)
from sanyi.drgpay.points import price_stays
from sanyi.drgpay.settle import monthly_prepayments, settle
from sanyi.drgpay.weights import build_base_points, coefficients
from sanyi.kernel.errors import DomainError, Issue
from sanyi.knowledge.policies import DrgPaymentRules

MONTHS = range(1, 13)


@dataclass(frozen=True, slots=True)
class PaymentRun:
    year: int
    month: int | None
    table: BasePointTable
    cases: list[CasePoints]
    stays: list[Stay]
    settlement: Settlement
    prepayments: Mapping[str, Mapping[int, int]]
    issues: list[Issue]


def pay(
    history: Sequence[HistoryCase],
    history_years: Sequence[int],
    stays: Sequence[Stay],
    levels: Mapping[str, str | None],
    rules: DrgPaymentRules,
    *,
    year: int,
    budget_fen: int,
    month: int | None = None,
    reviews: Mapping[str, Review] | None = None,
    inputs: Mapping[str, HospitalInput] | None = None,
) -> PaymentRun:
    """Pay the stays discharged in ``year`` (or in one month of it, on a twelfth of the budget)."""
    table, issues = build_base_points(history, history_years, rules)
    coefs = coefficients(history, history_years, table, levels, rules)
    in_year = [s for s in stays if s.discharged.year == year]
    cases, point_issues = price_stays(in_year, table, coefs, levels, rules, reviews)
    issues += point_issues
    by_stay = {case.stay_id: case for case in cases}
    monthly: dict[int, Settlement] = {}
    for m in MONTHS if month is None else (month,):
        chosen = [s for s in in_year if s.discharged.month == m]
        if not chosen:
            continue
        try:
            monthly[m] = settle(
                f"{year}-{m:02d}", [by_stay[s.id] for s in chosen], chosen, budget_fen // 12, rules
            )
        except DomainError as error:
            if month is not None or error.code != DRGPAY_NO_POINTS.code:
                raise
            issues.append(error.as_issue(field_name=f"{year}-{m:02d}"))  # no prepayment that month
    prepaid = monthly_prepayments(monthly, rules)
    if month is not None:
        only = monthly.get(month)
        if only is None:
            only = settle(f"{year}-{month:02d}", [], [], budget_fen // 12, rules)  # raises: no points
        return PaymentRun(
            year,
            month,
            table,
            [by_stay[s.id] for s in in_year if s.discharged.month == month],
            [s for s in in_year if s.discharged.month == month],
            only,
            prepaid,
            issues,
        )
    given = dict(inputs or {})
    for hospital, months in prepaid.items():
        before = given.get(hospital, HospitalInput())
        given[hospital] = HospitalInput(sum(months.values()), before.deductions_fen, before.assessment)
    year_end = settle(str(year), cases, in_year, budget_fen, rules, given)
    return PaymentRun(year, None, table, cases, in_year, year_end, prepaid, issues)
