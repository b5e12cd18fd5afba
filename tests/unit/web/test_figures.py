"""How indicator values are shown: numbers, the small-cell rule of the public pages, the last quarter."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from sanyi.indicators.api import Achievement, IndicatorValue, catalogue
from sanyi.web.figures import cell, counts_cases, is_small, last_quarter, number


def _value(indicator: str, numerator: str, denominator: str | None) -> IndicatorValue:
    d = catalogue().indicators[indicator]
    return IndicatorValue(
        indicator=d.id,
        name_zh=d.name_zh,
        name_en=d.name_en,
        theme=d.theme,
        key="H33030200001",
        key_name="医院",
        span="2023",
        numerator=Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
        value=Decimal(1),
        factor=d.factor,
        unit=d.unit,
        direction=d.direction,
        caliber_version=d.caliber.version,
        caliber_zh=d.caliber.text_zh,
        elements=d.elements,
        numerator_expression=d.numerator_text,
        denominator_expression=d.denominator_text,
        previous_span=None,
        previous_numerator=None,
        previous_denominator=None,
        target=None,
        achievement=Achievement.NO_TARGET,
        band=None,
    )


@pytest.mark.parametrize(
    ("indicator", "denominator", "small"),
    [
        ("DRG04", "4", True),  # low-risk cases: a count of cases
        ("DRG04", "5", False),
        ("XX02", "0", True),
        ("YY01", "3", False),  # medical income in yuan: money is never a small cell
        ("ZY02", "2", False),  # resident population: not cases
    ],
)
def test_small_cells_are_case_counts_under_five(indicator: str, denominator: str, small: bool) -> None:
    value = _value(indicator, "1", denominator)
    assert is_small(value) is small
    public, staff = cell(value, public=True), cell(value)
    assert public.suppressed is small and not staff.suppressed
    if small:
        assert public.text == public.numerator == public.denominator == "—" and public.colour is None
        assert public.chart_value is None


def test_growth_is_withheld_when_last_years_cases_are_few() -> None:
    assert counts_cases("YY03") and not counts_cases("YY05")
    now = _value("YY03", "90000", "800")
    assert not is_small(now)
    before = replace(
        now, previous_span="2022", previous_numerator=Decimal(300), previous_denominator=Decimal(4)
    )
    assert is_small(before)


def test_numbers_keep_zero_and_drop_trailing_zeros() -> None:
    assert number(Decimal("1234567.5000")) == "1,234,567.5"
    assert number(Decimal(0)) == "0" and number(None) == "—"
    assert number(Decimal("0.125")) == "0.13"


def test_last_quarter_before_today() -> None:
    assert last_quarter(date(2024, 2, 1)) == "2023Q4"
    assert last_quarter(date(2024, 5, 31)) == "2024Q1"
    assert last_quarter(date(2024, 12, 31)) == "2024Q3"
