"""registry: dated changes of an institution's bed count

Revision ID: 0012_bed_changes
Revises: 0011_pricing
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_bed_changes"
down_revision: str | None = "0011_pricing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "institution_bed_changes",
        sa.Column("institution_code", sa.String(length=12), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("beds_before", sa.Integer(), nullable=False),
        sa.Column("beds_after", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_code"],
            ["institutions.code"],
            name=op.f("fk_institution_bed_changes_institution_code_institutions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("institution_code", "changed_on", name=op.f("pk_institution_bed_changes")),
    )


def downgrade() -> None:
    op.drop_table("institution_bed_changes")
