"""What other parts of Sanyi may use of DRG point-method payment and evaluation."""

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
)
from sanyi.drgpay.points import price_stays, stay_points
from sanyi.drgpay.rules import payment_rules
from sanyi.drgpay.settle import monthly_prepayments, pool, settle
from sanyi.drgpay.weights import build_base_points, coefficients, compare, year_weights

__all__ = [
    "CASE_KINDS",
    "BasePointTable",
    "CasePoints",
    "EvalCase",
    "GroupBase",
    "HistoryCase",
    "HospitalInput",
    "HospitalStatement",
    "Indicators",
    "PoolStatement",
    "Review",
    "RiskLevels",
    "Settlement",
    "Stay",
    "build_base_points",
    "coefficients",
    "compare",
    "evaluate",
    "monthly_prepayments",
    "payment_rules",
    "pool",
    "price_stays",
    "risk_levels",
    "settle",
    "stay_points",
    "year_weights",
]
