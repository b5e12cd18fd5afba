"""绩效考核 API: the appraisal scheme and the scores of institutions for one period.

Registered before the indicator routes so ``/api/indicators/appraisal`` is not read as an indicator
code. Scoped as the indicator values are: institution staff get their own institution only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from sanyi.indicators.api import Scheme, Span
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import container
from sanyi.web.security import CurrentPrincipal
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/api/indicators", tags=["indicators"], responses=ERROR_RESPONSES)


def scheme_row(scheme: Scheme) -> dict[str, Any]:
    return {
        "id": scheme.id,
        "name_zh": scheme.name_zh,
        "name_en": scheme.name_en,
        "document": scheme.document,
        "clause": scheme.clause,
        "applies_to": scheme.applies_to,
        "minimum_coverage": str(scheme.minimum_coverage),
        "dimensions": [
            {
                "id": d.id,
                "name_zh": d.name_zh,
                "name_en": d.name_en,
                "weight": str(d.weight),
                "pending": list(d.pending),
                "components": [
                    {
                        "indicator": c.indicator,
                        "weight": str(c.weight),
                        "rule": {"kind": c.rule.kind, "full": str(c.rule.full), "zero": str(c.rule.zero)},
                        "national": c.national,
                        "basis": c.basis,
                    }
                    for c in d.components
                ],
            }
            for d in scheme.dimensions
        ],
        "grades": [
            {
                "grade": g.grade,
                "name_zh": g.name_zh,
                "name_en": g.name_en,
                "from": str(g.low),
                "to": str(g.high),
            }
            for g in scheme.grades
        ],
    }


@router.get("/appraisal/scheme", summary="绩效考核方案 · dimensions, weights, scoring lines and grades")
def show_scheme(request: Request, _: CurrentPrincipal) -> dict[str, Any]:
    return scheme_row(container(request).indicators.scheme)


@router.get(
    "/appraisal",
    summary="绩效考核得分 · scores with every component's value, numerator, denominator and points",
)
def appraisals(
    request: Request,
    _: CurrentPrincipal,
    period: Annotated[str, Query(description="2023, 2023Q1, 2023-03 or 2023-06YTD")],
    scope: Annotated[
        str | None, Query(description="Area or institution code (default: yours, or the region)")
    ] = None,
) -> dict[str, Any]:
    service = container(request).indicators
    found = service.appraisals(viewer(request), Span.parse(period), scope)
    return {"scheme": service.scheme.id, "period": period, "appraisals": [a.row() for a in found]}
