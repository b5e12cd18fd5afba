"""Price schedules as values: versions with effective dates, prices by institution level, the mark-up
check of a dispensed drug. Pure: no storage, no web.

A version is identified by (area, key, effective_from); its end date is inclusive and may be open.
Two versions of one key in one area may not overlap: on any day at most one price is in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import ClassVar, Final, Protocol, TypeVar

from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.pricing.errors import PRICING_BAD_PERIOD, PRICING_NO_PRICE, PRICING_OVERLAP

# Institution levels as the registry's tier: 三级 3, 二级 2, 一级 1 (primary care prices at 一级).
LEVELS: Final = (3, 2, 1)
LEVEL_ZH: Final = {3: "三级", 2: "二级", 1: "一级"}
OPEN_END: Final = "—"


@dataclass(frozen=True, slots=True)
class Validity:
    effective_from: date
    effective_to: date | None = None  # inclusive; None = until replaced

    def __post_init__(self) -> None:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise DomainError(
                PRICING_BAD_PERIOD,
                path="effective_to",
                start=self.effective_from.isoformat(),
                end=self.effective_to.isoformat(),
            )

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def overlaps(self, other: Validity) -> bool:
        starts_before_other_ends = other.effective_to is None or self.effective_from <= other.effective_to
        ends_after_other_starts = self.effective_to is None or other.effective_from <= self.effective_to
        return starts_before_other_ends and ends_after_other_starts

    @property
    def end_text(self) -> str:
        return OPEN_END if self.effective_to is None else self.effective_to.isoformat()


def _check_levels(kind_zh: str, kind: str, key: str, by_level: Mapping[int, Money]) -> None:
    if not by_level:
        raise DomainError(PRICING_NO_PRICE, path="price", kind_zh=kind_zh, kind=kind, key=key)
    unknown = set(by_level) - set(LEVELS)
    if unknown:
        raise ValueError(f"unknown levels {sorted(unknown)}")


@dataclass(frozen=True, slots=True)
class ServicePrice:
    """One version of a 医疗服务项目 price in one pricing area (province or city)."""

    area: str
    code: str  # national 医疗服务项目 code
    name: str
    unit: str  # 计价单位
    prices: Mapping[int, Money]  # level → price; a level absent is not priced there
    validity: Validity
    note: str = ""  # 计价说明
    version: str = ""
    source: str = ""

    KIND_ZH: ClassVar[str] = "医疗服务项目"
    KIND: ClassVar[str] = "service item"

    def __post_init__(self) -> None:
        _check_levels(self.KIND_ZH, self.KIND, self.code, self.prices)

    @property
    def key(self) -> str:
        return self.code

    def price_at(self, level: int) -> Money | None:
        return self.prices.get(level)


@dataclass(frozen=True, slots=True)
class CasePrice:
    """One version of an 按病种收费 fixed fee per case: a diagnosis, optionally with its operation."""

    area: str
    disease_code: str  # ICD-10 (医保版)
    name: str
    fees: Mapping[int, Money]  # level → fee per case
    validity: Validity
    operation_code: str = ""  # ICD-9-CM-3 when the fee is for a surgical treatment
    includes: str = ""
    excludes: str = ""
    version: str = ""
    source: str = ""

    KIND_ZH: ClassVar[str] = "按病种收费病种"
    KIND: ClassVar[str] = "per-case priced disease"

    def __post_init__(self) -> None:
        _check_levels(self.KIND_ZH, self.KIND, self.key, self.fees)

    @property
    def key(self) -> str:
        return f"{self.disease_code}/{self.operation_code}" if self.operation_code else self.disease_code

    def price_at(self, level: int) -> Money | None:
        return self.fees.get(level)


class Versioned(Protocol):
    @property
    def area(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def validity(self) -> Validity: ...


V = TypeVar("V", bound=Versioned)


def overlapping(validity: Validity, others: Iterable[Validity]) -> Validity | None:
    """The first other version whose period meets this one; the same start is the same version."""
    for other in others:
        if other.effective_from != validity.effective_from and validity.overlaps(other):
            return other
    return None


def overlap_error(kind_zh: str, kind: str, area: str, key: str, new: Validity, old: Validity) -> DomainError:
    return DomainError(
        PRICING_OVERLAP,
        path="effective_from",
        kind_zh=kind_zh,
        kind=kind,
        key=key,
        area=area,
        start=new.effective_from.isoformat(),
        other_start=old.effective_from.isoformat(),
        other_end=old.end_text,
    )


def check_versions(kind_zh: str, kind: str, items: Iterable[V]) -> None:
    """Refuse a schedule in which two versions of one key in one area overlap."""
    seen: dict[tuple[str, str], list[Validity]] = {}
    for item in items:
        earlier = seen.setdefault((item.area, item.key), [])
        clash = overlapping(item.validity, earlier)
        if clash is not None:
            raise overlap_error(kind_zh, kind, item.area, item.key, item.validity, clash)
        earlier.append(item.validity)


def area_chain(area: str) -> tuple[str, ...]:
    """The pricing areas an institution's area falls under, most specific first (county, city,
    province), for GB/T 2260 codes."""
    county = area[:6]
    chain = [county, county[:4] + "00", county[:2] + "0000"]
    return tuple(dict.fromkeys(chain))


def in_force(items: Iterable[V], day: date, area: str | None = None) -> list[V]:
    """The versions in force on ``day``; with an institution's ``area`` the most specific pricing
    area wins per key (a city's price replaces the province's)."""
    live = [item for item in items if item.validity.covers(day)]
    if area is None:
        return live
    rank = {code: index for index, code in enumerate(area_chain(area))}
    chosen: dict[str, V] = {}
    for item in live:
        if item.area not in rank:
            continue
        held = chosen.get(item.key)
        if held is None or rank[item.area] < rank[held.area]:
            chosen[item.key] = item
    return list(chosen.values())


def count_by_area(items: Iterable[V], day: date) -> dict[str, int]:
    """Distinct keys in force on ``day`` per pricing area (ZF01 before summing up the area tree)."""
    keys: dict[str, set[str]] = {}
    for item in items:
        if item.validity.covers(day):
            keys.setdefault(item.area, set()).add(item.key)
    return {area: len(found) for area, found in keys.items()}


@dataclass(frozen=True, slots=True)
class DrugPrice:
    """A drug an institution dispensed in a period: what it charged and what it paid.

    Zero mark-up (零差率) means the sale price equals the purchase price; any sale price above the
    purchase price is a mark-up and is flagged. Prices keep four decimals as the platform does."""

    code: str
    name: str
    quantity: Decimal
    sale_prices: Sequence[Decimal]  # distinct unit prices billed, ascending
    purchase_price: Decimal | None
    purchase_basis: str  # "invoice" (the institution's last invoice) or "platform" (挂网价) or ""
    amount: Money = field(default_factory=Money.zero)

    @property
    def sale_price(self) -> Decimal:
        return max(self.sale_prices)

    @property
    def markup(self) -> Decimal | None:
        """Highest sale price minus purchase price; None when the purchase price is unknown."""
        if self.purchase_price is None:
            return None
        return self.sale_price - self.purchase_price

    @property
    def marked_up(self) -> bool:
        markup = self.markup
        return markup is not None and markup > 0


def price_level(tier: int) -> int:
    """The price level of an institution: its tier, an unrated institution (未定级) at 一级."""
    return min(max(int(tier), 1), 3)
