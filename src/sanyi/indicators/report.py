"""The quarterly indicator report to the reform office (Excel): one sheet per theme.

Every percentage stands next to its numerator and denominator, with the caliber version, the
target and its source. The report is due in the first ten days (上旬) of the month after the
quarter — April, July, October and January (浙医改联席办〔2022〕2号, 三、组织保障) — and says so on
every sheet. A locked quarter is reported from its approved snapshot; an open one from live values,
marked as not yet approved.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from sanyi.indicators.model import Span, SpanKind
from sanyi.knowledge.indicators import Catalogue

DUE_DAY: Final = 10  # 上旬: by the 10th
DUE_BASIS: Final = "浙医改联席办〔2022〕2号：于当年4月、7月、10月及次年1月的上旬向省医改联席办报送"
HEADERS: Final = (
    "指标代码",
    "指标名称",
    "地区",
    "本期值",
    "单位",
    "分子",
    "分母",
    "分子口径",
    "分母口径",
    "上年同期分子",
    "上年同期分母",
    "目标",
    "达标情况",
    "口径版本",
    "目标依据",
)
COMPARATORS: Final = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "about": "≈"}
ACHIEVEMENT_ZH: Final = {"met": "达标", "not_met": "未达标", "no_data": "无数据", "no_target": "—"}


def due_date(quarter: Span) -> date:
    """The last day of 上旬 of the month after the quarter."""
    year, month = int(quarter.last[:4]), int(quarter.last[5:])
    return date(year + month // 12, month % 12 + 1, DUE_DAY)


def quarterly_report(
    catalogue: Catalogue,
    quarter: Span,
    area: str,
    area_name: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    locked: bool,
    generated: date,
) -> bytes:
    """``rows`` are value rows (``IndicatorValue.row()`` or a snapshot's), the area's first."""
    if quarter.kind is not SpanKind.QUARTER:
        raise ValueError("a quarterly report needs a quarter")
    workbook = Workbook()
    workbook.remove(workbook.active)
    due = due_date(quarter)
    state = "已审核锁定（审核快照）" if locked else "未审核（实时数据，尚未锁定）"
    by_theme: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        by_theme.setdefault(catalogue.indicators[str(row["indicator"])].theme, []).append(row)
    for theme, (name_zh, _) in catalogue.themes.items():
        sheet = workbook.create_sheet(name_zh)
        sheet.append([f"{area_name}（{area}）深化医改监测指标季度报表 · {name_zh}"])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([f"报告期：{quarter.label}（{quarter.first} 至 {quarter.last}）", f"数据状态：{state}"])
        sheet.append([f"报送时限：{due.isoformat()} 前", DUE_BASIS])
        sheet.append([f"生成日期：{generated.isoformat()}"])
        sheet.append(list(HEADERS))
        for cell in sheet[5]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        ordered = sorted(
            by_theme.get(theme, []), key=lambda r: (str(r["indicator"]), r["key"] != area, r["key"])
        )
        for row in ordered:
            target = row.get("target")
            sheet.append(
                [
                    row["indicator"],
                    row["name_zh"],
                    f"{row['key_name']}（{row['key']}）",
                    _number(row["value"]),
                    row["unit"],
                    _number(row["numerator"]),
                    _number(row["denominator"]),
                    row["numerator_expression"],
                    row["denominator_expression"],
                    _number(row.get("previous_numerator")),
                    _number(row.get("previous_denominator")),
                    f"{COMPARATORS[target['comparator']]} {target['value']}" if target else "",
                    ACHIEVEMENT_ZH[str(row["achievement"])],
                    row["caliber_version"],
                    f"{target['document']} {target['clause']}" if target else "",
                ]
            )
        for column, width in zip(
            "ABCDEFGHIJKLMNO", (9, 26, 22, 12, 6, 16, 16, 30, 22, 14, 14, 10, 9, 9, 60), strict=True
        ):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "C6"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(text: object) -> float | int | str | None:
    """Numbers as numbers in Excel (decimal text, exact to the digits shown)."""
    if text is None:
        return None
    value = str(text)
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            return value
