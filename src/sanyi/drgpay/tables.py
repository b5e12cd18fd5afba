"""Database tables of DRG payment: saved base-point tables, payment runs and 特病单议 reviews.

A base-point table is kept whole (its lines as JSON) under its version, so it can be inspected,
exported and compared later; a run keeps its pool and each hospital's statement; a review moves
from ``submitted`` to ``approved`` (with points) or ``rejected``, each step audited.
"""

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, SmallInteger, String, Table, Text

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import metadata

drg_base_point_tables = Table(
    "drg_base_point_tables",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("scheme", String(32), nullable=False),
    Column("policy", String(64), nullable=False),
    Column("years", JSON, nullable=False),
    Column("weights", JSON, nullable=False),
    Column("region_mean", String(40), nullable=False),
    Column("lines", JSON, nullable=False),
    Column("saved_at", UtcDateTime, nullable=False),
    Column("saved_by", String(64), nullable=False),
)

drg_payment_runs = Table(
    "drg_payment_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("year", SmallInteger, nullable=False),
    Column("month", SmallInteger, nullable=True),
    Column("policy", String(64), nullable=False),
    Column("table_version", String(64), nullable=False),
    Column("budget", BigInteger, nullable=False),
    Column("distributable", BigInteger, nullable=False),
    Column("total_points", String(40), nullable=False),
    Column("point_value", String(40), nullable=False),
    Column("pool", JSON, nullable=False),
    Column("hospitals", JSON, nullable=False),
    Column("saved_at", UtcDateTime, nullable=False),
    Column("saved_by", String(64), nullable=False),
    Index("ix_drg_payment_runs_year", "year"),
)

drg_reviews = Table(
    "drg_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("stay_id", String(64), nullable=False),
    Column("hospital", String(32), nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("points", String(40), nullable=True),
    Column("note", Text, nullable=True),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("reviewed_at", UtcDateTime, nullable=True),
    Column("reviewed_by", String(64), nullable=True),
    Index("uq_drg_reviews_stay_id", "stay_id", unique=True),
    Index("ix_drg_reviews_hospital_year", "hospital", "year"),
)
