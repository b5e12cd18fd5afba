"""The ledger as a spreadsheet: the import template of new tasks (ADR 0008 framework) and the
Excel export, which writes the template's columns first so an exported row reads back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from sqlalchemy import Connection, select

from sanyi.infrastructure.importer import BufferedLoader
from sanyi.infrastructure.sheets import (
    DATA_SHEET,
    DATE,
    Column,
    Format,
    SheetSpec,
    code_list,
    fail,
    issue,
    text,
)
from sanyi.infrastructure.sheets import IMPORT_BAD_FORMAT as BAD_FORMAT
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.errors import DomainError, Issue
from sanyi.ledger.errors import LEDGER_DUPLICATE_TASK
from sanyi.ledger.model import NewTask
from sanyi.ledger.tables import ledger_tasks


def _parse_link(value: str) -> tuple[str, str]:
    code, _, target = value.replace("：", ":").partition(":")
    code = code.strip()
    if not code:
        raise fail(BAD_FORMAT, value=value, expected_zh="指标代码[:目标]", expected_en="CODE[:target]")
    return code, target.strip()


INDICATOR_LINK: Final = Format(
    _parse_link,
    lambda link: f"{link[0]}:{link[1]}" if link[1] else str(link[0]),
    "指标代码，可加“:目标”，如 FJ03:70%左右",
    "an indicator code, optionally ':target', e.g. FJ03:about 70 %",
)
NAME: Final = text(60)

TASKS: Final = SheetSpec(
    "ledger_tasks",
    "改革任务台账",
    "reform tasks",
    (
        Column(
            "id",
            "任务编号",
            "任务编号（唯一）",
            "task id (unique)",
            text(20, r"[A-Za-z0-9-]+", "字母数字编号", "letters, digits, -"),
            example="WZ2017-01",
        ),
        Column(
            "region",
            "地区代码",
            "地区行政区划代码（6 位）",
            "region code (6 digits)",
            text(6, r"\d{6}", "6 位数字", "6 digits"),
            example="330300",
        ),
        Column(
            "source",
            "来源文件及条款",
            "文件文号、名称和条款",
            "source document and clause",
            text(500),
            example="温政发〔2016〕57号 附件 第1项",
        ),
        Column(
            "content",
            "任务内容",
            "任务内容",
            "what is to be done",
            text(2000),
            example="建立医疗服务价格动态调整机制",
        ),
        Column(
            "lead", "牵头部门", "牵头部门（部门名录中的名称）", "lead department", NAME, example="市卫计委"
        ),
        Column(
            "co_leads", "共同牵头部门", "共同牵头部门", "co-lead departments", code_list(NAME), False, "", ()
        ),
        Column(
            "cooperating",
            "配合部门",
            "配合部门",
            "cooperating departments",
            code_list(NAME),
            False,
            "市财政局|市人力社保局",
            (),
        ),
        Column("leader", "责任人", "责任人", "responsible leader", text(60), False, "张三"),
        Column("deadline", "完成时限", "完成时限", "deadline", DATE, False, "2017-12-31"),
        Column(
            "deadline_text",
            "时限说明",
            "文件中的时限原文",
            "deadline as written",
            text(60),
            False,
            "2017年底前",
            "",
        ),
        Column(
            "indicators",
            "关联指标",
            "关联指标及目标",
            "linked indicators and targets",
            code_list(INDICATOR_LINK),
            False,
            "YY02:医疗服务收入占比35%",
            (),
        ),
    ),
    notes_zh=("只导入新任务；已有编号的任务请在台账页面调整。",),
    notes_en=("Imports new tasks only; adjust existing tasks on the ledger page.",),
)
STATUS_HEADERS: Final = ("状态", "逾期天数", "督办", "已调整", "报送人", "核验人", "销号人")


class TaskLoader(BufferedLoader):
    """Checks and writes imported tasks (new ids only) with a history event each."""

    spec = TASKS

    def __init__(
        self,
        validate: Callable[[str, dict[str, Any]], None],
        insert: Callable[[Connection, NewTask], None],
    ) -> None:
        super().__init__()
        self._validate = validate
        self._insert = insert
        self._known: set[str] = set()

    def begin(self, connection: Connection) -> None:
        self._known = set(connection.execute(select(ledger_tasks.c.id)).scalars())

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        if values["id"] in self._known:
            error = DomainError(LEDGER_DUPLICATE_TASK, id=values["id"])
            return [issue(error, row, "任务编号", values["id"])]
        try:
            self._validate(values["region"], self._fields(values))
        except DomainError as error:
            header = {"region": "地区代码", "indicators": "关联指标"}.get(error.path or "", "牵头部门")
            return [issue(error, row, header, str(values.get(error.path or "lead", "")))]
        self._known.add(values["id"])
        return []

    @staticmethod
    def _fields(values: dict[str, Any]) -> dict[str, Any]:
        fields = {k: values[k] for k in ("content", "lead", "co_leads", "cooperating")}
        fields["indicators"] = [{"code": c, "target": t} for c, t in values["indicators"]]
        return fields

    def add(self, row: int, values: dict[str, Any], good: bool) -> None:
        if good:
            self.buffer.append(
                NewTask(
                    id=values["id"],
                    region=values["region"],
                    source=values["source"],
                    content=values["content"],
                    lead=values["lead"],
                    co_leads=tuple(values["co_leads"]),
                    cooperating=tuple(values["cooperating"]),
                    leader=values["leader"],
                    deadline=values["deadline"],
                    deadline_text=values["deadline_text"],
                    indicators=tuple({"code": c, "target": t} for c, t in values["indicators"]),
                )
            )

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch = self.take()
        for task in batch:
            self._insert(connection, task)
        return len(batch), 0


def export_bytes(
    tasks: Sequence[dict[str, Any]], status_label: Callable[[dict[str, Any]], str] | None = None
) -> bytes:
    """The tasks as a workbook: the template's columns (re-importable) then the state columns."""
    label = status_label or (lambda task: "逾期" if task["overdue"] else str(task["status"]))
    rows = []
    for task in tasks:
        record = dict(task)
        record["indicators"] = [(i["code"], i.get("target", "")) for i in task["indicators"]]
        rows.append(
            [
                *TASKS.render_row(record),
                label(task),
                task["days_overdue"] or "",
                "是" if task["supervised"] else "否",
                "是" if task["adjusted"] else "否",
                task["submitted_by"] or "",
                task["verified_by"] or "",
                task["approved_by"] or "",
            ]
        )
    return xlsx_bytes({DATA_SHEET: ((*TASKS.headers, *STATUS_HEADERS), rows)})
