"""Database tables of pricing: one row per version (area, key, effective_from).

Prices are fen (``MoneyType``) per institution level; a NULL level is not priced there. Drug prices
are not stored: they are read from care's fee lines and procurement's invoices and catalogue.
"""

from sqlalchemy import Column, Date, Index, String, Table, Text

from sanyi.infrastructure.columns import MoneyType
from sanyi.infrastructure.db import metadata

pricing_service_prices = Table(
    "pricing_service_prices",
    metadata,
    Column("area_code", String(6), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("effective_from", Date, primary_key=True),
    Column("effective_to", Date, nullable=True),
    Column("name", String(200), nullable=False),
    Column("unit", String(32), nullable=False),
    Column("price_3", MoneyType, nullable=True),
    Column("price_2", MoneyType, nullable=True),
    Column("price_1", MoneyType, nullable=True),
    Column("note", Text, nullable=False),
    Column("version", String(64), nullable=False),
    Column("source", String(300), nullable=False),
    Index("ix_pricing_service_prices_name", "name"),
)

pricing_case_prices = Table(
    "pricing_case_prices",
    metadata,
    Column("area_code", String(6), primary_key=True),
    Column("disease_code", String(16), primary_key=True),
    Column("operation_code", String(16), primary_key=True),  # "" when the fee is for the diagnosis only
    Column("effective_from", Date, primary_key=True),
    Column("effective_to", Date, nullable=True),
    Column("name", String(200), nullable=False),
    Column("fee_3", MoneyType, nullable=True),
    Column("fee_2", MoneyType, nullable=True),
    Column("fee_1", MoneyType, nullable=True),
    Column("includes", Text, nullable=False),
    Column("excludes", Text, nullable=False),
    Column("version", String(64), nullable=False),
    Column("source", String(300), nullable=False),
)

PRICING_TABLES = (pricing_service_prices, pricing_case_prices)
