"""Supervision use cases: store a run's findings, the case workflow, practitioner points.

Every write happens in one unit of work with its audit entry, so a failed request changes nothing;
an institution's staff see and appeal only their institution's cases, the regional authorities run
the rules and review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import pyarrow as pa
from sqlalchemy import Connection, Select, String, cast, func, insert, select, update

from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock, local_date
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer, institutions, practitioners
from sanyi.supervision.errors import (
    SUPERVISION_FORBIDDEN,
    SUPERVISION_INVALID_OUTCOME,
    SUPERVISION_NOT_FOUND,
    SUPERVISION_WRONG_STAGE,
)
from sanyi.supervision.frames import connect_tables, restrict_period
from sanyi.supervision.model import Finding
from sanyi.supervision.rules import select_rules
from sanyi.supervision.sets import run_rules
from sanyi.supervision.sources import stored_tables
from sanyi.supervision.tables import (
    practitioner_points,
    supervision_case_events,
    supervision_cases,
    supervision_findings,
)
from sanyi.supervision.workflow import CLOSED, Standing, load_workflow, outcome_points, standing

_META_SQL: Final = """
SELECT k.idx, c.person_id, c.institution_id, coalesce(l.doctor_id, c.doctor_id) AS doctor_id, c.start_day,
       CASE WHEN k.line_no IS NULL
            THEN (SELECT coalesce(sum(CAST(round(x.quantity * x.unit_price * 100) AS BIGINT)), 0)
                  FROM lines x WHERE x.claim_id = k.claim_id)
            ELSE CAST(round(l.quantity * l.unit_price * 100) AS BIGINT) END AS amount
FROM keys k JOIN claims c ON c.claim_id = k.claim_id
LEFT JOIN lines l ON l.claim_id = k.claim_id AND l.no = k.line_no
"""
MAX_ATTACHMENT: Final = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision of a case (处理): deduction in fen, points (severity, base, responsibility), referral."""

    deduction: int
    severity: str | None
    base_points: int
    responsibility: str | None
    referral: bool
    note: str


def _names(connection: Connection, table: Any, codes: Sequence[str]) -> dict[str, str]:
    """Names of institutions or practitioners by code (staff names are not personal patient data)."""
    if not codes:
        return {}
    query = select(table.c.code, table.c.name).where(table.c.code.in_(list(codes)))
    return {str(code): str(name) for code, name in connection.execute(query)}


def _not_found(kind: str, kind_zh: str, ident: Any) -> DomainError:
    return DomainError(SUPERVISION_NOT_FOUND, kind=kind, kind_zh=kind_zh, id=str(ident))


def _regional(viewer: Viewer, action: str, action_zh: str) -> None:
    if not viewer.regional:
        raise DomainError(SUPERVISION_FORBIDDEN, action=action, action_zh=action_zh)


class SupervisionService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, audit: AuditLog) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self.workflow = load_workflow()

    # -- runs and findings ---------------------------------------------------------------------
    def run_stored(
        self,
        viewer: Viewer,
        start: date | None = None,
        end: date | None = None,
        rule_ids: Sequence[str] | None = None,
    ) -> int:
        """Check the stored encounters of a period and keep the new findings; returns how many."""
        _regional(viewer, "run the supervision rules", "运行监管规则")
        rules = select_rules(rule_ids)
        engine = self._uow.engine
        tables = stored_tables(engine, start, end)
        if tables["encounters"].num_rows == 0:
            found: list[Finding] = []
        else:
            con = connect_tables(tables)
            restrict_period(con, start, end)
            found = run_rules(con, rules)
            meta = self._meta(con, found)
        with self._uow(write=True) as uow:
            rows = self._insert_new(uow.connection, found, meta)
            self._audit.record(
                uow.connection,
                viewer.actor,
                "supervision.run",
                "supervision_run",
                None,
                {
                    "from": str(start),
                    "to": str(end),
                    "rules": [r.id for r in rules],
                    "new_findings": len(rows),
                },
            )
            uow.commit()
        return len(rows)

    def record_external(
        self, viewer: Viewer, found: Sequence[Finding], meta: Sequence[dict[str, Any]]
    ) -> int:
        """Keep findings made outside the rule engine (e.g. unjustified repeat tests of mutual
        recognition), with their person, institution, doctor, day and amount; returns how many were new."""
        _regional(viewer, "record findings", "登记监管发现")
        with self._uow(write=True) as uow:
            rows = self._insert_new(uow.connection, found, meta)
            self._audit.record(
                uow.connection,
                viewer.actor,
                "supervision.record",
                "supervision_run",
                None,
                {"rules": sorted({f.rule_id for f in found}), "new_findings": len(rows)},
            )
            uow.commit()
        return len(rows)

    def _insert_new(
        self, connection: Connection, found: Sequence[Finding], meta: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Insert the findings not kept yet (same claim, line and rule); a rerun adds nothing."""
        existing = {
            (row.claim_id, row.line_no, row.rule_id)
            for row in connection.execute(
                select(
                    supervision_findings.c.claim_id,
                    supervision_findings.c.line_no,
                    supervision_findings.c.rule_id,
                )
            )
        }
        now = self._clock.now()
        rows = [
            {
                "claim_id": f.claim_id,
                "line_no": f.line_no,
                "rule_id": f.rule_id,
                "result": f.result,
                "evidence": f.evidence,
                "message_zh": f.message_zh,
                "message_en": f.message_en,
                **meta[i],
                "found_at": now,
            }
            for i, f in enumerate(found)
            if f.key not in existing
        ]
        if rows:
            connection.execute(insert(supervision_findings), rows)
        return rows

    @staticmethod
    def _meta(con: Any, found: list[Finding]) -> list[dict[str, Any]]:
        keys = pa.table(
            {
                "idx": list(range(len(found))),
                "claim_id": [f.claim_id for f in found],
                "line_no": pa.array([f.line_no for f in found], pa.int32()),
            }
        )
        con.register("keys", keys)
        meta: list[dict[str, Any]] = [{} for _ in found]
        for idx, person, institution, doctor, day, amount in con.execute(_META_SQL).fetchall():
            meta[idx] = {
                "person_id": person,
                "institution_id": institution,
                "doctor_id": doctor or None,
                "claim_day": day,
                "amount": int(amount or 0),
            }
        return meta

    def _scoped(self, query: Select[Any], viewer: Viewer, column: Any) -> Select[Any]:
        return query if viewer.scope is None else query.where(column == viewer.scope)

    def findings(
        self,
        viewer: Viewer,
        *,
        rule_id: str | None = None,
        institution_id: str | None = None,
        doctor_id: str | None = None,
        month: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[int, list[dict[str, Any]]]:
        f = supervision_findings
        query = self._scoped(
            select(f, supervision_cases.c.id.label("case_id"), supervision_cases.c.stage),
            viewer,
            f.c.institution_id,
        )
        query = query.outerjoin(supervision_cases, supervision_cases.c.finding_id == f.c.id)
        for column, value in (
            (f.c.rule_id, rule_id),
            (f.c.institution_id, institution_id),
            (f.c.doctor_id, doctor_id),
        ):
            if value:
                query = query.where(column == value)
        if month:
            year, number = (int(x) for x in month.split("-"))
            first = date(year, number, 1)
            following = date(year + number // 12, number % 12 + 1, 1)
            query = query.where(f.c.claim_day >= first, f.c.claim_day < following)
        with self._uow() as uow:
            total = uow.connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            rows = uow.connection.execute(query.order_by(f.c.id).limit(limit).offset(offset)).all()
        return int(total), [dict(row._mapping) for row in rows]

    def dashboard(self, viewer: Viewer) -> dict[str, list[dict[str, Any]]]:
        """Counts and amounts of findings by rule, institution, doctor and month."""
        f = supervision_findings
        month = func.substr(cast(f.c.claim_day, String(10)), 1, 7)
        result: dict[str, list[dict[str, Any]]] = {}
        with self._uow() as uow:
            for name, key in (
                ("by_rule", f.c.rule_id),
                ("by_institution", f.c.institution_id),
                ("by_doctor", f.c.doctor_id),
                ("by_month", month),
            ):
                query = self._scoped(
                    select(
                        key.label("key"), func.count().label("count"), func.sum(f.c.amount).label("amount")
                    ),
                    viewer,
                    f.c.institution_id,
                ).group_by(key)
                query = (
                    query.order_by(key)
                    if name == "by_month"
                    else query.order_by(func.count().desc(), key).limit(20)
                )
                result[name] = [
                    {"key": row[0], "count": int(row[1]), "amount": int(row[2] or 0)}
                    for row in uow.connection.execute(query)
                    if row[0] is not None
                ]
            for name, table in (("by_institution", institutions), ("by_doctor", practitioners)):
                names = _names(uow.connection, table, [x["key"] for x in result[name]])
                for item in result[name]:
                    item["name"] = names.get(item["key"])
        return result

    # -- cases -----------------------------------------------------------------------------------
    def open_case(self, viewer: Viewer, finding_id: int) -> int:
        _regional(viewer, "open a case", "立案")
        first = self.workflow.stages[0].name
        now = self._clock.now()
        with self._uow(write=True) as uow:
            finding = uow.connection.execute(
                select(supervision_findings).where(supervision_findings.c.id == finding_id)
            ).first()
            if finding is None:
                raise _not_found("finding", "监管发现", finding_id)
            existing = uow.connection.execute(
                select(supervision_cases.c.id).where(supervision_cases.c.finding_id == finding_id)
            ).scalar()
            if existing is not None:
                return int(existing)
            inserted = uow.connection.execute(
                insert(supervision_cases).values(
                    finding_id=finding_id,
                    institution_id=finding.institution_id,
                    doctor_id=finding.doctor_id,
                    stage=first,
                    due_on=self.workflow.due(first, local_date(now)),
                    opened_at=now,
                    opened_by=viewer.username,
                    updated_at=now,
                )
            ).inserted_primary_key
            assert inserted is not None
            case_id = int(inserted[0])
            self._event(
                uow.connection, viewer, int(case_id), "open", first, f"{finding.rule_id} · {finding.claim_id}"
            )
            uow.commit()
        return int(case_id)

    def _event(
        self,
        connection: Connection,
        viewer: Viewer,
        case_id: int,
        action: str,
        stage: str,
        text: str | None = None,
        attachment: tuple[str, str, bytes] | None = None,
    ) -> None:
        name, kind, data = attachment if attachment else (None, None, None)
        connection.execute(
            insert(supervision_case_events).values(
                case_id=case_id,
                at=self._clock.now(),
                actor=viewer.username,
                action=action,
                stage=stage,
                text=text,
                attachment_name=name,
                attachment_type=kind,
                attachment=data,
            )
        )
        detail: dict[str, Any] = {"stage": stage}
        if text:
            detail["text"] = text[:200]
        if name:
            detail["attachment"] = name
        self._audit.record(
            connection, viewer.actor, f"supervision.case.{action}", "supervision_case", str(case_id), detail
        )

    def _case_row(self, connection: Connection, viewer: Viewer, case_id: int) -> Any:
        query = self._scoped(
            select(supervision_cases).where(supervision_cases.c.id == case_id),
            viewer,
            supervision_cases.c.institution_id,
        )
        row = connection.execute(query).first()
        if row is None:
            raise _not_found("case", "案件", case_id)
        return row

    def case(self, viewer: Viewer, case_id: int) -> dict[str, Any]:
        with self._uow(write=True) as uow:
            row = self._case_row(uow.connection, viewer, case_id)
            finding = uow.connection.execute(
                select(supervision_findings).where(supervision_findings.c.id == row.finding_id)
            ).one()
            events = uow.connection.execute(
                select(
                    supervision_case_events.c.id,
                    supervision_case_events.c.at,
                    supervision_case_events.c.actor,
                    supervision_case_events.c.action,
                    supervision_case_events.c.stage,
                    supervision_case_events.c.text,
                    supervision_case_events.c.attachment_name,
                )
                .where(supervision_case_events.c.case_id == case_id)
                .order_by(supervision_case_events.c.id)
            ).all()
            self._audit.record(
                uow.connection, viewer.actor, "supervision.case.view", "supervision_case", str(case_id)
            )
            uow.commit()
        return {
            **dict(row._mapping),
            "finding": dict(finding._mapping),
            "events": [dict(e._mapping) for e in events],
        }

    def attachment(self, viewer: Viewer, case_id: int, event_id: int) -> tuple[str, str, bytes]:
        """An evidence file of a case (name, media type, content); each download is audited."""
        e = supervision_case_events
        with self._uow(write=True) as uow:
            self._case_row(uow.connection, viewer, case_id)
            row = uow.connection.execute(
                select(e.c.attachment_name, e.c.attachment_type, e.c.attachment).where(
                    e.c.id == event_id, e.c.case_id == case_id, e.c.attachment.is_not(None)
                )
            ).first()
            if row is None:
                raise _not_found("attachment", "证据材料", event_id)
            self._audit.record(
                uow.connection,
                viewer.actor,
                "supervision.attachment.download",
                "supervision_case",
                str(case_id),
                {"event_id": event_id, "name": row.attachment_name},
            )
            uow.commit()
        return str(row.attachment_name), str(row.attachment_type), bytes(row.attachment)

    def cases(self, viewer: Viewer, stage: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        c, f = supervision_cases, supervision_findings
        query = self._scoped(
            select(c, f.c.rule_id, f.c.claim_id, f.c.result, f.c.amount).join(f, f.c.id == c.c.finding_id),
            viewer,
            c.c.institution_id,
        )
        if stage:
            query = query.where(c.c.stage == stage)
        with self._uow() as uow:
            rows = uow.connection.execute(query.order_by(c.c.due_on, c.c.id).limit(limit)).all()
        return [dict(row._mapping) for row in rows]

    def _load(
        self,
        connection: Connection,
        viewer: Viewer,
        case_id: int,
        allowed: Sequence[str],
        action: str,
        action_zh: str,
    ) -> Any:
        """The case in the viewer's scope, if its stage allows the action."""
        row = self._case_row(connection, viewer, case_id)
        if row.stage not in allowed:
            raise DomainError(
                SUPERVISION_WRONG_STAGE, id=str(case_id), stage=row.stage, action=action, action_zh=action_zh
            )
        return row

    def assign(self, viewer: Viewer, case_id: int, assignee: str) -> None:
        _regional(viewer, "assign a case", "分派案件")
        with self._uow(write=True) as uow:
            row = self._load(uow.connection, viewer, case_id, self._open_stages(), "assign", "分派")
            uow.connection.execute(
                update(supervision_cases)
                .where(supervision_cases.c.id == case_id)
                .values(assignee=assignee, updated_at=self._clock.now())
            )
            self._event(uow.connection, viewer, case_id, "assign", row.stage, assignee)
            uow.commit()

    def comment(
        self, viewer: Viewer, case_id: int, text: str, attachment: tuple[str, str, bytes] | None = None
    ) -> None:
        if attachment and len(attachment[2]) > MAX_ATTACHMENT:
            raise DomainError(
                SUPERVISION_INVALID_OUTCOME,
                field="attachment",
                reason="larger than 5 MB",
                reason_zh="超过 5 MB",
            )
        with self._uow(write=True) as uow:
            row = self._load(
                uow.connection, viewer, case_id, self._open_stages(), "comment", "补充意见或材料"
            )
            self._event(
                uow.connection,
                viewer,
                case_id,
                "evidence" if attachment else "comment",
                row.stage,
                text,
                attachment,
            )
            uow.connection.execute(
                update(supervision_cases)
                .where(supervision_cases.c.id == case_id)
                .values(updated_at=self._clock.now())
            )
            uow.commit()

    def _open_stages(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.workflow.stages)

    def advance(self, viewer: Viewer, case_id: int, note: str | None = None) -> str:
        """Move a case to its next stage (not past 处理: a decision closes it)."""
        _regional(viewer, "advance a case", "推进案件")
        with self._uow(write=True) as uow:
            row = self._load(
                uow.connection, viewer, case_id, self._open_stages()[:-1], "advance", "推进到下一阶段"
            )
            following = self.workflow.next_stage(row.stage)
            self._move(uow.connection, case_id, following)
            self._event(uow.connection, viewer, case_id, "advance", following, note)
            uow.commit()
        return following

    def _move(self, connection: Connection, case_id: int, stage: str) -> None:
        now = self._clock.now()
        due = None if stage == CLOSED else self.workflow.due(stage, local_date(now))
        connection.execute(
            update(supervision_cases)
            .where(supervision_cases.c.id == case_id)
            .values(stage=stage, due_on=due, updated_at=now)
        )

    def appeal(self, viewer: Viewer, case_id: int, text: str) -> None:
        """The institution's appeal (申诉), in the appeal stage; staff only for their own institution."""
        with self._uow(write=True) as uow:
            row = self._load(uow.connection, viewer, case_id, ("申诉",), "appeal", "申诉")
            self._event(uow.connection, viewer, case_id, "appeal", row.stage, text)
            uow.commit()

    def decide(self, viewer: Viewer, case_id: int, outcome: Outcome) -> int:
        """The decision (处理): closes the case and records the practitioner's points; returns them."""
        _regional(viewer, "decide a case", "作出处理决定")
        scoring = self.workflow.scoring
        if outcome.deduction < 0:
            raise DomainError(
                SUPERVISION_INVALID_OUTCOME, field="deduction", reason="negative", reason_zh="不能为负"
            )
        points = 0
        if outcome.severity is not None:
            if outcome.severity not in scoring.severities:
                raise DomainError(
                    SUPERVISION_INVALID_OUTCOME,
                    field="severity",
                    reason=outcome.severity,
                    reason_zh="未知的情节等级",
                )
            if outcome.responsibility not in scoring.responsibilities:
                raise DomainError(
                    SUPERVISION_INVALID_OUTCOME,
                    field="responsibility",
                    reason=str(outcome.responsibility),
                    reason_zh="未知的责任类型",
                )
            low, high = scoring.severities[outcome.severity]
            if not low <= outcome.base_points <= high:
                raise DomainError(
                    SUPERVISION_INVALID_OUTCOME,
                    field="base_points",
                    reason=f"{outcome.severity} takes {low}-{high}",
                    reason_zh=f"{outcome.severity}记 {low}-{high} 分",
                )
            points = outcome_points(scoring, outcome.severity, outcome.base_points, outcome.responsibility)
        with self._uow(write=True) as uow:
            row = self._load(uow.connection, viewer, case_id, ("处理",), "decide", "作出处理决定")
            now = self._clock.now()
            record = {
                "deduction": outcome.deduction,
                "severity": outcome.severity,
                "base_points": outcome.base_points,
                "responsibility": outcome.responsibility,
                "points": points,
                "referral": outcome.referral,
                "note": outcome.note,
            }
            uow.connection.execute(
                update(supervision_cases).where(supervision_cases.c.id == case_id).values(outcome=record)
            )
            if points and row.doctor_id:
                uow.connection.execute(
                    insert(practitioner_points).values(
                        doctor_id=row.doctor_id,
                        year=local_date(now).year,
                        points=points,
                        case_id=case_id,
                        severity=outcome.severity,
                        responsibility=outcome.responsibility,
                        recorded_at=now,
                        recorded_by=viewer.username,
                    )
                )
            self._move(uow.connection, case_id, CLOSED)
            self._event(uow.connection, viewer, case_id, "decide", CLOSED, outcome.note or None)
            uow.commit()
        return points

    # -- practitioner scoring --------------------------------------------------------------------
    def score(self, viewer: Viewer, doctor_id: str, year: int | None = None) -> dict[str, Any]:
        year = year or local_date(self._clock.now()).year
        p, c = practitioner_points, supervision_cases
        query = self._scoped(
            select(p, c.c.institution_id, c.c.finding_id).join(c, c.c.id == p.c.case_id),
            viewer,
            c.c.institution_id,
        ).where(p.c.doctor_id == doctor_id)
        with self._uow(write=True) as uow:
            rows = uow.connection.execute(query.order_by(p.c.recorded_at)).all()
            self._audit.record(
                uow.connection,
                viewer.actor,
                "supervision.score.view",
                "practitioner",
                doctor_id,
                {"year": year},
            )
            uow.commit()
            name = _names(uow.connection, practitioners, [doctor_id]).get(doctor_id)
        history = [dict(row._mapping) for row in rows]
        total = sum(int(h["points"]) for h in history if h["year"] == year)
        state: Standing = standing(self.workflow.scoring, total)
        return {
            "doctor_id": doctor_id,
            "name": name,
            "year": year,
            "points": total,
            "status": state.status,
            "status_en": state.status_en,
            "suspension_months": state.suspension_months,
            "thresholds": {
                "interview": self.workflow.scoring.interview_at,
                "suspension": self.workflow.scoring.suspension_at,
                "termination": self.workflow.scoring.termination_at,
            },
            "basis": self.workflow.scoring.basis,
            "history": history,
        }
