"""trace: codes with their state, events (chain of custody), parties, public queries (enumeration limit)

Revision ID: 0010_trace
Revises: 0006 (the coordinator re-chains after 0006_drg_payment)
Create Date: 2026-11-30 05:44:12.662593
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sanyi.infrastructure.columns

revision: str = "0010_trace"
down_revision: str | None = "0009_procurement"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trace_codes",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("drug_code", sa.String(length=32), nullable=False),
        sa.Column("generic_name", sa.String(length=200), nullable=False),
        sa.Column("spec", sa.String(length=100), nullable=False),
        sa.Column("manufacturer", sa.String(length=200), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("production_date", sa.Date(), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("holder", sa.String(length=32), nullable=False),
        sa.Column("to_party", sa.String(length=32), nullable=True),
        sa.Column("last_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("active", sa.JSON(), nullable=False),
        sa.Column("active_count", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_trace_codes")),
    )
    with op.batch_alter_table("trace_codes", schema=None) as batch_op:
        batch_op.create_index("ix_trace_codes_active_count", ["active_count"], unique=False)
        batch_op.create_index("ix_trace_codes_drug_batch", ["drug_code", "batch"], unique=False)

    op.create_table(
        "trace_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("party", sa.String(length=32), nullable=False),
        sa.Column("counterpart", sa.String(length=32), nullable=True),
        sa.Column("person_id", sa.String(length=32), nullable=True),
        sa.Column("encounter_id", sa.String(length=32), nullable=True),
        sa.Column("line_no", sa.SmallInteger(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("cancels", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_events")),
        sa.UniqueConstraint("code", "seq", name="uq_trace_events_code_seq"),
    )
    with op.batch_alter_table("trace_events", schema=None) as batch_op:
        batch_op.create_index("ix_trace_events_party_kind", ["party", "kind", "at"], unique=False)

    op.create_table(
        "trace_parties",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_trace_parties")),
    )
    op.create_table(
        "trace_public_queries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_public_queries")),
    )
    with op.batch_alter_table("trace_public_queries", schema=None) as batch_op:
        batch_op.create_index("ix_trace_public_queries_at", ["at"], unique=False)
        batch_op.create_index("ix_trace_public_queries_client", ["client", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trace_public_queries", schema=None) as batch_op:
        batch_op.drop_index("ix_trace_public_queries_client")
        batch_op.drop_index("ix_trace_public_queries_at")

    op.drop_table("trace_public_queries")
    op.drop_table("trace_parties")
    with op.batch_alter_table("trace_events", schema=None) as batch_op:
        batch_op.drop_index("ix_trace_events_party_kind")

    op.drop_table("trace_events")
    with op.batch_alter_table("trace_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_trace_codes_drug_batch")
        batch_op.drop_index("ix_trace_codes_active_count")

    op.drop_table("trace_codes")
