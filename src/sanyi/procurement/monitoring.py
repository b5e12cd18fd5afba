"""Price monitoring and shortage signals, pure over monthly price points, orders and stock reports.

Price alerts: an institution paid above the platform price; the region's average price of a product
rose month over month beyond a threshold; an institution or an area paid more than the region's
median beyond a threshold. Shortage signals: an order unfilled longer than N days; stock that lasts
fewer days than a floor.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from statistics import median
from typing import Final

from sanyi.procurement.model import PriceAlert, PricePoint, ShortageSignal, StockReport

PRICE: Final = Decimal("0.0001")


def _average(quantity: Decimal, amount: Decimal) -> Decimal:
    return (amount / quantity).quantize(PRICE) if quantity else Decimal(0)


def _change(price: Decimal, reference: Decimal) -> Decimal:
    return (price / reference - 1).quantize(PRICE)


def price_alerts(
    points: Iterable[PricePoint],
    platform: Mapping[str, Decimal],
    rise_threshold: Decimal,
    spread_threshold: Decimal,
) -> list[PriceAlert]:
    alerts: list[PriceAlert] = []
    region: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    by_scope: dict[tuple[str, str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for point in points:
        price = _average(point.quantity, point.amount)
        listed = platform.get(point.product_code)
        if listed and price > listed:
            alerts.append(
                PriceAlert(
                    "above_platform",
                    point.product_code,
                    point.month,
                    point.institution,
                    price,
                    listed,
                    _change(price, listed),
                )
            )
        for sums in (
            region[(point.product_code, point.month)],
            by_scope[(point.product_code, point.month, point.institution)],
            by_scope[(point.product_code, point.month, "area:" + point.area)],
        ):
            sums[0] += point.quantity
            sums[1] += point.amount
    alerts += _rises(region, rise_threshold)
    alerts += _spreads(by_scope, spread_threshold)
    return sorted(alerts, key=lambda a: (a.month, a.product_code, a.kind, a.scope))


def _rises(region: Mapping[tuple[str, str], list[Decimal]], threshold: Decimal) -> list[PriceAlert]:
    alerts = []
    months: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for (product, month), (quantity, amount) in region.items():
        months[product].append((month, _average(quantity, amount)))
    for product, series in months.items():
        series.sort()
        for (_, before), (month, price) in itertools.pairwise(series):
            if before and price > before * (1 + threshold):
                alerts.append(
                    PriceAlert("rise", product, month, "region", price, before, _change(price, before))
                )
    return alerts


def _spreads(by_scope: Mapping[tuple[str, str, str], list[Decimal]], threshold: Decimal) -> list[PriceAlert]:
    groups: dict[tuple[str, str, bool], list[tuple[str, Decimal]]] = defaultdict(list)
    for (product, month, scope), (quantity, amount) in by_scope.items():
        groups[(product, month, scope.startswith("area:"))].append((scope, _average(quantity, amount)))
    alerts = []
    for (product, month, _), prices in groups.items():
        if len(prices) < 3:  # a median of fewer than three buyers says little
            continue
        middle = Decimal(median(price for _, price in prices))
        for scope, price in prices:
            if middle and price > middle * (1 + threshold):
                alerts.append(
                    PriceAlert(
                        "spread",
                        product,
                        month,
                        scope.removeprefix("area:"),
                        price,
                        middle,
                        _change(price, middle),
                    )
                )
    return alerts


def unfilled_orders(
    orders: Iterable[tuple[str, str, str, date, Decimal, Decimal]], as_of: date, days: int
) -> list[ShortageSignal]:
    """Orders (id, institution, product, ordered on, ordered, delivered) still short after ``days``."""
    signals = []
    for order_id, institution, product, ordered_on, quantity, delivered in orders:
        waited = (as_of - ordered_on).days
        if delivered < quantity and waited > days:
            signals.append(
                ShortageSignal(
                    "unfilled", institution, product, ordered_on, order_id, Decimal(waited), Decimal(days)
                )
            )
    return signals


def low_stock(reports: Iterable[StockReport], floor: Decimal) -> list[ShortageSignal]:
    signals = []
    for report in reports:
        if report.daily_use <= 0:
            continue
        days = (report.on_hand / report.daily_use).quantize(Decimal("0.1"))
        if days < floor:
            signals.append(
                ShortageSignal(
                    "low_stock",
                    report.institution,
                    report.product_code,
                    report.reported_on,
                    report.reported_on.isoformat(),
                    days,
                    floor,
                )
            )
    return signals
