"""Database tables of settlement.

A settlement row keeps the claim as received, a hash of it (idempotency: the same claim id with the
same content is a duplicate, with other content a conflict), the result as returned (with its trail)
and the person's accumulators before and after, so a reversal (冲正) can take the claim's own
contribution back out exactly. ``attempt`` numbers the settlements of one claim id: a reversed
claim may be settled again. Accumulators are one row per person and insurance year; a settlement
locks that row, which serialises concurrent settlements of one person.
"""

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, SmallInteger, String, Table

from sanyi.infrastructure.columns import UtcDateTime
from sanyi.infrastructure.db import metadata
from sanyi.settlement.model import Accumulators

settlements = Table(
    "settlements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(64), nullable=False),
    Column("attempt", SmallInteger, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("policy", String(64), nullable=False),
    Column("person_id", String(32), nullable=False),
    Column("institution_id", String(32), nullable=False),
    Column("year", SmallInteger, nullable=False),
    Column("pool", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("medfee_sumamt", BigInteger, nullable=False),
    Column("inscp_scp_amt", BigInteger, nullable=False),
    Column("fund_pay_sumamt", BigInteger, nullable=False),
    Column("psn_part_amt", BigInteger, nullable=False),
    Column("claim", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("accumulators_before", JSON, nullable=False),
    Column("accumulators_after", JSON, nullable=False),
    Column("settled_at", UtcDateTime, nullable=False),
    Column("settled_by", String(64), nullable=False),
    Column("reversed_at", UtcDateTime, nullable=True),
    Column("reversed_by", String(64), nullable=True),
    Index("uq_settlements_claim_id_attempt", "claim_id", "attempt", unique=True),
    Index("ix_settlements_person_id_year", "person_id", "year"),
    Index("ix_settlements_institution_id", "institution_id"),
)

settlement_lines = Table(
    "settlement_lines",
    metadata,
    Column("settlement_id", Integer, ForeignKey("settlements.id", ondelete="CASCADE"), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("code", String(64), nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("fulamt_ownpay_amt", BigInteger, nullable=False),
    Column("overlmt_selfpay", BigInteger, nullable=False),
    Column("preselfpay_amt", BigInteger, nullable=False),
    Column("inscp_scp_amt", BigInteger, nullable=False),
)

ACCUMULATOR_FIELDS = tuple(Accumulators(0).to_fields())

accumulators = Table(
    "accumulators",
    metadata,
    Column("person_id", String(32), primary_key=True),
    Column("year", SmallInteger, primary_key=True),
    *[Column(name, BigInteger, nullable=False, default=0) for name in ACCUMULATOR_FIELDS],
)
