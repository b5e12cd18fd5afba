"""The encounter import template: one row per fee line, the encounter's columns repeated on each row.

The rows of one encounter are consecutive and agree with each other; an encounter without fee lines
is one row with the fee columns empty. The natural key is the institution code with the encounter
number (就诊流水号). The loader is in ``importing.py``.
"""

from __future__ import annotations

from typing import Final

from sanyi.care.model import DISCHARGE_TYPES, FEE_CATEGORIES, EncounterType, OffsiteCategory
from sanyi.infrastructure.sheets import (
    DATETIME,
    FLAG,
    IMPORT_BAD_CHOICE,
    INTEGER,
    Column,
    Format,
    SheetSpec,
    choice,
    code_list,
    decimal,
    fail,
    text,
)
from sanyi.registry.api import IMPORT_SPECS as REGISTRY_SPECS

TYPE_LABELS: Final = {kind: kind.label_zh for kind in EncounterType}
PAY_CLASS_LABELS: Final = {"A": "甲", "B": "乙", "C": "丙"}
OFFSITE_LABELS: Final = {
    OffsiteCategory.LONG_TERM: "异地长期居住",
    OffsiteCategory.REFERRED: "转诊",
    OffsiteCategory.EMERGENCY: "急诊抢救",
    OffsiteCategory.TEMPORARY: "其他临时外出",
}
DISCHARGE_LABELS: Final = dict(DISCHARGE_TYPES)
MAX_LINE_NO: Final = 32_767
_CATEGORY_BY_NAME: Final = {name: code for code, name in FEE_CATEGORIES.items()}


def _parse_category(value: str) -> str:
    code = _CATEGORY_BY_NAME.get(value, value.zfill(2) if value.isdigit() else value)
    if code not in FEE_CATEGORIES:
        raise fail(IMPORT_BAD_CHOICE, value=value, allowed="01–14")
    return code


CATEGORY: Final = Format(
    _parse_category,
    lambda value: "" if value is None else str(value),
    "收费项目类别 01–14：" + "、".join(f"{code} {name}" for code, name in FEE_CATEGORIES.items()),
    "fee category 01–14 (code or Chinese name)",
)
ITEM_CODE: Final = text(
    32, r"[0-9A-Za-z.\-_]+", "国家医保编码（字母数字）", "national item, drug or consumable code"
)
DIAGNOSIS: Final = text(
    32, r"[A-Z][0-9][0-9A-Z][0-9A-Za-z.+*]*", "ICD-10 医保版 2.0 编码", "an ICD-10 (NHSA 2.0) code"
)
PROCEDURE: Final = text(
    16, r"[0-9]{2}\.[0-9A-Za-z]+", "ICD-9-CM-3 医保版 2.0 编码", "an ICD-9-CM-3 (NHSA 2.0) code"
)
INSTITUTION_CODE: Final = text(12, r"[HP]\d{11}", "H 或 P 加 11 位数字", "H or P followed by 11 digits")
PRACTITIONER_CODE: Final = text(13, r"D\d{12}", "D 加 12 位数字", "D followed by 12 digits")
DEPARTMENT_CODE: Final = text(
    8, r"[0-9]{2}([0-9]{2})?|ICU", "科室代码（如 03、0304）", "department code (03, 0304)"
)
CITIZEN_ID: Final = text(
    18, r"[0-9]{17}[0-9X]|[0-9]{6}\*+[0-9X]{4}", "18 位身份证号", "an 18-character citizen ID"
)

ENCOUNTER_COLUMNS: Final = (
    Column(
        "institution_code",
        "机构代码",
        "就诊机构代码",
        "institution code",
        INSTITUTION_CODE,
        example="H33030200001",
    ),
    Column(
        "encounter_no",
        "就诊流水号",
        "机构内唯一的就诊流水号",
        "encounter number, unique within the institution",
        text(64),
        example="MZ2023000001",
    ),
    Column(
        "citizen_id",
        "身份证号",
        "患者身份证号（须已在参保居民中）",
        "patient's citizen ID (a registered resident)",
        CITIZEN_ID,
        example="330302199001011227",
    ),
    Column("type", "就诊类型", "就诊类型", "encounter type", choice(TYPE_LABELS), example="门诊"),
    Column(
        "start",
        "就诊时间",
        "就诊或入院时间",
        "visit or admission time",
        DATETIME,
        example="2023-03-01 09:30:00",
    ),
    Column(
        "end",
        "出院时间",
        "出院或结束时间（住院必填）",
        "discharge or end time (inpatient: required)",
        DATETIME,
        False,
        "",
    ),
    Column("department_code", "科室", "就诊科室代码", "department code", DEPARTMENT_CODE, False, "0304"),
    Column(
        "doctor_code",
        "接诊医师代码",
        "接诊或主治医师代码",
        "attending practitioner",
        PRACTITIONER_CODE,
        False,
        "D330302000001",
    ),
    Column(
        "principal_diagnosis",
        "主要诊断",
        "主要诊断编码（药店购药可空）",
        "principal diagnosis (optional for pharmacy)",
        DIAGNOSIS,
        False,
        "I10.x00",
    ),
    Column(
        "other_diagnoses",
        "其他诊断",
        "其他诊断编码",
        "other diagnoses",
        code_list(DIAGNOSIS),
        False,
        "E11.900",
        (),
    ),
    Column(
        "procedures",
        "手术操作",
        "手术及操作编码，主要手术在前",
        "procedures, principal first",
        code_list(PROCEDURE),
        False,
        "",
        (),
    ),
    Column(
        "discharge_type",
        "离院方式",
        "离院方式（住院）",
        "discharge type (inpatient)",
        choice(DISCHARGE_LABELS),
        False,
        "",
    ),
    Column("emergency", "急诊", "是否急诊或急诊入院", "emergency", FLAG, False, "否", False),
    Column(
        "offsite",
        "异地就医类别",
        "异地就医备案类别（本地就医留空）",
        "out-of-region category (empty if local)",
        choice(OFFSITE_LABELS),
        False,
        "",
    ),
)
LINE_COLUMNS: Final = (
    Column(
        "line_no",
        "明细序号",
        "费用明细序号（空白按行顺序编号）",
        "line number (default: row order)",
        INTEGER,
        False,
        "1",
    ),
    Column(
        "item_code",
        "项目编码",
        "国家医保项目、药品或耗材编码",
        "national item/drug/consumable code",
        ITEM_CODE,
        False,
        "XC09CAC138A001010101445",
    ),
    Column("item_name", "项目名称", "项目名称", "item name", text(200), False, "缬沙坦胶囊"),
    Column("category", "收费类别", "医疗收费项目类别", "fee category", CATEGORY, False, "09"),
    Column("pay_class", "支付类别", "医保支付类别", "pay class", choice(PAY_CLASS_LABELS), False, "乙"),
    Column(
        "selfpay_prop",
        "自付比例",
        "乙类先行自付比例（0–1；甲类为 0，丙类为 1）",
        "self-pay share of a 乙 item (0–1)",
        decimal(4),
        False,
        "0.1",
    ),
    Column("quantity", "数量", "数量", "quantity", decimal(4), False, "2"),
    Column("unit_price", "单价", "单价（元）", "unit price (yuan)", decimal(4), False, "25.80"),
    Column(
        "time",
        "费用发生时间",
        "费用发生时间（空白取就诊时间）",
        "charge time (default: the visit time)",
        DATETIME,
        False,
        "2023-03-01 09:45:00",
    ),
    Column("days_supply", "用药天数", "药品的用药天数", "days of supply of a drug", INTEGER, False, "14"),
    Column(
        "ordering_doctor",
        "开单医师代码",
        "开单医师代码",
        "ordering practitioner",
        PRACTITIONER_CODE,
        False,
        "D330302000001",
    ),
    Column(
        "price_ceiling", "限价", "医保支付限价（元）", "payment price ceiling (yuan)", decimal(4), False, ""
    ),
)
ENCOUNTERS: Final = SheetSpec(
    "encounters",
    "就诊记录",
    "encounters",
    (*ENCOUNTER_COLUMNS, *LINE_COLUMNS),
    (
        "每行一条费用明细；同一次就诊的各行须相邻，就诊信息列在各行中保持一致。没有费用明细的就诊填一行、费用列留空。",
        "机构代码加就诊流水号是自然键：再次导入会更新就诊信息并整体替换其费用明细。",
        "金额 = 数量 × 单价，四舍五入到分；数量和单价不得为负（退费不经模板导入）。",
        "诊断须在 ICD-10 医保版 2.0、手术操作须在 ICD-9-CM-3 医保版 2.0 字典中。",
    ),
    (
        "One row per fee line; the rows of one encounter are consecutive and repeat the same encounter "
        "columns. An encounter without lines is one row with the fee columns empty.",
        "Institution code + encounter number is the natural key: a re-import updates the encounter and "
        "replaces its lines.",
        "Amount = quantity × unit price rounded to the fen; quantity and price must not be negative "
        "(refunds are not imported through the template).",
        "Diagnoses must be in ICD-10 (NHSA 2.0), procedures in ICD-9-CM-3 (NHSA 2.0).",
    ),
)
ENCOUNTER_KEYS: Final = tuple(column.key for column in ENCOUNTER_COLUMNS)
LINE_REQUIRED: Final = ("item_name", "category", "pay_class", "quantity", "unit_price")


def import_specs() -> dict[str, SheetSpec]:
    """Every import template by kind, in the order they are loaded (registry first, then care)."""
    return {**REGISTRY_SPECS, ENCOUNTERS.kind: ENCOUNTERS}
