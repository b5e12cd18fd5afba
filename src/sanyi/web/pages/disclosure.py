"""Public disclosure (医疗服务监管与信息公开平台), no login: per hospital and period the seven headings of
医疗卫生机构信息公开管理办法 (国卫办发〔2021〕43号), and region pages ranking hospitals and counties.

Institution-level figures only, each with numerator, denominator, caliber and source; a figure whose
case count is under five is withheld (see ``sanyi.web.figures``). Anonymous responses are cacheable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from sanyi.indicators.api import (
    INDICATOR_UNKNOWN,
    Appraisal,
    IndicatorValue,
    Span,
    ValuesQuery,
    appraisal_sheets,
    catalogue,
    dimension_names,
)
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.clock import today
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.drg import load_scheme
from sanyi.pricing.api import LISTS, price_level
from sanyi.registry.api import InstitutionFilter, InstitutionKind, Viewer
from sanyi.web.charts import bar_chart
from sanyi.web.context import container, principal, translator
from sanyi.web.errors import NOT_FOUND
from sanyi.web.exports import xlsx_attachment
from sanyi.web.figures import SMALL_CELL, Cell, cell, is_small, last_quarter, number, values_or_none
from sanyi.web.i18n import Translator
from sanyi.web.prices import PAGE_SIZE, level_name, list_sheet, price_lists
from sanyi.web.templating import render

router = APIRouter(prefix="/public/disclosure", include_in_schema=False)
# The public reads as the region would, but the service is never asked for anything personal:
# only institution and area totals, and no reveal of identities.
PUBLIC: Final = Viewer("public", "public", None, regional=True)
PERIOD: Final = r"^\d{4}(Q[1-4])?$"
CACHE: Final = "public, max-age=600"
RULE: Final = "医疗卫生机构信息公开管理办法（国卫办发〔2021〕43号，2022年2月1日起施行）"


@dataclass(frozen=True, slots=True)
class Heading:
    key: str  # locale key disclosure.heading_<key>
    indicators: tuple[str, ...]


# The seven headings of the doc, each filled from catalogue indicators (绩效考核 adds the appraisal,
# 价格 the price lists).
HEADINGS: Final = (
    Heading("income", ("YY05", "YY06", "YY07", "YY08", "YY09")),
    Heading("performance", ("DRG01", "XX02", "YB01")),  # and the 绩效考核 score (_appraisal)
    Heading("quality", ("DRG04", "ZL02", "ZL01")),
    Heading("prices", ()),  # the three price lists and the DRG table: see ``sanyi.web.prices``
    Heading("structure", ("YY01", "YY02", "YY10", "YY11")),
    Heading("efficiency", ("YY12", "YY13", "YY14", "YY15", "DRG03", "DRG02")),
    Heading("costs", ("YY03", "YY04", "YB02", "YB03")),
)
HEADING_ZH: Final = {
    "income": "收支情况",
    "performance": "绩效考核",
    "quality": "质量安全",
    "prices": "价格",
    "structure": "医疗收入结构",
    "efficiency": "医疗服务效率",
    "costs": "医疗费用",
}
EXCEL_HEADER: Final = (
    "指标代码 code",
    "指标 indicator",
    "对象 name",
    "期间 period",
    "值 value",
    "单位 unit",
    "分子 numerator",
    "分母 denominator",
    "说明 note",
    "口径 caliber",
    "来源 source",
)
ResponseT = TypeVar("ResponseT", bound=Response)
RANKED: Final = ("YY01", "YY02", "YY03", "YY04", "YY05", "YY06", "DRG01", "DRG02", "DRG03", "DRG04")


def _cacheable(request: Request, response: ResponseT) -> ResponseT:
    """Anonymous pages may be kept by shared caches; a signed-in visitor's page names them, so not."""
    if principal(request) is None:
        response.headers["Cache-Control"] = CACHE
        response.headers["Vary"] = "Cookie, Accept-Language"
        # The page has no form: a fresh anonymous CSRF cookie would only stop caches keeping it.
        request.state.new_csrf_cookie = None
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def _period(request: Request, period: str) -> str:
    return period or last_quarter(today(container(request).clock))


def _hospitals(request: Request) -> list[Any]:
    found = container(request).registry.iter_institutions(PUBLIC, InstitutionFilter(primary_care=False))
    return [h for h in found if h.kind != InstitutionKind.PHARMACY]


def _figure(value: IndicatorValue) -> dict[str, Any]:
    loaded = catalogue()
    definition = loaded.indicators[value.indicator]
    # (sign, element): "药品收入 − 中药饮片收入" reads as the caliber does.
    names = [(t.sign, loaded.elements[t.element]) for t in definition.numerator]
    below = [(t.sign, loaded.elements[t.element]) for t in definition.denominator]
    return {
        "cell": cell(value, public=True),
        "numerator_names": names,
        "denominator_names": below,
        "sources": sorted({e.source for _, e in (*names, *below)}),
        "caliber": definition.caliber,
    }


@router.get("", response_class=HTMLResponse)
def index(request: Request, period: Annotated[str, Query(pattern=PERIOD)] = "") -> HTMLResponse:
    period = _period(request, period)
    names = container(request).registry.area_names()
    hospitals = sorted(_hospitals(request), key=lambda h: (h.area_code, h.code))
    response = render(
        request,
        "disclosure/index.html",
        {"period": period, "hospitals": hospitals, "area_names": names, "rule": RULE, "ranked": RANKED},
    )
    return _cacheable(request, response)


def _appraisal(request: Request, code: str, period: str) -> Appraisal | None:
    """The hospital's 绩效考核 score, small cells left unscored (None outside the scheme's class)."""
    found = container(request).indicators.appraisals(PUBLIC, Span.parse(period), code, withheld=is_small)
    return found[0] if found else None


def _hospital_figures(request: Request, code: str, period: str) -> tuple[Any, dict[str, dict[str, Any]]]:
    found = _hospital(request, code)
    codes = tuple(c for heading in HEADINGS for c in heading.indicators)
    values = container(request).indicators.values(PUBLIC, ValuesQuery(codes, (Span.parse(period),), code))
    return found, {v.indicator: _figure(v) for v in values}


# Declared before the page: "/hospitals/{code}" would otherwise take "H….xlsx" as a code.
@router.get("/hospitals/{code}.xlsx")
def hospital_excel(
    request: Request, code: str, period: Annotated[str, Query(pattern=PERIOD)] = ""
) -> Response:
    period = _period(request, period)
    found, by_code = _hospital_figures(request, code, period)
    rows = [
        [HEADING_ZH[heading.key], *_excel_row(by_code[c]["cell"], by_code[c], translator(request))]
        for heading in HEADINGS
        for c in heading.indicators
        if c in by_code
    ]
    sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]] = {
        period: (("公开类别 heading", *EXCEL_HEADER), rows)
    }
    appraisal = _appraisal(request, code, period)
    if appraisal is not None:
        sheets |= {
            f"绩效考核 {k}": v
            for k, v in appraisal_sheets(container(request).indicators.scheme, [appraisal]).items()
        }
    body = xlsx_bytes(sheets)
    return _cacheable(request, xlsx_attachment(body, f"信息公开-{found.name}-{period}.xlsx"))


@router.get("/hospitals/{code}/prices/{name}.xlsx")
def price_list_excel(
    request: Request, code: str, name: str, period: Annotated[str, Query(pattern=PERIOD)] = ""
) -> Response:
    """One of the hospital's price lists, whole, as Excel: services, drugs or cases."""
    period = _period(request, period)
    found = _hospital(request, code)
    header, rows = list_sheet(container(request).pricing, PUBLIC, found.code, period, name)
    title = {"services": "医疗服务项目价格", "drugs": "药品价格", "cases": "按病种收费"}[name]
    body = xlsx_bytes({title: (header, rows)})
    return _cacheable(request, xlsx_attachment(body, f"{title}-{found.name}-{period}.xlsx"))


def _hospital(request: Request, code: str) -> Any:
    found = next((h for h in _hospitals(request) if h.code == code), None)
    if found is None:
        raise DomainError(NOT_FOUND, path="code", target=code)
    return found


@router.get("/hospitals/{code}", response_class=HTMLResponse)
def hospital(
    request: Request,
    code: str,
    period: Annotated[str, Query(pattern=PERIOD)] = "",
    q: Annotated[str, Query(max_length=64)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    period = _period(request, period)
    found, by_code = _hospital_figures(request, code, period)
    t = translator(request)
    sections = [
        {"heading": h, "figures": [by_code[c] for c in h.indicators if c in by_code]} for h in HEADINGS
    ]
    shown = [
        f["cell"] for f in by_code.values() if f["cell"].shown is not None and f["cell"].value.unit == "%"
    ]
    chart = bar_chart(
        t("disclosure.shares_chart", period=period),
        [t.pick(c.value.name_zh, c.value.name_en) for c in shown],
        [c.chart_value for c in shown],
        colours=[c.colour or "#0b6e4f" for c in shown],
    )
    response = render(
        request,
        "disclosure/hospital.html",
        {
            "h": found,
            "area_name": container(request).registry.area_names().get(found.area_code, found.area_code),
            "period": period,
            "sections": sections,
            "chart": chart,
            "prices": _prices(request),
            "lists": price_lists(container(request).pricing, PUBLIC, found.code, period, q.strip(), page),
            "list_names": LISTS,
            "level": t.pick(level_name(found.tier), str(price_level(found.tier))),
            "q": q,
            "page_size": PAGE_SIZE,
            "appraisal": _appraisal(request, code, period),
            "scheme": container(request).indicators.scheme,
            "dimensions": dimension_names(container(request).indicators.scheme),
            "number": number,
            "rule": RULE,
            "small_cell": SMALL_CELL,
        },
    )
    return _cacheable(request, response)


def _excel_row(c: Cell, figure: dict[str, Any], t: Translator) -> list[Any]:
    """A withheld figure exports as empty cells with the reason, never its numbers."""
    v = c.value
    withheld = f"例数不足{SMALL_CELL}，不予公开" if c.suppressed else ""
    return [
        v.indicator,
        v.name_zh,
        v.key_name,
        v.span,
        c.shown,
        v.unit,
        None if c.suppressed else v.numerator,
        None if c.suppressed else v.denominator,
        withheld,
        f"{figure['caliber'].text_zh} (v{figure['caliber'].version})",
        "、".join(t(f"disclosure.source_{source}") for source in figure["sources"]),
    ]


def _prices(request: Request) -> dict[str, Any] | None:
    """The latest kept DRG base-point table: the per-group payment standard the bureau published.

    Groups with fewer than five cases show no mean cost (a small cell)."""
    drgpay = container(request).drgpay
    tables = drgpay.saved_tables()
    if not tables:
        return None
    latest = tables[-1]
    names = load_scheme(latest["scheme"]).drg_names
    lines = []
    for line in drgpay.table_lines(latest["version"]):
        small = int(line.get("cases") or 0) < SMALL_CELL
        lines.append(
            {
                "drg": line["drg"],
                "name": names.get(line["drg"], ""),
                "base_points": line.get("base_points") or "—",
                "cases": "—" if small else line.get("cases"),
                "mean_cost": "—" if small else line.get("mean_cost"),
            }
        )
    return {"table": latest, "lines": lines}


@router.get("/region", response_class=HTMLResponse)
def region(
    request: Request,
    period: Annotated[str, Query(pattern=PERIOD)] = "",
    indicator: str = "YY02",
    area: str = "",
) -> HTMLResponse:
    period = _period(request, period)
    t = translator(request)
    ranked_units, ranked_counties = _rankings(request, period, indicator, area)
    definition = catalogue().indicators[indicator]
    name = t.pick(definition.name_zh, definition.name_en)
    charts = {
        "units": _ranked_chart(f"{name} · {t('disclosure.by_hospital')} {period}", ranked_units),
        "counties": _ranked_chart(f"{name} · {t('disclosure.by_county')} {period}", ranked_counties),
    }
    response = render(
        request,
        "disclosure/region.html",
        {
            "period": period,
            "indicator": indicator,
            "definition": definition,
            "ranked": RANKED,
            "indicators": catalogue().indicators,
            "units": ranked_units,
            "counties": ranked_counties,
            "charts": charts,
            "area": area,
            "areas": container(request).registry.areas(PUBLIC),
            "rule": RULE,
            "small_cell": SMALL_CELL,
        },
    )
    return _cacheable(request, response)


@router.get("/region.xlsx")
def region_excel(
    request: Request,
    period: Annotated[str, Query(pattern=PERIOD)] = "",
    indicator: str = "YY02",
    area: str = "",
) -> Response:
    period = _period(request, period)
    units, counties = _rankings(request, period, indicator, area)
    t = translator(request)
    sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]] = {
        "按医院 hospitals": (EXCEL_HEADER, [_excel_row(c, _figure(c.value), t) for c in units]),
        "按县 counties": (EXCEL_HEADER, [_excel_row(c, _figure(c.value), t) for c in counties]),
    }
    return _cacheable(request, xlsx_attachment(xlsx_bytes(sheets), f"信息公开排名-{indicator}-{period}.xlsx"))


def _rankings(request: Request, period: str, indicator: str, area: str) -> tuple[list[Cell], list[Cell]]:
    """Hospitals and counties for one indicator, best first (the indicator's direction)."""
    if indicator not in RANKED:
        raise DomainError(
            INDICATOR_UNKNOWN, path="indicator", indicator=indicator, available=", ".join(RANKED)
        )
    service = container(request).indicators
    span = (Span.parse(period),)
    hospitals = {h.code for h in _hospitals(request)}
    by_unit = values_or_none(service, PUBLIC, ValuesQuery((indicator,), span, area or None, "institution"))
    by_county = values_or_none(service, PUBLIC, ValuesQuery((indicator,), span, area or None, "county"))
    direction = catalogue().indicators[indicator].direction
    return (
        _ranked([cell(v, public=True) for v in by_unit if v.key in hospitals], direction),
        _ranked([cell(v, public=True) for v in by_county if not v.key.endswith("00")], direction),
    )


def _ranked(cells: Sequence[Cell], direction: str) -> list[Cell]:
    """Best first; withheld and missing values last."""
    sign = -1 if direction == "up" else 1
    return sorted(cells, key=lambda c: (c.shown is None, sign * (c.shown or 0), c.value.key))


def _ranked_chart(title: str, cells: Sequence[Cell]) -> str:
    return bar_chart(
        title,
        [c.value.key_name for c in cells],
        [c.chart_value for c in cells],
        colours=[c.colour or "#0b6e4f" for c in cells],
    )
