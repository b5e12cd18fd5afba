"""The task ledger's rules as pure functions: statuses and their transitions, overdue derivation,
who may act for a department, and the seam that checks indicator codes.

Status: 未启动 → 推进中 → 待核验 → 已销号. 逾期 is not stored: it is derived from the deadline and
today's date for every task not yet closed. 调整 (an adjustment by the reform office, with a
reason) keeps the status and marks the task adjusted; 督办 is a flag beside the status.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final

from sanyi.kernel.errors import DomainError
from sanyi.ledger.errors import LEDGER_ILLEGAL_TRANSITION


class Status(enum.StrEnum):
    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    AWAITING_VERIFICATION = "待核验"
    CLOSED = "已销号"

    @property
    def en(self) -> str:
        return _STATUS_EN[self]


_STATUS_EN: Final = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.AWAITING_VERIFICATION: "awaiting verification",
    Status.CLOSED: "closed",
}
OVERDUE: Final = "逾期"


class Action(enum.StrEnum):
    CREATE = "create"
    SEED = "seed"
    IMPORT = "import"
    ADJUST = "adjust"
    REPORT = "report"  # a progress report
    SUBMIT = "submit"  # a report declaring the task done: asks for verification
    VERIFY = "verify"  # verification passed
    REJECT = "reject"  # verification failed: back to work
    APPROVE = "approve"  # 销号 by the reform office
    FLAG = "flag"  # 督办 set
    UNFLAG = "unflag"  # 督办 lifted

    @property
    def zh(self) -> str:
        return _ACTION_ZH[self]


_ACTION_ZH: Final = {
    Action.CREATE: "新建任务",
    Action.SEED: "导入文件任务",
    Action.IMPORT: "Excel 导入",
    Action.ADJUST: "调整任务",
    Action.REPORT: "报送进展",
    Action.SUBMIT: "申请核验",
    Action.VERIFY: "核验通过",
    Action.REJECT: "核验不通过",
    Action.APPROVE: "销号",
    Action.FLAG: "督办",
    Action.UNFLAG: "撤销督办",
}

_OPEN: Final = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.AWAITING_VERIFICATION)
# (action) → {from status: to status}; an action absent for a status is illegal from it.
TRANSITIONS: Final[dict[Action, dict[Status, Status]]] = {
    Action.REPORT: {Status.NOT_STARTED: Status.IN_PROGRESS, Status.IN_PROGRESS: Status.IN_PROGRESS},
    Action.SUBMIT: {
        Status.NOT_STARTED: Status.AWAITING_VERIFICATION,
        Status.IN_PROGRESS: Status.AWAITING_VERIFICATION,
    },
    Action.VERIFY: {Status.AWAITING_VERIFICATION: Status.AWAITING_VERIFICATION},
    Action.REJECT: {Status.AWAITING_VERIFICATION: Status.IN_PROGRESS},
    Action.APPROVE: {Status.AWAITING_VERIFICATION: Status.CLOSED},
    Action.ADJUST: {status: status for status in _OPEN},
    Action.FLAG: {status: status for status in _OPEN},
    Action.UNFLAG: {status: status for status in _OPEN},
}


def next_status(task_id: str, current: Status, action: Action) -> Status:
    """The status after ``action``, or LEDGER_ILLEGAL_TRANSITION."""
    target = TRANSITIONS[action].get(current)
    if target is None:
        raise DomainError(
            LEDGER_ILLEGAL_TRANSITION,
            id=task_id,
            status=current.value,
            status_en=current.en,
            action=action.value,
            action_zh=action.zh,
        )
    return target


def is_overdue(status: Status, deadline: date | None, today: date) -> bool:
    """Overdue: not closed and the deadline day has passed (a task due today is not yet late)."""
    return status is not Status.CLOSED and deadline is not None and today > deadline


def days_overdue(deadline: date, today: date) -> int:
    return (today - deadline).days


def may_report(role: str, lead_roles: frozenset[str]) -> bool:
    """A department user reports for tasks its department leads; the reform office reports on
    behalf of a lead department no platform role acts for (财政局, 发改委 …)."""
    if lead_roles:
        return role in lead_roles
    return role == "reform_office"


# The seam to the indicator catalogue: until it is wired, a code must have the catalogue's shape.
IndicatorCheck = Callable[[str], bool]
_CODE: Final = re.compile(r"[A-Z]{2}\d{2}")


def indicator_code_shape(code: str) -> bool:
    return _CODE.fullmatch(code) is not None


@dataclass(frozen=True, slots=True)
class NewTask:
    id: str
    region: str
    source: str
    content: str
    lead: str
    co_leads: tuple[str, ...] = ()
    cooperating: tuple[str, ...] = ()
    leader: str | None = None
    deadline: date | None = None
    deadline_text: str = ""
    milestones: tuple[dict[str, str], ...] = ()
    indicators: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class TaskFilter:
    department: str | None = None  # lead or co-lead
    status: str | None = None  # a Status value or 逾期
    region: str | None = None
    due_by: date | None = None
    supervised: bool | None = None
