"""Care records out: encounters in their import template (one row per fee line) and a flat fee-line table.

Both read in (start, institution, encounter number) order, so an encounter's rows come out together
and the encounter export re-imports unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, select

from sanyi.care.model import EncounterType, OffsiteCategory
from sanyi.care.tables import encounters, fee_lines
from sanyi.care.templates import ENCOUNTERS
from sanyi.infrastructure.exporter import Records
from sanyi.infrastructure.sheets import DATETIME, Column, SheetSpec, decimal, text
from sanyi.kernel.masking import mask_citizen_id
from sanyi.registry.api import (
    AREAS,
    INSTITUTIONS,
    PRACTITIONERS,
    RESIDENTS,
    area_records,
    institution_records,
    practitioner_records,
    resident_records,
    residents,
)

STREAM = 5_000

FEE_LINES: Final = SheetSpec(
    "fee-lines",
    "费用明细",
    "fee lines",
    (
        Column("institution_code", "机构代码", "就诊机构代码", "institution code", text(12)),
        Column("encounter_no", "就诊流水号", "就诊流水号", "encounter number", text(64)),
        Column("type", "就诊类型", "就诊类型", "encounter type", text(16)),
        Column("line_no", "明细序号", "明细序号", "line number", text(8)),
        Column("code", "项目编码", "国家医保编码", "national code", text(32)),
        Column("name", "项目名称", "项目名称", "item name", text(200)),
        Column("category", "收费类别", "收费项目类别", "fee category", text(2)),
        Column("pay_class", "支付类别", "支付类别", "pay class", text(1)),
        Column("selfpay_prop", "自付比例", "自付比例", "self-pay share", decimal(4)),
        Column("quantity", "数量", "数量", "quantity", decimal(4)),
        Column("unit_price", "单价", "单价（元）", "unit price (yuan)", decimal(4)),
        Column("amount", "金额", "金额（元，到分）", "amount (yuan, to the fen)", text(20)),
        Column("time", "费用发生时间", "费用发生时间", "charge time", DATETIME),
        Column("days_supply", "用药天数", "用药天数", "days of supply", text(8)),
        Column("doctor_code", "开单医师代码", "开单医师代码", "ordering practitioner", text(13)),
    ),
)
PAY_CLASS: Final = {"A": "甲", "B": "乙", "C": "丙"}


def _ordered() -> Any:
    return encounters.c.start_at, encounters.c.institution_code, encounters.c.encounter_no


def encounter_records(connection: Connection, unmasked: bool = False) -> Iterator[dict[str, Any]]:
    query = (
        select(encounters, residents.c.citizen_id, *(c.label(f"line_{c.name}") for c in fee_lines.c))
        .join(residents, residents.c.person_id == encounters.c.person_id)
        .outerjoin(fee_lines, fee_lines.c.encounter_id == encounters.c.id)
        .order_by(*_ordered(), fee_lines.c.line_no)
        .execution_options(yield_per=STREAM)
    )
    for row in connection.execute(query):
        codes = [code for code in row.diagnoses.split("|") if code]
        yield {
            "institution_code": row.institution_code,
            "encounter_no": row.encounter_no,
            "citizen_id": row.citizen_id if unmasked else mask_citizen_id(row.citizen_id),
            "type": EncounterType(row.type),
            "start": row.start_at,
            "end": row.end_at,
            "department_code": row.department_code,
            "doctor_code": row.doctor_code,
            "principal_diagnosis": codes[0] if codes else None,
            "other_diagnoses": tuple(codes[1:]),
            "procedures": tuple(code for code in row.procedures.split("|") if code),
            "discharge_type": row.discharge_type,
            "emergency": bool(row.emergency),
            "offsite": OffsiteCategory(row.offsite) if row.offsite else None,
            "line_no": row.line_line_no,
            "item_code": row.line_code,
            "item_name": row.line_name,
            "category": row.line_category,
            "pay_class": row.line_pay_class,
            "selfpay_prop": row.line_selfpay_prop,
            "quantity": row.line_quantity,
            "unit_price": row.line_unit_price,
            "time": row.line_time,
            "days_supply": row.line_days_supply,
            "ordering_doctor": row.line_doctor_code,
            "price_ceiling": row.line_price_ceiling,
        }


def fee_line_records(connection: Connection, unmasked: bool = False) -> Iterator[dict[str, Any]]:
    query = (
        select(encounters.c.institution_code, encounters.c.encounter_no, encounters.c.type, fee_lines)
        .join(fee_lines, fee_lines.c.encounter_id == encounters.c.id)
        .order_by(*_ordered(), fee_lines.c.line_no)
        .execution_options(yield_per=STREAM)
    )
    for row in connection.execute(query):
        yield {
            "institution_code": row.institution_code,
            "encounter_no": row.encounter_no,
            "type": EncounterType(row.type).label_zh,
            "line_no": str(row.line_no),
            "code": row.code,
            "name": row.name,
            "category": row.category,
            "pay_class": PAY_CLASS[row.pay_class],
            "selfpay_prop": row.selfpay_prop,
            "quantity": row.quantity,
            "unit_price": row.unit_price,
            "amount": str(row.amount.yuan),
            "time": row.time,
            "days_supply": "" if row.days_supply is None else str(row.days_supply),
            "doctor_code": row.doctor_code,
        }


@dataclass(frozen=True)
class ExportKind:
    spec: SheetSpec
    records: Records
    personal: bool  # holds personal data: masked by default, audited


def export_kinds() -> dict[str, ExportKind]:
    return {
        "areas": ExportKind(AREAS, area_records, False),
        "institutions": ExportKind(INSTITUTIONS, institution_records, False),
        "practitioners": ExportKind(PRACTITIONERS, practitioner_records, False),
        "residents": ExportKind(RESIDENTS, resident_records, True),
        "encounters": ExportKind(ENCOUNTERS, encounter_records, True),
        "fee-lines": ExportKind(FEE_LINES, fee_line_records, False),
    }
