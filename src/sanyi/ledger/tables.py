"""Database tables of the task ledger: tasks, their append-only history, progress reports.

A task row holds its current state (status, 督办, verification and 销号); every change is one row of
``ledger_task_events`` with who, when, what and the fields before and after, and nothing ever
updates or deletes an event. Evidence files live under the data directory; a report keeps their
name, type, size and storage key.
"""

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import metadata

ledger_tasks = Table(
    "ledger_tasks",
    metadata,
    Column("id", String(20), primary_key=True),
    Column("region", String(6), nullable=False),
    Column("document_key", String(40), nullable=True),
    Column("source", Text, nullable=False),  # document and clause
    Column("content", Text, nullable=False),
    Column("lead", String(60), nullable=False),
    Column("co_leads", JSON, nullable=False),
    Column("cooperating", JSON, nullable=False),
    Column("leader", String(60), nullable=True),  # 责任人
    Column("deadline", Date, nullable=True),
    Column("deadline_text", String(60), nullable=False),
    Column("milestones", JSON, nullable=False),  # [{"date": "YYYY-MM-DD", "text": …}]
    Column("indicators", JSON, nullable=False),  # [{"code": "FJ03", "target": …}]
    Column("status", String(8), nullable=False),
    Column("supervised", Boolean, nullable=False),  # 督办
    Column("adjusted", Boolean, nullable=False),
    Column("submitted_by", String(64), nullable=True),
    Column("submitted_at", UtcDateTime, nullable=True),
    Column("verified_by", String(64), nullable=True),
    Column("verified_at", UtcDateTime, nullable=True),
    Column("approved_by", String(64), nullable=True),
    Column("approved_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_ledger_tasks_lead", "lead"),
    Index("ix_ledger_tasks_status", "status"),
    Index("ix_ledger_tasks_deadline", "deadline"),
)

ledger_task_events = Table(
    "ledger_task_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(20), ForeignKey("ledger_tasks.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("action", String(16), nullable=False),
    Column("status", String(8), nullable=False),  # after the change
    Column("reason", Text, nullable=True),
    Column("before", JSON, nullable=False),
    Column("after", JSON, nullable=False),
    Index("ix_ledger_task_events_task", "task_id"),
)

ledger_reports = Table(
    "ledger_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", String(20), ForeignKey("ledger_tasks.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("completed", Boolean, nullable=False),
    Column("attachment_name", String(200), nullable=True),
    Column("attachment_type", String(100), nullable=True),
    Column("attachment_size", Integer, nullable=True),
    Column("attachment_key", String(64), nullable=True),
    Index("ix_ledger_reports_task", "task_id"),
)
