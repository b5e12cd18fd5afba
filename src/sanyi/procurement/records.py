"""Reading procurement records from the database into the model (deliveries with their invoice chains,
agreements, price points, orders), shared by the services, the synthetic region and the benchmark."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, and_, func, select

from sanyi.knowledge.procurement import ProcurementParameters
from sanyi.procurement.model import (
    Agreement,
    BatchLevel,
    Delivery,
    EnterpriseRole,
    Invoice,
    PricePoint,
    StockReport,
)
from sanyi.procurement.tables import (
    procurement_agreements,
    procurement_deliveries,
    procurement_enterprises,
    procurement_invoices,
    procurement_orders,
    procurement_products,
    procurement_stock_reports,
)
from sanyi.registry.api import institutions


def _period(column: Any, start: date | None, end: date | None) -> list[Any]:
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column <= end)
    return conditions


def iter_deliveries(
    connection: Connection,
    start: date | None = None,
    end: date | None = None,
    institution: str | None = None,
) -> Iterator[Delivery]:
    """Deliveries of a period (by delivery day) with their invoices, in delivery-id order.

    Two ordered reads merged side by side (deliveries, and their invoices joined to the same filter),
    so a year is read in two passes whatever its size.
    """
    d, i = procurement_deliveries.c, procurement_invoices.c
    conditions = _period(d.delivered_on, start, end)
    if institution is not None:
        conditions.append(d.institution_code == institution)
    deliveries = connection.execute(
        select(procurement_deliveries).where(and_(True, *conditions)).order_by(d.id)
    )
    invoices = connection.execute(
        select(procurement_invoices)
        .select_from(procurement_invoices.join(procurement_deliveries, d.id == i.delivery_id))
        .where(and_(True, *conditions))
        .order_by(i.delivery_id, i.issued_on, i.number)
    )
    chains = groupby(invoices, key=lambda inv: inv.delivery_id)
    pending = next(chains, None)
    for row in deliveries:
        chain: tuple[Invoice, ...] = ()
        if pending is not None and pending[0] == row.id:
            chain = tuple(
                Invoice(
                    inv.number,
                    inv.seller,
                    inv.buyer,
                    inv.product_code,
                    inv.batch,
                    inv.quantity,
                    inv.unit_price,
                    inv.issued_on,
                    inv.paid_on,
                )
                for inv in pending[1]
            )
            pending = next(chains, None)
        yield Delivery(
            row.id,
            row.order_id,
            row.institution_code,
            row.distributor,
            row.product_code,
            row.batch,
            row.quantity,
            row.delivered_on,
            chain,
        )


def remote_institutions(connection: Connection, params: ProcurementParameters) -> frozenset[str]:
    """Institutions in the parameters' remote divisions (one extra distribution step allowed)."""
    return frozenset(code for code, area in institution_areas(connection).items() if params.is_remote(area))


def roles(connection: Connection) -> dict[str, EnterpriseRole]:
    e = procurement_enterprises.c
    return {code: EnterpriseRole(role) for code, role in connection.execute(select(e.code, e.role))}


def platform_prices(connection: Connection) -> dict[str, Decimal]:
    p = procurement_products.c
    return {row.code: row.platform_price for row in connection.execute(select(p.code, p.platform_price))}


def institution_areas(connection: Connection) -> dict[str, str]:
    return {
        row.code: row.area_code
        for row in connection.execute(select(institutions.c.code, institutions.c.area_code))
    }


def agreements(connection: Connection) -> list[Agreement]:
    a = procurement_agreements.c
    return [
        Agreement(
            row.id,
            BatchLevel(row.level),
            row.batch_name,
            row.generic_name,
            row.product_code,
            row.winning_price,
            row.previous_price,
            row.start_on,
            row.end_on,
        )
        for row in connection.execute(select(procurement_agreements).order_by(a.start_on, a.id))
    ]


def delivered_by_product(
    connection: Connection,
    start: date,
    end: date,
    institution: str | None = None,
    products: list[str] | None = None,
) -> dict[tuple[str, str], Decimal]:
    """Delivered quantity per (institution, product) within [start, end], of the given products."""
    d = procurement_deliveries.c
    conditions = _period(d.delivered_on, start, end)
    if institution is not None:
        conditions.append(d.institution_code == institution)
    if products is not None:
        conditions.append(d.product_code.in_(products))
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    query = select(d.institution_code, d.product_code, d.quantity).where(*conditions)
    for code, product, quantity in connection.execute(query):
        totals[(code, product)] += quantity
    return totals


def price_points(
    connection: Connection, start: date | None, end: date | None, institution: str | None = None
) -> list[PricePoint]:
    """What institutions paid per product and month: the invoices whose buyer is an institution."""
    i = procurement_invoices.c
    areas = institution_areas(connection)
    conditions = [i.buyer.in_(list(areas)) if institution is None else i.buyer == institution]
    conditions += _period(i.issued_on, start, end)
    sums: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    query = select(i.buyer, i.product_code, i.issued_on, i.quantity, i.amount).where(*conditions)
    for buyer, product, issued_on, quantity, amount in connection.execute(query):
        entry = sums[(buyer, product, issued_on.strftime("%Y-%m"))]
        entry[0] += quantity
        entry[1] += amount.yuan
    return [
        PricePoint(buyer, areas[buyer][:6], product, month, quantity, amount)
        for (buyer, product, month), (quantity, amount) in sorted(sums.items())
    ]


def order_fill(
    connection: Connection, end: date, institution: str | None = None
) -> list[tuple[str, str, str, date, Decimal, Decimal]]:
    """Every order placed up to ``end`` with the quantity delivered by ``end``."""
    o, d = procurement_orders.c, procurement_deliveries.c
    delivered: dict[str, Decimal] = defaultdict(Decimal)
    query = select(d.order_id, d.quantity).where(d.delivered_on <= end)
    if institution is not None:
        query = query.where(d.institution_code == institution)
    for order_id, quantity in connection.execute(query):
        delivered[order_id] += quantity
    orders = select(o.id, o.institution_code, o.product_code, o.ordered_on, o.quantity).where(
        o.ordered_on <= end
    )
    if institution is not None:
        orders = orders.where(o.institution_code == institution)
    return [
        (
            row.id,
            row.institution_code,
            row.product_code,
            row.ordered_on,
            row.quantity,
            delivered.get(row.id, Decimal(0)),
        )
        for row in connection.execute(orders.order_by(o.ordered_on, o.id))
    ]


def stock_reports(connection: Connection, end: date, institution: str | None = None) -> list[StockReport]:
    """The latest stock report up to ``end`` of each institution and product."""
    s = procurement_stock_reports.c
    latest = (
        select(s.institution_code, s.product_code, func.max(s.reported_on).label("day"))
        .where(s.reported_on <= end)
        .group_by(s.institution_code, s.product_code)
        .subquery()
    )
    query = select(procurement_stock_reports).join(
        latest,
        and_(
            s.institution_code == latest.c.institution_code,
            s.product_code == latest.c.product_code,
            s.reported_on == latest.c.day,
        ),
    )
    if institution is not None:
        query = query.where(s.institution_code == institution)
    return [
        StockReport(r.institution_code, r.product_code, r.reported_on, r.on_hand, r.daily_use)
        for r in connection.execute(query.order_by(s.institution_code, s.product_code))
    ]


def latest_activity(connection: Connection) -> date | None:
    """The last delivery or order day: the 'as of' day of monitoring when none is given."""
    d, o = procurement_deliveries.c, procurement_orders.c
    days = [
        connection.execute(select(func.max(d.delivered_on))).scalar(),
        connection.execute(select(func.max(o.ordered_on))).scalar(),
    ]
    known = [day for day in days if day is not None]
    return max(known) if known else None
