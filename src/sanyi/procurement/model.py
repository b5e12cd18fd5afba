"""Procurement records as plain dataclasses: catalogue products, enterprises, orders, deliveries with
their invoice chain, volume agreements, stock reports, and what the engines find."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sanyi.kernel.money import Money, line_amount


class ProductKind(enum.StrEnum):
    DRUG = "drug"
    CONSUMABLE = "consumable"


class VbpFlag(enum.StrEnum):
    """集采 flags of a product: 中选, 同通用名未中选, 可替代."""

    WINNING = "winning"
    NON_WINNING = "non_winning"
    SUBSTITUTE = "substitute"


class EnterpriseRole(enum.StrEnum):
    MANUFACTURER = "manufacturer"  # 生产企业
    IMPORT_AGENT = "import_agent"  # 进口药品国内总代理
    DISTRIBUTOR = "distributor"  # 配送（流通）企业


class BatchLevel(enum.StrEnum):
    NATIONAL = "national"  # 国家组织集采
    PROVINCIAL = "provincial"  # 省级集采
    ALLIANCE = "alliance"  # 跨区域联盟集采


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    kind: ProductKind
    generic_name: str
    form: str
    spec: str
    manufacturer: str  # the manufacturer's 统一社会信用代码
    pay_class: str  # 甲 / 乙 / 丙 (drugs), 甲 / 乙 (consumables)
    payment_standard: Decimal | None  # 医保支付标准 per unit, yuan
    platform_price: Decimal  # 挂网 / 中选 price per unit on the platform, yuan
    vbp: VbpFlag | None = None
    substitute_for: str | None = None  # the generic a substitute can replace
    high_value_class: str | None = None  # 高值医用耗材 class, consumables only
    herbal_pieces: bool = False  # 中药饮片: outside 药占比


@dataclass(frozen=True, slots=True)
class Enterprise:
    code: str  # 统一社会信用代码
    name: str
    role: EnterpriseRole


@dataclass(frozen=True, slots=True)
class Invoice:
    number: str
    seller: str  # enterprise code
    buyer: str  # enterprise code, or the institution code on the last invoice
    product_code: str
    batch: str
    quantity: Decimal
    unit_price: Decimal
    issued_on: date
    paid_on: date | None = None

    @property
    def amount(self) -> Money:
        return line_amount(self.quantity, self.unit_price)


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    institution: str
    product_code: str
    distributor: str
    quantity: Decimal
    unit_price: Decimal
    ordered_on: date


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    order_id: str
    institution: str
    distributor: str
    product_code: str
    batch: str
    quantity: Decimal
    delivered_on: date
    invoices: tuple[Invoice, ...] = ()


@dataclass(frozen=True, slots=True)
class ChainFinding:
    """One failed check of a delivery's invoice chain, with the evidence that shows it."""

    delivery_id: str
    institution: str
    rule: str
    day: date
    amount: Money
    evidence: dict[str, Any]
    message_zh: str
    message_en: str


@dataclass(frozen=True, slots=True)
class Agreement:
    """A volume-based procurement agreement (带量采购) for one generic and its winning product."""

    id: str
    level: BatchLevel
    batch_name: str
    generic_name: str
    product_code: str  # the winning product
    winning_price: Decimal
    previous_price: Decimal  # the average purchase price of the generic before the agreement
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Completion:
    agreement_id: str
    institution: str
    as_of: date
    agreed: Decimal
    elapsed: Decimal  # share of the period elapsed
    expected: Decimal  # agreed × elapsed
    purchased: Decimal  # winning product
    non_winning: Decimal  # same generic, not the winning product
    substitutes: Decimal
    rate: Decimal  # purchased ÷ expected (pro-rated completion)
    warning: bool


@dataclass(frozen=True, slots=True)
class Savings:
    agreement_id: str
    institution: str
    purchased: Decimal
    price_drop: Decimal  # previous average price − winning price
    savings: Money  # price drop × purchased volume
    completed: bool
    passed: bool | None  # the bureau's assessment; None = not yet assessed
    retained: Money
    steps: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class PricePoint:
    """What an institution paid for a product in one month (quantity-weighted unit price)."""

    institution: str
    area: str
    product_code: str
    month: str  # YYYY-MM
    quantity: Decimal
    amount: Decimal  # yuan


@dataclass(frozen=True, slots=True)
class PriceAlert:
    kind: str  # above_platform, rise, spread
    product_code: str
    month: str
    scope: str  # institution code, area code or "region"
    price: Decimal
    reference: Decimal
    change: Decimal  # price ÷ reference − 1


@dataclass(frozen=True, slots=True)
class StockReport:
    institution: str
    product_code: str
    reported_on: date
    on_hand: Decimal
    daily_use: Decimal


@dataclass(frozen=True, slots=True)
class ShortageSignal:
    kind: str  # unfilled, low_stock
    institution: str
    product_code: str
    day: date
    reference: str  # order id or report day
    observed: Decimal  # days unfilled or stock days
    limit: Decimal
