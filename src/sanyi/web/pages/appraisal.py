"""绩效考核 pages beside the indicator scorecard: one scorecard per institution with its ranking
(/indicators/appraisal) and its Excel export. The scores come from the indicator service
(``IndicatorService.appraisals``); institution staff see their own institution only.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from sanyi.indicators.api import INDICATOR_UNKNOWN_SCOPE, Appraisal, Span, appraisal_sheets, dimension_names
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.clock import today
from sanyi.kernel.errors import DomainError
from sanyi.web.context import container
from sanyi.web.exports import xlsx_attachment
from sanyi.web.figures import last_quarter, number
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

# Declared before the indicator pages so "/indicators/appraisal" is not read as an indicator code.
router = APIRouter(prefix="/indicators", include_in_schema=False)
PERIOD: Final = r"^\d{4}(Q[1-4]|-\d{2}(YTD)?)?$"


def appraisals_or_none(request: Request, period: str, scope: str | None) -> list[Appraisal]:
    """The service's appraisals; none while no region is loaded (a named scope stays an error)."""
    try:
        return container(request).indicators.appraisals(viewer(request), Span.parse(period), scope)
    except DomainError as error:
        if scope is not None or error.code != INDICATOR_UNKNOWN_SCOPE.code:
            raise
        return []


@router.get("/appraisal", response_class=HTMLResponse)
def scorecard(
    request: Request,
    _: CurrentPrincipal,
    period: Annotated[str, Query(pattern=PERIOD)] = "",
    scope: str = "",
) -> HTMLResponse:
    period = period or last_quarter(today(container(request).clock))
    found = appraisals_or_none(request, period, scope or None)
    scheme = container(request).indicators.scheme
    who = viewer(request)
    return render(
        request,
        "indicators/appraisal.html",
        {
            "period": period,
            "scope": scope,
            "scheme": scheme,
            "dimensions": dimension_names(scheme),
            "appraisals": found,
            "number": number,
            "regional": who.regional,
            "areas": container(request).registry.areas(who) if who.regional else [],
            "query": request.url.query,
        },
    )


@router.get("/appraisal.xlsx")
def export(
    request: Request,
    _: CurrentPrincipal,
    period: Annotated[str, Query(pattern=PERIOD)] = "",
    scope: str = "",
) -> Response:
    period = period or last_quarter(today(container(request).clock))
    found = appraisals_or_none(request, period, scope or None)
    scheme = container(request).indicators.scheme
    sheets = appraisal_sheets(scheme, found)
    return xlsx_attachment(xlsx_bytes(sheets), f"绩效考核-{scope or '全区'}-{period}.xlsx")
