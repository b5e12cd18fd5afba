"""Database tables of the synthetic region: the runs and the planted irregularities (ground truth)."""

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, SmallInteger, String, Table

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import metadata

synth_runs = Table(
    "synth_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("profile", String(32), nullable=False),
    Column("residents", Integer, nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("parameters", JSON, nullable=False),
)

synth_irregularities = Table(
    "synth_irregularities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("encounter_id", String(32), ForeignKey("encounters.id", ondelete="CASCADE"), nullable=False),
    Column("line_no", SmallInteger, nullable=True),
    Column("rule_id", String(48), nullable=False),
    Column("detail", String(200), nullable=False),
    Index("ix_synth_irregularities_rule_id", "rule_id"),
    Index("ix_synth_irregularities_encounter_id", "encounter_id"),
)
