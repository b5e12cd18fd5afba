"""reform indicators: institution finance, reported values, approvals and snapshots

Revision ID: 0007_indicators
Revises: 0006
Create Date: 2026-11-30 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sanyi.infrastructure.columns

revision: str = "0007_indicators"
# The file 0006_drg_payment.py carries revision "0006"; the coordinator re-chains at merge.
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AMOUNTS = (
    "income_medical",
    "income_outpatient",
    "income_inpatient",
    "income_drug",
    "income_herbal",
    "income_material",
    "income_exam",
    "income_lab",
    "staff_costs",
    "activity_costs",
    "fiscal_subsidy",
)


def upgrade() -> None:
    op.create_table(
        "indicator_institution_finance",
        sa.Column("institution_code", sa.String(length=12), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        *(sa.Column(name, sanyi.infrastructure.columns.MoneyType(), nullable=False) for name in AMOUNTS),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_indicator_institution_finance_institution_code_institutions"),
        ),
        sa.PrimaryKeyConstraint("institution_code", "month", name=op.f("pk_indicator_institution_finance")),
    )
    with op.batch_alter_table("indicator_institution_finance", schema=None) as batch_op:
        batch_op.create_index("ix_indicator_institution_finance_month", ["month"], unique=False)
    op.create_table(
        "indicator_reported_values",
        sa.Column("unit_code", sa.String(length=12), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("element", sa.String(length=40), nullable=False),
        sa.Column("value", sanyi.infrastructure.columns.DecimalText(length=32), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("unit_code", "month", "element", name=op.f("pk_indicator_reported_values")),
    )
    op.create_table(
        "indicator_approvals",
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("first_month", sa.String(length=7), nullable=False),
        sa.Column("last_month", sa.String(length=7), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("area_code", "period", name=op.f("pk_indicator_approvals")),
    )
    op.create_table(
        "indicator_snapshots",
        sa.Column("area_code", sa.String(length=12), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint(
            "area_code", "period", "indicator", "key", name=op.f("pk_indicator_snapshots")
        ),
    )


def downgrade() -> None:
    op.drop_table("indicator_snapshots")
    op.drop_table("indicator_approvals")
    op.drop_table("indicator_reported_values")
    with op.batch_alter_table("indicator_institution_finance", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_institution_finance_month")
    op.drop_table("indicator_institution_finance")
