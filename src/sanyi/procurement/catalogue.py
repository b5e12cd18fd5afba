"""The procurement catalogue as import templates (ADR 0008): enterprises and products, with loaders
that check national code formats, the 统一社会信用代码 check character, the manufacturer reference
and that a product's kind agrees with its code; rows upsert by code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import Connection, select

from sanyi.infrastructure.importer import BufferedLoader
from sanyi.infrastructure.sheets import (
    FLAG,
    IMPORT_DUPLICATE_KEY,
    IMPORT_INCONSISTENT,
    IMPORT_UNKNOWN_REFERENCE,
    Column,
    Format,
    SheetSpec,
    choice,
    decimal,
    problem,
    text,
)
from sanyi.infrastructure.upsert import upsert
from sanyi.kernel.errors import Issue
from sanyi.procurement.codes import validate_credit_code, validate_product_code
from sanyi.procurement.model import EnterpriseRole, ProductKind, VbpFlag
from sanyi.procurement.tables import procurement_enterprises, procurement_products

ROLE_LABELS: Final = {
    EnterpriseRole.MANUFACTURER: "生产企业",
    EnterpriseRole.IMPORT_AGENT: "进口总代理",
    EnterpriseRole.DISTRIBUTOR: "配送企业",
}
KIND_LABELS: Final = {ProductKind.DRUG: "药品", ProductKind.CONSUMABLE: "耗材"}
VBP_LABELS: Final = {
    VbpFlag.WINNING: "中选",
    VbpFlag.NON_WINNING: "同通用名未中选",
    VbpFlag.SUBSTITUTE: "可替代",
}


def _checked(validate: Callable[[str], str], zh: str, en: str) -> Format:
    return Format(validate, lambda value: "" if value is None else str(value), zh, en)


PRODUCT_CODE: Final = _checked(
    validate_product_code,
    "医保药品编码（X 加 22 位或 Z 加 19 位）或耗材编码（C 加 19 位数字）",
    "drug code (X + 22 or Z + 19 characters) or consumable code (C + 19 digits)",
)
CREDIT_CODE: Final = _checked(
    validate_credit_code,
    "18 位统一社会信用代码（含校验码）",
    "18-character unified social credit code (checked)",
)

ENTERPRISES: Final = SheetSpec(
    "procurement_enterprises",
    "医药企业",
    "pharmaceutical enterprises",
    (
        Column(
            "code",
            "统一社会信用代码",
            "企业代码",
            "enterprise code",
            CREDIT_CODE,
            example="91330300MA2A0K4R1R",
        ),
        Column("name", "企业名称", "名称", "name", text(200), example="温州医药有限公司"),
        Column(
            "role",
            "企业角色",
            "生产企业、进口总代理或配送企业",
            "role",
            choice(ROLE_LABELS),
            example="配送企业",
        ),
    ),
)

PRODUCTS: Final = SheetSpec(
    "procurement_products",
    "药品耗材目录",
    "drug and consumable catalogue",
    (
        Column(
            "code",
            "医保编码",
            "国家医保药品或耗材编码",
            "national code",
            PRODUCT_CODE,
            example="XC08CAA040A001010104022",
        ),
        Column("kind", "类别", "药品或耗材", "drug or consumable", choice(KIND_LABELS), example="药品"),
        Column(
            "generic_name", "通用名", "通用名（耗材为名称）", "generic name", text(200), example="氨氯地平片"
        ),
        Column(
            "form",
            "剂型",
            "剂型（耗材可空）",
            "dosage form",
            text(64),
            required=False,
            default="",
            example="片剂",
        ),
        Column(
            "spec",
            "规格",
            "规格包装",
            "specification",
            text(200),
            required=False,
            default="",
            example="5mg*28片",
        ),
        Column(
            "manufacturer",
            "生产企业代码",
            "生产企业的统一社会信用代码",
            "manufacturer",
            CREDIT_CODE,
            example="913300001429152342",
        ),
        Column(
            "pay_class",
            "医保类别",
            "甲、乙或丙",
            "insurance class",
            choice({"甲": "甲", "乙": "乙", "丙": "丙"}),
            example="甲",
        ),
        Column(
            "payment_standard",
            "支付标准",
            "医保支付标准（元/最小包装）",
            "payment standard, yuan",
            decimal(4),
            required=False,
            example="12.5000",
        ),
        Column(
            "platform_price",
            "挂网价",
            "平台挂网（中选）价格（元）",
            "platform price, yuan",
            decimal(4),
            example="12.5000",
        ),
        Column(
            "vbp",
            "集采标志",
            "中选、同通用名未中选、可替代；空为非集采",
            "VBP flag",
            choice(VBP_LABELS),
            required=False,
            example="中选",
        ),
        Column(
            "substitute_for",
            "可替代通用名",
            "可替代品种所替代的通用名",
            "generic it substitutes",
            text(200),
            required=False,
            example="",
        ),
        Column(
            "high_value_class",
            "高值耗材类别",
            "高值医用耗材类别（耗材）",
            "high-value consumable class",
            text(64),
            required=False,
            example="",
        ),
        Column(
            "herbal_pieces",
            "中药饮片",
            "是否中药饮片（不计入药占比）",
            "herbal pieces (outside 药占比)",
            FLAG,
            required=False,
            default=False,
            example="否",
        ),
    ),
    notes_zh=("药品编码以 X 或 Z 开头，类别须为药品；耗材编码以 C 开头，类别须为耗材。",),
    notes_en=(
        "Drug codes start with X or Z and are of kind 药品; consumable codes start with C and are 耗材.",
    ),
)


class _Loader(BufferedLoader):
    spec: SheetSpec
    header: str

    def __init__(self) -> None:
        super().__init__()
        self.first_row: dict[str, int] = {}

    def duplicate(self, row: int, key: str) -> list[Issue]:
        first = self.first_row.setdefault(key, row)
        if first != row:
            return [problem(IMPORT_DUPLICATE_KEY, row, self.header, key, first_row=first, key=key)]
        return []


class EnterpriseLoader(_Loader):
    spec = ENTERPRISES
    header = "统一社会信用代码"

    def begin(self, connection: Connection) -> None:
        return None

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        return self.duplicate(row, values["code"])

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch = self.take()
        rows = [{"code": v["code"], "name": v["name"], "role": v["role"].value} for v in batch]
        return upsert(connection, procurement_enterprises, rows, ["code"])


class ProductLoader(_Loader):
    spec = PRODUCTS
    header = "医保编码"

    def __init__(self) -> None:
        super().__init__()
        self.manufacturers: set[str] = set()

    def begin(self, connection: Connection) -> None:
        query = select(procurement_enterprises.c.code).where(
            procurement_enterprises.c.role != EnterpriseRole.DISTRIBUTOR.value
        )
        self.manufacturers = set(connection.execute(query).scalars())

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        issues = self.duplicate(row, values["code"])
        if values["manufacturer"] not in self.manufacturers:
            issues.append(
                problem(
                    IMPORT_UNKNOWN_REFERENCE,
                    row,
                    "生产企业代码",
                    values["manufacturer"],
                    kind_zh="生产企业",
                    kind_en="manufacturer",
                    value=values["manufacturer"],
                )
            )
        expected = ProductKind.CONSUMABLE if values["code"].startswith("C") else ProductKind.DRUG
        if values["kind"] is not expected:
            issues.append(
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "类别",
                    KIND_LABELS[values["kind"]],
                    other_zh="医保编码",
                    other_en="the national code",
                    reason_zh=f"编码 {values['code']} 应为{KIND_LABELS[expected]}",
                    reason_en=f"code {values['code']} is a {expected.value}",
                )
            )
        return issues

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch = self.take()
        rows = [product_row(v) for v in batch]
        return upsert(connection, procurement_products, rows, ["code"])


def product_row(values: dict[str, Any]) -> dict[str, Any]:
    vbp = values.get("vbp")
    return {
        "code": values["code"],
        "kind": ProductKind(values["kind"]).value,
        "generic_name": values["generic_name"],
        "form": values.get("form") or "",
        "spec": values.get("spec") or "",
        "manufacturer": values["manufacturer"],
        "pay_class": values["pay_class"],
        "payment_standard": values.get("payment_standard"),
        "platform_price": values["platform_price"],
        "vbp": VbpFlag(vbp).value if vbp else None,
        "substitute_for": values.get("substitute_for") or None,
        "high_value_class": values.get("high_value_class") or None,
        "herbal_pieces": bool(values.get("herbal_pieces")),
    }


LOADERS: Final[dict[str, Callable[[], Any]]] = {
    ENTERPRISES.kind: EnterpriseLoader,
    PRODUCTS.kind: ProductLoader,
}
SPECS: Final = {ENTERPRISES.kind: ENTERPRISES, PRODUCTS.kind: PRODUCTS}
