"""A year of procurement for the synthetic region in the database, consistent with its care.

Reads the stored encounters' drug and consumable lines and the institutions, then writes: the
catalogue (every drug code the region bills, from ``synth.catalogue``, and the consumables), the
manufacturers, import agents and distributors, volume agreements for the most used generics (the
cheapest product of each wins; agreed volume = ``agreed_volume_share`` of the year's use), a monthly
order per institution and generic with its delivery and two invoices, year-end stock reports, and
the bureau's assessments. Planted on purpose, with their ground truth in the summary: a three-invoice
chain, a price mismatch, a quantity mismatch, a late payment, an unfilled order, a low stock report
and one institution that buys a non-winning product instead of the winning one (it lags).
A few deliveries to remote institutions take one legitimate extra distribution step, which the check
must accept.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Connection, Engine, Table, insert, select

from sanyi.care.api import encounters, fee_lines
from sanyi.kernel.clock import local_date
from sanyi.kernel.money import line_amount
from sanyi.knowledge.procurement import parameters
from sanyi.procurement.api import (
    BatchLevel,
    EnterpriseRole,
    ProductKind,
    VbpFlag,
    credit_check_char,
    procurement_agreed_volumes,
    procurement_agreements,
    procurement_deliveries,
    procurement_enterprises,
    procurement_findings,
    procurement_invoices,
    procurement_orders,
    procurement_products,
    procurement_stock_reports,
)
from sanyi.registry.api import institutions
from sanyi.synth.catalogue import billed_drugs, supplies

PURCHASED: Final = ("08", "09", "11")  # consumables, Western drugs, Chinese patent drugs
AGREEMENTS: Final = 6
MANUFACTURERS: Final = 40
DISTRIBUTORS: Final = 5
BATCH: Final = 5_000
FORMS: Final = (
    ("片", "片剂"),
    ("胶囊", "胶囊剂"),
    ("颗粒", "颗粒剂"),
    ("注射液", "注射剂"),
    ("口服液", "口服液体剂"),
    ("丸", "丸剂"),
)
CENT: Final = Decimal("0.01")
MARGIN: Final = Decimal("0.85")  # the manufacturer's price to the distributor, of the platform price
BATCH_NAMES: Final = {
    BatchLevel.NATIONAL: "国家组织药品集采",
    BatchLevel.PROVINCIAL: "浙江省药品集采",
    BatchLevel.ALLIANCE: "长三角联盟集采",
}
# Parents before children; chain findings last (the check writes them, clearing the region deletes them).
PROCUREMENT_TABLES: Final = (
    procurement_enterprises,
    procurement_products,
    procurement_agreements,
    procurement_agreed_volumes,
    procurement_orders,
    procurement_deliveries,
    procurement_invoices,
    procurement_stock_reports,
    procurement_findings,
)
PLANTED_RULES: Final = (
    "CHAIN_TOO_MANY_INVOICES",
    "CHAIN_PRICE_MISMATCH",
    "CHAIN_QUANTITY_MISMATCH",
    "CHAIN_LATE_PAYMENT",
)


@dataclass(frozen=True)
class ProcurementSummary:
    products: int
    enterprises: int
    agreements: int
    orders: int
    deliveries: int
    invoices: int
    lagging_institution: str | None
    planted: tuple[tuple[str, str], ...]  # (delivery id, chain rule)
    unfilled_order: str | None
    low_stock: tuple[str, str] | None  # (institution, product)
    remote_extra_steps: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def credit_code(prefix: str, number: int) -> str:
    body = f"91{prefix}MA{number:07d}"
    return body + credit_check_char(body)


def _form(name: str) -> str:
    for suffix, form in FORMS:
        if suffix in name:
            return form
    return "其他"


def _use(engine: Engine, year: int) -> dict[tuple[str, str, int], Decimal]:
    """Quantity billed per (institution, code, month) of the year's drug and consumable lines."""
    use: dict[tuple[str, str, int], Decimal] = defaultdict(Decimal)
    e, line = encounters.c, fee_lines.c
    query = (
        select(e.institution_code, e.start_at, line.code, line.quantity)
        .select_from(fee_lines.join(encounters, encounters.c.id == line.encounter_id))
        .where(line.category.in_(PURCHASED))
    )
    with engine.connect() as connection:
        for institution, start, code, quantity in connection.execute(query):
            day = local_date(start)
            if day.year == year and quantity > 0:
                use[(institution, code, day.month)] += quantity
    return use


@dataclass
class _Enterprises:
    makers: list[str]
    agents: list[str]
    dists: list[str]

    @classmethod
    def build(cls) -> _Enterprises:
        return cls(
            [credit_code("330000", i) for i in range(1, MANUFACTURERS + 1)],
            [credit_code("310000", i) for i in range(1, 3)],
            [credit_code("330300", i) for i in range(1, DISTRIBUTORS + 1)],
        )

    def rows(self) -> list[dict[str, Any]]:
        named = (
            (self.makers, "合成制药{:02d}有限公司", EnterpriseRole.MANUFACTURER),
            (self.agents, "合成进口医药总代理{}公司", EnterpriseRole.IMPORT_AGENT),
            (self.dists, "温州合成医药配送{}公司", EnterpriseRole.DISTRIBUTOR),
        )
        return [
            {"code": code, "name": name.format(i), "role": role.value}
            for codes, name, role in named
            for i, code in enumerate(codes, 1)
        ]


def _product(
    code: str, kind: ProductKind, name: str, maker: str, pay_class: str, price: Decimal
) -> dict[str, Any]:
    return {
        "code": code,
        "kind": kind.value,
        "generic_name": name,
        "form": _form(name) if kind is ProductKind.DRUG else "",
        "spec": "每盒" if kind is ProductKind.DRUG else "每件",
        "manufacturer": maker,
        "pay_class": pay_class,
        "payment_standard": price if pay_class != "丙" else None,
        "platform_price": price,
        "vbp": None,
        "substitute_for": None,
        "high_value_class": "高值医用耗材" if kind is ProductKind.CONSUMABLE and price >= 100 else None,
        "herbal_pieces": False,
    }


def _catalogue(firms: _Enterprises) -> dict[str, dict[str, Any]]:
    """Every drug code the region can bill, and its consumables; one product in 20 is imported."""
    codes = billed_drugs()
    products: dict[str, dict[str, Any]] = {}
    for index, code in enumerate(codes.code.tolist()):
        maker = firms.makers[index % MANUFACTURERS] if index % 20 else firms.agents[index % 2]
        pay_class = {"A": "甲", "B": "乙", "C": "丙"}[str(codes.pay_class[index])]
        price = Decimal(str(codes.price[index])).quantize(CENT)
        products[code] = _product(code, ProductKind.DRUG, str(codes.name[index]), maker, pay_class, price)
    for index, entry in enumerate(supplies().consumables):
        products[entry.code] = _product(
            entry.code, ProductKind.CONSUMABLE, entry.name, firms.makers[index], "乙", entry.price
        )
    return products


@dataclass
class _Agreements:
    rows: list[dict[str, Any]]
    winning: dict[str, str]  # generic -> winning product
    losing: dict[str, str]  # generic -> the dearest non-winning product


def _agreements(
    products: dict[str, dict[str, Any]], generic_use: dict[str, Decimal], year: int
) -> _Agreements:
    """Agreements for the most used drug generics with several products: the cheapest wins; the
    previous price is the generic's average listed price."""
    by_generic: dict[str, list[str]] = defaultdict(list)
    for code, product in products.items():
        by_generic[product["generic_name"]].append(code)
    ranked = sorted(
        (
            g
            for g in generic_use
            if len(by_generic[g]) > 1 and products[by_generic[g][0]]["kind"] == ProductKind.DRUG.value
        ),
        key=lambda g: (-generic_use[g], g),
    )
    result = _Agreements([], {}, {})
    spare = ranked[AGREEMENTS:]
    for number, name in enumerate(ranked[:AGREEMENTS], 1):
        codes = sorted(by_generic[name], key=lambda c: (products[c]["platform_price"], c))
        win = codes[0]
        prices = [products[c]["platform_price"] for c in codes]
        previous = (sum(prices, Decimal(0)) / len(prices)).quantize(Decimal("0.0001"))
        if previous <= prices[0]:
            previous = (prices[0] * Decimal("1.5")).quantize(Decimal("0.0001"))
        result.winning[name], result.losing[name] = win, codes[-1]
        products[win]["vbp"] = VbpFlag.WINNING.value
        for other in codes[1:]:
            products[other]["vbp"] = VbpFlag.NON_WINNING.value
        if number <= len(spare):
            for substitute in by_generic[spare[number - 1]]:
                products[substitute]["vbp"] = VbpFlag.SUBSTITUTE.value
                products[substitute]["substitute_for"] = name
        level = (BatchLevel.NATIONAL, BatchLevel.PROVINCIAL, BatchLevel.ALLIANCE)[number % 3]
        result.rows.append(
            {
                "id": f"VBP{year}{number:02d}",
                "level": level.value,
                "batch_name": f"{BATCH_NAMES[level]}（合成第{number}批）",
                "generic_name": name,
                "product_code": win,
                "winning_price": prices[0],
                "previous_price": previous,
                "start_on": date(year, 1, 1),
                "end_on": date(year, 12, 31),
            }
        )
    return result


def _volumes(
    agreements: list[dict[str, Any]], yearly: dict[tuple[str, str], Decimal], share: Decimal
) -> tuple[list[dict[str, Any]], str | None]:
    """Agreed volumes (share × the year's use of the generic, at least 4) and the lagging institution
    (the one with the largest agreed volume; it fails its assessment, the others pass)."""
    rows = []
    for agreement in agreements:
        for (institution, name), quantity in sorted(yearly.items()):
            agreed = Decimal(math.floor(quantity * share))
            if name == agreement["generic_name"] and agreed >= 4:
                rows.append(
                    {"agreement_id": agreement["id"], "institution_code": institution, "volume": agreed}
                )
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row["institution_code"]] += row["volume"]
    lagging = max(sorted(totals), key=lambda code: totals[code]) if totals else None
    for row in rows:
        row.update(
            assessment_passed=row["institution_code"] != lagging, assessed_by="synth", assessed_at=None
        )
    return rows, lagging


class _Writer:
    """Buffers rows and writes them in batches, parents before children, inside one transaction."""

    ORDER: Final = PROCUREMENT_TABLES[:-1]

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows[table.name].append(row)
        self.counts[table.name] += 1
        if len(self.rows[table.name]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for table in self.ORDER:
            if self.rows[table.name]:
                self.connection.execute(insert(table), self.rows[table.name])
                self.rows[table.name] = []


class _Purchasing:
    """Orders, deliveries and invoice chains, planting the chain violations on the way."""

    def __init__(
        self, writer: _Writer, firms: _Enterprises, products: dict[str, dict[str, Any]], year: int, seed: int
    ):
        self.writer, self.firms, self.products, self.year = writer, firms, products, year
        self.rng = random.Random(seed * 7919 + 10)  # noqa: S311 - synthetic data, not secrets
        self.params = parameters()
        self.to_plant = list(PLANTED_RULES)
        self.planted: list[tuple[str, str]] = []
        self.remote_steps = 0
        self.unfilled: str | None = None
        self.number = 0

    def order(
        self, institution: str, code: str, month: int, quantity: Decimal, *, remote: bool, plantable: bool
    ) -> dict[str, Any]:
        self.number += 1
        rng, price = self.rng, self.products[code]["platform_price"]
        dists = self.firms.dists
        home = dists[int(institution[1:7]) % DISTRIBUTORS]
        order = {
            "id": f"PO{self.year}{self.number:07d}",
            "institution_code": institution,
            "product_code": code,
            "distributor": home if rng.random() < 0.8 else dists[rng.randrange(DISTRIBUTORS)],
            "quantity": Decimal(math.ceil(quantity)),
            "unit_price": price,
            "ordered_on": date(self.year, month, 1 + rng.randrange(5)),
        }
        self.writer.add(procurement_orders, order)
        if self.unfilled is None and month == 11 and plantable:
            self.unfilled = order["id"]  # a shortage signal: never delivered
            return order
        self._deliver(order, remote=remote, plantable=plantable and month >= 3)
        return order

    def _deliver(self, order: dict[str, Any], *, remote: bool, plantable: bool) -> None:
        rng = self.rng
        delivered_on = order["ordered_on"] + timedelta(days=1 + rng.randrange(3))
        delivery_id = f"DL{self.year}{self.number:07d}"
        code, units, distributor = order["product_code"], order["quantity"], order["distributor"]
        batch = f"{self.year % 100:02d}{delivered_on.month:02d}{rng.randrange(1000):03d}"
        self.writer.add(
            procurement_deliveries,
            {
                "id": delivery_id,
                "order_id": order["id"],
                "institution_code": order["institution_code"],
                "distributor": distributor,
                "product_code": code,
                "batch": batch,
                "quantity": units,
                "delivered_on": delivered_on,
            },
        )
        plant = self.to_plant[0] if self.to_plant and plantable and rng.random() < 0.05 else None
        if plant == "CHAIN_LATE_PAYMENT" and not self._late_payment_fits(delivered_on):
            plant = None  # a payment late by the planted margin would fall after the year's end
        if plant is not None:
            self.to_plant.pop(0)
            self.planted.append((delivery_id, plant))
        maker = self.products[code]["manufacturer"]
        chain = [(maker, distributor)]
        extra = remote and self.remote_steps < 3 and rng.random() < 0.05
        if plant == "CHAIN_TOO_MANY_INVOICES" or extra:
            middle = self.firms.dists[(self.firms.dists.index(distributor) + 1) % DISTRIBUTORS]
            chain = [(maker, middle), (middle, distributor)]
            self.remote_steps += extra and plant is None
        chain.append((distributor, order["institution_code"]))
        for step, (seller, buyer) in enumerate(chain, 1):
            last = step == len(chain)
            invoice = {
                "number": f"FP{self.year}{self.number:07d}{step}",
                "delivery_id": delivery_id,
                "seller": seller,
                "buyer": buyer,
                "product_code": code,
                "batch": batch,
                "quantity": units,
                "unit_price": order["unit_price"]
                if last
                else (order["unit_price"] * MARGIN).quantize(Decimal("0.0001")),
                "issued_on": delivered_on if last else delivered_on - timedelta(days=3),
                "paid_on": None,
            }
            if last:
                self._last_invoice(invoice, plant)
            invoice["amount"] = line_amount(invoice["quantity"], invoice["unit_price"])
            self.writer.add(procurement_invoices, invoice)

    def _late_payment_fits(self, delivered_on: date) -> bool:
        """Whether the planted late payment (term + 15 days after the invoice) is paid within the year,
        so the check sees it whatever the year-end it is run as of."""
        late = timedelta(days=self.params.payment_term_days + 15)
        return delivered_on + late <= date(self.year, 12, 31)

    def _last_invoice(self, invoice: dict[str, Any], plant: str | None) -> None:
        if plant == "CHAIN_PRICE_MISMATCH":
            invoice["unit_price"] = (invoice["unit_price"] * Decimal("1.08")).quantize(CENT) + CENT
        if plant == "CHAIN_QUANTITY_MISMATCH":
            invoice["quantity"] += 2
        term = self.params.payment_term_days
        days = term + 15 if plant == "CHAIN_LATE_PAYMENT" else 5 + self.rng.randrange(term - 6)
        paid = invoice["issued_on"] + timedelta(days=days)
        # Not yet paid at the year's end (and, unless planted, not yet due either).
        invoice["paid_on"] = paid if paid <= date(self.year, 12, 31) else None


def _stock(
    writer: _Writer, last_orders: dict[tuple[str, str], dict[str, Any]], year: int, rng: random.Random
) -> tuple[str, str] | None:
    """Year-end stock reports for one product in 20: 20–60 days of use, one planted at 2 days."""
    low: tuple[str, str] | None = None
    for (institution, code), order in sorted(last_orders.items()):
        daily = (order["quantity"] / 30).quantize(CENT)
        if daily <= 0 or rng.random() > 0.05:
            continue
        days = Decimal(20 + rng.randrange(41))
        if low is None and order["quantity"] >= 30:
            days, low = Decimal(2), (institution, code)
        writer.add(
            procurement_stock_reports,
            {
                "institution_code": institution,
                "product_code": code,
                "reported_on": date(year, 12, 31),
                "on_hand": (daily * days).quantize(CENT),
                "daily_use": daily,
            },
        )
    return low


def generate_procurement(engine: Engine, year: int, seed: int) -> ProcurementSummary:
    """Write a year of procurement for the region already in the database (which must have none)."""
    params = parameters()
    use = _use(engine, year)
    with engine.connect() as connection:
        places = {
            code: (area, kind)
            for code, area, kind in connection.execute(
                select(institutions.c.code, institutions.c.area_code, institutions.c.kind)
            )
        }
    buyers = {
        code for code, (_, kind) in places.items() if kind != "pharmacy"
    }  # retail pharmacies buy elsewhere
    firms = _Enterprises.build()
    products = _catalogue(firms)
    monthly: dict[tuple[str, str, int], Decimal] = defaultdict(Decimal)
    yearly: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    generic_use: dict[str, Decimal] = defaultdict(Decimal)
    for (institution, code, month), quantity in use.items():
        if institution in buyers and code in products:
            name = products[code]["generic_name"]
            monthly[(institution, name, month)] += quantity
            yearly[(institution, name)] += quantity
            generic_use[name] += quantity
    deals = _agreements(products, generic_use, year)
    volumes, lagging = _volumes(deals.rows, yearly, params.agreed_volume_share)
    listed: dict[str, str] = {}
    for code in sorted(products):
        listed.setdefault(products[code]["generic_name"], code)
    with engine.begin() as connection:
        writer = _Writer(connection)
        for table, rows in (
            (procurement_enterprises, firms.rows()),
            (procurement_products, list(products.values())),
            (procurement_agreements, deals.rows),
            (procurement_agreed_volumes, volumes),
        ):
            for row in rows:
                writer.add(table, row)
        buying = _Purchasing(writer, firms, products, year, seed)
        last_orders: dict[tuple[str, str], dict[str, Any]] = {}
        for (institution, name, month), quantity in sorted(monthly.items()):
            code = deals.winning.get(name, listed[name])
            if institution == lagging and name in deals.winning and month % 3:
                code = deals.losing[
                    name
                ]  # the lagging institution buys the winning product one month in three
            remote = params.is_remote(places[institution][0])
            order = buying.order(
                institution,
                code,
                month,
                quantity,
                remote=remote,
                # Planted faults stay off agreement products, so completion reflects only the lagging buyer.
                plantable=not remote and institution != lagging and name not in deals.winning,
            )
            last_orders[(institution, code)] = order
        low = _stock(writer, last_orders, year, buying.rng)
        writer.flush()
    counts = dict(writer.counts)
    return ProcurementSummary(
        products=len(products),
        enterprises=counts.get("procurement_enterprises", 0),
        agreements=len(deals.rows),
        orders=counts.get("procurement_orders", 0),
        deliveries=counts.get("procurement_deliveries", 0),
        invoices=counts.get("procurement_invoices", 0),
        lagging_institution=lagging,
        planted=tuple(buying.planted),
        unfilled_order=buying.unfilled,
        low_stock=low,
        remote_extra_steps=buying.remote_steps,
        counts=counts,
    )
