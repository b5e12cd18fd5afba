"""Database tables of supervision: findings, cases with their events, practitioner points.

A finding keeps who and what it concerns (person, institution, doctor, month, amount in fen) so the
dashboard groups without re-reading claims. A case follows one finding through the stages; every
change is one row of ``supervision_case_events`` (besides the audit log). Points are one row per
decided case and practitioner, so a practitioner's history is a query.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
)

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import metadata

supervision_findings = Table(
    "supervision_findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(64), nullable=False),
    Column("line_no", SmallInteger, nullable=True),
    Column("rule_id", String(64), nullable=False),
    Column("result", String(16), nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("message_zh", Text, nullable=False),
    Column("message_en", Text, nullable=False),
    Column("person_id", String(32), nullable=False),
    Column("institution_id", String(32), nullable=False),
    Column("doctor_id", String(32), nullable=True),
    Column("claim_day", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("found_at", UtcDateTime, nullable=False),
    Index("ix_supervision_findings_claim", "claim_id", "rule_id"),
    Index("ix_supervision_findings_institution", "institution_id"),
    Index("ix_supervision_findings_doctor", "doctor_id"),
)

supervision_cases = Table(
    "supervision_cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("finding_id", Integer, ForeignKey("supervision_findings.id"), nullable=False, unique=True),
    Column("institution_id", String(32), nullable=False),
    Column("doctor_id", String(32), nullable=True),
    Column("stage", String(16), nullable=False),
    Column("due_on", Date, nullable=True),
    Column("assignee", String(64), nullable=True),
    Column("opened_at", UtcDateTime, nullable=False),
    Column("opened_by", String(64), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("outcome", JSON, nullable=True),
    Index("ix_supervision_cases_stage", "stage"),
    Index("ix_supervision_cases_institution", "institution_id"),
)

supervision_case_events = Table(
    "supervision_case_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("supervision_cases.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("text", Text, nullable=True),
    Column("attachment_name", String(200), nullable=True),
    Column("attachment_type", String(100), nullable=True),
    Column("attachment", LargeBinary, nullable=True),
    Index("ix_supervision_case_events_case", "case_id"),
)

practitioner_points = Table(
    "practitioner_points",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("doctor_id", String(32), nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("points", SmallInteger, nullable=False),
    Column("case_id", Integer, ForeignKey("supervision_cases.id"), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("responsibility", String(16), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Index("ix_practitioner_points_doctor_year", "doctor_id", "year"),
)
