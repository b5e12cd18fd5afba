"""What other parts of Sanyi (the web pages, the CLI) may use of the reform indicators.

Compute values::

    service.values(viewer, ValuesQuery(indicators=("FJ01", "FJ03"), scope="330300",
                                       spans=(Span.parse("2023Q1"),), by="county"))

returns :class:`IndicatorValue` records (frozen): numerator, denominator, value, factor, unit,
caliber version and text, the data elements read, the comparison span's sums for growth
indicators, the target that applies (document and clause) with its :class:`Achievement`, and the
legend :class:`Band` for a scorecard colour. The pure pieces (``compute``, ``judge``, ``Span``,
``build_legend``) work on facts in memory for tests and what-ifs.
"""

from sanyi.indicators.engine import (
    FACT_SCHEMA,
    GROUPINGS,
    GroupBy,
    Request,
    compute,
    facts_table,
    needed_spans,
)
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

__all__ = [
    "FACT_SCHEMA",
    "GROUPINGS",
    "LEGEND_BANDS_INVALID",
    "Achievement",
    "Band",
    "Catalogue",
    "Element",
    "Figure",
    "GroupBy",
    "IndicatorDef",
    "IndicatorValue",
    "Legend",
    "Request",
    "Span",
    "SpanKind",
    "TargetDef",
    "Unit",
    "achieved",
    "area_prefix",
    "build_legend",
    "catalogue",
    "compute",
    "facts_table",
    "growth",
    "judge",
    "needed_spans",
    "ratio",
    "spans",
    "target_for",
    "within",
]
