"""Database tables of care records.

Diagnoses and procedures are kept as ordered code lists joined by ``|`` (principal first), the form
of the settlement list and of the DRG input; a line's amount is stored in fen so SQL can add it up.
"""

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, SmallInteger, String, Table, Text

from sanyi.infrastructure.columns import DecimalText, MoneyType, UtcDateTime
from sanyi.infrastructure.db import metadata

encounters = Table(
    "encounters",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("institution_code", String(12), ForeignKey("institutions.code"), nullable=False),
    Column("encounter_no", String(64), nullable=False),
    Column("person_id", String(32), ForeignKey("residents.person_id"), nullable=False),
    Column("type", String(16), nullable=False),
    Column("start_at", UtcDateTime, nullable=False),
    Column("end_at", UtcDateTime, nullable=True),
    Column("department_code", String(8), nullable=True),
    Column("doctor_code", String(16), ForeignKey("practitioners.code"), nullable=True),
    Column("diagnoses", Text, nullable=False),
    Column("procedures", Text, nullable=False),
    Column("discharge_type", String(2), nullable=True),
    Column("emergency", Boolean, nullable=False),
    Column("offsite", String(16), nullable=True),
    Column("referral_id", String(32), nullable=True),
    Index("uq_encounters_institution_code", "institution_code", "encounter_no", unique=True),
    Index("ix_encounters_person_id_start_at", "person_id", "start_at"),
    Index("ix_encounters_start_at", "start_at"),
)

fee_lines = Table(
    "fee_lines",
    metadata,
    Column("encounter_id", String(32), ForeignKey("encounters.id", ondelete="CASCADE"), primary_key=True),
    Column("line_no", SmallInteger, primary_key=True),
    Column("code", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("category", String(2), nullable=False),
    Column("pay_class", String(1), nullable=False),
    Column("selfpay_prop", DecimalText, nullable=False),
    Column("quantity", DecimalText, nullable=False),
    Column("unit_price", DecimalText, nullable=False),
    Column("amount", MoneyType, nullable=False),
    Column("time", UtcDateTime, nullable=False),
    Column("days_supply", Integer, nullable=True),
    Column("doctor_code", String(16), nullable=True),
    Column("price_ceiling", DecimalText, nullable=True),
    Index("ix_fee_lines_code", "code"),
)
