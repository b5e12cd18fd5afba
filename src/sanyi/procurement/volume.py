"""Volume-based procurement (带量采购): completion pro-rated by elapsed time, early warning, and the
savings an institution retains (结余留用). Pure and exact: volumes and prices are Decimals, amounts
Money rounded half-up to the fen once, where they are stated."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from sanyi.kernel.money import Money
from sanyi.procurement.model import Agreement, Completion, Savings

RATE: Final = Decimal("0.0001")
_ASSESSED: Final = {True: "通过 passed", False: "未通过 failed", None: "未考核 not assessed"}


def elapsed_share(start: date, end: date, as_of: date) -> Decimal:
    """Days of the period up to and including ``as_of`` ÷ days of the period (0 before, 1 after)."""
    if as_of < start:
        return Decimal(0)
    days = (end - start).days + 1
    done = min((as_of - start).days + 1, days)
    return Decimal(done) / Decimal(days)


def completion(
    agreement: Agreement,
    institution: str,
    agreed: Decimal,
    purchased: Decimal,
    non_winning: Decimal,
    substitutes: Decimal,
    as_of: date,
    warning_ratio: Decimal,
) -> Completion:
    """Completion of the agreed volume as of a day: purchased ÷ (agreed × elapsed share).

    A warning is raised when it falls below ``warning_ratio`` (early warning, 进度滞后预警).
    """
    elapsed = elapsed_share(agreement.start, agreement.end, as_of)
    expected = agreed * elapsed
    rate = (purchased / expected).quantize(RATE) if expected > 0 else Decimal(0)
    return Completion(
        agreement_id=agreement.id,
        institution=institution,
        as_of=as_of,
        agreed=agreed,
        elapsed=elapsed.quantize(RATE),
        expected=expected.quantize(Decimal("0.01")),
        purchased=purchased,
        non_winning=non_winning,
        substitutes=substitutes,
        rate=rate,
        warning=expected > 0 and rate < warning_ratio,
    )


def savings(
    agreement: Agreement,
    institution: str,
    agreed: Decimal,
    purchased: Decimal,
    passed: bool | None,
    retained_share: Decimal,
) -> Savings:
    """结余留用: (previous average price − winning price) × purchased volume; the institution keeps
    ``retained_share`` of it only when it purchased at least the agreed volume and passed assessment."""
    drop = agreement.previous_price - agreement.winning_price
    amount = Money.of(drop * purchased) if drop > 0 else Money.zero()
    completed = purchased >= agreed
    eligible = completed and passed is True
    retained = amount.times(retained_share) if eligible else Money.zero()
    steps = (
        f"价差 price drop = {agreement.previous_price} − {agreement.winning_price} = {drop}",
        f"节约 savings = {drop} × {purchased} = {amount.yuan}",
        f"完成 completed = {purchased} ≥ {agreed}: {'是 yes' if completed else '否 no'}",
        f"考核 assessment: {_ASSESSED[passed]}",
        f"留用 retained = {amount.yuan} × {retained_share} = {retained.yuan}"
        if eligible
        else "留用 retained = 0（未完成或未通过考核 not completed or not passed）",
    )
    return Savings(
        agreement_id=agreement.id,
        institution=institution,
        purchased=purchased,
        price_drop=drop,
        savings=amount,
        completed=completed,
        passed=passed,
        retained=retained,
        steps=steps,
    )


def month_ends(start: date, end: date) -> list[date]:
    """The last day of each month from ``start`` to ``end`` (``end`` itself closes the list)."""
    days = []
    cursor = start
    while cursor <= end:
        following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        days.append(min(following - timedelta(days=1), end))
        cursor = following
    return days
