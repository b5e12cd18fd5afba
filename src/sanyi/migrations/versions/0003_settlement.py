"""settlement: settlements, settlement lines and accumulators

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import sanyi.infrastructure.columns

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCUMULATOR_FIELDS = (
    "inpatient_policy_range",
    "inpatient_deductible_paid",
    "inpatient_stays",
    "inpatient_fund_paid",
    "outpatient_policy_range",
    "outpatient_deductible_paid",
    "outpatient_stays",
    "outpatient_fund_paid",
    "catastrophic_self_burden",
    "catastrophic_paid",
    "assistance_deductible_paid",
    "assistance_paid",
)


def upgrade() -> None:
    op.create_table(
        "settlements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("attempt", sa.SmallInteger(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("institution_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("pool", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("medfee_sumamt", sa.BigInteger(), nullable=False),
        sa.Column("inscp_scp_amt", sa.BigInteger(), nullable=False),
        sa.Column("fund_pay_sumamt", sa.BigInteger(), nullable=False),
        sa.Column("psn_part_amt", sa.BigInteger(), nullable=False),
        sa.Column("claim", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("accumulators_before", sa.JSON(), nullable=False),
        sa.Column("accumulators_after", sa.JSON(), nullable=False),
        sa.Column("settled_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=False),
        sa.Column("settled_by", sa.String(length=64), nullable=False),
        sa.Column("reversed_at", sanyi.infrastructure.columns.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reversed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlements")),
    )
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.create_index("uq_settlements_claim_id_attempt", ["claim_id", "attempt"], unique=True)
        batch_op.create_index("ix_settlements_person_id_year", ["person_id", "year"], unique=False)
        batch_op.create_index("ix_settlements_institution_id", ["institution_id"], unique=False)

    op.create_table(
        "settlement_lines",
        sa.Column("settlement_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("fulamt_ownpay_amt", sa.BigInteger(), nullable=False),
        sa.Column("overlmt_selfpay", sa.BigInteger(), nullable=False),
        sa.Column("preselfpay_amt", sa.BigInteger(), nullable=False),
        sa.Column("inscp_scp_amt", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_settlement_lines_settlement_id_settlements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("settlement_id", "line_no", name=op.f("pk_settlement_lines")),
    )
    op.create_table(
        "accumulators",
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False) for name in ACCUMULATOR_FIELDS],
        sa.PrimaryKeyConstraint("person_id", "year", name=op.f("pk_accumulators")),
    )


def downgrade() -> None:
    op.drop_table("accumulators")
    op.drop_table("settlement_lines")
    with op.batch_alter_table("settlements", schema=None) as batch_op:
        batch_op.drop_index("ix_settlements_institution_id")
        batch_op.drop_index("ix_settlements_person_id_year")
        batch_op.drop_index("uq_settlements_claim_id_attempt")
    op.drop_table("settlements")
