"""Procurement use cases: import the catalogue, run the two-invoice check, and the monitoring views
(completion and warnings, savings, prices, shortages, use, concentration), scoped to the viewer.

Regional authorities see the region; an institution's staff see only their institution. Every write
(import, chain run, assessment) happens in one unit of work with its audit entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from sqlalchemy import BigInteger, Connection, case, delete, func, insert, select, type_coerce, update

from sanyi.care.api import encounters, fee_lines
from sanyi.infrastructure.audit import Actor, AuditLog
from sanyi.infrastructure.importer import ImportResult, OnError, Progress, run_import
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import SHANGHAI, Clock, local_date
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.knowledge.procurement import ProcurementParameters, parameters
from sanyi.procurement.catalogue import LOADERS
from sanyi.procurement.chain import ChainChecker, concentration
from sanyi.procurement.errors import (
    PROCUREMENT_FORBIDDEN,
    PROCUREMENT_INVALID_ASSESSMENT,
    PROCUREMENT_NOT_FOUND,
)
from sanyi.procurement.model import ChainFinding, Completion, PriceAlert, Savings, ShortageSignal, VbpFlag
from sanyi.procurement.monitoring import low_stock, price_alerts, unfilled_orders
from sanyi.procurement.records import (
    agreements,
    delivered_by_product,
    institution_areas,
    iter_deliveries,
    latest_activity,
    order_fill,
    platform_prices,
    price_points,
    remote_institutions,
    roles,
    stock_reports,
)
from sanyi.procurement.tables import (
    procurement_agreed_volumes,
    procurement_deliveries,
    procurement_findings,
    procurement_invoices,
    procurement_orders,
    procurement_products,
)
from sanyi.procurement.volume import completion, month_ends, savings
from sanyi.registry.api import Viewer, institutions, practitioners

USE_GROUPS: Final = ("institution", "department", "doctor")
ASSESSORS: Final = frozenset({"insurance_bureau", "admin", "system"})  # the bureau records 考核; system = CLI
DRUG_CATEGORIES: Final = ("09", "11")  # 西药, 中成药; 中药饮片 (10) stays outside 药占比
CONSUMABLE_CATEGORY: Final = "08"
HERBAL_CATEGORY: Final = "10"


def _regional(viewer: Viewer, action: str, action_zh: str) -> None:
    if not viewer.regional:
        raise DomainError(PROCUREMENT_FORBIDDEN, action=action, action_zh=action_zh)


class ProcurementService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        audit: AuditLog,
        params: ProcurementParameters | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self.params = params or parameters()

    # -- catalogue ------------------------------------------------------------------------------
    def import_catalogue(
        self,
        actor: Actor,
        kind: str,
        path: Path,
        on_error: OnError = OnError.REJECT,
        progress: Progress | None = None,
    ) -> ImportResult:
        return run_import(self._uow, self._audit, actor, LOADERS[kind](), path, on_error, progress)

    def products(self, viewer: Viewer, query: str = "", limit: int = 200) -> list[dict[str, Any]]:
        p = procurement_products.c
        stmt = select(procurement_products).order_by(p.code).limit(limit)
        if query:
            stmt = stmt.where((p.code.startswith(query)) | (p.generic_name.contains(query)))
        with self._uow() as uow:
            return [dict(row._mapping) for row in uow.connection.execute(stmt)]

    # -- as-of day ------------------------------------------------------------------------------
    def as_of(self, day: date | None = None) -> date:
        """The given day, else the last day with procurement activity, else today."""
        if day is not None:
            return day
        with self._uow() as uow:
            latest = latest_activity(uow.connection)
        return latest or local_date(self._clock.now())

    # -- the two-invoice check -----------------------------------------------------------------
    def check_chain(
        self, viewer: Viewer, start: date | None = None, end: date | None = None
    ) -> dict[str, int]:
        """Check every delivery of the period and replace its stored findings; returns counts by rule."""
        _regional(viewer, "run the two-invoice check", "运行两票制核查")
        as_of = self.as_of(end)
        with self._uow(write=True) as uow:
            connection = uow.connection
            remote = remote_institutions(connection, self.params)
            checker = ChainChecker(self.params, roles(connection), platform_prices(connection), remote, as_of)
            found: list[ChainFinding] = []
            checked: list[str] = []
            for delivery in iter_deliveries(connection, start, end):
                checked.append(delivery.id)
                found += checker.check(delivery)
            self._replace_findings(connection, checked, found)
            counts: dict[str, int] = defaultdict(int)
            for finding in found:
                counts[finding.rule] += 1
            self._audit.record(
                connection,
                viewer.actor,
                "procurement.chain_check",
                "procurement_run",
                None,
                {"from": str(start), "to": str(end), "deliveries": len(checked), "findings": len(found)},
            )
            uow.commit()
        return {"deliveries": len(checked), "findings": len(found), **dict(sorted(counts.items()))}

    def _replace_findings(
        self, connection: Connection, checked: list[str], found: list[ChainFinding]
    ) -> None:
        f = procurement_findings.c
        for offset in range(0, len(checked), 500):
            connection.execute(
                delete(procurement_findings).where(f.delivery_id.in_(checked[offset : offset + 500]))
            )
        now = self._clock.now()
        rows = [
            {
                "delivery_id": x.delivery_id,
                "institution_code": x.institution,
                "rule": x.rule,
                "day": x.day,
                "amount": x.amount,
                "evidence": x.evidence,
                "message_zh": x.message_zh,
                "message_en": x.message_en,
                "found_at": now,
            }
            for x in found
        ]
        if rows:
            connection.execute(insert(procurement_findings), rows)

    def findings(
        self,
        viewer: Viewer,
        rule: str | None = None,
        institution: str | None = None,
        limit: int = 200,
        offset: int = 0,
        delivery: str | None = None,
    ) -> tuple[int, list[dict[str, Any]]]:
        f = procurement_findings.c
        conditions = []
        scope = viewer.scope or institution
        if scope is not None:
            conditions.append(f.institution_code == scope)
        if rule:
            conditions.append(f.rule == rule)
        if delivery:
            conditions.append(f.delivery_id == delivery)
        names = select(institutions.c.name).where(institutions.c.code == f.institution_code).scalar_subquery()
        with self._uow() as uow:
            total = uow.connection.execute(
                select(func.count()).select_from(procurement_findings).where(*conditions)
            ).scalar_one()
            rows = uow.connection.execute(
                select(procurement_findings, names.label("institution_name"))
                .where(*conditions)
                .order_by(f.day, f.delivery_id, f.rule)
                .limit(limit)
                .offset(offset)
            )
            return int(total), [dict(row._mapping) for row in rows]

    def delivery(self, viewer: Viewer, delivery_id: str) -> dict[str, Any]:
        """One delivery with its invoices, in the viewer's scope."""
        d = procurement_deliveries.c
        with self._uow() as uow:
            row = uow.connection.execute(select(procurement_deliveries).where(d.id == delivery_id)).first()
            if row is None or not viewer.sees_institution(row.institution_code):
                raise DomainError(PROCUREMENT_NOT_FOUND, kind="delivery", kind_zh="送货单", id=delivery_id)
            invoices = uow.connection.execute(
                select(procurement_invoices)
                .where(procurement_invoices.c.delivery_id == delivery_id)
                .order_by(procurement_invoices.c.issued_on, procurement_invoices.c.number)
            )
            return {**dict(row._mapping), "invoices": [dict(i._mapping) for i in invoices]}

    def orders(
        self, viewer: Viewer, institution: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Orders with what was delivered, newest first, in the viewer's scope."""
        o, d = procurement_orders.c, procurement_deliveries.c
        delivered = select(func.coalesce(func.count(d.id), 0)).where(d.order_id == o.id).scalar_subquery()
        last = select(func.max(d.delivered_on)).where(d.order_id == o.id).scalar_subquery()
        stmt = (
            select(procurement_orders, delivered.label("deliveries"), last.label("delivered_on"))
            .order_by(o.ordered_on.desc(), o.id)
            .limit(limit)
        )
        scope = viewer.scope or institution
        if scope is not None:
            stmt = stmt.where(o.institution_code == scope)
        with self._uow() as uow:
            return [dict(row._mapping) for row in uow.connection.execute(stmt)]

    def deliveries(
        self, viewer: Viewer, institution: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        d, f = procurement_deliveries.c, procurement_findings.c
        problems = select(func.count(f.id)).where(f.delivery_id == d.id).scalar_subquery()
        stmt = (
            select(procurement_deliveries, problems.label("findings"))
            .order_by(d.delivered_on.desc(), d.id)
            .limit(limit)
        )
        scope = viewer.scope or institution
        if scope is not None:
            stmt = stmt.where(d.institution_code == scope)
        with self._uow() as uow:
            return [dict(row._mapping) for row in uow.connection.execute(stmt)]

    def concentration(
        self, viewer: Viewer, start: date | None = None, end: date | None = None
    ) -> list[dict[str, Any]]:
        """配送集中度 per institution: share of its purchases handled by its top-N distributors."""
        i = procurement_invoices.c
        with self._uow() as uow:
            areas = institution_areas(uow.connection)
            conditions: list[Any] = [i.buyer.in_([viewer.scope] if viewer.scope else list(areas))]
            if start is not None:
                conditions.append(i.issued_on >= start)
            if end is not None:
                conditions.append(i.issued_on <= end)
            purchases: dict[str, dict[str, Money]] = defaultdict(dict)
            for buyer, seller, amount in uow.connection.execute(
                select(i.buyer, i.seller, func.sum(type_coerce(i.amount, BigInteger)))
                .where(*conditions)
                .group_by(i.buyer, i.seller)
            ):
                purchases[buyer][seller] = Money(int(amount))
        result = concentration(purchases, self.params.concentration_top_n)
        return [{"institution": code, **values} for code, values in sorted(result.items())]

    # -- volume-based procurement --------------------------------------------------------------
    def _volumes(
        self, connection: Connection, viewer: Viewer
    ) -> dict[str, list[tuple[str, Decimal, bool | None]]]:
        v = procurement_agreed_volumes.c
        stmt = select(v.agreement_id, v.institution_code, v.volume, v.assessment_passed)
        if viewer.scope is not None:
            stmt = stmt.where(v.institution_code == viewer.scope)
        volumes: dict[str, list[tuple[str, Decimal, bool | None]]] = defaultdict(list)
        for agreement_id, institution, volume, passed in connection.execute(
            stmt.order_by(v.institution_code)
        ):
            volumes[agreement_id].append((institution, volume, passed))
        return volumes

    def _generics(
        self, connection: Connection
    ) -> tuple[dict[str, tuple[str, str | None]], dict[str, list[str]]]:
        """Each product's (generic, flag) and the substitutes of each generic."""
        p = procurement_products.c
        products: dict[str, tuple[str, str | None]] = {}
        substitutes: dict[str, list[str]] = defaultdict(list)
        for code, generic, flag, target in connection.execute(
            select(p.code, p.generic_name, p.vbp, p.substitute_for).where(p.vbp.is_not(None))
        ):
            products[code] = (generic, flag)
            if flag == VbpFlag.SUBSTITUTE.value and target:
                substitutes[target].append(code)
        return products, substitutes

    def completion(
        self, viewer: Viewer, as_of: date | None = None, monthly: bool = False
    ) -> list[Completion]:
        """Completion of every agreed volume as of a day (or at each month end up to it)."""
        day = self.as_of(as_of)
        result: list[Completion] = []
        with self._uow() as uow:
            connection = uow.connection
            volumes = self._volumes(connection, viewer)
            products, substitutes = self._generics(connection)
            for agreement in agreements(connection):
                if agreement.id not in volumes or day < agreement.start:
                    continue
                same = [
                    c
                    for c, (g, flag) in products.items()
                    if g == agreement.generic_name and flag == VbpFlag.NON_WINNING.value
                ]
                subs = substitutes.get(agreement.generic_name, [])
                watched = [agreement.product_code, *same, *subs]
                end = min(day, agreement.end)
                for stop in month_ends(agreement.start, end) if monthly else [end]:
                    got = delivered_by_product(connection, agreement.start, stop, viewer.scope, watched)
                    for institution, volume, _ in volumes[agreement.id]:
                        result.append(
                            completion(
                                agreement,
                                institution,
                                volume,
                                _total(got, [agreement.product_code], institution),
                                _total(got, same, institution),
                                _total(got, subs, institution),
                                stop,
                                self.params.completion_warning_ratio,
                            )
                        )
        return result

    def warnings(self, viewer: Viewer, as_of: date | None = None) -> list[Completion]:
        return [c for c in self.completion(viewer, as_of) if c.warning]

    def savings(self, viewer: Viewer, as_of: date | None = None) -> list[Savings]:
        """结余留用 per agreement and institution, from the winning product purchased in the period."""
        day = self.as_of(as_of)
        result = []
        with self._uow() as uow:
            connection = uow.connection
            volumes = self._volumes(connection, viewer)
            for agreement in agreements(connection):
                if agreement.id not in volumes or day < agreement.start:
                    continue
                delivered = delivered_by_product(
                    connection,
                    agreement.start,
                    min(day, agreement.end),
                    viewer.scope,
                    [agreement.product_code],
                )
                for institution, volume, passed in volumes[agreement.id]:
                    purchased = delivered.get((institution, agreement.product_code), Decimal(0))
                    result.append(
                        savings(agreement, institution, volume, purchased, passed, self.params.retained_share)
                    )
        return result

    def record_assessment(self, viewer: Viewer, agreement_id: str, institution: str, passed: bool) -> None:
        """The bureau records an institution's assessment (考核) under an agreement."""
        _regional(viewer, "record assessments", "登记考核结果")
        if viewer.role not in ASSESSORS:
            raise DomainError(PROCUREMENT_FORBIDDEN, action="record assessments", action_zh="登记考核结果")
        v = procurement_agreed_volumes.c
        with self._uow(write=True) as uow:
            changed = uow.connection.execute(
                update(procurement_agreed_volumes)
                .where(v.agreement_id == agreement_id, v.institution_code == institution)
                .values(assessment_passed=passed, assessed_by=viewer.username, assessed_at=self._clock.now())
            ).rowcount
            if changed != 1:
                raise DomainError(
                    PROCUREMENT_INVALID_ASSESSMENT,
                    reason=f"no agreed volume of {institution} under {agreement_id}",
                    reason_zh=f"协议 {agreement_id} 下没有机构 {institution} 的约定采购量",
                )
            self._audit.record(
                uow.connection,
                viewer.actor,
                "procurement.assessment",
                "procurement_agreement",
                agreement_id,
                {"institution": institution, "passed": passed},
            )
            uow.commit()

    # -- prices and shortages ------------------------------------------------------------------
    def price_alerts(
        self, viewer: Viewer, start: date | None = None, end: date | None = None
    ) -> list[PriceAlert]:
        with self._uow() as uow:
            # Medians and rises need the whole region; an institution then sees its own alerts.
            points = price_points(uow.connection, start, end)
            platform = platform_prices(uow.connection)
            areas = institution_areas(uow.connection)
        alerts = price_alerts(
            points, platform, self.params.price_rise_threshold, self.params.price_spread_threshold
        )
        if viewer.scope is None:
            return alerts
        own_area = areas.get(viewer.scope, "")[:6]
        return [a for a in alerts if a.scope in {viewer.scope, "region", own_area}]

    def shortages(self, viewer: Viewer, as_of: date | None = None) -> list[ShortageSignal]:
        day = self.as_of(as_of)
        with self._uow() as uow:
            orders = order_fill(uow.connection, day, viewer.scope)
            stocks = stock_reports(uow.connection, day, viewer.scope)
        return unfilled_orders(orders, day, self.params.shortage_unfilled_days) + low_stock(
            stocks, self.params.stock_days_floor
        )

    # -- use monitoring ------------------------------------------------------------------------
    def use(
        self, viewer: Viewer, by: str = "institution", start: date | None = None, end: date | None = None
    ) -> list[dict[str, Any]]:
        """药占比 (西药 + 中成药, without 中药饮片) and consumables per 100 yuan of medical income, from
        care's fee lines, by institution, department or doctor."""
        if by not in USE_GROUPS:
            raise DomainError(PROCUREMENT_NOT_FOUND, kind="grouping", kind_zh="分组", id=by)
        e, line = encounters.c, fee_lines.c
        key = {
            "institution": e.institution_code,
            "department": e.department_code,
            "doctor": func.coalesce(line.doctor_code, e.doctor_code),
        }[by]
        fen = type_coerce(line.amount, BigInteger)
        drug = func.sum(case((line.category.in_(DRUG_CATEGORIES), fen), else_=0))
        consumable = func.sum(case((line.category == CONSUMABLE_CATEGORY, fen), else_=0))
        herbal = func.sum(case((line.category == HERBAL_CATEGORY, fen), else_=0))
        stmt = (
            select(
                e.institution_code.label("institution"),
                key.label("key"),
                func.sum(fen).label("income"),
                drug.label("drugs"),
                herbal.label("herbal"),
                consumable.label("consumables"),
            )
            .select_from(
                fee_lines.join(encounters, encounters.c.id == line.encounter_id).join(
                    institutions, institutions.c.code == e.institution_code
                )
            )
            .where(institutions.c.kind != "pharmacy")  # 药占比 is a measure of medical institutions
            .group_by(e.institution_code, key)
        )
        if viewer.scope is not None:
            stmt = stmt.where(e.institution_code == viewer.scope)
        if start is not None:
            stmt = stmt.where(e.start_at >= _midnight(start))
        if end is not None:
            stmt = stmt.where(e.start_at < _midnight(end + timedelta(days=1)))
        with self._uow() as uow:
            rows = uow.connection.execute(stmt).all()
            names = self._names(uow.connection, by, {str(r.key) for r in rows if r.key is not None})
        result = []
        for row in rows:
            income = Decimal(int(row.income or 0))
            result.append(
                {
                    "institution": row.institution,
                    "key": row.key,
                    "name": names.get(str(row.key), ""),
                    "income": Money(int(row.income or 0)),
                    "drugs": Money(int(row.drugs or 0)),
                    "herbal": Money(int(row.herbal or 0)),
                    "consumables": Money(int(row.consumables or 0)),
                    "drug_share": (Decimal(int(row.drugs or 0)) / income).quantize(Decimal("0.0001"))
                    if income
                    else Decimal(0),
                    "consumables_per_100": (Decimal(int(row.consumables or 0)) * 100 / income).quantize(
                        Decimal("0.01")
                    )
                    if income
                    else Decimal(0),
                }
            )
        return sorted(result, key=lambda r: (-r["drug_share"], r["institution"], str(r["key"])))

    def _names(self, connection: Connection, by: str, keys: set[str]) -> dict[str, str]:
        if not keys or by == "department":
            return {}
        table = institutions if by == "institution" else practitioners
        stmt = select(table.c.code, table.c.name).where(table.c.code.in_(sorted(keys)))
        return {str(code): str(name) for code, name in connection.execute(stmt)}


def _total(delivered: dict[tuple[str, str], Decimal], codes: list[str], institution: str) -> Decimal:
    return sum((delivered.get((institution, code), Decimal(0)) for code in codes), Decimal(0))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def completion_dict(item: Completion) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in asdict(item).items()}
