"""The worked example of drg-payment.md, exactly."""

from decimal import Decimal

from sanyi.drgpay.api import (
    HospitalInput,
    build_base_points,
    coefficients,
    price_stays,
    settle,
)
from sanyi.drgpay.model import HIGH_COST, INCOMPLETE, NORMAL, PER_DIEM, CasePoints
from tests.unit.drgpay.helpers import P, X, rules, stay, worked_history

LEVELS = {"A": "tertiary", "B": "secondary"}


def _points() -> list[CasePoints]:
    policy = rules()
    table, issues = build_base_points(worked_history(), [2023], policy)
    assert issues == []
    assert table.region_mean_fen == Decimal(1_000_000)
    assert table.groups[X].base_points == Decimal(250)
    assert table.groups[P].base_points == Decimal(8)
    coefs = coefficients(worked_history(), [2023], table, LEVELS, policy)
    assert coefs[("A", X)] == Decimal("1.05")
    stays = [
        stay("normal"),
        stay("incomplete", cost_yuan=5_000, discharge="4"),
        stay("high", cost_yuan=90_000),
        stay("perdiem", P, 24_000, los=30),
    ]
    cases, issues = price_stays(stays, table, coefs, LEVELS, policy)
    assert issues == []
    return cases


def test_case_points_of_the_worked_example() -> None:
    normal, incomplete, high, per_diem = _points()
    assert (normal.kind, normal.points) == (NORMAL, Decimal("262.5"))
    assert (incomplete.kind, incomplete.points) == (INCOMPLETE, Decimal("52.5"))
    assert (high.kind, high.points, high.cost_ratio) == (HIGH_COST, Decimal("412.5"), Decimal("3.6"))
    assert (per_diem.kind, per_diem.points) == (PER_DIEM, Decimal(240))
    assert "262.5 + (3.6 − 3) × 250" not in high.reason_zh  # the formula is written from its parts
    assert "250 × 1.05 + (3.6 − 3) × 250 = 412.5" in high.reason_zh
    assert "8 × 30 天 = 240" in per_diem.reason_zh


def test_year_end_of_the_worked_example() -> None:
    # 1.0 bn fund + 0.35 bn self-burden over 12 M points; hospital A has 400,000 points.
    cases = [
        CasePoints("a", "A", X, NORMAL, Decimal(400_000), "", ""),
        CasePoints("o", "others", X, NORMAL, Decimal(11_600_000), "", ""),
    ]
    stays = [
        stay("a", burden_yuan=12_000_000, hospital="A"),
        stay("o", burden_yuan=338_000_000, hospital="others"),
    ]
    result = settle(
        "2023",
        cases,
        stays,
        budget_fen=1_000_000_000_00,
        rules=rules(),
        inputs={"A": HospitalInput(prepaid_fen=30_000_000_00)},
        fund_cost_fen=1_000_000_000_00,
    )
    assert result.pool.point_value == Decimal("112.5")
    a = result.hospitals["A"]
    assert a.gross_fen == 45_000_000_00
    assert a.fund_due_fen == 33_000_000_00
    assert a.settlement_fen == 3_000_000_00
