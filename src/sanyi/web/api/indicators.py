"""Reform indicator API: the catalogue, computed values, targets, approval and locking, the quarterly report.

Every route needs a login. Values are scoped: institution staff and family doctors get only their own
institution; the bureau, the commission and the reform office any area of the region. Submitting a
period is for the commission and the reform office, approving (which locks it) for the reform office.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from sanyi.identity.api import Principal, Role
from sanyi.indicators.api import (
    GROUPINGS,
    INDICATOR_INVALID_REQUEST,
    INDICATOR_UNKNOWN,
    GroupBy,
    Span,
    ValuesQuery,
    catalogue,
)
from sanyi.infrastructure.audit import Actor
from sanyi.kernel.errors import DomainError
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import client_ip, container
from sanyi.web.security import CurrentPrincipal, require_roles
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/api/indicators", tags=["indicators"], responses=ERROR_RESPONSES)
Submitter = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.HEALTH_COMMISSION, Role.REFORM_OFFICE))
]
Approver = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.REFORM_OFFICE))]
Regional = Annotated[
    Principal,
    Depends(require_roles(Role.ADMIN, Role.INSURANCE_BUREAU, Role.HEALTH_COMMISSION, Role.REFORM_OFFICE)),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: Request, who: Principal) -> Actor:
    return Actor(who.username, who.role.value, client_ip(request))


def _definition(code: str) -> dict[str, Any]:
    loaded = catalogue()
    d = loaded.indicators.get(code)
    if d is None:
        raise DomainError(
            INDICATOR_UNKNOWN, path="code", indicator=code, available=", ".join(loaded.indicators)
        )
    return {
        "id": d.id,
        "theme": d.theme,
        "theme_zh": loaded.themes[d.theme][0],
        "name_zh": d.name_zh,
        "name_en": d.name_en,
        "type": d.type,
        "numerator": d.numerator_text,
        "denominator": d.denominator_text or None,
        "factor": str(d.factor),
        "unit": d.unit,
        "direction": d.direction,
        "offset_years": d.offset_years if d.type == "growth" else None,
        "disaggregations": list(d.disaggregations),
        "caliber": {
            "version": d.caliber.version,
            "effective_from": d.caliber.effective_from.isoformat(),
            "effective_to": d.caliber.effective_to.isoformat() if d.caliber.effective_to else None,
            "text_zh": d.caliber.text_zh,
            "text_en": d.caliber.text_en,
        },
        "elements": [
            {
                "id": e,
                "name_zh": loaded.elements[e].name_zh,
                "name_en": loaded.elements[e].name_en,
                "caliber_zh": loaded.elements[e].caliber_zh,
            }
            for e in d.elements
        ],
        "legend": loaded.assignments.get(d.id),
    }


def _target(t: Any) -> dict[str, Any]:
    return {
        "indicator": t.indicator,
        "area": t.area,
        "comparator": t.comparator,
        "value": str(t.value),
        "tolerance": None if t.tolerance is None else str(t.tolerance),
        "effective_from": t.effective_from.isoformat(),
        "effective_to": t.effective_to.isoformat() if t.effective_to else None,
        "document": t.document,
        "clause": t.clause,
    }


@router.get("", summary="指标目录 · the indicator catalogue")
def list_indicators(_: CurrentPrincipal) -> list[dict[str, Any]]:
    return [_definition(code) for code in catalogue().indicators]


@router.get("/targets", summary="目标 · targets with document and clause")
def list_targets(_: CurrentPrincipal, indicator: str | None = None) -> list[dict[str, Any]]:
    return [_target(t) for t in catalogue().targets if indicator is None or t.indicator == indicator]


@router.get("/legends", summary="图例 · legend sets (bands without gaps or overlaps)")
def list_legends(_: CurrentPrincipal) -> dict[str, Any]:
    return {
        name: {
            "name_zh": legend.name_zh,
            "name_en": legend.name_en,
            "bands": [
                {
                    "from": None if b.low is None else str(b.low),
                    "to": None if b.high is None else str(b.high),
                    "colour": b.colour,
                    "label_zh": b.label_zh,
                    "label_en": b.label_en,
                }
                for b in legend.bands
            ],
        }
        for name, legend in catalogue().legends.items()
    }


@router.get("/values", summary="指标值 · values with numerator, denominator, target and band")
def values(
    request: Request,
    _: CurrentPrincipal,
    period: Annotated[
        list[str], Query(description="2023-03, 2023Q1, 2023 or 2023-06YTD; repeat for several")
    ],
    indicators: Annotated[str, Query(description="Comma-separated codes (default: all)")] = "",
    scope: Annotated[str | None, Query(description="Area or institution code (default: yours)")] = None,
    by: Annotated[str, Query(description=f"One of: {', '.join(GROUPINGS)}")] = "area",
) -> list[dict[str, Any]]:
    if by not in GROUPINGS:
        raise DomainError(
            INDICATOR_INVALID_REQUEST,
            path="by",
            field="by",
            reason_zh=f"可选：{'、'.join(GROUPINGS)}",
            reason=f"one of {', '.join(GROUPINGS)}",
        )
    grouping: GroupBy = by  # type: ignore[assignment]
    codes = tuple(code.strip() for code in indicators.split(",") if code.strip())
    query = ValuesQuery(codes, tuple(Span.parse(p) for p in period), scope, grouping)
    return [value.row() for value in container(request).indicators.values(viewer(request), query)]


class PeriodIn(BaseModel):
    area: str
    period: str
    note: str | None = None


def _approval(found: Any) -> dict[str, Any]:
    return {
        "area": found.area,
        "period": found.period,
        "state": found.state,
        "locked": found.locked,
        "submitted_by": found.submitted_by,
        "approved_by": found.approved_by,
    }


@router.get("/approvals", summary="数据审核 · submitted and approved periods")
def list_approvals(request: Request, _: Regional) -> list[dict[str, Any]]:
    return [_approval(a) for a in container(request).indicators.approvals()]


@router.post("/approvals", status_code=201, summary="提交审核 · submit an area's period")
def submit(request: Request, who: Submitter, body: PeriodIn) -> dict[str, Any]:
    return _approval(
        container(request).indicators.submit(_actor(request, who), body.area, body.period, body.note)
    )


@router.post("/approvals/{area}/{period}/approve", summary="审核锁定 · approve and lock (stores a snapshot)")
def approve(request: Request, who: Approver, area: str, period: str) -> dict[str, Any]:
    return _approval(container(request).indicators.approve(_actor(request, who), area, period))


@router.get("/approvals/{area}/{period}/snapshot", summary="审核快照 · the values as approved")
def snapshot(request: Request, _: Regional, area: str, period: str) -> list[dict[str, Any]]:
    return container(request).indicators.snapshot(area, period)


@router.get("/report", summary="季度报表 · the quarterly report to the reform office (.xlsx)")
def report(request: Request, _: Regional, area: str, quarter: str) -> Response:
    content = container(request).indicators.quarterly_report(viewer(request), area, quarter)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="indicators-{area}-{quarter}.xlsx"'},
    )


class ReportedIn(BaseModel):
    unit: str  # institution or area code
    month: str  # YYYY-MM
    element: str  # paediatric_beds | smart_hospital | priced_diseases
    value: str  # decimal text
    source: str | None = None


@router.post("/reported-values", status_code=204, summary="报送数据 · a value no other table holds")
def report_value(request: Request, who: CurrentPrincipal, body: ReportedIn) -> Response:
    seen = viewer(request)
    if not seen.sees_institution(body.unit):
        raise DomainError(
            INDICATOR_INVALID_REQUEST,
            path="unit",
            field="unit",
            reason_zh="只能报送本机构的数据",
            reason="you may report only your own institution's values",
        )
    try:
        value = Decimal(body.value)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0:
        raise DomainError(
            INDICATOR_INVALID_REQUEST,
            path="value",
            field="value",
            reason_zh="须为非负数",
            reason="a non-negative number",
        )
    container(request).indicators.report_value(
        _actor(request, who), body.unit, body.month, body.element, value, body.source
    )
    return Response(status_code=204)


@router.get("/{code}", summary="指标定义 · one indicator's definition, caliber and data elements")
def show(_: CurrentPrincipal, code: str) -> dict[str, Any]:
    return _definition(code)
