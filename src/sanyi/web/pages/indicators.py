"""Reform indicator pages: the scorecard (indicators × areas, institutions or groups), one indicator's
detail (caliber, targets, elements, month trend against last year, year to date, ranking), the data
approval of (area, period) and the quarterly report download. Every table exports to Excel.

Values and scoping come from the indicator service: institution staff get their own institution.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from sanyi.identity.api import Principal, Role
from sanyi.indicators.api import (
    COMPARATORS,
    GROUPINGS,
    INDICATOR_UNKNOWN,
    GroupBy,
    IndicatorDef,
    Span,
    SpanKind,
    ValuesQuery,
    approvals,
    catalogue,
    due_date,
    spans,
)
from sanyi.infrastructure.audit import Actor
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.clock import SHANGHAI, today
from sanyi.kernel.errors import DomainError
from sanyi.web.charts import bar_chart, line_chart
from sanyi.web.context import client_ip, container, translator
from sanyi.web.exports import xlsx_attachment
from sanyi.web.figures import Cell, cell, last_quarter, values_or_none, year_of
from sanyi.web.security import CurrentPrincipal, require_roles
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/indicators", include_in_schema=False)
Regional = Annotated[
    Principal,
    Depends(require_roles(Role.ADMIN, Role.INSURANCE_BUREAU, Role.HEALTH_COMMISSION, Role.REFORM_OFFICE)),
]
Submitter = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.HEALTH_COMMISSION, Role.REFORM_OFFICE))
]
Approver = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.REFORM_OFFICE))]
PERIOD: Final = r"^\d{4}(Q[1-4]|-\d{2}(YTD)?)?$"
QUARTER: Final = r"^\d{4}Q[1-4]$"
ROW_HEADER: Final = (
    "指标代码 code",
    "指标 indicator",
    "对象代码 key",
    "对象 name",
    "期间 period",
    "值 value",
    "单位 unit",
    "分子 numerator",
    "分母 denominator",
    "上年同期分子 previous numerator",
    "上年同期分母 previous denominator",
    "目标 target",
    "达标 achievement",
    "图例 band",
    "口径版本 caliber",
    "目标依据 source",
)


def _by(request: Request, by: str) -> GroupBy:
    if by in GROUPINGS:
        return by  # type: ignore[return-value]  # checked against the literal's values
    return "county" if viewer(request).regional else "area"


def _default_period(request: Request) -> str:
    return last_quarter(today(container(request).clock))


def _rows(cells: Iterable[Cell]) -> list[list[Any]]:
    """Excel rows: decimals as numbers (exact to four places), nothing rounded for the eye."""
    out: list[list[Any]] = []
    for c in cells:
        v = c.value
        out.append(
            [
                v.indicator,
                v.name_zh,
                v.key,
                v.key_name,
                v.span,
                v.value,
                v.unit,
                v.numerator,
                v.denominator,
                v.previous_numerator,
                v.previous_denominator,
                c.target,
                v.achievement.label_zh,
                v.band.label_zh if v.band else "",
                v.caliber_version,
                f"{v.target.document} {v.target.clause}" if v.target else "",
            ]
        )
    return out


# -- the scorecard ---------------------------------------------------------------------------------


def _scorecard(
    request: Request, period: str, scope: str | None, by: GroupBy, theme: str
) -> tuple[list[IndicatorDef], list[tuple[str, str]], dict[tuple[str, str], Cell]]:
    loaded = catalogue()
    chosen = [d for d in loaded.indicators.values() if not theme or d.theme == theme]
    query = ValuesQuery(tuple(d.id for d in chosen), (Span.parse(period),), scope or None, by)
    values = values_or_none(container(request).indicators, viewer(request), query)
    keys = list(dict.fromkeys((v.key, v.key_name) for v in values))
    cells = {(v.indicator, v.key): cell(v) for v in values}
    shown = {v.indicator for v in values}  # a grouping leaves out indicators not disaggregated by it
    return [d for d in chosen if d.id in shown], keys, cells


@router.get("", response_class=HTMLResponse)
def scorecard(
    request: Request,
    _: CurrentPrincipal,
    period: Annotated[str, Query(pattern=PERIOD)] = "",
    scope: str = "",
    by: str = "",
    theme: str = "",
) -> HTMLResponse:
    period = period or _default_period(request)
    grouping = _by(request, by)
    indicators, keys, cells = _scorecard(request, period, scope, grouping, theme)
    loaded = catalogue()
    return render(
        request,
        "indicators/scorecard.html",
        {
            "period": period,
            "scope": scope,
            "by": grouping,
            "theme": theme,
            "groupings": GROUPINGS,
            "themes": loaded.themes,
            "indicators": indicators,
            "keys": keys,
            "cells": cells,
            "legends": _legends_used(indicators),
            "regional": viewer(request).regional,
            "areas": container(request).registry.areas(viewer(request)) if viewer(request).regional else [],
            "query": request.url.query,
        },
    )


def _legends_used(indicators: Sequence[IndicatorDef]) -> list[Any]:
    """Each legend the shown indicators use, once, in order of first use."""
    legends = (catalogue().legend_of(d.id) for d in indicators)
    return list({legend.id: legend for legend in legends if legend is not None}.values())


@router.get("/scorecard.xlsx")
def scorecard_excel(
    request: Request,
    _: CurrentPrincipal,
    period: Annotated[str, Query(pattern=PERIOD)] = "",
    scope: str = "",
    by: str = "",
    theme: str = "",
) -> Response:
    period = period or _default_period(request)
    indicators, keys, cells = _scorecard(request, period, scope, _by(request, by), theme)
    ordered = [cells[(d.id, key)] for d in indicators for key, _ in keys if (d.id, key) in cells]
    body = xlsx_bytes({f"指标 {period}": (ROW_HEADER, _rows(ordered))})
    return xlsx_attachment(body, f"指标记分卡-{period}.xlsx")


# -- data approval and the quarterly report ------------------------------------------------------


def _times(request: Request) -> dict[tuple[str, str], tuple[str, str]]:
    """When each period was submitted and approved, Beijing time (the service's Approval names who)."""
    a = approvals.c
    with container(request).uow() as uow:
        rows = uow.connection.execute(select(a.area_code, a.period, a.submitted_at, a.approved_at))
        return {(r.area_code, r.period): (_local(r.submitted_at), _local(r.approved_at)) for r in rows}


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


@router.get("/approvals", response_class=HTMLResponse)
def approval_list(
    request: Request, who: Regional, quarter: Annotated[str, Query(pattern=QUARTER)] = ""
) -> HTMLResponse:
    service = container(request).indicators
    times = _times(request)
    names = container(request).registry.area_names()
    rows = [
        {
            "approval": found,
            "area_name": names.get(found.area, found.area),
            "at": times.get((found.area, found.period), ("", "")),
        }
        for found in service.approvals()
    ]
    quarter = quarter or _default_period(request)
    return render(
        request,
        "indicators/approvals.html",
        {
            "rows": rows,
            "areas": container(request).registry.areas(viewer(request)),
            "quarter": quarter,
            "due": due_date(Span.parse(quarter)).isoformat(),
            "may_submit": who.role in (Role.ADMIN, Role.HEALTH_COMMISSION, Role.REFORM_OFFICE),
            "may_approve": who.role in (Role.ADMIN, Role.REFORM_OFFICE),
        },
    )


def _actor(request: Request, who: Principal) -> Actor:
    return Actor(who.username, who.role.value, client_ip(request))


@router.post("/approvals")
async def submit(request: Request, who: Submitter) -> RedirectResponse:
    form = await request.form()
    area, period = str(form.get("area", "")), str(form.get("period", ""))
    container(request).indicators.submit(
        _actor(request, who), area, period, str(form.get("note", "")) or None
    )
    return RedirectResponse("/indicators/approvals", status_code=303)


@router.post("/approvals/{area}/{period}/approve")
def approve(request: Request, who: Approver, area: str, period: str) -> RedirectResponse:
    container(request).indicators.approve(_actor(request, who), area, period)
    return RedirectResponse("/indicators/approvals", status_code=303)


@router.get("/report.xlsx")
def quarterly_report(
    request: Request, _: Regional, area: str, quarter: Annotated[str, Query(pattern=QUARTER)]
) -> Response:
    body = container(request).indicators.quarterly_report(viewer(request), area, quarter)
    return xlsx_attachment(body, f"医改指标季度报表-{area}-{quarter}.xlsx")


# -- one indicator -----------------------------------------------------------------------------------


def _definition(code: str) -> IndicatorDef:
    loaded = catalogue()
    found = loaded.indicators.get(code)
    if found is None:
        raise DomainError(
            INDICATOR_UNKNOWN, path="code", indicator=code, available=", ".join(loaded.indicators)
        )
    return found


def _detail(request: Request, code: str, period: str, scope: str | None, by: GroupBy) -> dict[str, Any]:
    """Months of the year and the year before, year to date, and the ranking for ``period``."""
    service = container(request).indicators
    who = viewer(request)
    year = year_of(period)
    months = spans(SpanKind.MONTH, year)
    before = spans(SpanKind.MONTH, year - 1)
    trend = service.values(who, ValuesQuery((code,), (*before, *months), scope or None, "area"))
    ytd = service.values(who, ValuesQuery((code,), tuple(spans(SpanKind.YTD, year)), scope or None, "area"))
    quarters = service.values(
        who, ValuesQuery((code,), tuple(spans(SpanKind.QUARTER, year)), scope or None, "area")
    )
    ranking = service.values(who, ValuesQuery((code,), (Span.parse(period),), scope or None, by))
    definition = _definition(code)
    # A county grouping also returns the scope's own total (a city or province code): not a county.
    members = [v for v in ranking if not (by == "county" and v.key.endswith("00"))]
    sign = -1 if definition.direction == "up" else 1  # best first
    ranked = sorted(
        (cell(v) for v in members),
        key=lambda c: (c.value.value is None, sign * (c.value.value or 0)),
    )
    by_label = {v.span: cell(v) for v in trend}
    return {
        "months": months,
        "before": before,
        "trend": [by_label[s.label] for s in (*before, *months) if s.label in by_label],
        "this_year": [by_label.get(s.label) for s in months],
        "last_year": [by_label.get(s.label) for s in before],
        "ytd": [cell(v) for v in ytd],
        "quarters": [cell(v) for v in quarters],
        "ranked": ranked,
        "year": year,
    }


# Declared before the page: "/{code}" would otherwise take "YY01.xlsx" as a code.
@router.get("/{code}.xlsx")
def detail_excel(
    request: Request,
    _: CurrentPrincipal,
    code: str,
    period: Annotated[str, Query(pattern=PERIOD)] = "",
    scope: str = "",
    by: str = "",
) -> Response:
    period = period or _default_period(request)
    data = _detail(request, code, period, scope, _by(request, by))
    body = xlsx_bytes(
        {
            "月度趋势 trend": (ROW_HEADER, _rows(data["trend"])),
            "季度 quarters": (ROW_HEADER, _rows(data["quarters"])),
            "年初至今 YTD": (ROW_HEADER, _rows(data["ytd"])),
            f"排名 ranking {period}": (ROW_HEADER, _rows(data["ranked"])),
        }
    )
    return xlsx_attachment(body, f"{code}-{period}.xlsx")


@router.get("/{code}", response_class=HTMLResponse)
def detail(
    request: Request,
    _: CurrentPrincipal,
    code: str,
    period: Annotated[str, Query(pattern=PERIOD)] = "",
    scope: str = "",
    by: str = "",
) -> HTMLResponse:
    t = translator(request)
    definition = _definition(code)
    period = period or _default_period(request)
    regional = viewer(request).regional
    grouping = _by(request, by)
    data = _detail(request, code, period, scope, grouping)
    loaded = catalogue()
    name = t.pick(definition.name_zh, definition.name_en)

    def points(cells: Sequence[Cell | None]) -> list[float | None]:
        return [c.chart_value if c is not None else None for c in cells]

    charts = {
        "trend": line_chart(
            f"{name} · {t('indicators.trend')}",
            [s.label[5:] for s in data["months"]],
            [
                (str(data["year"]), points(data["this_year"])),
                (str(data["year"] - 1), points(data["last_year"])),
            ],
        ),
        "ranking": bar_chart(
            f"{name} · {t('indicators.ranking')} {period}",
            [c.value.key_name for c in data["ranked"]],
            [c.chart_value for c in data["ranked"]],
            colours=[c.colour or "#0b6e4f" for c in data["ranked"]],
        ),
    }
    return render(
        request,
        "indicators/detail.html",
        {
            "d": definition,
            "theme_name": loaded.themes[definition.theme],
            "elements": [loaded.elements[e] for e in definition.elements],
            "targets": [x for x in loaded.targets if x.indicator == code],
            "comparators": COMPARATORS,
            "legend": loaded.legend_of(code),
            "period": period,
            "scope": scope,
            "by": grouping,
            "groupings": GROUPINGS,
            "regional": regional,
            "charts": charts,
            "query": request.url.query,
            **data,
        },
    )
