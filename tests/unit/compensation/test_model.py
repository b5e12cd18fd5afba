"""The mark-up compensation calculation against a case worked by hand, to the fen."""

from datetime import date

import pytest

from sanyi.compensation.api import calculate, months_in_force, top_up_months
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.knowledge.compensation import load_rules

RULES = load_rules("harbin-2017")


def test_hand_computed_2017_case_with_top_up_pro_rated_by_month() -> None:
    # 2016 drug cost 12,345,678.91 (西药 + 中成药). Full-year loss: × 15 % = 1,851,851.8365 → 1,851,851.84.
    # Reform from 2017-08-01: E = 5 months (Aug–Dec); due for 2017: × 5 ÷ 12 = 771,604.9333… → 771,604.93.
    # Price 80 %: 617,283.944 → 617,283.94; government 15 %: 115,740.7395 → 115,740.74;
    # hospital the remainder 38,580.25. Prices adjusted 2017-10-15: Aug, Sep, Oct uncovered → m = 3;
    # top-up 617,283.94 × 3 ÷ 5 = 370,370.364 → 370,370.36; prices carry 246,913.58;
    # government in total 115,740.74 + 370,370.36 = 486,111.10.
    result = calculate(RULES, 2017, Money.parse("12345678.91"), date(2017, 10, 15))
    assert result.annual_loss == Money.parse("1851851.84")
    assert result.months_in_force == 5
    assert result.loss == Money.parse("771604.93")
    assert result.price_share == Money.parse("617283.94")
    assert result.government_share == Money.parse("115740.74")
    assert result.hospital_share == Money.parse("38580.25")
    assert result.top_up_months == 3
    assert result.top_up == Money.parse("370370.36")
    assert result.price_borne == Money.parse("246913.58")
    assert result.government_total == Money.parse("486111.10")
    assert result.price_share + result.government_share + result.hospital_share == result.loss
    assert [s.key for s in result.steps][:3] == ["drug_cost", "annual_loss", "months_in_force"]
    assert all(s.source for s in result.steps if s.key in ("annual_loss", "price_share", "top_up"))


def test_a_full_year_after_the_reform_without_price_adjustment_is_all_top_up() -> None:
    result = calculate(RULES, 2018, Money.parse("1000000.00"))
    assert result.months_in_force == 12
    assert result.loss == Money.parse("150000.00")
    assert result.top_up_months == 12
    assert result.top_up == result.price_share == Money.parse("120000.00")
    assert result.price_borne == Money(0)


@pytest.mark.parametrize(
    ("first", "year", "adjusted", "months"),
    [
        (8, 2017, date(2017, 10, 1), 2),  # effective on the 1st: October is covered
        (8, 2017, date(2017, 10, 2), 3),  # a partial month counts whole
        (8, 2017, date(2017, 7, 20), 0),  # before the months in force
        (1, 2018, date(2017, 12, 1), 0),  # adjusted in an earlier year
        (1, 2018, date(2019, 3, 1), 12),  # adjusted in a later year
        (1, 2018, None, 12),
    ],
)
def test_top_up_months(first: int, year: int, adjusted: date | None, months: int) -> None:
    assert top_up_months(first, year, adjusted) == months


def test_years_before_the_reform_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        months_in_force(RULES, 2016)
    assert caught.value.code == "COMPENSATION_BEFORE_REFORM"


def test_an_adjustment_before_the_reform_and_a_negative_cost_are_refused() -> None:
    with pytest.raises(DomainError) as caught:
        calculate(RULES, 2017, Money.parse("1.00"), date(2017, 1, 1))
    assert caught.value.path == "adjusted_on"
    with pytest.raises(DomainError) as caught:
        calculate(RULES, 2017, Money.parse("-1.00"))
    assert caught.value.path == "drug_cost"
