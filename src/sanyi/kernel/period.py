"""Reporting and policy periods: month, quarter, year and insurance year.

A period is a closed range of calendar dates. Its text form is stable and sortable within a kind:
``2023-03`` (month), ``2023Q1`` (quarter), ``2023`` (year), ``IY2023`` (insurance year; starts in
the month given by the region's policy, January by default, so it equals the calendar year unless
configured otherwise).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sanyi.kernel.errors import INVALID_PERIOD, DomainError


class PeriodKind(enum.Enum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    INSURANCE_YEAR = "insurance_year"


_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_INSURANCE_YEAR_RE = re.compile(r"^IY(\d{4})(?:@(\d{2}))?$")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar period. ``year`` and ``index`` identify it within its kind."""

    start: date
    end: date
    kind: PeriodKind
    year: int
    index: int = 1
    # The month an insurance year starts in (1 = calendar year).
    start_month: int = 1

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise DomainError(INVALID_PERIOD, value=f"{year}-{month}", reason="month must be 1-12")
        start = date(year, month, 1)
        return cls(start, _month_end(year, month), PeriodKind.MONTH, year, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise DomainError(INVALID_PERIOD, value=f"{year}Q{quarter}", reason="quarter must be 1-4")
        first_month = 3 * (quarter - 1) + 1
        return cls(
            date(year, first_month, 1), _month_end(year, first_month + 2), PeriodKind.QUARTER, year, quarter
        )

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), PeriodKind.YEAR, year)

    @classmethod
    def insurance_year(cls, year: int, start_month: int = 1) -> Period:
        """The insurance year named by the calendar year it starts in."""
        if not 1 <= start_month <= 12:
            raise DomainError(INVALID_PERIOD, value=f"IY{year}", reason="start month must be 1-12")
        start = date(year, start_month, 1)
        end = date(year + 1, start_month, 1) - timedelta(days=1)
        return cls(start, end, PeriodKind.INSURANCE_YEAR, year, 1, start_month)

    @classmethod
    def insurance_year_of(cls, day: date, start_month: int = 1) -> Period:
        year = day.year if day.month >= start_month else day.year - 1
        return cls.insurance_year(year, start_month)

    @classmethod
    def containing(cls, day: date, kind: PeriodKind, start_month: int = 1) -> Period:
        if kind is PeriodKind.MONTH:
            return cls.month(day.year, day.month)
        if kind is PeriodKind.QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind is PeriodKind.YEAR:
            return cls.calendar_year(day.year)
        return cls.insurance_year_of(day, start_month)

    @classmethod
    def parse(cls, text: str) -> Period:
        value = text.strip()
        if match := _MONTH_RE.match(value):
            return cls.month(int(match[1]), int(match[2]))
        if match := _QUARTER_RE.match(value):
            return cls.quarter(int(match[1]), int(match[2]))
        if match := _YEAR_RE.match(value):
            return cls.calendar_year(int(match[1]))
        if match := _INSURANCE_YEAR_RE.match(value):
            return cls.insurance_year(int(match[1]), int(match[2] or 1))
        raise DomainError(INVALID_PERIOD, value=text, reason="expected YYYY-MM, YYYYQn, YYYY or IYYYYY")

    # -- queries ------------------------------------------------------------------------------
    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> Iterator[Period]:
        """The months this period covers, in order."""
        year, month = self.start.year, self.start.month
        while date(year, month, 1) <= self.end:
            yield Period.month(year, month)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods of the same kind later (earlier when negative)."""
        if self.kind is PeriodKind.MONTH:
            serial = self.year * 12 + (self.index - 1) + steps
            return Period.month(serial // 12, serial % 12 + 1)
        if self.kind is PeriodKind.QUARTER:
            serial = self.year * 4 + (self.index - 1) + steps
            return Period.quarter(serial // 4, serial % 4 + 1)
        if self.kind is PeriodKind.YEAR:
            return Period.calendar_year(self.year + steps)
        return Period.insurance_year(self.year + steps, self.start_month)

    def previous(self) -> Period:
        return self.shift(-1)

    def same_period_last_year(self) -> Period:
        """The comparison period for year-over-year growth."""
        steps = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4}.get(self.kind, 1)
        return self.shift(-steps)

    def year_to_date(self) -> tuple[date, date]:
        """From the start of the calendar year to the end of this period."""
        return date(self.end.year, 1, 1), self.end

    def __str__(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.year:04d}Q{self.index}"
        if self.kind is PeriodKind.YEAR:
            return f"{self.year:04d}"
        suffix = "" if self.start_month == 1 else f"@{self.start_month:02d}"
        return f"IY{self.year:04d}{suffix}"


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)
