"""The audit log: who did what to which record, when and from where.

Every access to a person's record, every login and every change made through the platform is
written here in the same transaction as the work it describes, so an audit entry exists exactly
when the work happened.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Connection, Index, Integer, String, Table, func, select

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import metadata
from sanyi.kernel.clock import Clock

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("action", String(64), nullable=False),
    Column("record_type", String(64), nullable=False),
    Column("record_id", String(128), nullable=True),
    Column("source_ip", String(64), nullable=True),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_log_record", "record_type", "record_id"),
    Index("ix_audit_log_actor_at", "actor", "at"),
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: a user (with role) or the system itself, and from which address."""

    name: str
    role: str
    source_ip: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(name=name, role="system")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    record_type: str
    record_id: str | None
    source_ip: str | None
    detail: Mapping[str, Any] = field(default_factory=dict)


class AuditLog:
    """Writes and reads audit entries on the caller's connection (inside its transaction)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def record(
        self,
        connection: Connection,
        actor: Actor,
        action: str,
        record_type: str,
        record_id: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        payload = dict(detail or {})
        # Detail must be JSON; failing here is better than an unreadable audit trail later.
        json.dumps(payload, ensure_ascii=False)
        connection.execute(
            audit_log.insert().values(
                at=self._clock.now(),
                actor=actor.name,
                actor_role=actor.role,
                action=action,
                record_type=record_type,
                record_id=record_id,
                source_ip=actor.source_ip,
                detail=payload,
            )
        )

    def entries(
        self,
        connection: Connection,
        *,
        actor: str | None = None,
        record_type: str | None = None,
        record_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit).offset(offset)
        if actor is not None:
            query = query.where(audit_log.c.actor == actor)
        if record_type is not None:
            query = query.where(audit_log.c.record_type == record_type)
        if record_id is not None:
            query = query.where(audit_log.c.record_id == record_id)
        return [AuditEntry(**row._mapping) for row in connection.execute(query)]

    def counts_by_action(self, connection: Connection, since: datetime) -> list[tuple[str, int]]:
        """How many entries of each action since an instant, most frequent first."""
        total = func.count().label("n")
        query = (
            select(audit_log.c.action, total)
            .where(audit_log.c.at >= since)
            .group_by(audit_log.c.action)
            .order_by(total.desc(), audit_log.c.action)
        )
        return [(row.action, int(row.n)) for row in connection.execute(query)]

    def count(self, connection: Connection) -> int:
        return int(connection.execute(select(func.count()).select_from(audit_log)).scalar_one())
