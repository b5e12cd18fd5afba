"""The two schedules as import templates (ADR 0008): service prices and 按病种收费, with loaders that
check each version (a price at some level, dates in order, known ICD codes) and refuse a version
whose period overlaps another of the same key in the same area, in the file or in the database.
Rows upsert by (area, key, effective_from): importing a version again corrects it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Connection, Table, select

from sanyi.infrastructure.importer import BufferedLoader
from sanyi.infrastructure.sheets import (
    DATE,
    IMPORT_DUPLICATE_KEY,
    IMPORT_UNKNOWN_CODE,
    Column,
    SheetSpec,
    decimal,
    problem,
    text,
)
from sanyi.infrastructure.upsert import upsert
from sanyi.kernel.errors import DomainError, Issue
from sanyi.kernel.money import Money
from sanyi.knowledge.codes import diagnoses, procedures
from sanyi.pricing.errors import PRICING_BAD_PERIOD, PRICING_NO_PRICE
from sanyi.pricing.model import LEVEL_ZH, LEVELS, Validity, overlap_error, overlapping
from sanyi.pricing.tables import pricing_case_prices, pricing_service_prices

AREA: Final = text(
    6, r"\d{6}", "6 位行政区划代码（省或市的定价地区）", "6-digit area code of the pricing authority"
)
YUAN: Final = decimal(2)


def _dates() -> tuple[Column, Column, Column, Column]:
    return (
        Column(
            "effective_from", "生效日期", "本版本价格起始执行日", "in force from", DATE, example="2024-01-01"
        ),
        Column(
            "effective_to",
            "失效日期",
            "最后执行日（含）；空为长期有效",
            "last day in force (inclusive); empty = open",
            DATE,
            required=False,
            example="",
        ),
        Column("version", "版本", "价格文件的版本或批次", "version", text(64), example="2024版"),
        Column(
            "source",
            "文件依据",
            "定价文件名称与文号",
            "pricing document",
            text(300),
            example="关于调整医疗服务价格的通知（某医保发〔2024〕1号）",
        ),
    )


def _levels(prefix: str, zh: str, en: str) -> tuple[Column, ...]:
    return tuple(
        Column(
            f"{prefix}_{level}",
            f"{LEVEL_ZH[level]}{zh}",
            f"{LEVEL_ZH[level]}医疗机构{zh}（元）；空为该级别不执行",
            f"{en} at level {level} hospitals, yuan; empty = not priced there",
            YUAN,
            required=False,
            example=example,
        )
        for level, example in zip(LEVELS, ("12.00", "10.00", "8.00"), strict=True)
    )


SERVICE_PRICES: Final = SheetSpec(
    "pricing_service_prices",
    "医疗服务项目价格",
    "medical service prices",
    (
        Column("area_code", "定价地区", "价格主管部门所在地区代码", "pricing area", AREA, example="330300"),
        Column(
            "code",
            "项目编码",
            "国家医疗服务项目编码",
            "national service item code",
            text(32, r"[0-9A-Z]{6,32}", "6～32 位数字或大写字母", "6–32 digits or capitals"),
            example="001101000010000",
        ),
        Column("name", "项目名称", "项目名称", "item name", text(200), example="挂号费"),
        Column("unit", "计价单位", "计价单位", "pricing unit", text(32), example="次"),
        *_levels("price", "价格", "price"),
        Column(
            "note", "计价说明", "计价说明、除外内容", "pricing notes", text(2000), required=False, default=""
        ),
        *_dates(),
    ),
    notes_zh=("每行是一个项目在一个定价地区的一个版本；同一项目同一地区的各版本有效期不得重叠。",),
    notes_en=(
        "Each row is one version of an item in one pricing area; versions of an item may not overlap.",
    ),
)

CASE_PRICES: Final = SheetSpec(
    "pricing_case_prices",
    "按病种收费目录",
    "per-case priced diseases",
    (
        Column("area_code", "定价地区", "价格主管部门所在地区代码", "pricing area", AREA, example="330300"),
        Column(
            "disease_code",
            "疾病诊断编码",
            "ICD-10 医保版 2.0 疾病诊断编码",
            "ICD-10 diagnosis code",
            text(16),
            example="K35.800",
        ),
        Column(
            "operation_code",
            "手术操作编码",
            "ICD-9-CM-3 医保版 2.0 手术操作编码；非手术病种为空",
            "ICD-9-CM-3 operation code; empty for a medical disease",
            text(16),
            required=False,
            default="",
            example="47.0100",
        ),
        Column("name", "病种名称", "病种名称", "disease name", text(200), example="急性阑尾炎（阑尾切除术）"),
        *_levels("fee", "收费标准", "fee per case"),
        Column(
            "includes",
            "包含内容",
            "收费标准包含的服务",
            "what the fee includes",
            text(2000),
            required=False,
            default="",
        ),
        Column(
            "excludes",
            "除外内容",
            "另行收费的内容",
            "what is charged apart",
            text(2000),
            required=False,
            default="",
        ),
        *_dates(),
    ),
    notes_zh=("同一病种（诊断＋手术）同一地区的各版本有效期不得重叠。",),
    notes_en=("Versions of one disease (diagnosis + operation) in one area may not overlap.",),
)


def _money(value: Decimal | None) -> Money | None:
    return None if value is None else Money.parse(value)


class _Loader(BufferedLoader):
    spec: SheetSpec
    table: Table
    prefix: str  # price_ or fee_
    key_columns: tuple[str, ...]
    kind_zh: str
    kind_en: str

    def __init__(self) -> None:
        super().__init__()
        self.first_row: dict[tuple[Any, ...], int] = {}
        self.versions: dict[tuple[str, ...], list[Validity]] = {}

    def key(self, values: dict[str, Any]) -> tuple[str, ...]:
        return tuple(values[name] or "" for name in self.key_columns)

    def begin(self, connection: Connection) -> None:
        c = self.table.c
        names = [c[name] for name in self.key_columns]
        for row in connection.execute(select(*names, c.effective_from, c.effective_to)):
            key = tuple(row[: len(names)])
            self.versions.setdefault(key, []).append(Validity(row.effective_from, row.effective_to))

    def label(self, key: tuple[str, ...]) -> str:
        return "/".join(part for part in key[1:] if part)

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        issues = self.codes(row, values)
        key = self.key(values)
        first = self.first_row.setdefault((*key, values["effective_from"]), row)
        if first != row:
            shown = f"{self.label(key)} {values['effective_from']}"
            issues.append(problem(IMPORT_DUPLICATE_KEY, row, "生效日期", shown, first_row=first, key=shown))
            return issues
        prices = [values[f"{self.prefix}{level}"] for level in LEVELS]
        if all(price is None for price in prices):
            error = DomainError(
                PRICING_NO_PRICE, kind_zh=self.kind_zh, kind=self.kind_en, key=self.label(key)
            )
            issues.append(_issue(error, row, self.spec.column(f"{self.prefix}{LEVELS[0]}").header, ""))
        start: date = values["effective_from"]
        end: date | None = values["effective_to"]
        if end is not None and end < start:
            error = DomainError(PRICING_BAD_PERIOD, start=start.isoformat(), end=end.isoformat())
            issues.append(_issue(error, row, "失效日期", end.isoformat()))
            return issues
        validity = Validity(start, end)
        # The same start replaces that version (upsert), so it is left out of the comparison.
        clash = overlapping(validity, self.versions.get(key, []))
        if clash is not None:
            error = overlap_error(self.kind_zh, self.kind_en, key[0], self.label(key), validity, clash)
            issues.append(_issue(error, row, "生效日期", start.isoformat()))
        elif not issues:
            known = self.versions.setdefault(key, [])
            known[:] = [v for v in known if v.effective_from != start] + [validity]
        return issues

    def codes(self, row: int, values: dict[str, Any]) -> list[Issue]:
        return []

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch = self.take()
        rows = [self.row(values) for values in batch]
        return upsert(connection, self.table, rows, [*self.key_columns, "effective_from"])

    def row(self, values: dict[str, Any]) -> dict[str, Any]:
        row = {column.key: values.get(column.key) for column in self.spec.columns}
        for level in LEVELS:
            row[f"{self.prefix}{level}"] = _money(values[f"{self.prefix}{level}"])
        return row


def _issue(error: DomainError, row: int, header: str, raw: str) -> Issue:
    return Issue(error.code, error.message_zh, error.message_en, row=row, field=header, extra={"value": raw})


class ServicePriceLoader(_Loader):
    spec = SERVICE_PRICES
    table = pricing_service_prices
    prefix = "price_"
    key_columns = ("area_code", "code")
    kind_zh = "医疗服务项目"
    kind_en = "service item"

    def row(self, values: dict[str, Any]) -> dict[str, Any]:
        row = super().row(values)
        row["note"] = values.get("note") or ""
        return row


class CasePriceLoader(_Loader):
    spec = CASE_PRICES
    table = pricing_case_prices
    prefix = "fee_"
    key_columns = ("area_code", "disease_code", "operation_code")
    kind_zh = "按病种收费病种"
    kind_en = "per-case priced disease"

    def codes(self, row: int, values: dict[str, Any]) -> list[Issue]:
        issues = []
        if values["disease_code"] not in diagnoses():
            issues.append(
                problem(
                    IMPORT_UNKNOWN_CODE,
                    row,
                    "疾病诊断编码",
                    values["disease_code"],
                    dictionary="ICD-10 医保版 2.0",
                    value=values["disease_code"],
                )
            )
        operation = values.get("operation_code") or ""
        if operation and operation not in procedures():
            issues.append(
                problem(
                    IMPORT_UNKNOWN_CODE,
                    row,
                    "手术操作编码",
                    operation,
                    dictionary="ICD-9-CM-3 医保版 2.0",
                    value=operation,
                )
            )
        return issues

    def row(self, values: dict[str, Any]) -> dict[str, Any]:
        row = super().row(values)
        row.update(
            operation_code=values.get("operation_code") or "",
            includes=values.get("includes") or "",
            excludes=values.get("excludes") or "",
        )
        return row


LOADERS: Final[dict[str, Callable[[], Any]]] = {
    SERVICE_PRICES.kind: ServicePriceLoader,
    CASE_PRICES.kind: CasePriceLoader,
}
SPECS: Final = {SERVICE_PRICES.kind: SERVICE_PRICES, CASE_PRICES.kind: CASE_PRICES}


def export_rows(spec: SheetSpec, records: Iterable[dict[str, Any]]) -> list[list[str]]:
    """Rows in the template's columns, so an exported schedule imports again unchanged."""
    out = []
    for record in records:
        shown = dict(record)
        for column in spec.columns:
            value = shown.get(column.key)
            if isinstance(value, Money):
                shown[column.key] = value.yuan
        out.append(spec.render_row(shown))
    return out
