"""pricing: service price and 按病种收费 schedules, one row per version

Revision ID: 0011_pricing
Revises: 0010_trace
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sanyi.infrastructure.columns

revision: str = "0011_pricing"
down_revision: str | None = "0010_trace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pricing_service_prices",
        sa.Column("area_code", sa.String(length=6), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("price_3", sanyi.infrastructure.columns.MoneyType(), nullable=True),
        sa.Column("price_2", sanyi.infrastructure.columns.MoneyType(), nullable=True),
        sa.Column("price_1", sanyi.infrastructure.columns.MoneyType(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint(
            "area_code", "code", "effective_from", name=op.f("pk_pricing_service_prices")
        ),
    )
    with op.batch_alter_table("pricing_service_prices", schema=None) as batch_op:
        batch_op.create_index("ix_pricing_service_prices_name", ["name"], unique=False)

    op.create_table(
        "pricing_case_prices",
        sa.Column("area_code", sa.String(length=6), nullable=False),
        sa.Column("disease_code", sa.String(length=16), nullable=False),
        sa.Column("operation_code", sa.String(length=16), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("fee_3", sanyi.infrastructure.columns.MoneyType(), nullable=True),
        sa.Column("fee_2", sanyi.infrastructure.columns.MoneyType(), nullable=True),
        sa.Column("fee_1", sanyi.infrastructure.columns.MoneyType(), nullable=True),
        sa.Column("includes", sa.Text(), nullable=False),
        sa.Column("excludes", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint(
            "area_code",
            "disease_code",
            "operation_code",
            "effective_from",
            name=op.f("pk_pricing_case_prices"),
        ),
    )


def downgrade() -> None:
    op.drop_table("pricing_case_prices")
    with op.batch_alter_table("pricing_service_prices", schema=None) as batch_op:
        batch_op.drop_index("ix_pricing_service_prices_name")

    op.drop_table("pricing_service_prices")
