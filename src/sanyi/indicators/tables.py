"""Database tables of the reform indicators: institution finance, reported values, approval, snapshots."""

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text

from sanyi.infrastructure.columns import DecimalText, MoneyType, UtcDateTime
from sanyi.infrastructure.db import metadata

# One row per institution and month (a finance return): amounts in fen so SQL adds them exactly.
FINANCE_AMOUNTS = (
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

institution_finance = Table(
    "indicator_institution_finance",
    metadata,
    Column("institution_code", String(12), ForeignKey("institutions.code"), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM
    *(Column(name, MoneyType, nullable=False) for name in FINANCE_AMOUNTS),
    Column("source", String(200), nullable=True),
    Index("ix_indicator_institution_finance_month", "month"),
)

# Values of the elements no operational table holds (paediatric beds, smart-hospital status, the
# number of diseases priced per case), reported per institution or area and month.
reported_values = Table(
    "indicator_reported_values",
    metadata,
    Column("unit_code", String(12), primary_key=True),  # institution code or 6-digit area code
    Column("month", String(7), primary_key=True),
    Column("element", String(40), primary_key=True),
    Column("value", DecimalText, nullable=False),
    Column("source", String(200), nullable=True),
)

# submit → approve (locked) per area and period; a locked period is never reopened.
approvals = Table(
    "indicator_approvals",
    metadata,
    Column("area_code", String(12), primary_key=True),
    Column("period", String(16), primary_key=True),  # 2026Q3, 2026-07 or 2026
    Column("first_month", String(7), nullable=False),
    Column("last_month", String(7), nullable=False),
    Column("state", String(16), nullable=False),  # submitted | approved
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("submitted_by", String(64), nullable=False),
    Column("approved_at", UtcDateTime, nullable=True),
    Column("approved_by", String(64), nullable=True),
    Column("note", Text, nullable=True),
)

# The values of a locked period as approved: one row per indicator and key (the area and its counties).
snapshots = Table(
    "indicator_snapshots",
    metadata,
    Column("area_code", String(12), primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("indicator", String(16), primary_key=True),
    Column("key", String(32), primary_key=True),
    Column("payload", JSON, nullable=False),
)
