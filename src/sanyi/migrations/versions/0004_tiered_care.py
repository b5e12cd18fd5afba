"""tiered care: family-doctor teams and contracts, referrals with events, schedules, slots,
bookings, waiting list, results index and orders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 03:54:45.850219
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sanyi.infrastructure.columns

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tiered_orders",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("item_code", sa.String(length=8), nullable=False),
        sa.Column("institution_code", sa.String(length=12), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("ordered_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("proposed_result_id", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("justified", sa.Boolean(), nullable=True),
        sa.Column("ordered_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_tiered_orders_institution_code_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["residents.person_id"], name=op.f("fk_tiered_orders_person_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiered_orders")),
    )
    with op.batch_alter_table("tiered_orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tiered_orders_institution_item", ["institution_code", "item_code"], unique=False
        )

    op.create_table(
        "tiered_referrals",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("from_institution", sa.String(length=12), nullable=False),
        sa.Column("from_tier", sa.SmallInteger(), nullable=False),
        sa.Column("to_institution", sa.String(length=12), nullable=False),
        sa.Column("to_tier", sa.SmallInteger(), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=True),
        sa.Column("diagnosis_code", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("care_plan", sa.Text(), nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("state_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("scheduled_for", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_institution"],
            ["institutions.code"],
            name=op.f("fk_tiered_referrals_from_institution_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["residents.person_id"], name=op.f("fk_tiered_referrals_person_id_residents")
        ),
        sa.ForeignKeyConstraint(
            ["to_institution"],
            ["institutions.code"],
            name=op.f("fk_tiered_referrals_to_institution_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiered_referrals")),
    )
    with op.batch_alter_table("tiered_referrals", schema=None) as batch_op:
        batch_op.create_index("ix_tiered_referrals_from_state", ["from_institution", "state"], unique=False)
        batch_op.create_index("ix_tiered_referrals_person_id", ["person_id"], unique=False)
        batch_op.create_index("ix_tiered_referrals_to_state", ["to_institution", "state"], unique=False)

    op.create_table(
        "tiered_results",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("item_code", sa.String(length=8), nullable=False),
        sa.Column("institution_code", sa.String(length=12), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("taken_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("qc_passed", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_tiered_results_institution_code_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["residents.person_id"], name=op.f("fk_tiered_results_person_id_residents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiered_results")),
    )
    with op.batch_alter_table("tiered_results", schema=None) as batch_op:
        batch_op.create_index("ix_tiered_results_person_item", ["person_id", "item_code"], unique=False)

    op.create_table(
        "tiered_schedules",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("institution_code", sa.String(length=12), nullable=False),
        sa.Column("department_code", sa.String(length=8), nullable=False),
        sa.Column("doctor_code", sa.String(length=16), nullable=True),
        sa.Column("starts_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("slot_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("capacity", sa.SmallInteger(), nullable=False),
        sa.Column("reserved_percent", sa.SmallInteger(), nullable=False),
        sa.Column("release_hours", sa.SmallInteger(), nullable=False),
        sa.Column("unavailable_reason", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_tiered_schedules_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiered_schedules")),
    )
    with op.batch_alter_table("tiered_schedules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tiered_schedules_institution_starts", ["institution_code", "starts_at"], unique=False
        )

    op.create_table(
        "tiered_teams",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("institution_code", sa.String(length=12), nullable=False),
        sa.Column("gp_code", sa.String(length=16), nullable=False),
        sa.Column("nurse_code", sa.String(length=16), nullable=False),
        sa.Column("public_health_code", sa.String(length=16), nullable=False),
        sa.Column("specialist_code", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["gp_code"], ["practitioners.code"], name=op.f("fk_tiered_teams_gp_code_practitioners")
        ),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_tiered_teams_institution_code_institutions"),
        ),
        sa.ForeignKeyConstraint(
            ["nurse_code"], ["practitioners.code"], name=op.f("fk_tiered_teams_nurse_code_practitioners")
        ),
        sa.ForeignKeyConstraint(
            ["public_health_code"],
            ["practitioners.code"],
            name=op.f("fk_tiered_teams_public_health_code_practitioners"),
        ),
        sa.ForeignKeyConstraint(
            ["specialist_code"],
            ["practitioners.code"],
            name=op.f("fk_tiered_teams_specialist_code_practitioners"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tiered_teams")),
    )
    with op.batch_alter_table("tiered_teams", schema=None) as batch_op:
        batch_op.create_index("ix_tiered_teams_institution_code", ["institution_code"], unique=False)

    op.create_table(
        "tiered_contracts",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("team_code", sa.String(length=32), nullable=False),
        sa.Column("gp_code", sa.String(length=16), nullable=False),
        sa.Column("package_code", sa.String(length=32), nullable=False),
        sa.Column("secondary_code", sa.String(length=12), nullable=True),
        sa.Column("tertiary_code", sa.String(length=12), nullable=True),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("previous_id", sa.String(length=32), nullable=True),
        sa.Column("signed_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("signed_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["residents.person_id"], name=op.f("fk_tiered_contracts_person_id_residents")
        ),
        sa.ForeignKeyConstraint(
            ["team_code"], ["tiered_teams.code"], name=op.f("fk_tiered_contracts_team_code_tiered_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiered_contracts")),
    )
    with op.batch_alter_table("tiered_contracts", schema=None) as batch_op:
        batch_op.create_index("ix_tiered_contracts_gp_state", ["gp_code", "state"], unique=False)
        batch_op.create_index("ix_tiered_contracts_team_state", ["team_code", "state"], unique=False)
        batch_op.create_index(
            "uq_tiered_contracts_active_person",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )

    op.create_table(
        "tiered_referral_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.String(length=32), nullable=False),
        sa.Column("at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["tiered_referrals.id"],
            name=op.f("fk_tiered_referral_events_referral_id_tiered_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiered_referral_events")),
    )
    with op.batch_alter_table("tiered_referral_events", schema=None) as batch_op:
        batch_op.create_index("ix_tiered_referral_events_referral_id", ["referral_id"], unique=False)

    op.create_table(
        "tiered_slots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("starts_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reserved", sa.Boolean(), nullable=False),
        sa.Column("booking_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["tiered_schedules.id"],
            name=op.f("fk_tiered_slots_schedule_id_tiered_schedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiered_slots")),
    )
    with op.batch_alter_table("tiered_slots", schema=None) as batch_op:
        batch_op.create_index("uq_tiered_slots_schedule_seq", ["schedule_id", "seq"], unique=True)

    op.create_table(
        "tiered_waitlist",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("referral_id", sa.String(length=32), nullable=True),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("booking_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["residents.person_id"], name=op.f("fk_tiered_waitlist_person_id_residents")
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["tiered_schedules.id"],
            name=op.f("fk_tiered_waitlist_schedule_id_tiered_schedules"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiered_waitlist")),
    )
    with op.batch_alter_table("tiered_waitlist", schema=None) as batch_op:
        batch_op.create_index("ix_tiered_waitlist_schedule_state", ["schedule_id", "state"], unique=False)

    op.create_table(
        "tiered_bookings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("schedule_id", sa.String(length=32), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("referral_id", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("booked_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("booked_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["residents.person_id"], name=op.f("fk_tiered_bookings_person_id_residents")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["tiered_referrals.id"],
            name=op.f("fk_tiered_bookings_referral_id_tiered_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["tiered_schedules.id"],
            name=op.f("fk_tiered_bookings_schedule_id_tiered_schedules"),
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["tiered_slots.id"], name=op.f("fk_tiered_bookings_slot_id_tiered_slots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tiered_bookings")),
    )
    with op.batch_alter_table("tiered_bookings", schema=None) as batch_op:
        batch_op.create_index("ix_tiered_bookings_person_day", ["person_id", "day"], unique=False)
        batch_op.create_index(
            "uq_tiered_bookings_live_person",
            ["schedule_id", "person_id"],
            unique=True,
            sqlite_where=sa.text("state = 'booked'"),
            postgresql_where=sa.text("state = 'booked'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("tiered_bookings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tiered_bookings_live_person",
            sqlite_where=sa.text("state = 'booked'"),
            postgresql_where=sa.text("state = 'booked'"),
        )
        batch_op.drop_index("ix_tiered_bookings_person_day")

    op.drop_table("tiered_bookings")
    with op.batch_alter_table("tiered_waitlist", schema=None) as batch_op:
        batch_op.drop_index("ix_tiered_waitlist_schedule_state")

    op.drop_table("tiered_waitlist")
    with op.batch_alter_table("tiered_slots", schema=None) as batch_op:
        batch_op.drop_index("uq_tiered_slots_schedule_seq")

    op.drop_table("tiered_slots")
    with op.batch_alter_table("tiered_referral_events", schema=None) as batch_op:
        batch_op.drop_index("ix_tiered_referral_events_referral_id")

    op.drop_table("tiered_referral_events")
    with op.batch_alter_table("tiered_contracts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tiered_contracts_active_person",
            sqlite_where=sa.text("state = 'active'"),
            postgresql_where=sa.text("state = 'active'"),
        )
        batch_op.drop_index("ix_tiered_contracts_team_state")
        batch_op.drop_index("ix_tiered_contracts_gp_state")

    op.drop_table("tiered_contracts")
    with op.batch_alter_table("tiered_teams", schema=None) as batch_op:
        batch_op.drop_index("ix_tiered_teams_institution_code")

    op.drop_table("tiered_teams")
    with op.batch_alter_table("tiered_schedules", schema=None) as batch_op:
        batch_op.drop_index("ix_tiered_schedules_institution_starts")

    op.drop_table("tiered_schedules")
    with op.batch_alter_table("tiered_results", schema=None) as batch_op:
        batch_op.drop_index("ix_tiered_results_person_item")

    op.drop_table("tiered_results")
    with op.batch_alter_table("tiered_referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_tiered_referrals_to_state")
        batch_op.drop_index("ix_tiered_referrals_person_id")
        batch_op.drop_index("ix_tiered_referrals_from_state")

    op.drop_table("tiered_referrals")
    with op.batch_alter_table("tiered_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_tiered_orders_institution_item")

    op.drop_table("tiered_orders")
