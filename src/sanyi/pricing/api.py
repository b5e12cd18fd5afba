"""What other parts of Sanyi may use of pricing."""

from sanyi.pricing.errors import (
    PRICING_BAD_PERIOD,
    PRICING_FORBIDDEN,
    PRICING_NO_PRICE,
    PRICING_NOT_FOUND,
    PRICING_OVERLAP,
    PRICING_UNKNOWN_LIST,
)
from sanyi.pricing.model import (
    LEVEL_ZH,
    LEVELS,
    CasePrice,
    DrugPrice,
    ServicePrice,
    Validity,
    area_chain,
    check_versions,
    count_by_area,
    in_force,
    price_level,
)
from sanyi.pricing.services import (
    LISTS,
    Page,
    Priced,
    PricingService,
    case_versions,
    check_kind,
    drug_lines,
)
from sanyi.pricing.sheets import CASE_PRICES, LOADERS, SERVICE_PRICES, SPECS
from sanyi.pricing.tables import PRICING_TABLES, pricing_case_prices, pricing_service_prices

__all__ = [
    "CASE_PRICES",
    "LEVELS",
    "LEVEL_ZH",
    "LISTS",
    "LOADERS",
    "PRICING_BAD_PERIOD",
    "PRICING_FORBIDDEN",
    "PRICING_NOT_FOUND",
    "PRICING_NO_PRICE",
    "PRICING_OVERLAP",
    "PRICING_TABLES",
    "PRICING_UNKNOWN_LIST",
    "SERVICE_PRICES",
    "SPECS",
    "CasePrice",
    "DrugPrice",
    "Page",
    "Priced",
    "PricingService",
    "ServicePrice",
    "Validity",
    "area_chain",
    "case_versions",
    "check_kind",
    "check_versions",
    "count_by_area",
    "drug_lines",
    "in_force",
    "price_level",
    "pricing_case_prices",
    "pricing_service_prices",
]
