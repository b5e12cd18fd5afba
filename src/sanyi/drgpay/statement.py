"""A hospital's statement and the base-point table as rows and Excel workbooks (Chinese headers)."""

from __future__ import annotations

from typing import Any

from sanyi.drgpay.errors import DRGPAY_UNKNOWN_HOSPITAL
from sanyi.drgpay.model import BasePointTable, yuan
from sanyi.drgpay.run import PaymentRun
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.errors import DomainError

KIND_ZH = {
    "normal": "正常病例",
    "incomplete": "未完成治疗",
    "high_cost": "高倍率",
    "low_cost": "低倍率",
    "per_diem": "床日病组",
    "review": "特病单议",
}
CASE_HEADER = ("病例号", "病组", "类型", "基准点数", "差异系数", "费用比", "点数", "计算说明", "explanation")
TABLE_HEADER = (
    "病组",
    "状态",
    "床日病组",
    "病例数",
    "剔除",
    "组均费用(元)",
    "日均费用(元)",
    "平均住院日",
    "基准点数",
)


def summary_rows(run: PaymentRun, hospital: str) -> list[tuple[str, str]]:
    statement = run.settlement.hospitals.get(hospital)
    if statement is None:
        raise DomainError(DRGPAY_UNKNOWN_HOSPITAL, hospital=hospital)
    pool = run.settlement.pool
    return [
        ("期间 period", pool.period),
        ("医院 hospital", hospital),
        ("基准点数版本 base-point table", run.table.version),
        ("病例数 stays", str(statement.cases)),
        ("总点数 points", str(statement.points)),
        ("点值 point value (元/点)", str(pool.point_value)),
        ("点数 × 点值 gross", str(yuan(statement.gross_fen))),
        ("参保人自付 self-burden", str(yuan(statement.self_burden_fen))),
        ("考核系数 assessment", str(statement.assessment)),
        ("审核扣款 deductions", str(yuan(statement.deductions_fen))),
        ("应付统筹基金 fund due", str(yuan(statement.fund_due_fen))),
        ("月度预拨合计 prepaid", str(yuan(statement.prepaid_fen))),
        ("年终清算 settlement", str(yuan(statement.settlement_fen))),
    ]


def case_rows(run: PaymentRun, hospital: str) -> list[tuple[Any, ...]]:
    return [
        (
            c.stay_id,
            c.drg or "—",
            KIND_ZH[c.kind] + ("（待评审）" if c.pending_review else ""),
            "" if c.base_points is None else str(c.base_points),
            "" if c.coefficient is None else str(c.coefficient),
            "" if c.cost_ratio is None else str(c.cost_ratio),
            str(c.points),
            c.reason_zh,
            c.reason_en,
        )
        for c in run.cases
        if c.hospital == hospital
    ]


def statement_xlsx(run: PaymentRun, hospital: str) -> bytes:
    pool = run.settlement.pool
    months = run.prepayments.get(hospital, {})
    return xlsx_bytes(
        {
            "结算单": (("项目 item", "金额/数值 value"), summary_rows(run, hospital)),
            "病例点数": (CASE_HEADER, case_rows(run, hospital)),
            "月度预拨": (("月份", "预拨(元)"), [(m, str(yuan(v))) for m, v in sorted(months.items())]),
            "点值计算": (("步骤", "step"), list(zip(pool.steps_zh, pool.steps_en, strict=True))),
        }
    )


def table_xlsx(table: BasePointTable) -> bytes:
    rows = [tuple(row.values()) for row in table.rows()]
    about = [
        ("版本 version", table.version),
        ("分组方案 scheme", table.scheme),
        ("年度 years", ",".join(map(str, table.years))),
        ("权重 weights", ":".join(map(str, table.weights))),
        ("剔除 trim (SD)", "—" if table.trim_sd is None else str(table.trim_sd)),
        ("最少病例 min cases", str(table.min_cases)),
        ("全部病例均费 region mean", str(yuan(table.region_mean_fen))),
    ]
    return xlsx_bytes({"基准点数": (TABLE_HEADER, rows), "说明": (("项目", "值"), about)})
