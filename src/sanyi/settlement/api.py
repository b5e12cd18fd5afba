"""What other parts of Sanyi may use of settlement."""

from sanyi.settlement.batch import (
    OUTCOME_SCHEMA,
    AccumulatorBook,
    Outcome,
    outcome_table,
    settle_claim,
    settle_records,
)
from sanyi.settlement.claims import (
    SPLIT_FIELDS,
    TABLE_HEADER,
    accumulator_fields,
    accumulator_record,
    parse_claim,
    ratio_text,
    rejection_record,
    result_record,
    table_row,
    trail_record,
    yuan,
)
from sanyi.settlement.engine import choose_package, rules_for, settle
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
from sanyi.settlement.services import SettlementService, SettlementView, StoredAccumulators, content_hash
from sanyi.settlement.tables import accumulators, settlement_lines, settlements

__all__ = [
    "OUTCOME_SCHEMA",
    "SETTLEMENT_INVALID_JSON",
    "SPLIT_FIELDS",
    "TABLE_HEADER",
    "AccumulatorBook",
    "Accumulators",
    "Claim",
    "LineSplit",
    "Outcome",
    "PoolAccumulator",
    "Settlement",
    "SettlementService",
    "SettlementView",
    "Split",
    "StoredAccumulators",
    "TrailStep",
    "accumulator_fields",
    "accumulator_record",
    "accumulators",
    "choose_package",
    "content_hash",
    "outcome_table",
    "parse_claim",
    "ratio_text",
    "rejection_record",
    "result_record",
    "rules_for",
    "settle",
    "settle_claim",
    "settle_records",
    "settlement_lines",
    "settlements",
    "table_row",
    "trail_record",
    "yuan",
]
