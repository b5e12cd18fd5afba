"""What other parts of Sanyi may use of care records."""

from sanyi.care.model import (
    DISCHARGE_TYPES,
    DRUG_CATEGORIES,
    FEE_CATEGORIES,
    VISIT_TYPES,
    Encounter,
    EncounterType,
    FeeLine,
    OffsiteCategory,
    PayClass,
)
from sanyi.care.tables import encounters, fee_lines

__all__ = [
    "DISCHARGE_TYPES",
    "DRUG_CATEGORIES",
    "FEE_CATEGORIES",
    "VISIT_TYPES",
    "Encounter",
    "EncounterType",
    "FeeLine",
    "OffsiteCategory",
    "PayClass",
    "encounters",
    "fee_lines",
]
