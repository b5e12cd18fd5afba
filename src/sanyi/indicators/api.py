"""What other parts of Sanyi (the web pages, the CLI) may use of the reform indicators.

Compute values::

    service.values(viewer, ValuesQuery(indicators=("FJ01", "FJ03"), scope="330300",
                                       spans=(Span.parse("2023Q1"),), by="county"))

returns :class:`IndicatorValue` records (frozen): numerator, denominator, value, factor, unit,
caliber version and text, the data elements read, the comparison span's sums for growth
indicators, the target that applies (document and clause) with its :class:`Achievement`, and the
legend :class:`Band` for a scorecard colour. The pure pieces (``compute``, ``judge``, ``Span``,
``build_legend``) work on facts in memory for tests and what-ifs. ``region_values`` computes the
indicators a synthetic region's Parquet gives (``region_indicators``) on an analytics backend.
``service.appraisals(viewer, span, scope)`` scores institutions under the appraisal ``scheme``
(绩效考核, ``appraise`` is the pure scoring of one institution's values).
"""

from typing import Final

from sanyi.indicators.appraisal import Appraisal, Scored, Step, appraise, fraction, ranked
from sanyi.indicators.appraisal_sheets import appraisal_sheets, dimension_names
from sanyi.indicators.engine import (
    FACT_SCHEMA,
    GROUPINGS,
    GroupBy,
    Request,
    compute,
    facts_table,
    needed_spans,
)
from sanyi.indicators.errors import (
    INDICATOR_APPROVAL_PERIOD,
    INDICATOR_APPROVAL_STATE,
    INDICATOR_INVALID_REQUEST,
    INDICATOR_OUT_OF_SCOPE,
    INDICATOR_PERIOD_LOCKED,
    INDICATOR_UNKNOWN,
    INDICATOR_UNKNOWN_SCOPE,
)
from sanyi.indicators.finance import FINANCE, FinanceLoader
from sanyi.indicators.model import (
    Achievement,
    Figure,
    IndicatorValue,
    Span,
    SpanKind,
    Unit,
    achieved,
    area_prefix,
    growth,
    judge,
    ratio,
    spans,
    target_for,
    within,
)
from sanyi.indicators.parquet import region_facts, region_indicators, region_values
from sanyi.indicators.report import COMPARATORS, DUE_DAY, due_date, quarterly_report
from sanyi.indicators.services import APPROVED, SUBMITTED, Approval, IndicatorService, ValuesQuery
from sanyi.indicators.tables import (
    FINANCE_AMOUNTS,
    approvals,
    institution_finance,
    reported_values,
    snapshots,
)
from sanyi.knowledge.appraisal import Component, Dimension, Grade, Rule, Scheme, read_scheme, scheme
from sanyi.knowledge.indicators import (
    LEGEND_BANDS_INVALID,
    Band,
    Catalogue,
    Element,
    IndicatorDef,
    Legend,
    TargetDef,
    build_legend,
    catalogue,
)

# The policy package whose DRG scheme groups the stays behind DRG01–DRG04 (the one shipped package
# with a drg_payment section).
DRG_POLICY: Final = "hangzhou-2020"

__all__ = [
    "APPROVED",
    "COMPARATORS",
    "DRG_POLICY",
    "DUE_DAY",
    "FACT_SCHEMA",
    "FINANCE",
    "FINANCE_AMOUNTS",
    "GROUPINGS",
    "INDICATOR_APPROVAL_PERIOD",
    "INDICATOR_APPROVAL_STATE",
    "INDICATOR_INVALID_REQUEST",
    "INDICATOR_OUT_OF_SCOPE",
    "INDICATOR_PERIOD_LOCKED",
    "INDICATOR_UNKNOWN",
    "INDICATOR_UNKNOWN_SCOPE",
    "LEGEND_BANDS_INVALID",
    "SUBMITTED",
    "Achievement",
    "Appraisal",
    "Approval",
    "Band",
    "Catalogue",
    "Component",
    "Dimension",
    "Element",
    "Figure",
    "FinanceLoader",
    "Grade",
    "GroupBy",
    "IndicatorDef",
    "IndicatorService",
    "IndicatorValue",
    "Legend",
    "Request",
    "Rule",
    "Scheme",
    "Scored",
    "Span",
    "SpanKind",
    "Step",
    "TargetDef",
    "Unit",
    "ValuesQuery",
    "achieved",
    "appraisal_sheets",
    "appraise",
    "approvals",
    "area_prefix",
    "build_legend",
    "catalogue",
    "compute",
    "dimension_names",
    "due_date",
    "facts_table",
    "fraction",
    "growth",
    "institution_finance",
    "judge",
    "needed_spans",
    "quarterly_report",
    "ranked",
    "ratio",
    "read_scheme",
    "region_facts",
    "region_indicators",
    "region_values",
    "reported_values",
    "scheme",
    "snapshots",
    "spans",
    "target_for",
    "within",
]
