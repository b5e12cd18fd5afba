"""Database tables of tiered care.

Two partial unique indexes carry rules the database must hold under concurrency: a resident has at
most one active contract, and a person at most one live booking per session. A slot is taken by
setting its ``booking_id`` only where it is still empty, which makes booking atomic.
"""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import metadata

teams = Table(
    "tiered_teams",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("institution_code", String(12), ForeignKey("institutions.code"), nullable=False),
    Column("gp_code", String(16), ForeignKey("practitioners.code"), nullable=False),
    Column("nurse_code", String(16), ForeignKey("practitioners.code"), nullable=False),
    Column("public_health_code", String(16), ForeignKey("practitioners.code"), nullable=False),
    Column("specialist_code", String(16), ForeignKey("practitioners.code"), nullable=True),
    Index("ix_tiered_teams_institution_code", "institution_code"),
)

contracts = Table(
    "tiered_contracts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("person_id", String(32), ForeignKey("residents.person_id"), nullable=False),
    Column("team_code", String(32), ForeignKey("tiered_teams.code"), nullable=False),
    Column("gp_code", String(16), nullable=False),
    Column("package_code", String(32), nullable=False),
    Column("secondary_code", String(12), nullable=True),
    Column("tertiary_code", String(12), nullable=True),
    Column("start_on", Date, nullable=False),
    Column("end_on", Date, nullable=False),
    Column("state", String(16), nullable=False),
    Column("ended_on", Date, nullable=True),
    Column("reason", String(16), nullable=True),
    Column("previous_id", String(32), nullable=True),
    Column("signed_at", UtcDateTime, nullable=False),
    Column("signed_by", String(64), nullable=False),
    Index(
        "uq_tiered_contracts_active_person",
        "person_id",
        unique=True,
        sqlite_where=text("state = 'active'"),
        postgresql_where=text("state = 'active'"),
    ),
    Index("ix_tiered_contracts_team_state", "team_code", "state"),
    Index("ix_tiered_contracts_gp_state", "gp_code", "state"),
)

referrals = Table(
    "tiered_referrals",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("person_id", String(32), ForeignKey("residents.person_id"), nullable=False),
    Column("direction", String(8), nullable=False),
    Column("from_institution", String(12), ForeignKey("institutions.code"), nullable=False),
    Column("from_tier", SmallInteger, nullable=False),
    Column("to_institution", String(12), ForeignKey("institutions.code"), nullable=False),
    Column("to_tier", SmallInteger, nullable=False),
    Column("department_code", String(8), nullable=True),
    Column("diagnosis_code", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("care_plan", Text, nullable=True),
    Column("priority", Boolean, nullable=False),
    Column("state", String(16), nullable=False),
    Column("state_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("valid_until", UtcDateTime, nullable=False),
    Column("scheduled_for", UtcDateTime, nullable=True),
    Column("note", Text, nullable=True),
    Column("created_by", String(64), nullable=False),
    Index("ix_tiered_referrals_to_state", "to_institution", "state"),
    Index("ix_tiered_referrals_from_state", "from_institution", "state"),
    Index("ix_tiered_referrals_person_id", "person_id"),
)

referral_events = Table(
    "tiered_referral_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("referral_id", String(32), ForeignKey("tiered_referrals.id", ondelete="CASCADE"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("from_state", String(16), nullable=True),
    Column("to_state", String(16), nullable=False),
    Column("note", Text, nullable=True),
    Index("ix_tiered_referral_events_referral_id", "referral_id"),
)

schedules = Table(
    "tiered_schedules",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("institution_code", String(12), ForeignKey("institutions.code"), nullable=False),
    Column("department_code", String(8), nullable=False),
    Column("doctor_code", String(16), nullable=True),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("slot_minutes", SmallInteger, nullable=False),
    Column("capacity", SmallInteger, nullable=False),
    Column("reserved_percent", SmallInteger, nullable=False),
    Column("release_hours", SmallInteger, nullable=False),
    Column("unavailable_reason", String(100), nullable=True),
    Column("created_by", String(64), nullable=False),
    Index("ix_tiered_schedules_institution_starts", "institution_code", "starts_at"),
)

slots = Table(
    "tiered_slots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("schedule_id", String(32), ForeignKey("tiered_schedules.id", ondelete="CASCADE"), nullable=False),
    Column("seq", SmallInteger, nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("reserved", Boolean, nullable=False),
    Column("booking_id", String(32), nullable=True),
    Index("uq_tiered_slots_schedule_seq", "schedule_id", "seq", unique=True),
)

bookings = Table(
    "tiered_bookings",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("schedule_id", String(32), ForeignKey("tiered_schedules.id"), nullable=False),
    Column("slot_id", Integer, ForeignKey("tiered_slots.id"), nullable=False),
    Column("person_id", String(32), ForeignKey("residents.person_id"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("referral_id", String(32), ForeignKey("tiered_referrals.id"), nullable=True),
    Column("state", String(16), nullable=False),
    Column("day", Date, nullable=False),
    Column("booked_at", UtcDateTime, nullable=False),
    Column("booked_by", String(64), nullable=False),
    Index(
        "uq_tiered_bookings_live_person",
        "schedule_id",
        "person_id",
        unique=True,
        sqlite_where=text("state = 'booked'"),
        postgresql_where=text("state = 'booked'"),
    ),
    Index("ix_tiered_bookings_person_day", "person_id", "day"),
)

waitlist = Table(
    "tiered_waitlist",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("schedule_id", String(32), ForeignKey("tiered_schedules.id"), nullable=False),
    Column("person_id", String(32), ForeignKey("residents.person_id"), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("referral_id", String(32), nullable=True),
    Column("priority", Boolean, nullable=False),
    Column("state", String(16), nullable=False),  # waiting | booked
    Column("booking_id", String(32), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Index("ix_tiered_waitlist_schedule_state", "schedule_id", "state"),
)

results = Table(
    "tiered_results",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("person_id", String(32), ForeignKey("residents.person_id"), nullable=False),
    Column("item_code", String(8), nullable=False),
    Column("institution_code", String(12), ForeignKey("institutions.code"), nullable=False),
    Column("tier", SmallInteger, nullable=False),
    Column("taken_at", UtcDateTime, nullable=False),
    Column("qc_passed", Boolean, nullable=False),
    Column("recorded_by", String(64), nullable=False),
    Index("ix_tiered_results_person_item", "person_id", "item_code"),
)

orders = Table(
    "tiered_orders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("person_id", String(32), ForeignKey("residents.person_id"), nullable=False),
    Column("item_code", String(8), nullable=False),
    Column("institution_code", String(12), ForeignKey("institutions.code"), nullable=False),
    Column("tier", SmallInteger, nullable=False),
    Column("ordered_at", UtcDateTime, nullable=False),
    Column("proposed_result_id", String(32), nullable=True),
    Column("outcome", String(16), nullable=False),  # proposed | recognised | repeated | no_candidate
    Column("reason", String(32), nullable=True),
    Column("justified", Boolean, nullable=True),
    Column("ordered_by", String(64), nullable=False),
    Index("ix_tiered_orders_institution_item", "institution_code", "item_code"),
)

# Every table of tiered care (to clear a region: they refer to its residents and institutions).
ALL_TABLES = (
    teams,
    contracts,
    referrals,
    referral_events,
    schedules,
    slots,
    bookings,
    waitlist,
    results,
    orders,
)
