"""What other parts of Sanyi may use of settlement."""

from sanyi.settlement.batch import AccumulatorBook, Outcome, settle_claim, settle_records
from sanyi.settlement.claims import (
    accumulator_record,
    parse_claim,
    ratio_text,
    rejection_record,
    result_record,
    trail_record,
    yuan,
)
from sanyi.settlement.engine import rules_for, settle
from sanyi.settlement.errors import SETTLEMENT_INVALID_JSON
from sanyi.settlement.model import (
    Accumulators,
    Claim,
    LineSplit,
    PoolAccumulator,
    Settlement,
    Split,
    TrailStep,
)

__all__ = [
    "SETTLEMENT_INVALID_JSON",
    "AccumulatorBook",
    "Accumulators",
    "Claim",
    "LineSplit",
    "Outcome",
    "PoolAccumulator",
    "Settlement",
    "Split",
    "TrailStep",
    "accumulator_record",
    "parse_claim",
    "ratio_text",
    "rejection_record",
    "result_record",
    "rules_for",
    "settle",
    "settle_claim",
    "settle_records",
    "trail_record",
    "yuan",
]
