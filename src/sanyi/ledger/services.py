"""Ledger use cases: seed from the documents, create and adjust tasks, progress reports with
evidence, verification, 销号 and 督办, the views by department, deadline and status.

Every write is one unit of work holding the task change, its history event and the audit entry, so
a refused request changes nothing. Role rules (ADR 0015): the reform office creates, adjusts,
approves 销号 and flags 督办; a department's users report progress on the tasks it leads; someone
other than the reporter verifies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, insert, select, update

from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.importer import ImportResult, OnError, run_import
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock, today
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.ledger import RegionDepartments, SeedDocument, load_ledger
from sanyi.ledger.errors import (
    LEDGER_DUPLICATE_TASK,
    LEDGER_FORBIDDEN,
    LEDGER_INVALID_FIELD,
    LEDGER_NOT_FOUND,
    LEDGER_NOT_LEAD,
    LEDGER_NOT_VERIFIED,
    LEDGER_REASON_REQUIRED,
    LEDGER_SAME_PERSON,
    LEDGER_UNKNOWN_DEPARTMENT,
    LEDGER_UNKNOWN_INDICATOR,
)
from sanyi.ledger.evidence import EvidenceStore
from sanyi.ledger.model import (
    Action,
    IndicatorCheck,
    NewTask,
    Status,
    TaskFilter,
    days_overdue,
    indicator_code_shape,
    is_overdue,
    may_report,
    next_status,
)
from sanyi.ledger.sheets import TaskLoader, export_bytes
from sanyi.ledger.tables import ledger_reports, ledger_task_events, ledger_tasks
from sanyi.registry.api import Viewer

REFORM_OFFICE: Final = "reform_office"
VERIFIERS: Final = frozenset({"reform_office", "health_commission", "insurance_bureau"})
READERS: Final = frozenset({"admin", "system", *VERIFIERS})
ADJUSTABLE: Final = (
    "content",
    "lead",
    "co_leads",
    "cooperating",
    "leader",
    "deadline",
    "deadline_text",
    "milestones",
    "indicators",
)


@dataclass
class SeedResult:
    added: dict[str, int] = field(default_factory=dict)
    existing: int = 0


def _json(value: Any) -> Any:
    """A field value as it is kept in the history (dates as ISO text, tuples as lists)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    return value


class LedgerService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        audit: AuditLog,
        evidence: EvidenceStore,
        indicator_known: IndicatorCheck = indicator_code_shape,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self._evidence = evidence
        # The one seam to the indicator catalogue (wired in bootstrap once it exists).
        self._indicator_known = indicator_known

    # -- reference data ------------------------------------------------------------------------
    @staticmethod
    def departments() -> dict[str, RegionDepartments]:
        return load_ledger()[0]

    @staticmethod
    def documents() -> tuple[SeedDocument, ...]:
        return load_ledger()[1]

    def today(self) -> date:
        return today(self._clock)

    # -- checks ----------------------------------------------------------------------------------
    @staticmethod
    def _require(viewer: Viewer, roles: frozenset[str], action: str, action_zh: str) -> None:
        if viewer.role not in roles:
            raise DomainError(LEDGER_FORBIDDEN, action=action, action_zh=action_zh)

    def validate(self, region: str, values: dict[str, Any]) -> None:
        """Departments known in the region, indicator codes known, milestones dated."""
        regions = self.departments()
        if region not in regions:
            raise DomainError(
                LEDGER_INVALID_FIELD,
                field="region",
                value=region,
                reason="no departments list for this region",
                reason_zh="该地区没有部门名录",
                path="region",
            )
        known = regions[region]
        names = [values["lead"]] if "lead" in values else []
        names += list(values.get("co_leads", ())) + list(values.get("cooperating", ()))
        for name in names:
            if known.named(name) is None:
                raise DomainError(LEDGER_UNKNOWN_DEPARTMENT, region=known.name, name=name, path="lead")
        for link in values.get("indicators", ()):
            if not self._indicator_known(str(link.get("code", ""))):
                raise DomainError(LEDGER_UNKNOWN_INDICATOR, code=str(link.get("code")), path="indicators")
        for milestone in values.get("milestones", ()):
            try:
                date.fromisoformat(str(milestone.get("date")))
            except ValueError:
                raise DomainError(
                    LEDGER_INVALID_FIELD,
                    field="milestones",
                    value=str(milestone.get("date")),
                    reason="a milestone needs a date YYYY-MM-DD",
                    reason_zh="节点须有日期（YYYY-MM-DD）",
                    path="milestones",
                ) from None
        if "content" in values and not str(values["content"]).strip():
            raise DomainError(
                LEDGER_INVALID_FIELD,
                field="content",
                value="",
                reason="the task content is empty",
                reason_zh="任务内容为空",
                path="content",
            )

    def _lead_roles(self, region: str, lead: str, co_leads: Sequence[str]) -> frozenset[str]:
        known = self.departments().get(region)
        if known is None:
            return frozenset()
        roles: set[str] = set()
        for name in [lead, *co_leads]:
            department = known.named(name)
            if department is not None:
                roles |= department.roles
        return frozenset(roles)

    # -- writing ---------------------------------------------------------------------------------
    def _row(self, connection: Connection, task_id: str) -> Any:
        row = connection.execute(select(ledger_tasks).where(ledger_tasks.c.id == task_id)).first()
        if row is None:
            raise DomainError(LEDGER_NOT_FOUND, id=task_id)
        return row

    def _event(
        self,
        connection: Connection,
        viewer: Viewer,
        task_id: str,
        action: Action,
        status: Status,
        before: dict[str, Any],
        after: dict[str, Any],
        reason: str | None = None,
    ) -> None:
        connection.execute(
            insert(ledger_task_events).values(
                task_id=task_id,
                at=self._clock.now(),
                actor=viewer.username,
                role=viewer.role,
                action=action.value,
                status=status.value,
                reason=reason,
                before=_json(before),
                after=_json(after),
            )
        )
        self._audit.record(
            connection,
            viewer.actor,
            f"ledger.{action.value}",
            "ledger_task",
            task_id,
            {"status": status.value, "fields": sorted(after)},
        )

    def _insert_task(
        self,
        connection: Connection,
        viewer: Viewer,
        task: NewTask,
        action: Action,
        document_key: str | None = None,
    ) -> None:
        now = self._clock.now()
        values = {
            "id": task.id,
            "region": task.region,
            "document_key": document_key,
            "source": task.source,
            "content": task.content,
            "lead": task.lead,
            "co_leads": list(task.co_leads),
            "cooperating": list(task.cooperating),
            "leader": task.leader,
            "deadline": task.deadline,
            "deadline_text": task.deadline_text,
            "milestones": [dict(m) for m in task.milestones],
            "indicators": [dict(i) for i in task.indicators],
            "status": Status.NOT_STARTED.value,
            "supervised": False,
            "adjusted": False,
            "created_at": now,
            "updated_at": now,
        }
        connection.execute(insert(ledger_tasks).values(**values))
        shown = {k: v for k, v in values.items() if k not in ("created_at", "updated_at")}
        self._event(connection, viewer, task.id, action, Status.NOT_STARTED, {}, shown)

    def import_file(self, viewer: Viewer, path: Path, on_error: OnError = OnError.REJECT) -> ImportResult:
        """New tasks from a spreadsheet (the 改革任务台账 template); every bad row is reported."""
        self._require(viewer, frozenset({REFORM_OFFICE}), "import tasks", "导入任务")

        def insert_task(connection: Connection, task: NewTask) -> None:
            self._insert_task(connection, viewer, task, Action.IMPORT)

        loader = TaskLoader(self.validate, insert_task)
        return run_import(self._uow, self._audit, viewer.actor, loader, path, on_error)

    def export(self, viewer: Viewer, where: TaskFilter | None = None) -> bytes:
        """The ledger under the filter as an Excel workbook (audited)."""
        tasks = self.tasks(viewer, where)
        with self._uow(write=True) as uow:
            self._audit.record(
                uow.connection, viewer.actor, "export", "ledger_tasks", None, {"rows": len(tasks)}
            )
            uow.commit()
        return export_bytes(tasks)

    def seed(self, viewer: Viewer) -> SeedResult:
        """Add the tasks of the shipped documents not in the ledger yet (a rerun adds nothing)."""
        self._require(
            viewer, frozenset({REFORM_OFFICE, "system", "admin"}), "seed the ledger", "导入文件任务"
        )
        result = SeedResult()
        with self._uow(write=True) as uow:
            connection = uow.connection
            existing = set(connection.execute(select(ledger_tasks.c.id)).scalars())
            for document in self.documents():
                added = 0
                for seed in document.tasks:
                    if seed.id in existing:
                        result.existing += 1
                        continue
                    task = NewTask(
                        id=seed.id,
                        region=document.region,
                        source=document.cite(seed.clause),
                        content=seed.content,
                        lead=seed.lead,
                        co_leads=seed.co_leads,
                        cooperating=seed.cooperating,
                        deadline=seed.deadline,
                        deadline_text=seed.deadline_text,
                        indicators=tuple({"code": i.code, "target": i.target} for i in seed.indicators),
                    )
                    self._insert_task(connection, viewer, task, Action.SEED, document.key)
                    added += 1
                result.added[document.key] = added
            uow.commit()
        return result

    def create(self, viewer: Viewer, task: NewTask) -> None:
        self._require(viewer, frozenset({REFORM_OFFICE}), "create tasks", "新建任务")
        self.validate(task.region, {k: getattr(task, k) for k in ADJUSTABLE})
        with self._uow(write=True) as uow:
            exists = uow.connection.execute(select(ledger_tasks.c.id).where(ledger_tasks.c.id == task.id))
            if exists.first() is not None:
                raise DomainError(LEDGER_DUPLICATE_TASK, id=task.id, path="id")
            self._insert_task(uow.connection, viewer, task, Action.CREATE)
            uow.commit()

    def adjust(self, viewer: Viewer, task_id: str, changes: dict[str, Any], reason: str) -> None:
        """调整: change fields of an open task, with a reason kept in the history."""
        self._require(viewer, frozenset({REFORM_OFFICE}), "adjust tasks", "调整任务")
        if not reason.strip():
            raise DomainError(
                LEDGER_REASON_REQUIRED, action="an adjustment", action_zh="调整任务", path="reason"
            )
        unknown = set(changes) - set(ADJUSTABLE)
        if unknown:
            name = sorted(unknown)[0]
            raise DomainError(
                LEDGER_INVALID_FIELD,
                field=name,
                value=str(changes[name]),
                reason="not an adjustable field",
                reason_zh="该字段不可调整",
                path=name,
            )
        with self._uow(write=True) as uow:
            row = self._row(uow.connection, task_id)
            status = next_status(task_id, Status(row.status), Action.ADJUST)
            self.validate(row.region, changes)
            current = {key: getattr(row, key) for key in changes}
            changed = {k: v for k, v in changes.items() if _json(v) != _json(current[k])}
            if not changed:
                return
            stored = {k: list(v) if isinstance(v, tuple) else v for k, v in changed.items()}
            uow.connection.execute(
                update(ledger_tasks)
                .where(ledger_tasks.c.id == task_id)
                .values(**stored, adjusted=True, updated_at=self._clock.now())
            )
            before = {k: current[k] for k in changed}
            self._event(uow.connection, viewer, task_id, Action.ADJUST, status, before, changed, reason)
            uow.commit()

    def report(
        self,
        viewer: Viewer,
        task_id: str,
        text: str,
        *,
        completed: bool = False,
        attachment: tuple[str, bytes] | None = None,
    ) -> int:
        """A progress report of the lead department; ``completed`` asks for verification."""
        if not text.strip():
            raise DomainError(LEDGER_REASON_REQUIRED, action="a report", action_zh="报送进展", path="text")
        if attachment is not None:
            EvidenceStore.check(*attachment)  # refuse before touching the database
        action = Action.SUBMIT if completed else Action.REPORT
        with self._uow(write=True) as uow:
            row = self._row(uow.connection, task_id)
            if not may_report(viewer.role, self._lead_roles(row.region, row.lead, row.co_leads)):
                raise DomainError(LEDGER_NOT_LEAD, id=task_id, lead=row.lead)
            before_status = Status(row.status)
            status = next_status(task_id, before_status, action)
            evidence = self._evidence.save(*attachment) if attachment else None
            try:
                now = self._clock.now()
                report_id = uow.connection.execute(
                    insert(ledger_reports)
                    .values(
                        task_id=task_id,
                        at=now,
                        actor=viewer.username,
                        role=viewer.role,
                        text=text.strip(),
                        completed=completed,
                        attachment_name=evidence.name if evidence else None,
                        attachment_type=evidence.media_type if evidence else None,
                        attachment_size=evidence.size if evidence else None,
                        attachment_key=evidence.key if evidence else None,
                    )
                    .returning(ledger_reports.c.id)
                ).scalar_one()
                values: dict[str, Any] = {"status": status.value, "updated_at": now}
                if completed:
                    values |= {"submitted_by": viewer.username, "submitted_at": now}
                    values |= {"verified_by": None, "verified_at": None}
                uow.connection.execute(
                    update(ledger_tasks).where(ledger_tasks.c.id == task_id).values(**values)
                )
                after = {"status": status.value, "report": report_id}
                if evidence:
                    after["evidence"] = evidence.name
                self._event(
                    uow.connection, viewer, task_id, action, status, {"status": before_status.value}, after
                )
                uow.commit()
            except BaseException:
                if evidence:
                    self._evidence.discard(evidence.key)
                raise
        return int(report_id)

    def verify(self, viewer: Viewer, task_id: str, passed: bool, note: str = "") -> None:
        """核验 by someone other than the reporter: passed keeps 待核验 for 销号, failed goes back."""
        self._require(viewer, VERIFIERS, "verify tasks", "核验任务")
        action = Action.VERIFY if passed else Action.REJECT
        if not passed and not note.strip():
            raise DomainError(
                LEDGER_REASON_REQUIRED, action="a failed verification", action_zh="核验不通过", path="note"
            )
        with self._uow(write=True) as uow:
            row = self._row(uow.connection, task_id)
            status = next_status(task_id, Status(row.status), action)
            if row.submitted_by == viewer.username:
                raise DomainError(LEDGER_SAME_PERSON, reporter=row.submitted_by)
            now = self._clock.now()
            values: dict[str, Any] = {"status": status.value, "updated_at": now}
            values |= (
                {"verified_by": viewer.username, "verified_at": now} if passed else {"verified_by": None}
            )
            uow.connection.execute(update(ledger_tasks).where(ledger_tasks.c.id == task_id).values(**values))
            before = {"status": row.status, "verified_by": row.verified_by}
            after = {"status": status.value, "verified_by": values.get("verified_by")}
            self._event(uow.connection, viewer, task_id, action, status, before, after, note.strip() or None)
            uow.commit()

    def approve(self, viewer: Viewer, task_id: str, note: str = "") -> None:
        """销号 by the reform office, only after a verification passed."""
        self._require(viewer, frozenset({REFORM_OFFICE}), "close tasks (销号)", "销号")
        with self._uow(write=True) as uow:
            row = self._row(uow.connection, task_id)
            status = next_status(task_id, Status(row.status), Action.APPROVE)
            if row.verified_by is None:
                raise DomainError(LEDGER_NOT_VERIFIED, id=task_id)
            now = self._clock.now()
            uow.connection.execute(
                update(ledger_tasks)
                .where(ledger_tasks.c.id == task_id)
                .values(status=status.value, approved_by=viewer.username, approved_at=now, updated_at=now)
            )
            after = {"status": status.value, "approved_by": viewer.username}
            self._event(
                uow.connection,
                viewer,
                task_id,
                Action.APPROVE,
                status,
                {"status": row.status},
                after,
                note or None,
            )
            uow.commit()

    def flag(self, viewer: Viewer, task_id: str, on: bool, note: str = "") -> None:
        """督办: set or lift the supervision flag of an open task."""
        self._require(viewer, frozenset({REFORM_OFFICE}), "flag tasks for supervision (督办)", "督办")
        action = Action.FLAG if on else Action.UNFLAG
        with self._uow(write=True) as uow:
            row = self._row(uow.connection, task_id)
            status = next_status(task_id, Status(row.status), action)
            if bool(row.supervised) == on:
                return
            uow.connection.execute(
                update(ledger_tasks)
                .where(ledger_tasks.c.id == task_id)
                .values(supervised=on, updated_at=self._clock.now())
            )
            self._event(
                uow.connection,
                viewer,
                task_id,
                action,
                status,
                {"supervised": bool(row.supervised)},
                {"supervised": on},
                note.strip() or None,
            )
            uow.commit()

    # -- reading ---------------------------------------------------------------------------------
    def _shown(self, row: Any, on: date) -> dict[str, Any]:
        task = dict(row._mapping)
        status = Status(task["status"])
        late = is_overdue(status, task["deadline"], on)
        task["overdue"] = late
        task["days_overdue"] = days_overdue(task["deadline"], on) if late else 0
        task["status_en"] = status.en
        return task

    def tasks(self, viewer: Viewer, where: TaskFilter | None = None) -> list[dict[str, Any]]:
        """Tasks under the filter, by deadline (undated last) then id, with 逾期 derived."""
        self._require(viewer, READERS, "read the ledger", "查看任务台账")
        where = where or TaskFilter()
        t = ledger_tasks
        query = select(t)
        if where.region:
            query = query.where(t.c.region == where.region)
        if where.status and where.status in set(Status):
            query = query.where(t.c.status == where.status)
        if where.due_by:
            query = query.where(t.c.deadline <= where.due_by)
        if where.supervised is not None:
            query = query.where(t.c.supervised == where.supervised)
        on = self.today()
        with self._uow() as uow:
            rows = [self._shown(row, on) for row in uow.connection.execute(query)]
        if where.department:
            rows = [r for r in rows if where.department in (r["lead"], *r["co_leads"])]
        if where.status == "逾期":
            rows = [r for r in rows if r["overdue"]]
        rows.sort(key=lambda r: (r["deadline"] is None, r["deadline"] or date.max, r["id"]))
        return rows

    def overdue(self, viewer: Viewer) -> list[dict[str, Any]]:
        return self.tasks(viewer, TaskFilter(status="逾期"))

    def overdue_count(self, viewer: Viewer) -> int:
        return len(self.overdue(viewer))

    def by_department(self, viewer: Viewer, region: str | None = None) -> list[dict[str, Any]]:
        """Per lead department: tasks by status and how many are overdue or under 督办."""
        counts: dict[str, Counter[str]] = {}
        for task in self.tasks(viewer, TaskFilter(region=region)):
            tally = counts.setdefault(task["lead"], Counter())
            tally[task["status"]] += 1
            tally["total"] += 1
            tally["overdue"] += task["overdue"]
            tally["supervised"] += bool(task["supervised"])
        return [
            {"department": name, **{key: tally[key] for key in (*Status, "total", "overdue", "supervised")}}
            for name, tally in sorted(counts.items(), key=lambda item: (-item[1]["total"], item[0]))
        ]

    def task(self, viewer: Viewer, task_id: str) -> dict[str, Any]:
        """A task with its reports and full history (oldest first)."""
        self._require(viewer, READERS, "read the ledger", "查看任务台账")
        with self._uow() as uow:
            task = self._shown(self._row(uow.connection, task_id), self.today())
            events = ledger_task_events
            task["events"] = [
                dict(r._mapping)
                for r in uow.connection.execute(
                    select(events).where(events.c.task_id == task_id).order_by(events.c.id)
                )
            ]
            reports = ledger_reports
            task["reports"] = [
                dict(r._mapping)
                for r in uow.connection.execute(
                    select(reports).where(reports.c.task_id == task_id).order_by(reports.c.id)
                )
            ]
        task["may_report"] = may_report(
            viewer.role, self._lead_roles(task["region"], task["lead"], task["co_leads"])
        )
        return task

    def evidence(self, viewer: Viewer, task_id: str, report_id: int) -> tuple[str, str, bytes]:
        """An evidence file (name, media type, content); each download is audited."""
        self._require(viewer, READERS, "read the ledger", "查看任务台账")
        r = ledger_reports
        with self._uow(write=True) as uow:
            row = uow.connection.execute(
                select(r.c.attachment_name, r.c.attachment_type, r.c.attachment_key).where(
                    r.c.id == report_id, r.c.task_id == task_id, r.c.attachment_key.is_not(None)
                )
            ).first()
            if row is None:
                raise DomainError(LEDGER_NOT_FOUND, id=f"{task_id}/{report_id}")
            self._audit.record(
                uow.connection,
                viewer.actor,
                "ledger.evidence.download",
                "ledger_task",
                task_id,
                {"report": report_id, "name": row.attachment_name},
            )
            uow.commit()
        return (
            str(row.attachment_name),
            str(row.attachment_type),
            self._evidence.read(str(row.attachment_key)),
        )
