"""Completion, early warning and retained savings on a hand-computed case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sanyi.kernel.money import Money
from sanyi.procurement.api import Agreement, BatchLevel, completion, elapsed_share, month_ends, savings

AGREEMENT = Agreement(
    "A1",
    BatchLevel.NATIONAL,
    "第七批国家集采",
    "氨氯地平片",
    "XC08CAA040A001010104022",
    winning_price=Decimal("0.1500"),
    previous_price=Decimal("1.2345"),
    start=date(2023, 1, 1),
    end=date(2023, 12, 31),
)


def test_elapsed_share_counts_days_inclusive() -> None:
    # 31 March: 31 + 28 + 31 = 90 of 365 days
    assert elapsed_share(AGREEMENT.start, AGREEMENT.end, date(2023, 3, 31)) == Decimal(90) / Decimal(365)
    assert elapsed_share(AGREEMENT.start, AGREEMENT.end, date(2022, 12, 31)) == 0
    assert elapsed_share(AGREEMENT.start, AGREEMENT.end, date(2024, 6, 1)) == 1


def test_completion_is_pro_rated_by_elapsed_time_and_warns_below_the_threshold() -> None:
    # agreed 3650 a year; by 31 March 90/365 has elapsed, so 3650 × 90/365 = 900 are expected.
    # Purchased 630 → 630 ÷ 900 = 0.70 < 0.80 → warning.
    lagging = completion(
        AGREEMENT,
        "H1",
        Decimal(3650),
        Decimal(630),
        Decimal(200),
        Decimal(5),
        date(2023, 3, 31),
        Decimal("0.80"),
    )
    assert lagging.expected == Decimal("900.00")
    assert lagging.rate == Decimal("0.7000")
    assert lagging.warning
    assert (lagging.non_winning, lagging.substitutes) == (Decimal(200), Decimal(5))
    # Purchased 720 → 720 ÷ 900 = 0.80, exactly at the line → no warning.
    on_track = completion(
        AGREEMENT,
        "H2",
        Decimal(3650),
        Decimal(720),
        Decimal(0),
        Decimal(0),
        date(2023, 3, 31),
        Decimal("0.80"),
    )
    assert on_track.rate == Decimal("0.8000")
    assert not on_track.warning


def test_savings_retained_only_when_completed_and_assessed() -> None:
    # price drop 1.2345 − 0.1500 = 1.0845; savings 1.0845 × 3701 = 4013.7345 → 4013.73 yuan;
    # retained 4013.73 × 0.50 = 2006.865 → 2006.87 yuan (half-up to the fen).
    done = savings(AGREEMENT, "H1", Decimal(3650), Decimal(3701), True, Decimal("0.50"))
    assert done.price_drop == Decimal("1.0845")
    assert done.savings == Money.parse("4013.73")
    assert done.completed
    assert done.retained == Money.parse("2006.87")
    assert "4013.73 × 0.50 = 2006.87" in done.steps[-1]
    # The same purchase without an assessment, or with a failed one, retains nothing.
    assert (
        savings(AGREEMENT, "H1", Decimal(3650), Decimal(3701), None, Decimal("0.50")).retained == Money.zero()
    )
    assert (
        savings(AGREEMENT, "H1", Decimal(3650), Decimal(3701), False, Decimal("0.50")).retained
        == Money.zero()
    )
    # Not completing (3649 < 3650) retains nothing either, though it still saved money.
    short = savings(AGREEMENT, "H1", Decimal(3650), Decimal(3649), True, Decimal("0.50"))
    assert not short.completed
    assert short.savings == Money.parse("3957.34")  # 1.0845 × 3649 = 3957.3405
    assert short.retained == Money.zero()


def test_month_ends_close_each_month_and_stop_at_the_day() -> None:
    assert month_ends(date(2023, 11, 1), date(2024, 2, 10)) == [
        date(2023, 11, 30),
        date(2023, 12, 31),
        date(2024, 1, 31),
        date(2024, 2, 10),
    ]
