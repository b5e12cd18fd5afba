"""Database tables of procurement.

Quantities and unit prices keep their exact decimal text (unit prices may carry four decimals); an
invoice's amount is stored in fen so SQL adds it up. A delivery's invoices point at the delivery, so
its chain is one query; chain findings keep institution, day and amount for the pages.
"""

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text

from sanyi.infrastructure.columns import DecimalText, MoneyType, UtcDateTime
from sanyi.infrastructure.db import metadata

procurement_enterprises = Table(
    "procurement_enterprises",
    metadata,
    Column("code", String(18), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
)

procurement_products = Table(
    "procurement_products",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("generic_name", String(200), nullable=False),
    Column("form", String(64), nullable=False),
    Column("spec", String(200), nullable=False),
    Column("manufacturer", String(18), nullable=False),
    Column("pay_class", String(2), nullable=False),
    Column("payment_standard", DecimalText, nullable=True),
    Column("platform_price", DecimalText, nullable=False),
    Column("vbp", String(16), nullable=True),
    Column("substitute_for", String(200), nullable=True),
    Column("high_value_class", String(64), nullable=True),
    Column("herbal_pieces", Boolean, nullable=False),
    Index("ix_procurement_products_generic", "generic_name"),
)

procurement_orders = Table(
    "procurement_orders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("institution_code", String(12), ForeignKey("institutions.code"), nullable=False),
    Column("product_code", String(32), ForeignKey("procurement_products.code"), nullable=False),
    Column("distributor", String(18), nullable=False),
    Column("quantity", DecimalText, nullable=False),
    Column("unit_price", DecimalText, nullable=False),
    Column("ordered_on", Date, nullable=False),
    Index("ix_procurement_orders_institution", "institution_code", "ordered_on"),
)

procurement_deliveries = Table(
    "procurement_deliveries",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("order_id", String(32), ForeignKey("procurement_orders.id"), nullable=False),
    Column("institution_code", String(12), ForeignKey("institutions.code"), nullable=False),
    Column("distributor", String(18), nullable=False),
    Column("product_code", String(32), nullable=False),
    Column("batch", String(32), nullable=False),
    Column("quantity", DecimalText, nullable=False),
    Column("delivered_on", Date, nullable=False),
    Index("ix_procurement_deliveries_order", "order_id"),
    Index("ix_procurement_deliveries_institution", "institution_code", "delivered_on"),
)

procurement_invoices = Table(
    "procurement_invoices",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("delivery_id", String(32), ForeignKey("procurement_deliveries.id"), nullable=False),
    Column("seller", String(18), nullable=False),
    Column("buyer", String(18), nullable=False),
    Column("product_code", String(32), nullable=False),
    Column("batch", String(32), nullable=False),
    Column("quantity", DecimalText, nullable=False),
    Column("unit_price", DecimalText, nullable=False),
    Column("amount", MoneyType, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("paid_on", Date, nullable=True),
    Index("ix_procurement_invoices_delivery", "delivery_id"),
)

procurement_agreements = Table(
    "procurement_agreements",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("level", String(16), nullable=False),
    Column("batch_name", String(200), nullable=False),
    Column("generic_name", String(200), nullable=False),
    Column("product_code", String(32), ForeignKey("procurement_products.code"), nullable=False),
    Column("winning_price", DecimalText, nullable=False),
    Column("previous_price", DecimalText, nullable=False),
    Column("start_on", Date, nullable=False),
    Column("end_on", Date, nullable=False),
)

procurement_agreed_volumes = Table(
    "procurement_agreed_volumes",
    metadata,
    Column("agreement_id", String(32), ForeignKey("procurement_agreements.id"), primary_key=True),
    Column("institution_code", String(12), ForeignKey("institutions.code"), primary_key=True),
    Column("volume", DecimalText, nullable=False),
    # The bureau's assessment of the institution (考核): None until recorded.
    Column("assessment_passed", Boolean, nullable=True),
    Column("assessed_by", String(64), nullable=True),
    Column("assessed_at", UtcDateTime, nullable=True),
)

procurement_stock_reports = Table(
    "procurement_stock_reports",
    metadata,
    Column("institution_code", String(12), ForeignKey("institutions.code"), primary_key=True),
    Column("product_code", String(32), primary_key=True),
    Column("reported_on", Date, primary_key=True),
    Column("on_hand", DecimalText, nullable=False),
    Column("daily_use", DecimalText, nullable=False),
)

procurement_findings = Table(
    "procurement_findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", String(32), nullable=False),
    Column("institution_code", String(12), nullable=False),
    Column("rule", String(32), nullable=False),
    Column("day", Date, nullable=False),
    Column("amount", MoneyType, nullable=False),
    Column("evidence", JSON, nullable=False),
    Column("message_zh", Text, nullable=False),
    Column("message_en", Text, nullable=False),
    Column("found_at", UtcDateTime, nullable=False),
    Index("uq_procurement_findings_delivery_rule", "delivery_id", "rule", unique=True),
    Index("ix_procurement_findings_institution", "institution_code", "day"),
)
