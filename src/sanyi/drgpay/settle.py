"""Point value and settlement: 总额预算 → 月度预拨 → 年终清算.

The money shared by points is the budget less the reserve, adjusted by 结余留用/超支分担 against what
the stays would have cost the fund item by item; point value = (that money + patients' self-burden) ÷
total points. Each hospital's gross is allocated to the fen in proportion to its points, so the shares
add up to the pool exactly; fund due = gross − self-burden, scaled by the assessment coefficient, less
audit deductions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from sanyi.drgpay.errors import DRGPAY_INVALID_BUDGET, DRGPAY_NO_POINTS
from sanyi.drgpay.model import (
    ONE,
    CasePoints,
    HospitalInput,
    HospitalStatement,
    PoolStatement,
    Settlement,
    Stay,
    yuan,
)
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money, allocate
from sanyi.knowledge.policies import DrgPaymentRules

VALUE_PLACES = Decimal("0.000001")


def _fen(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pool(
    period: str,
    budget_fen: int,
    fund_cost_fen: int,
    self_burden_fen: int,
    total_points: Decimal,
    rules: DrgPaymentRules,
) -> PoolStatement:
    """The money shared by points and the point value of one period."""
    if budget_fen <= 0:
        raise DomainError(DRGPAY_INVALID_BUDGET, budget=str(yuan(budget_fen)))
    if total_points <= 0:
        raise DomainError(DRGPAY_NO_POINTS, period=period)
    reserve = _fen(budget_fen * rules.reserve_ratio)
    base = budget_fen - reserve
    surplus = max(base - fund_cost_fen, 0)
    overrun = max(fund_cost_fen - base, 0)
    retained = _fen(surplus * rules.surplus_retain_ratio)
    shared = min(_fen(overrun * rules.overspend_share_ratio), reserve)
    distributable = fund_cost_fen + retained if surplus else base + shared
    value = (Decimal(distributable + self_burden_fen) / 100 / total_points).quantize(
        VALUE_PLACES, ROUND_HALF_UP
    )
    zh = [
        f"预算 {yuan(budget_fen)} 元，提取调剂金 {yuan(reserve)} 元（{rules.reserve_ratio}），"
        f"可分配基数 {yuan(base)} 元",
        f"按项目计算的统筹基金支出 {yuan(fund_cost_fen)} 元",
        (
            f"结余 {yuan(surplus)} 元，医院留用 {rules.surplus_retain_ratio}：{yuan(retained)} 元"
            if surplus
            else f"超支 {yuan(overrun)} 元，基金分担 {rules.overspend_share_ratio}（以调剂金为限）："
            f"{yuan(shared)} 元"
        ),
        f"按点数分配的基金 {yuan(distributable)} 元 + 参保人自付 {yuan(self_burden_fen)} 元",
        f"点值 = {yuan(distributable + self_burden_fen)} ÷ {total_points} 点 = {value} 元/点",
    ]
    en = [
        f"budget {yuan(budget_fen)}, reserve {yuan(reserve)} ({rules.reserve_ratio}), base {yuan(base)}",
        f"fund cost item by item {yuan(fund_cost_fen)}",
        (
            f"surplus {yuan(surplus)}, hospitals keep {rules.surplus_retain_ratio}: {yuan(retained)}"
            if surplus
            else f"overrun {yuan(overrun)}, fund shares {rules.overspend_share_ratio} "
            f"(up to the reserve): {yuan(shared)}"
        ),
        f"fund shared by points {yuan(distributable)} + patients' self-burden {yuan(self_burden_fen)}",
        f"point value = {yuan(distributable + self_burden_fen)} ÷ {total_points} points = {value} per point",
    ]
    return PoolStatement(
        period,
        budget_fen,
        reserve,
        fund_cost_fen,
        surplus,
        overrun,
        retained,
        shared,
        distributable,
        self_burden_fen,
        total_points,
        value,
        tuple(zh),
        tuple(en),
    )


def settle(
    period: str,
    cases: Iterable[CasePoints],
    stays: Iterable[Stay],
    budget_fen: int,
    rules: DrgPaymentRules,
    inputs: Mapping[str, HospitalInput] | None = None,
    *,
    fund_cost_fen: int | None = None,
) -> Settlement:
    """Every hospital's statement for one period (a year, or a month with a twelfth of the budget).

    ``fund_cost_fen`` defaults to Σ (cost − self-burden) of the stays."""
    inputs = inputs or {}
    points: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    for case in cases:
        points[case.hospital] += case.points
        counts[case.hospital] += 1
    burden: dict[str, int] = defaultdict(int)
    cost = 0
    for stay in stays:
        burden[stay.hospital] += stay.self_burden_fen
        cost += stay.cost_fen - stay.self_burden_fen
    hospitals = sorted(points.keys() | burden.keys())
    total_points = sum(points.values(), Decimal(0))
    total_burden = sum(burden.values())
    statement = pool(
        period,
        budget_fen,
        cost if fund_cost_fen is None else fund_cost_fen,
        total_burden,
        total_points,
        rules,
    )
    shares = allocate(Money(statement.distributable_fen + total_burden), [points[h] for h in hospitals])
    result: dict[str, HospitalStatement] = {}
    withheld = 0
    for hospital, share in zip(hospitals, shares, strict=True):
        given = inputs.get(hospital, HospitalInput())
        before = share.fen - burden[hospital]
        scaled = before if given.assessment == ONE else _fen(before * given.assessment)
        due = scaled - given.deductions_fen
        withheld += before - due
        result[hospital] = HospitalStatement(
            hospital,
            counts[hospital],
            points[hospital],
            share.fen,
            burden[hospital],
            given.assessment,
            given.deductions_fen,
            due,
            given.prepaid_fen,
            due - given.prepaid_fen,
        )
    return Settlement(statement, result, withheld)


def monthly_prepayments(
    monthly: Mapping[int, Settlement], rules: DrgPaymentRules
) -> dict[str, dict[int, int]]:
    """月度预拨: each month, the prepayment share of a hospital's interim fund due (never negative)."""
    paid: dict[str, dict[int, int]] = defaultdict(dict)
    for month, settlement in sorted(monthly.items()):
        for hospital, statement in settlement.hospitals.items():
            paid[hospital][month] = max(_fen(statement.fund_due_fen * rules.prepayment_share), 0)
    return dict(paid)
