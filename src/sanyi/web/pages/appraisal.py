"""绩效考核 pages beside the indicator scorecard: one scorecard per institution with its ranking
(/indicators/appraisal) and its Excel export. The scores come from the indicator service
(``IndicatorService.appraisals``); institution staff see their own institution only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from sanyi.indicators.api import INDICATOR_UNKNOWN_SCOPE, Appraisal, Scheme, Span
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
RANKING_HEADER: Final = (
    "排名 rank",
    "机构代码 code",
    "机构 institution",
    "期间 period",
    "总分 score",
    "等级 grade",
    "得分合计 points",
    "已评分权重 weight scored",
    "未评分指标 not scored",
)
COMPONENT_HEADER: Final = (
    "机构代码 code",
    "机构 institution",
    "维度 dimension",
    "指标代码 indicator",
    "指标 name",
    "值 value",
    "单位 unit",
    "分子 numerator",
    "分母 denominator",
    "上年同期分子 previous numerator",
    "上年同期分母 previous denominator",
    "权重 weight",
    "满分线 full",
    "零分线 zero",
    "得分 points",
    "计算过程 steps",
)
SCHEME_HEADER: Final = (
    "维度 dimension",
    "指标 indicator",
    "权重 weight",
    "满分线 full",
    "零分线 zero",
    "国家指标 national",
    "依据 basis",
)


def appraisals_or_none(request: Request, period: str, scope: str | None) -> list[Appraisal]:
    """The service's appraisals; none while no region is loaded (a named scope stays an error)."""
    try:
        return container(request).indicators.appraisals(viewer(request), Span.parse(period), scope)
    except DomainError as error:
        if scope is not None or error.code != INDICATOR_UNKNOWN_SCOPE.code:
            raise
        return []


def dimension_names(scheme: Scheme) -> dict[str, tuple[str, str]]:
    return {d.id: (d.name_zh, d.name_en) for d in scheme.dimensions}


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


def appraisal_sheets(
    scheme: Scheme, found: Sequence[Appraisal]
) -> dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]:
    """Ranking, every component with numerator and denominator, and the scheme itself."""
    names = dimension_names(scheme)
    ranking = [
        [
            a.rank,
            a.key,
            a.key_name,
            a.span,
            a.score,
            f"{a.grade.grade} {a.grade.name_zh}" if a.grade else "",
            a.points,
            a.weight_scored,
            "、".join(c.indicator for c in a.missing),
        ]
        for a in found
    ]
    components = [
        [
            a.key,
            a.key_name,
            names[c.component.dimension][0],
            c.indicator,
            c.value.name_zh if c.value else "",
            c.value.value if c.value else None,
            c.value.unit if c.value else "",
            c.value.numerator if c.value else None,
            c.value.denominator if c.value else None,
            c.value.previous_numerator if c.value else None,
            c.value.previous_denominator if c.value else None,
            c.weight,
            c.component.rule.full,
            c.component.rule.zero,
            c.points,
            c.step.text_zh,
        ]
        for a in found
        for c in a.components
    ]
    definition = [
        [names[c.dimension][0], c.indicator, c.weight, c.rule.full, c.rule.zero, c.national, c.basis]
        for c in scheme.components
    ]
    definition.append([f"{scheme.name_zh}：{scheme.document} {scheme.clause}", "", "", "", "", "", ""])
    return {
        "排名 ranking": (RANKING_HEADER, ranking),
        "指标得分 components": (COMPONENT_HEADER, components),
        "考核方案 scheme": (SCHEME_HEADER, definition),
    }
