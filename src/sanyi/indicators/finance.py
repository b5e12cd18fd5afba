"""The institution finance template (机构财务月报) and its loader, on the tabular import framework (ADR 0008).

One row per institution and month. Checked beyond each cell: the institution exists, 医疗收入 equals
门急诊收入 + 住院收入, 中药饮片 is part of 药品, the income categories do not exceed 医疗收入, the
row is not repeated in the file, and its month is not in an approved (locked) period of an area the
institution is in. The return's visit and discharge counts (optional, appended after the source so
older files keep their columns) are stored as the reported values the per-visit and per-discharge
indicators divide by (``finance_visits``, ``finance_discharges``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from sqlalchemy import Connection, select

from sanyi.indicators.errors import INDICATOR_PERIOD_LOCKED
from sanyi.indicators.services import lock_of, locked_periods
from sanyi.indicators.tables import FINANCE_AMOUNTS, institution_finance, reported_values
from sanyi.infrastructure.importer import BufferedLoader
from sanyi.infrastructure.sheets import (
    IMPORT_DUPLICATE_KEY,
    IMPORT_INCONSISTENT,
    IMPORT_UNKNOWN_REFERENCE,
    INTEGER,
    Column,
    SheetSpec,
    decimal,
    issue,
    problem,
    text,
)
from sanyi.infrastructure.upsert import upsert
from sanyi.kernel.errors import DomainError, Issue
from sanyi.kernel.money import Money
from sanyi.registry.api import institutions

YUAN: Final = decimal(2)
MONTH: Final = text(7, r"\d{4}-(0[1-9]|1[0-2])", "年月 YYYY-MM，如 2023-01", "year and month, YYYY-MM")
_HEADERS: Final = {
    "income_medical": (
        "医疗收入",
        "门急诊收入与住院收入之和",
        "medical income (outpatient + inpatient)",
        "1250000.00",
    ),
    "income_outpatient": ("门急诊收入", "门诊与急诊收入", "outpatient and emergency income", "450000.00"),
    "income_inpatient": ("住院收入", "住院收入", "inpatient income", "800000.00"),
    "income_drug": (
        "药品收入",
        "西药、中成药、中药饮片收入之和",
        "drug income incl. herbal pieces",
        "380000.00",
    ),
    "income_herbal": (
        "中药饮片收入",
        "药品收入中的中药饮片",
        "herbal pieces (part of drug income)",
        "20000.00",
    ),
    "income_material": ("卫生材料收入", "卫生材料收入", "medical-material income", "150000.00"),
    "income_exam": ("检查收入", "检查收入", "examination income", "160000.00"),
    "income_lab": ("化验收入", "化验收入", "laboratory income", "120000.00"),
    "staff_costs": ("人员经费", "工资福利支出与对个人和家庭的补助", "staff costs", "480000.00"),
    "activity_costs": ("医疗活动费用", "业务活动费用（医疗）", "cost of medical activities", "1150000.00"),
    "fiscal_subsidy": ("财政补助收入", "财政基本支出与项目补助", "government subsidy", "90000.00"),
}
# The counts a finance return states, by the reported element each one fills.
COUNTS: Final = {
    "finance_visits": (
        "门急诊人次",
        "当月门诊与急诊人次（可空）",
        "outpatient and emergency visits (optional)",
        "3600",
    ),
    "finance_discharges": ("出院人次", "当月出院人次（可空）", "discharges in the month (optional)", "410"),
}

FINANCE: Final = SheetSpec(
    "finance",
    "机构财务月报",
    "institution finance",
    (
        Column(
            "institution_code",
            "机构代码",
            "医保定点机构代码",
            "national institution code",
            text(12, r"[HP]\d{11}", "H 或 P 加 11 位数字", "H or P followed by 11 digits"),
            example="H33030200001",
        ),
        Column("month", "月份", "报表所属月份", "month reported", MONTH, example="2023-01"),
        *(
            Column(key, header, zh + "（元）", en + " (yuan)", YUAN, example=example)
            for key, (header, zh, en, example) in _HEADERS.items()
        ),
        Column(
            "source", "数据来源", "来源说明（可空）", "source note (optional)", text(200), False, "财务月报"
        ),
        *(
            Column(element, header, zh, en, INTEGER, False, example)
            for element, (header, zh, en, example) in COUNTS.items()
        ),
    ),
    notes_zh=(
        "金额单位为元，最多两位小数；医疗收入须等于门急诊收入与住院收入之和。",
        "已审核锁定期间的数据不能导入或修改。",
        "门急诊人次、出院人次填写时记为当月报送值（次均费用指标的分母）；空白不改变已报送的人次。",
    ),
    notes_en=(
        "Amounts in yuan, at most two decimals; medical income must equal outpatient plus inpatient income.",
        "Months in an approved (locked) period cannot be imported or changed.",
        "Visit and discharge counts, when given, are the month's reported values (the denominators of the"
        " per-visit and per-discharge indicators); an empty cell leaves a reported count as it was.",
    ),
)


class FinanceLoader(BufferedLoader):
    spec = FINANCE

    def __init__(self) -> None:
        super().__init__()
        self.first_row: dict[tuple[str, str], int] = {}
        self.areas: dict[str, str] = {}
        self.locks: list[tuple[str, str, str, str]] = []

    def begin(self, connection: Connection) -> None:
        self.areas = dict(connection.execute(select(institutions.c.code, institutions.c.area_code)).all())
        self.locks = locked_periods(connection)

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        code, month = values["institution_code"], values["month"]
        issues: list[Issue] = []
        first = self.first_row.setdefault((code, month), row)
        if first != row:
            issues.append(
                problem(IMPORT_DUPLICATE_KEY, row, "月份", month, first_row=first, key=f"{code} {month}")
            )
        area = self.areas.get(code)
        if area is None:
            unknown = problem(
                IMPORT_UNKNOWN_REFERENCE,
                row,
                "机构代码",
                code,
                kind_zh="医疗机构",
                kind_en="institution",
                value=code,
            )
            return [*issues, unknown]
        locked = lock_of(self.locks, area, month)
        if locked is not None:
            error = DomainError(
                INDICATOR_PERIOD_LOCKED, area=locked[0], period=locked[1], what="机构财务月报 finance"
            )
            issues.append(issue(error, row, "月份", month))
        medical: Decimal = values["income_medical"]
        if medical != values["income_outpatient"] + values["income_inpatient"]:
            issues.append(
                self._inconsistent(
                    row, "医疗收入", medical, "≠ 门急诊收入 + 住院收入", "≠ outpatient + inpatient"
                )
            )
        if values["income_herbal"] > values["income_drug"]:
            issues.append(
                self._inconsistent(
                    row, "中药饮片收入", values["income_herbal"], "大于药品收入", "exceeds drug income"
                )
            )
        parts = sum(
            (values[k] for k in ("income_drug", "income_material", "income_exam", "income_lab")), Decimal(0)
        )
        if parts > medical:
            issues.append(
                self._inconsistent(
                    row,
                    "医疗收入",
                    medical,
                    "小于药品、材料、检查、化验收入之和",
                    "is less than drugs + materials + exams + lab",
                )
            )
        return issues

    @staticmethod
    def _inconsistent(row: int, header: str, value: Decimal, zh: str, en: str) -> Issue:
        return problem(
            IMPORT_INCONSISTENT,
            row,
            header,
            str(value),
            other_zh="同行金额",
            other_en="the row's amounts",
            reason_zh=zh,
            reason_en=en,
        )

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch = self.take()
        if not batch:
            return 0, 0
        rows = [
            {
                "institution_code": v["institution_code"],
                "month": v["month"],
                **{name: Money.of(v[name]) for name in FINANCE_AMOUNTS},
                "source": v["source"],
            }
            for v in batch
        ]
        counts = [
            {
                "unit_code": v["institution_code"],
                "month": v["month"],
                "element": element,
                "value": Decimal(v[element]),
                "source": v["source"],
            }
            for v in batch
            for element in COUNTS
            if v[element] is not None
        ]
        if counts:
            upsert(connection, reported_values, counts, ["unit_code", "month", "element"])
        return upsert(connection, institution_finance, rows, ["institution_code", "month"])
