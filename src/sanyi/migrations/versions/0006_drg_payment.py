"""drg payment: base-point tables, payment runs and 特病单议 reviews

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 04:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sanyi.infrastructure.columns

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "drg_base_point_tables",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("scheme", sa.String(length=32), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("years", sa.JSON(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("region_mean", sa.String(length=40), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("saved_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_drg_base_point_tables")),
    )
    op.create_table(
        "drg_payment_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("month", sa.SmallInteger(), nullable=True),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("table_version", sa.String(length=64), nullable=False),
        sa.Column("budget", sa.BigInteger(), nullable=False),
        sa.Column("distributable", sa.BigInteger(), nullable=False),
        sa.Column("total_points", sa.String(length=40), nullable=False),
        sa.Column("point_value", sa.String(length=40), nullable=False),
        sa.Column("pool", sa.JSON(), nullable=False),
        sa.Column("hospitals", sa.JSON(), nullable=False),
        sa.Column("saved_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drg_payment_runs")),
    )
    with op.batch_alter_table("drg_payment_runs", schema=None) as batch_op:
        batch_op.create_index("ix_drg_payment_runs_year", ["year"], unique=False)
    op.create_table(
        "drg_reviews",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("stay_id", sa.String(length=64), nullable=False),
        sa.Column("hospital", sa.String(length=32), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("points", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("submitted_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("reviewed_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drg_reviews")),
    )
    with op.batch_alter_table("drg_reviews", schema=None) as batch_op:
        batch_op.create_index("uq_drg_reviews_stay_id", ["stay_id"], unique=True)
        batch_op.create_index("ix_drg_reviews_hospital_year", ["hospital", "year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("drg_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_drg_reviews_hospital_year")
        batch_op.drop_index("uq_drg_reviews_stay_id")
    op.drop_table("drg_reviews")
    with op.batch_alter_table("drg_payment_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_drg_payment_runs_year")
    op.drop_table("drg_payment_runs")
    op.drop_table("drg_base_point_tables")
