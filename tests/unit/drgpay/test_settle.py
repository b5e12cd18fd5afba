"""Point value, 结余留用/超支分担 with the reserve, deductions, assessment, monthly prepayment."""

from datetime import date
from decimal import Decimal

import pytest

from sanyi.drgpay.api import (
    CasePoints,
    HospitalInput,
    Stay,
    build_base_points,
    coefficients,
    monthly_prepayments,
    pool,
    price_stays,
    settle,
)
from sanyi.kernel.errors import DomainError
from tests.unit.drgpay.helpers import P, X, Y, rules, stay, worked_history


def _year() -> tuple[list[Stay], list[CasePoints]]:
    policy = rules()
    table, _ = build_base_points(worked_history(), [2023], policy)
    coefs = coefficients(worked_history(), [2023], table, {"A": "tertiary", "B": "secondary"}, policy)
    stays = []
    for n in range(300):
        drg, cost = ((X, 20_000 + 37 * n), (Y, 3_000 + n), (P, 9_000 + 11 * n))[n % 3]
        stays.append(
            stay(
                f"s{n}",
                drg,
                cost,
                hospital="ABC"[n % 7 % 3],
                person=f"p{n}",
                burden_yuan=cost // 7,
                admitted=date(2023, 1 + n % 12, 1 + n % 28),
            )
        )
    cases, _ = price_stays(stays, table, coefs, {"A": "tertiary", "B": "secondary", "C": "first"}, policy)
    return stays, cases


def test_fund_due_plus_self_burden_is_the_budget_plus_self_burden_to_the_cent() -> None:
    stays, cases = _year()
    budget = 4_321_987_65
    result = settle("2023", cases, stays, budget, rules())
    burden = sum(s.self_burden_fen for s in stays)
    due = sum(h.fund_due_fen for h in result.hospitals.values())
    assert due + burden == budget + burden
    assert sum(h.gross_fen for h in result.hospitals.values()) == budget + burden


def test_monthly_prepayments_and_year_end_add_up_to_fund_due() -> None:
    stays, cases = _year()
    policy = rules()
    budget = 4_000_000_00
    months = {}
    for month in range(1, 13):
        ids = {
            s.id
            for s in stays
            if s.discharged.month == month or (s.admitted.month == month and s.discharged.year > 2023)
        }
        m_stays = [s for s in stays if s.id in ids]
        months[month] = settle(
            f"2023-{month:02d}", [c for c in cases if c.stay_id in ids], m_stays, budget // 12, policy
        )
    paid = monthly_prepayments(months, policy)
    some = next(iter(paid.values()))
    month, settlement = next(iter(sorted(months.items())))
    hospital = next(iter(settlement.hospitals))
    assert paid[hospital][month] == int(
        (settlement.hospitals[hospital].fund_due_fen * Decimal("0.85")).to_integral_value(
            rounding="ROUND_HALF_UP"
        )
    )
    assert some
    inputs = {h: HospitalInput(prepaid_fen=sum(v.values())) for h, v in paid.items()}
    year = settle("2023", cases, stays, budget, policy, inputs)
    for h, statement in year.hospitals.items():
        assert statement.prepaid_fen + statement.settlement_fen == statement.fund_due_fen
        assert statement.prepaid_fen == sum(paid[h].values())


def test_surplus_is_partly_retained_and_overrun_shared_up_to_the_reserve() -> None:
    policy = rules(
        reserve_ratio=Decimal("0.05"),
        surplus_retain_ratio=Decimal("0.6"),
        overspend_share_ratio=Decimal("0.5"),
    )
    surplus = pool("2023", 100_000_00, 80_000_00, 10_000_00, Decimal(1000), policy)
    assert (surplus.reserve_fen, surplus.surplus_fen, surplus.retained_fen) == (5_000_00, 15_000_00, 9_000_00)
    assert surplus.distributable_fen == 89_000_00
    assert surplus.point_value == Decimal("99")  # (89,000 + 10,000) ÷ 1,000
    small = pool("2023", 100_000_00, 99_000_00, 0, Decimal(1000), policy)
    assert (small.overrun_fen, small.shared_fen, small.distributable_fen) == (4_000_00, 2_000_00, 97_000_00)
    large = pool("2023", 100_000_00, 130_000_00, 0, Decimal(1000), policy)
    assert large.shared_fen == 5_000_00  # half of 35,000 capped at the reserve
    assert large.distributable_fen == 100_000_00
    assert any("超支" in step for step in large.steps_zh)


def test_sharing_keeps_the_pool_exact() -> None:
    stays, cases = _year()
    policy = rules(
        reserve_ratio=Decimal("0.05"),
        surplus_retain_ratio=Decimal("0.6"),
        overspend_share_ratio=Decimal("0.5"),
    )
    result = settle("2023", cases, stays, 3_000_000_00, policy)
    burden = sum(s.self_burden_fen for s in stays)
    assert sum(h.fund_due_fen for h in result.hospitals.values()) == result.pool.distributable_fen
    assert sum(h.gross_fen for h in result.hospitals.values()) == result.pool.distributable_fen + burden


def test_deductions_and_assessment_are_withheld() -> None:
    stays, cases = _year()
    plain = settle("2023", cases, stays, 3_000_000_00, rules())
    inputs = {"A": HospitalInput(deductions_fen=12_345), "B": HospitalInput(assessment=Decimal("0.95"))}
    result = settle("2023", cases, stays, 3_000_000_00, rules(), inputs)
    a, b = plain.hospitals["A"], plain.hospitals["B"]
    assert result.hospitals["A"].fund_due_fen == a.fund_due_fen - 12_345
    assert result.hospitals["B"].fund_due_fen == int(
        (b.fund_due_fen * Decimal("0.95")).to_integral_value(rounding="ROUND_HALF_UP")
    )
    assert result.withheld_fen == 12_345 + b.fund_due_fen - result.hospitals["B"].fund_due_fen


@pytest.mark.parametrize(("budget", "code"), [(0, "DRGPAY_INVALID_BUDGET"), (-5, "DRGPAY_INVALID_BUDGET")])
def test_a_budget_of_zero_is_refused(budget: int, code: str) -> None:
    with pytest.raises(DomainError) as error:
        pool("2023", budget, 0, 0, Decimal(1), rules())
    assert error.value.code == code


def test_no_points_is_refused() -> None:
    with pytest.raises(DomainError) as error:
        pool("2023-02", 100, 0, 0, Decimal(0), rules())
    assert error.value.code == "DRGPAY_NO_POINTS"
