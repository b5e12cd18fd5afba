"""How an indicator value is shown: value with unit, numerator and denominator, target, band colour,
and the small-cell rule of the public pages.

Shared by the indicator pages (login) and the disclosure pages (public); neither computes anything:
every number comes from :class:`IndicatorValue` as the indicator service returns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from sanyi.indicators.api import (
    COMPARATORS,
    INDICATOR_UNKNOWN_SCOPE,
    Catalogue,
    Element,
    IndicatorService,
    IndicatorValue,
    Span,
    ValuesQuery,
    catalogue,
)
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer

# Fewer cases than this in a denominator and a public figure is withheld (it could point at a person).
SMALL_CELL: Final = 5
# Sources whose elements count cases (visits, stays, grouped DRG cases, tests): the small-cell rule
# applies to them, not to amounts of money, people living in an area or beds.
CASE_SOURCES: Final = frozenset({"encounters", "drg", "recognition", "settlements"})


def number(value: Decimal | None, places: int = 2) -> str:
    """Thousands separated, at most ``places`` decimals, trailing zeros dropped; None → —."""
    if value is None:
        return "—"
    # Half up, as the reports round (format() alone would round half to even).
    text = f"{value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True, slots=True)
class Cell:
    """One indicator value ready for a page, a chart and an Excel row."""

    value: IndicatorValue
    suppressed: bool

    @property
    def shown(self) -> Decimal | None:
        return None if self.suppressed else self.value.value

    @property
    def text(self) -> str:
        return number(self.shown)

    @property
    def colour(self) -> str | None:
        band = self.value.band
        return None if band is None or self.suppressed else band.colour

    @property
    def numerator(self) -> str:
        return "—" if self.suppressed else number(self.value.numerator)

    @property
    def denominator(self) -> str | None:
        if self.value.denominator is None:
            return None
        return "—" if self.suppressed else number(self.value.denominator)

    @property
    def target(self) -> str:
        target = self.value.target
        if target is None:
            return ""
        tolerance = f" ± {number(target.tolerance)}" if target.tolerance else ""
        return f"{COMPARATORS[target.comparator]} {number(target.value)}{tolerance} {self.value.unit}"

    @property
    def chart_value(self) -> float | None:
        shown = self.shown
        return None if shown is None else float(shown)


def counts_cases(indicator: str, loaded: Catalogue | None = None) -> bool:
    """Does the indicator's denominator (or its numerator, when it has none) count cases?"""
    loaded = loaded or catalogue()
    definition = loaded.indicators[indicator]
    terms = definition.denominator or definition.numerator
    return any(_counts_cases(loaded.elements[t.element]) for t in terms)


def _counts_cases(element: Element) -> bool:
    if element.money:
        return False
    # A reported flow is a count of visits or discharges from the finance return (a stock such as
    # beds or smart-hospital status is not).
    return element.source in CASE_SOURCES or (element.source == "reported" and element.aggregation == "sum")


def is_small(value: IndicatorValue, loaded: Catalogue | None = None) -> bool:
    """A case-count denominator (this span's or the comparison span's) under :data:`SMALL_CELL`."""
    if not counts_cases(value.indicator, loaded):
        return False
    bases: list[Decimal | None] = [value.denominator if value.denominator is not None else value.numerator]
    if value.previous_span is not None:
        previous = value.previous_denominator
        bases.append(previous if previous is not None else value.previous_numerator)
    return any(base is not None and base < SMALL_CELL for base in bases)


def cell(value: IndicatorValue, *, public: bool = False) -> Cell:
    """Public figures hide small cells; signed-in staff see every figure (they may see cases anyway)."""
    return Cell(value, suppressed=public and is_small(value))


def last_quarter(today: date) -> str:
    """The quarter before the one ``today`` falls in: the latest a report can cover."""
    quarter = (today.month - 1) // 3
    return f"{today.year - 1}Q4" if quarter == 0 else f"{today.year}Q{quarter}"


def year_of(period: str) -> int:
    return int(Span.parse(period).last[:4])


def values_or_none(service: IndicatorService, who: Viewer, query: ValuesQuery) -> list[IndicatorValue]:
    """The service's values; none (not an error page) while no region is loaded, or for a staff
    account without an institution. A scope the user named that does not exist stays an error."""
    try:
        return service.values(who, query)
    except DomainError as error:
        if query.scope is not None or error.code != INDICATOR_UNKNOWN_SCOPE.code:
            raise
        return []
