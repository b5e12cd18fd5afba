"""The mark-up compensation calculator page (/indicators/compensation, beside the other indicator
pages) and its Excel export: a hospital and a year in, the step-by-step trail out. Institution staff
are held to their own hospital. The old paths (/compensation, /compensation.xlsx) redirect."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sanyi.compensation.api import Compensation
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.knowledge.compensation import CompensationRules
from sanyi.web.context import container, translator
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

router = APIRouter(include_in_schema=False)
PAGE: Final = "/indicators/compensation"
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Year = Annotated[int | None, Query(ge=2000, le=2100)]
Day = Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")]
Amount = Annotated[str, Query(pattern=r"^(\d{1,13}(\.\d{1,2})?)?$")]


def _calculate(
    request: Request, institution: str, year: int, drug_cost: str, adjusted_on: str
) -> tuple[str, CompensationRules, Compensation]:
    return container(request).compensation.calculate(
        viewer(request),
        institution,
        year,
        drug_cost=Money.parse(drug_cost, path="drug_cost") if drug_cost else None,
        adjusted_on=date.fromisoformat(adjusted_on) if adjusted_on else None,
    )


@router.get("/compensation")
def old_page(request: Request) -> RedirectResponse:
    """The calculator moved under /indicators; old links and bookmarks keep working."""
    return _moved(request, PAGE)


@router.get("/compensation.xlsx")
def old_export(request: Request) -> RedirectResponse:
    return _moved(request, f"{PAGE}.xlsx")


def _moved(request: Request, path: str) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=301)


@router.get(PAGE, response_class=HTMLResponse)
def page(
    request: Request,
    principal: CurrentPrincipal,
    institution: str = "",
    year: Year = None,
    drug_cost: Amount = "",
    adjusted_on: Day = "",
) -> HTMLResponse:
    own = principal.institution_id if principal.role.institution_scoped else None
    institution = own or institution
    form = {
        "institution": institution,
        "year": year or "",
        "drug_cost": drug_cost,
        "adjusted_on": adjusted_on,
    }
    context: dict[str, Any] = {"form": form, "locked": own is not None, "error": None, "result": None}
    if institution and year:
        try:
            name, rules, result = _calculate(request, institution, year, drug_cost, adjusted_on)
            context |= {"name": name, "rules": rules, "result": result}
        except DomainError as error:
            if error.kind.value == "forbidden":
                raise
            context["error"] = error
    return render(request, "compensation/index.html", context, status_code=422 if context["error"] else 200)


@router.get(f"{PAGE}.xlsx")
def export(
    request: Request,
    principal: CurrentPrincipal,
    institution: str,
    year: Annotated[int, Query(ge=2000, le=2100)],
    drug_cost: Amount = "",
    adjusted_on: Day = "",
) -> Response:
    own = principal.institution_id if principal.role.institution_scoped else None
    institution = own or institution
    name, rules, result = _calculate(request, institution, year, drug_cost, adjusted_on)
    t = translator(request)
    header = (
        t("compensation.step"),
        t("compensation.formula"),
        t("compensation.value"),
        t("compensation.source"),
    )
    rows = [[t.pick(s.label_zh, s.label_en), s.formula, s.value, s.source or ""] for s in result.steps]
    title = f"{name}（{institution}）{year}"
    workbook = xlsx_bytes({t("compensation.title"): (header, [[title, rules.title_zh, "", ""], *rows])})
    return Response(
        workbook,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="compensation-{institution}-{year}.xlsx"'},
    )
