"""What other parts of Sanyi may use of care records."""

from sanyi.care.export import DRG_COLUMNS, claim_record, drg_record
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
from sanyi.care.queries import (
    EncounterFilter,
    EncounterSummary,
    get_encounter,
    iter_stays,
    persons_seen_at,
    search_encounters,
)
from sanyi.care.services import CareService
from sanyi.care.tables import encounters, fee_lines
from sanyi.care.views import CategoryTotal, CodedItem, EncounterDetail, EncounterRow, Volume

__all__ = [
    "DISCHARGE_TYPES",
    "DRG_COLUMNS",
    "DRUG_CATEGORIES",
    "FEE_CATEGORIES",
    "VISIT_TYPES",
    "CareService",
    "CategoryTotal",
    "CodedItem",
    "Encounter",
    "EncounterDetail",
    "EncounterFilter",
    "EncounterRow",
    "EncounterSummary",
    "EncounterType",
    "FeeLine",
    "OffsiteCategory",
    "PayClass",
    "Volume",
    "claim_record",
    "drg_record",
    "encounters",
    "fee_lines",
    "get_encounter",
    "iter_stays",
    "persons_seen_at",
    "search_encounters",
]
