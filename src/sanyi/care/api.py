"""What other parts of Sanyi may use of care records."""

from sanyi.care.export import DRG_COLUMNS, claim_record, drg_record
from sanyi.care.exporting import FEE_LINES, ExportKind, export_kinds
from sanyi.care.importing import EncounterLoader, import_loader
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
    to_encounter,
    to_line,
)
from sanyi.care.services import CareService
from sanyi.care.tables import encounters, fee_lines
from sanyi.care.templates import ENCOUNTERS, import_specs
from sanyi.care.views import CategoryTotal, CodedItem, EncounterDetail, EncounterRow, Volume

__all__ = [
    "DISCHARGE_TYPES",
    "DRG_COLUMNS",
    "DRUG_CATEGORIES",
    "ENCOUNTERS",
    "FEE_CATEGORIES",
    "FEE_LINES",
    "VISIT_TYPES",
    "CareService",
    "CategoryTotal",
    "CodedItem",
    "Encounter",
    "EncounterDetail",
    "EncounterFilter",
    "EncounterLoader",
    "EncounterRow",
    "EncounterSummary",
    "EncounterType",
    "ExportKind",
    "FeeLine",
    "OffsiteCategory",
    "PayClass",
    "Volume",
    "claim_record",
    "drg_record",
    "encounters",
    "export_kinds",
    "fee_lines",
    "get_encounter",
    "import_loader",
    "import_specs",
    "iter_stays",
    "persons_seen_at",
    "search_encounters",
    "to_encounter",
    "to_line",
]
