from datetime import date

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.kernel.period import Period, PeriodKind


@pytest.mark.parametrize(
    ("text", "start", "end", "kind"),
    [
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28), PeriodKind.MONTH),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), PeriodKind.MONTH),
        ("2023Q4", date(2023, 10, 1), date(2023, 12, 31), PeriodKind.QUARTER),
        ("2023", date(2023, 1, 1), date(2023, 12, 31), PeriodKind.YEAR),
        ("IY2023", date(2023, 1, 1), date(2023, 12, 31), PeriodKind.INSURANCE_YEAR),
        ("IY2023@07", date(2023, 7, 1), date(2024, 6, 30), PeriodKind.INSURANCE_YEAR),
    ],
)
def test_parse_and_print_round_trip(text: str, start: date, end: date, kind: PeriodKind) -> None:
    period = Period.parse(text)
    assert (period.start, period.end, period.kind) == (start, end, kind)
    assert str(period) == text


@pytest.mark.parametrize("bad", ["2023-13", "2023Q5", "23", "IY2023@13", "March"])
def test_bad_periods_are_refused(bad: str) -> None:
    with pytest.raises(DomainError) as caught:
        Period.parse(bad)
    assert caught.value.code == "INVALID_PERIOD"


def test_shift_and_year_over_year() -> None:
    assert str(Period.parse("2023-01").shift(-1)) == "2022-12"
    assert str(Period.parse("2023-11").shift(3)) == "2024-02"
    assert str(Period.parse("2023Q1").previous()) == "2022Q4"
    assert str(Period.parse("2023-05").same_period_last_year()) == "2022-05"
    assert str(Period.parse("2023Q2").same_period_last_year()) == "2022Q2"
    assert str(Period.parse("IY2023@07").same_period_last_year()) == "IY2022@07"


def test_membership_months_and_year_to_date() -> None:
    quarter = Period.quarter(2023, 2)
    assert date(2023, 4, 1) in quarter and date(2023, 7, 1) not in quarter
    assert [str(m) for m in quarter.months()] == ["2023-04", "2023-05", "2023-06"]
    assert quarter.year_to_date() == (date(2023, 1, 1), date(2023, 6, 30))
    assert quarter.days == 91


def test_insurance_year_of_a_date() -> None:
    assert str(Period.insurance_year_of(date(2023, 3, 1))) == "IY2023"
    assert str(Period.insurance_year_of(date(2023, 3, 1), start_month=7)) == "IY2022@07"
    assert Period.containing(date(2023, 8, 9), PeriodKind.QUARTER) == Period.quarter(2023, 3)
