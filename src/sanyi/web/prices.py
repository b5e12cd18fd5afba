"""The three public price lists of one hospital and period, as rows for a page and for Excel.

Shared by the public disclosure page and the staff pricing pages. A period (``2023``, ``2023Q4``)
reads as its days: prices in force on its last day, the most billed items and the drugs dispensed
counted over the whole period."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from sanyi.indicators.api import Span
from sanyi.kernel.errors import DomainError
from sanyi.pricing.api import LEVEL_ZH, LISTS, PRICING_UNKNOWN_LIST, DrugPrice, Page, Priced, PricingService
from sanyi.registry.api import Viewer

PAGE_SIZE: Final = 50
BASIS_ZH: Final = {"invoice": "最近一次配送发票价", "platform": "平台挂网价", "": "无采购记录"}
SERVICE_HEADER: Final = (
    "项目编码 code",
    "项目名称 item",
    "计价单位 unit",
    "价格（元）price",
    "计价说明 notes",
    "本期收费次数 billed",
    "生效日期 from",
    "失效日期 to",
    "版本 version",
    "文件依据 source",
)
DRUG_HEADER: Final = (
    "药品编码 code",
    "药品名称 drug",
    "销售价（元）sale price",
    "采购价（元）purchase price",
    "采购价依据 basis",
    "加成（元）mark-up",
    "零差率 zero mark-up",
    "数量 quantity",
    "金额（元）amount",
)
CASE_HEADER: Final = (
    "疾病诊断编码 ICD-10",
    "手术操作编码 ICD-9-CM-3",
    "病种名称 disease",
    "收费标准（元/例）fee per case",
    "包含内容 includes",
    "除外内容 excludes",
    "生效日期 from",
    "失效日期 to",
    "版本 version",
    "文件依据 source",
)


@dataclass(frozen=True, slots=True)
class Days:
    first: date
    last: date


def period_days(period: str) -> Days:
    span = Span.parse(period)
    year, month = int(span.last[:4]), int(span.last[5:])
    last = date(year, month, calendar.monthrange(year, month)[1])
    return Days(date(int(span.first[:4]), int(span.first[5:]), 1), last)


def check_list(name: str) -> str:
    if name not in LISTS:
        raise DomainError(PRICING_UNKNOWN_LIST, path="list", value=name, available=", ".join(LISTS))
    return name


def level_name(tier: int) -> str:
    return LEVEL_ZH[min(max(int(tier), 1), 3)]


def service_row(p: Priced) -> list[Any]:
    item = p.item
    return [
        item.key,
        item.name,
        getattr(item, "unit", ""),
        None if p.price is None else p.price.yuan,
        getattr(item, "note", ""),
        p.billed,
        item.validity.effective_from,
        item.validity.effective_to,
        item.version,
        item.source,
    ]


def drug_row(d: DrugPrice) -> list[Any]:
    return [
        d.code,
        d.name,
        "、".join(str(p) for p in d.sale_prices),
        d.purchase_price,
        BASIS_ZH[d.purchase_basis],
        d.markup,
        "否 加成" if d.marked_up else ("是" if d.purchase_price is not None else "—"),
        d.quantity,
        d.amount.yuan,
    ]


def case_row(p: Priced) -> list[Any]:
    item = p.item
    return [
        getattr(item, "disease_code", ""),
        getattr(item, "operation_code", ""),
        item.name,
        None if p.price is None else p.price.yuan,
        getattr(item, "includes", ""),
        getattr(item, "excludes", ""),
        item.validity.effective_from,
        item.validity.effective_to,
        item.version,
        item.source,
    ]


@dataclass(frozen=True)
class PriceLists:
    services: Page
    drugs: list[DrugPrice]
    cases: list[Priced]
    days: Days
    page: int
    pages: int

    @property
    def marked_up(self) -> int:
        return sum(d.marked_up for d in self.drugs)


def price_lists(
    service: PricingService, viewer: Viewer, code: str, period: str, query: str = "", page: int = 1
) -> PriceLists:
    days = period_days(period)
    services = service.service_prices(code, days.last, days.first, query, (page - 1) * PAGE_SIZE, PAGE_SIZE)
    drugs = service.drug_prices(viewer, code, days.first, days.last)
    cases = service.case_prices(code, days.last)
    pages = max(1, -(-services.total // PAGE_SIZE))
    return PriceLists(services, drugs, cases, days, page, pages)


def list_sheet(
    service: PricingService, viewer: Viewer, code: str, period: str, name: str
) -> tuple[Sequence[str], list[list[Any]]]:
    """One whole list (every service item, not one page) as a header and rows."""
    days = period_days(period)
    if check_list(name) == "services":
        found = service.service_prices(code, days.last, days.first, limit=1_000_000)
        return SERVICE_HEADER, [service_row(p) for p in found.rows]
    if name == "drugs":
        return DRUG_HEADER, [drug_row(d) for d in service.drug_prices(viewer, code, days.first, days.last)]
    return CASE_HEADER, [case_row(p) for p in service.case_prices(code, days.last)]
