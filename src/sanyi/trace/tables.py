"""Database tables of traceability: codes with their current state, their events, parties, queries.

``trace_codes`` keeps each code's product and the state its events led to (holder, status, the
dispensings not cancelled), so checking a new event reads one row; ``trace_events`` is append-only,
the chain of custody. ``trace_public_queries`` remembers anonymous queries for the enumeration limit
(the client address is kept only as a keyed hash).
"""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import metadata

trace_codes = Table(
    "trace_codes",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("drug_code", String(32), nullable=False),
    Column("generic_name", String(200), nullable=False),
    Column("spec", String(100), nullable=False),
    Column("manufacturer", String(200), nullable=False),
    Column("batch", String(40), nullable=False),
    Column("production_date", Date, nullable=False),
    Column("expiry_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("holder", String(32), nullable=False),
    Column("to_party", String(32), nullable=True),
    Column("last_at", UtcDateTime, nullable=False),
    Column("events", Integer, nullable=False),
    Column("active", JSON, nullable=False),  # [[seq, party, ISO time], …] of dispensings not cancelled
    Column("active_count", SmallInteger, nullable=False),
    Index("ix_trace_codes_active_count", "active_count"),
    Index("ix_trace_codes_drug_batch", "drug_code", "batch"),
)

trace_events = Table(
    "trace_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(12), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("party", String(32), nullable=False),
    Column("counterpart", String(32), nullable=True),
    Column("person_id", String(32), nullable=True),
    Column("encounter_id", String(32), nullable=True),
    Column("line_no", SmallInteger, nullable=True),
    Column("reason", String(200), nullable=True),
    Column("cancels", Integer, nullable=True),  # the seq of the dispensing a cancellation takes back
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("code", "seq", name="uq_trace_events_code_seq"),
    Index("ix_trace_events_party_kind", "party", "kind", "at"),
)

trace_parties = Table(
    "trace_parties",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
)

trace_public_queries = Table(
    "trace_public_queries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("found", Boolean, nullable=False),
    Index("ix_trace_public_queries_client", "client", "at"),
    Index("ix_trace_public_queries_at", "at"),
)
