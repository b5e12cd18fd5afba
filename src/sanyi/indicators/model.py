"""Reform indicators: spans of months, reporting units, computed values, targets and their status.

No framework and no storage here: the engine (``engine.py``) turns facts into :class:`Figure`
records, and :func:`judge` adds a target's achievement and a legend band to make the
:class:`IndicatorValue` other parts read.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from sanyi.kernel.errors import INVALID_PERIOD, DomainError
from sanyi.kernel.period import Period, PeriodKind
from sanyi.knowledge.indicators import Band, IndicatorDef, Legend, TargetDef

PLACES: Final = Decimal("0.0001")


class SpanKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    YTD = "ytd"  # year to date: January to the month named


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A run of whole months: ``first`` and ``last`` are ``YYYY-MM``; ``label`` names it."""

    first: str
    last: str
    kind: SpanKind
    label: str

    @classmethod
    def of(cls, period: Period) -> Span:
        kind = {PeriodKind.MONTH: SpanKind.MONTH, PeriodKind.QUARTER: SpanKind.QUARTER}.get(
            period.kind, SpanKind.YEAR
        )
        return cls(
            month_key(period.start.year, period.start.month),
            month_key(period.end.year, period.end.month),
            kind,
            str(period),
        )

    @classmethod
    def year_to_date(cls, year: int, month: int) -> Span:
        return cls(month_key(year, 1), month_key(year, month), SpanKind.YTD, f"{year:04d}-01..{month:02d}")

    @classmethod
    def parse(cls, text: str) -> Span:
        """``2023-03``, ``2023Q1``, ``2023``, or ``2023-03YTD`` (January to March 2023)."""
        value = text.strip()
        if value.upper().endswith("YTD"):
            month = Period.parse(value[:-3])
            if month.kind is not PeriodKind.MONTH:
                raise DomainError(INVALID_PERIOD, value=text, reason="year to date is written YYYY-MMYTD")
            return cls.year_to_date(month.year, month.index)
        return cls.of(Period.parse(value))

    def months(self) -> list[str]:
        year, month = int(self.first[:4]), int(self.first[5:])
        out = []
        while (key := month_key(year, month)) <= self.last:
            out.append(key)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def shift_years(self, years: int) -> Span:
        """The same months ``years`` later (earlier when negative): the year-over-year comparison."""

        def moved(key: str) -> str:
            return month_key(int(key[:4]) + years, int(key[5:]))

        label = self.label
        if self.kind is SpanKind.YTD:
            label = f"{int(self.first[:4]) + years:04d}-01..{self.last[5:]}"
        elif self.kind is SpanKind.MONTH:
            label = moved(self.label)
        else:
            label = f"{int(self.label[:4]) + years:04d}{self.label[4:]}"
        return Span(moved(self.first), moved(self.last), self.kind, label)

    @property
    def end(self) -> date:
        year, month = int(self.last[:4]), int(self.last[5:])
        return Period.month(year, month).end

    @property
    def start(self) -> date:
        return date(int(self.first[:4]), int(self.first[5:]), 1)


def spans(kind: SpanKind, year: int, until: int | None = None) -> list[Span]:
    """Every span of ``kind`` in ``year`` (up to month/quarter ``until`` when given)."""
    if kind is SpanKind.MONTH:
        return [Span.of(Period.month(year, m)) for m in range(1, (until or 12) + 1)]
    if kind is SpanKind.QUARTER:
        return [Span.of(Period.quarter(year, q)) for q in range(1, (until or 4) + 1)]
    if kind is SpanKind.YTD:
        return [Span.year_to_date(year, m) for m in range(1, (until or 12) + 1)]
    return [Span.of(Period.calendar_year(year))]


@dataclass(frozen=True, slots=True)
class Unit:
    """A reporting institution with what groups it: where it is, who owns it, what it is."""

    code: str
    name: str
    county: str  # 6-digit GB/T 2260 county code
    ownership: str  # public | private
    category: str  # primary | hospital | pharmacy
    tier: int
    communities: tuple[str, ...] = ()

    def groups(self, dimension: str) -> tuple[str, ...]:
        if dimension == "community":
            return self.communities
        return (str(getattr(self, dimension)),)


@dataclass(frozen=True, slots=True)
class Figure:
    """An indicator over one key (area, institution or group) and one span, with its sums."""

    indicator: str
    key: str
    span: Span
    numerator: Decimal
    denominator: Decimal | None  # None: the indicator has no denominator
    value: Decimal | None  # None when the denominator (or last year's base) is zero
    previous_numerator: Decimal | None = None  # growth: the comparison span's sums
    previous_denominator: Decimal | None = None
    previous_span: Span | None = None


def tidy(value: Decimal) -> Decimal:
    """Drop the trailing zeros DuckDB's fixed scale adds: 60.0000 → 60, 12.3400 → 12.34."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def ratio(numerator: Decimal, denominator: Decimal | None, factor: Decimal) -> Decimal | None:
    """factor × numerator ÷ denominator to four places; no denominator means the numerator itself."""
    if denominator is None:
        return (factor * numerator).quantize(PLACES, ROUND_HALF_UP)
    if denominator == 0:
        return None
    return (factor * numerator / denominator).quantize(PLACES, ROUND_HALF_UP)


def growth(
    now: tuple[Decimal, Decimal | None], before: tuple[Decimal, Decimal | None], factor: Decimal
) -> Decimal | None:
    """factor × (base now − base before) ÷ base before; each base a ratio of sums, never rounded first."""
    if before[1] == 0 or now[1] == 0:
        return None
    base_now = now[0] / now[1] if now[1] is not None else now[0]
    base_before = before[0] / before[1] if before[1] is not None else before[0]
    if base_before == 0:
        return None
    return (factor * (base_now - base_before) / base_before).quantize(PLACES, ROUND_HALF_UP)


class Achievement(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NO_DATA = "no_data"  # a target applies but there is no value
    NO_TARGET = "no_target"

    @property
    def label_zh(self) -> str:
        return {"met": "达标", "not_met": "未达标", "no_data": "无数据", "no_target": "无目标"}[self.value]


def achieved(target: TargetDef | None, value: Decimal | None) -> Achievement:
    if target is None:
        return Achievement.NO_TARGET
    if value is None:
        return Achievement.NO_DATA
    limit = target.value
    ok = {
        "ge": value >= limit,
        "gt": value > limit,
        "le": value <= limit,
        "lt": value < limit,
        "about": abs(value - limit) <= (target.tolerance or Decimal(0)),
    }[target.comparator]
    return Achievement.MET if ok else Achievement.NOT_MET


def target_for(targets: Iterable[TargetDef], indicator: str, area: str, day: date) -> TargetDef | None:
    """The target for ``area`` on ``day``: the most specific covering area, then the latest start."""
    best: TargetDef | None = None
    for target in targets:
        if target.indicator != indicator or not target.covers(day) or not within(area, target.area):
            continue
        if best is None or (area_depth(target.area), target.effective_from) > (
            area_depth(best.area),
            best.effective_from,
        ):
            best = target
    return best


def area_prefix(code: str) -> str:
    """The code prefix every area inside ``code`` shares: 33 for 330000, 3303 for 330300."""
    code = code[:6]
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def area_depth(code: str) -> int:
    return len(area_prefix(code))


def within(code: str, ancestor: str) -> bool:
    """Is area or institution-area ``code`` inside (or equal to) ``ancestor``?"""
    return code[:6].startswith(area_prefix(ancestor))


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """What a scorecard shows for one indicator, key and span: the sums, the value and its judgement."""

    indicator: str
    name_zh: str
    name_en: str
    theme: str
    key: str
    key_name: str
    span: str
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None
    factor: Decimal
    unit: str
    direction: str
    caliber_version: str
    caliber_zh: str
    elements: tuple[str, ...]
    numerator_expression: str
    denominator_expression: str
    previous_span: str | None
    previous_numerator: Decimal | None
    previous_denominator: Decimal | None
    target: TargetDef | None
    achievement: Achievement
    band: Band | None

    def row(self) -> dict[str, object]:
        """A JSON-ready mapping (decimals as strings, so nothing is rounded on the way)."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        target = self.target
        return {
            "indicator": self.indicator,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "theme": self.theme,
            "key": self.key,
            "key_name": self.key_name,
            "period": self.span,
            "numerator": text(self.numerator),
            "denominator": text(self.denominator),
            "value": text(self.value),
            "factor": text(self.factor),
            "unit": self.unit,
            "direction": self.direction,
            "caliber_version": self.caliber_version,
            "caliber": self.caliber_zh,
            "elements": list(self.elements),
            "numerator_expression": self.numerator_expression,
            "denominator_expression": self.denominator_expression,
            "previous_period": self.previous_span,
            "previous_numerator": text(self.previous_numerator),
            "previous_denominator": text(self.previous_denominator),
            "target": None
            if target is None
            else {
                "area": target.area,
                "comparator": target.comparator,
                "value": str(target.value),
                "tolerance": text(target.tolerance),
                "document": target.document,
                "clause": target.clause,
            },
            "achievement": self.achievement.value,
            "band": None
            if self.band is None
            else {"colour": self.band.colour, "label_zh": self.band.label_zh, "label_en": self.band.label_en},
        }


def judge(
    figure: Figure,
    definition: IndicatorDef,
    key_name: str,
    target_area: str | None,
    targets: Sequence[TargetDef],
    legend: Legend | None,
) -> IndicatorValue:
    """Add the target that applies at the span's end (areas only) and the legend band."""
    target = (
        target_for(targets, definition.id, target_area, figure.span.end) if target_area is not None else None
    )
    return IndicatorValue(
        indicator=definition.id,
        name_zh=definition.name_zh,
        name_en=definition.name_en,
        theme=definition.theme,
        key=figure.key,
        key_name=key_name,
        span=figure.span.label,
        numerator=figure.numerator,
        denominator=figure.denominator,
        value=figure.value,
        factor=definition.factor,
        unit=definition.unit,
        direction=definition.direction,
        caliber_version=definition.caliber.version,
        caliber_zh=definition.caliber.text_zh,
        elements=definition.elements,
        numerator_expression=definition.numerator_text,
        denominator_expression=definition.denominator_text,
        previous_span=figure.previous_span.label if figure.previous_span else None,
        previous_numerator=figure.previous_numerator,
        previous_denominator=figure.previous_denominator,
        target=target,
        achievement=achieved(target, figure.value),
        band=legend.band_of(figure.value) if legend else None,
    )
