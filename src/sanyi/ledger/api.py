"""What other parts of Sanyi may use of the reform task ledger."""

from sanyi.ledger.errors import (
    LEDGER_FORBIDDEN,
    LEDGER_ILLEGAL_TRANSITION,
    LEDGER_INVALID_FIELD,
    LEDGER_NOT_VERIFIED,
)
from sanyi.ledger.evidence import ALLOWED as EVIDENCE_TYPES
from sanyi.ledger.evidence import MAX_BYTES as EVIDENCE_MAX_BYTES
from sanyi.ledger.evidence import EvidenceStore
from sanyi.ledger.model import (
    OVERDUE,
    Action,
    IndicatorCheck,
    NewTask,
    Status,
    TaskFilter,
    indicator_code_shape,
    is_overdue,
    next_status,
)
from sanyi.ledger.services import LedgerService, SeedResult
from sanyi.ledger.sheets import STATUS_HEADERS, TASKS
from sanyi.ledger.tables import ledger_reports, ledger_task_events, ledger_tasks

__all__ = [
    "EVIDENCE_MAX_BYTES",
    "EVIDENCE_TYPES",
    "LEDGER_FORBIDDEN",
    "LEDGER_ILLEGAL_TRANSITION",
    "LEDGER_INVALID_FIELD",
    "LEDGER_NOT_VERIFIED",
    "OVERDUE",
    "STATUS_HEADERS",
    "TASKS",
    "Action",
    "EvidenceStore",
    "IndicatorCheck",
    "LedgerService",
    "NewTask",
    "SeedResult",
    "Status",
    "TaskFilter",
    "indicator_code_shape",
    "is_overdue",
    "ledger_reports",
    "ledger_task_events",
    "ledger_tasks",
    "next_status",
]
