"""Pricing use cases: import and export the schedules, list them for the bureau, and the three public
lists of one institution (service prices at its level, most billed first; drugs it dispensed with
their purchase price; the 按病种收费 list), and the 按病种收费 versions for ZF01.

Prices are public: any signed-in reader sees the schedules; an institution's dispensed drugs are
scoped like procurement (institution staff see their own). Only the bureau imports (checked by the
callers: the pages and the API require the role, the CLI runs as system)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, func, select

from sanyi.care.api import encounters, fee_lines
from sanyi.infrastructure.audit import Actor, AuditLog
from sanyi.infrastructure.importer import ImportResult, OnError, Progress, run_import
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import SHANGHAI, Clock
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.pricing.errors import PRICING_NOT_FOUND, PRICING_UNKNOWN_LIST
from sanyi.pricing.model import (
    LEVELS,
    CasePrice,
    DrugPrice,
    ServicePrice,
    Validity,
    in_force,
    price_level,
)
from sanyi.pricing.sheets import LOADERS, SPECS, export_rows
from sanyi.pricing.tables import pricing_case_prices, pricing_service_prices
from sanyi.procurement.api import procurement_invoices, procurement_products
from sanyi.registry.api import Viewer, institutions

DRUG_CATEGORIES: Final = ("09", "11")  # 西药, 中成药; 中药饮片 are outside 零差率
LISTS: Final = ("services", "drugs", "cases")  # the public lists of one institution


def check_kind(kind: str) -> str:
    if kind not in SPECS:
        raise DomainError(PRICING_UNKNOWN_LIST, path="kind", value=kind, available=", ".join(SPECS))
    return kind


def _levels(row: Any, prefix: str) -> dict[int, Money]:
    return {level: row[f"{prefix}{level}"] for level in LEVELS if row[f"{prefix}{level}"] is not None}


def service_from(row: Any) -> ServicePrice:
    return ServicePrice(
        row.area_code,
        row.code,
        row.name,
        row.unit,
        _levels(row._mapping, "price_"),
        Validity(row.effective_from, row.effective_to),
        row.note,
        row.version,
        row.source,
    )


def case_from(row: Any) -> CasePrice:
    return CasePrice(
        row.area_code,
        row.disease_code,
        row.name,
        _levels(row._mapping, "fee_"),
        Validity(row.effective_from, row.effective_to),
        row.operation_code,
        row.includes,
        row.excludes,
        row.version,
        row.source,
    )


def case_versions(connection: Connection) -> list[CasePrice]:
    """Every stored 按病种收费 version (for ZF01: diseases in force at a day per area)."""
    return [case_from(row) for row in connection.execute(select(pricing_case_prices))]


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


@dataclass(frozen=True, slots=True)
class Priced:
    """A schedule line at one institution's level."""

    item: ServicePrice | CasePrice
    price: Money | None
    billed: int = 0  # lines billed at the institution in the period (service prices)


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[Priced]
    total: int


class PricingService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, audit: AuditLog) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit

    # -- schedules -------------------------------------------------------------------------------
    def import_schedule(
        self,
        actor: Actor,
        kind: str,
        path: Path,
        on_error: OnError = OnError.REJECT,
        progress: Progress | None = None,
    ) -> ImportResult:
        return run_import(
            self._uow, self._audit, actor, LOADERS[check_kind(kind)](), path, on_error, progress
        )

    def versions(
        self, kind: str, area: str = "", day: date | None = None, query: str = ""
    ) -> list[ServicePrice] | list[CasePrice]:
        """The versions of one schedule (optionally of one area, in force on a day, matching a code
        prefix or a name), by area, key and start."""
        check_kind(kind)
        table = pricing_service_prices if kind == "pricing_service_prices" else pricing_case_prices
        c = table.c
        stmt = select(table)
        if area:
            stmt = stmt.where(c.area_code == area)
        if query:
            code = c.code if kind == "pricing_service_prices" else c.disease_code
            stmt = stmt.where(code.startswith(query) | c.name.contains(query))
        with self._uow() as unit:
            rows = unit.connection.execute(stmt).all()
        convert = service_from if kind == "pricing_service_prices" else case_from
        items = [convert(row) for row in rows]
        if day is not None:
            items = [item for item in items if item.validity.covers(day)]
        items.sort(key=lambda item: (item.area, item.key, item.validity.effective_from))
        return items  # type: ignore[return-value]

    def areas(self) -> list[dict[str, Any]]:
        """Per pricing area: how many versions each schedule holds and the latest start."""
        out: dict[str, dict[str, Any]] = {}
        with self._uow() as unit:
            for kind, table in (("services", pricing_service_prices), ("cases", pricing_case_prices)):
                c = table.c
                stmt = select(c.area_code, func.count(), func.max(c.effective_from)).group_by(c.area_code)
                for area, count, latest in unit.connection.execute(stmt):
                    entry = out.setdefault(area, {"area": area})
                    entry[kind] = count
                    entry[f"{kind}_latest"] = latest
        return [out[area] for area in sorted(out)]

    def export(self, kind: str, area: str = "", day: date | None = None) -> tuple[list[str], list[list[str]]]:
        """The template's header and one row per version, so the file imports again."""
        spec = SPECS[check_kind(kind)]
        records = []
        for item in self.versions(kind, area, day):
            record: dict[str, Any] = {
                "area_code": item.area,
                "name": item.name,
                "effective_from": item.validity.effective_from,
                "effective_to": item.validity.effective_to,
                "version": item.version,
                "source": item.source,
            }
            if isinstance(item, ServicePrice):
                record.update(code=item.code, unit=item.unit, note=item.note)
                record.update({f"price_{level}": item.price_at(level) for level in LEVELS})
            else:
                record.update(
                    disease_code=item.disease_code,
                    operation_code=item.operation_code,
                    includes=item.includes,
                    excludes=item.excludes,
                )
                record.update({f"fee_{level}": item.price_at(level) for level in LEVELS})
            records.append(record)
        return spec.headers, export_rows(spec, records)

    # -- one institution -------------------------------------------------------------------------
    def _institution(self, connection: Connection, code: str) -> tuple[str, int]:
        i = institutions.c
        found = connection.execute(select(i.area_code, i.tier).where(i.code == code)).first()
        if found is None:
            raise DomainError(PRICING_NOT_FOUND, path="institution", id=code)
        return found[0], price_level(found[1])

    def service_prices(
        self,
        institution: str,
        day: date,
        billed_from: date,
        query: str = "",
        offset: int = 0,
        limit: int = 50,
    ) -> Page:
        """The service prices in force on ``day`` for the institution's area at its level, the
        items it billed most between ``billed_from`` and ``day`` first, then by code."""
        s, e, line = pricing_service_prices.c, encounters.c, fee_lines.c
        with self._uow() as unit:
            connection = unit.connection
            area, level = self._institution(connection, institution)
            stmt = select(pricing_service_prices).where(s.effective_from <= day)
            items = [service_from(row) for row in connection.execute(stmt)]
            billed: dict[str, int] = dict(
                connection.execute(
                    select(line.code, func.count())
                    .select_from(fee_lines.join(encounters, e.id == line.encounter_id))
                    .where(
                        (e.institution_code == institution)
                        & (e.start_at >= _midnight(billed_from))
                        & (e.start_at < _midnight(day + timedelta(days=1)))
                    )
                    .group_by(line.code)
                ).all()
            )
        live = [item for item in in_force(items, day, area) if item.price_at(level) is not None]
        if query:
            live = [item for item in live if item.code.startswith(query) or query in item.name]
        live.sort(key=lambda item: (-billed.get(item.code, 0), item.code))
        rows = [Priced(item, item.price_at(level), billed.get(item.code, 0)) for item in live]
        return Page(rows[offset : offset + limit], len(rows))

    def case_prices(self, institution: str, day: date) -> list[Priced]:
        """The 按病种收费 list in force on ``day`` for the institution, with the fee at its level."""
        with self._uow() as unit:
            area, level = self._institution(unit.connection, institution)
            items = case_versions(unit.connection)
        live = sorted(in_force(items, day, area), key=lambda item: item.key)
        return [Priced(item, item.price_at(level)) for item in live if item.price_at(level) is not None]

    def drug_prices(self, viewer: Viewer, institution: str, first: date, last: date) -> list[DrugPrice]:
        """The drugs the institution dispensed between two days with sale and purchase price.

        The purchase price is the unit price of the institution's last invoice for the product on or
        before ``last`` (the distributor's invoice of 两票制), else the platform (挂网) price."""
        if not viewer.sees_institution(institution):
            raise DomainError(PRICING_NOT_FOUND, path="institution", id=institution)
        e, line, inv, p = encounters.c, fee_lines.c, procurement_invoices.c, procurement_products.c
        with self._uow() as unit:
            connection = unit.connection
            self._institution(connection, institution)
            sold = connection.execute(
                select(line.code, line.name, line.unit_price, line.quantity, line.amount)
                .select_from(fee_lines.join(encounters, e.id == line.encounter_id))
                .where(
                    (e.institution_code == institution)
                    & line.category.in_(DRUG_CATEGORIES)
                    & (e.start_at >= _midnight(first))
                    & (e.start_at < _midnight(last + timedelta(days=1)))
                )
            ).all()
            codes = sorted({row.code for row in sold})
            invoiced: dict[str, tuple[date, Decimal]] = {}
            for code, issued, price in connection.execute(
                select(inv.product_code, inv.issued_on, inv.unit_price).where(
                    (inv.buyer == institution) & (inv.issued_on <= last) & inv.product_code.in_(codes)
                )
            ):
                if code not in invoiced or issued >= invoiced[code][0]:
                    invoiced[code] = (issued, price)
            platform = dict(
                connection.execute(select(p.code, p.platform_price).where(p.code.in_(codes))).all()
            )
        return drug_lines(sold, {c: v[1] for c, v in invoiced.items()}, platform)


def drug_lines(
    sold: Iterable[Sequence[Any]], invoiced: dict[str, Decimal], platform: dict[str, Decimal]
) -> list[DrugPrice]:
    """Fee lines (code, name, unit price, quantity, amount) summed per drug, each with its purchase
    price; the marked-up lines first, then by amount."""
    names: dict[str, str] = {}
    prices: dict[str, set[Decimal]] = defaultdict(set)
    quantity: dict[str, Decimal] = defaultdict(Decimal)
    amount: dict[str, Money] = defaultdict(Money.zero)
    for code, name, unit_price, units, paid in sold:
        names.setdefault(code, name)
        prices[code].add(Decimal(unit_price))
        quantity[code] += Decimal(units)
        amount[code] += paid
    out = []
    for code, name in names.items():
        if code in invoiced:
            purchase, basis = invoiced[code], "invoice"
        elif code in platform:
            purchase, basis = platform[code], "platform"
        else:
            purchase, basis = None, ""
        out.append(DrugPrice(code, name, quantity[code], sorted(prices[code]), purchase, basis, amount[code]))
    out.sort(key=lambda d: (not d.marked_up, -d.amount.fen, d.code))
    return out
