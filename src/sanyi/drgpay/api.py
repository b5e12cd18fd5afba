"""What other parts of Sanyi may use of DRG point-method payment and evaluation."""

from sanyi.drgpay.errors import DRGPAY_INVALID_REVIEW, DRGPAY_INVALID_YEARS
from sanyi.drgpay.evaluate import EvalCase, Indicators, RiskLevels, evaluate, risk_levels
from sanyi.drgpay.model import (
    CASE_KINDS,
    BasePointTable,
    CasePoints,
    GroupBase,
    HistoryCase,
    HospitalInput,
    HospitalStatement,
    PoolStatement,
    Review,
    Settlement,
    Stay,
    yuan,
)
from sanyi.drgpay.points import price_stays, stay_points
from sanyi.drgpay.rules import payment_rules
from sanyi.drgpay.run import PaymentRun, pay
from sanyi.drgpay.services import UNITS, DrgPayService, ReviewRequest
from sanyi.drgpay.settle import monthly_prepayments, pool, settle
from sanyi.drgpay.sources import Loaded, load_stays
from sanyi.drgpay.statement import case_rows, statement_xlsx, summary_rows, table_xlsx
from sanyi.drgpay.tables import drg_base_point_tables, drg_payment_runs, drg_reviews
from sanyi.drgpay.weights import build_base_points, coefficients, compare, compare_rows, year_weights
from sanyi.infrastructure.tabular import xlsx_bytes

__all__ = [
    "CASE_KINDS",
    "DRGPAY_INVALID_REVIEW",
    "DRGPAY_INVALID_YEARS",
    "UNITS",
    "BasePointTable",
    "CasePoints",
    "DrgPayService",
    "EvalCase",
    "GroupBase",
    "HistoryCase",
    "HospitalInput",
    "HospitalStatement",
    "Indicators",
    "Loaded",
    "PaymentRun",
    "PoolStatement",
    "Review",
    "ReviewRequest",
    "RiskLevels",
    "Settlement",
    "Stay",
    "build_base_points",
    "case_rows",
    "coefficients",
    "compare",
    "compare_rows",
    "drg_base_point_tables",
    "drg_payment_runs",
    "drg_reviews",
    "evaluate",
    "load_stays",
    "monthly_prepayments",
    "pay",
    "payment_rules",
    "pool",
    "price_stays",
    "risk_levels",
    "settle",
    "statement_xlsx",
    "stay_points",
    "summary_rows",
    "table_xlsx",
    "xlsx_bytes",
    "year_weights",
    "yuan",
]
