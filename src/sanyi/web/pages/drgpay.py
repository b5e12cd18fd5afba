"""DRG point-method payment pages: the region's payment by hospital, a hospital's statement (every
case's points with the reason, Excel download) and the DRG evaluation with charts.

The insurance bureau and administrators see every hospital; hospital staff only their own. Stays are
shown by their ids only — no person is named.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sanyi.drgpay import api
from sanyi.identity.api import AUTH_FORBIDDEN, Principal, Role
from sanyi.kernel.errors import DomainError
from sanyi.web.charts import bar_chart
from sanyi.web.context import actor, container, translator
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render

router = APIRouter(prefix="/drg", include_in_schema=False)
REGIONAL: Final = frozenset({Role.ADMIN, Role.INSURANCE_BUREAU, Role.HEALTH_COMMISSION})
DECIDERS: Final = frozenset({Role.INSURANCE_BUREAU})
DEFAULT_POLICY: Final = "hangzhou-2020"
Year = Annotated[int, Query(ge=2000, le=2100)]
MinCases = Annotated[int | None, Query(ge=1, le=1000)]
CHART_UNITS: Final = 20


def _check(who: Principal, hospital: str | None = None) -> None:
    """Regional roles see every hospital; hospital staff only their own statement."""
    if who.role in REGIONAL:
        return
    if hospital is not None and who.role is Role.INSTITUTION_STAFF and who.can_see_institution(hospital):
        return
    raise DomainError(AUTH_FORBIDDEN)


def _parameters(policy: str) -> list[tuple[str, str, str]]:
    """Every drg_payment parameter with the source it cites (name, value, citation)."""
    rules = api.payment_rules(policy)
    rows = []
    for name, value in rules.flat().items():
        source = rules.sources.get(name.split(".", 1)[0])
        rows.append((name, value, source.cite() if source else ""))
    return rows


def _params(year: int, policy: str, min_cases: int | None) -> dict[str, object]:
    return {
        "year": year,
        "policy": policy,
        "min_cases": min_cases,
        "query": f"year={year}&policy={policy}" + (f"&min_cases={min_cases}" if min_cases else ""),
    }


@router.get("/payment", response_class=HTMLResponse, response_model=None)
def payment(
    request: Request,
    who: CurrentPrincipal,
    year: Year = 2023,
    policy: str = DEFAULT_POLICY,
    min_cases: MinCases = None,
) -> HTMLResponse | RedirectResponse:
    """The region's payment by hospital; hospital staff go straight to their own statement."""
    if who.role is Role.INSTITUTION_STAFF and who.institution_id:
        return RedirectResponse(
            f"/drg/payment/{who.institution_id}?year={year}&policy={policy}", status_code=303
        )
    _check(who)
    service = container(request).drgpay
    run = service.run(year, policy, min_cases=min_cases)
    names = service.names(year, policy)
    hospitals = sorted(run.settlement.hospitals.values(), key=lambda h: -h.points)
    t = translator(request)
    chart = bar_chart(
        t("drgpay.points_by_hospital"),
        [names.get(h.hospital, h.hospital) for h in hospitals[:CHART_UNITS]],
        [float(h.points) for h in hospitals[:CHART_UNITS]],
    )
    issues: dict[str, int] = {}
    for issue in run.issues:
        issues[issue.code] = issues.get(issue.code, 0) + 1
    return render(
        request,
        "drgpay/payment.html",
        {
            **_params(year, policy, min_cases),
            "run": run,
            "hospitals": hospitals,
            "names": names,
            "pool": run.settlement.pool,
            "chart": chart,
            "issues": sorted(issues.items()),
            "yuan": api.yuan,
            "parameters": _parameters(policy),
        },
    )


@router.get("/payment/{hospital}", response_class=HTMLResponse)
def statement(
    hospital: str,
    request: Request,
    who: CurrentPrincipal,
    year: Year = 2023,
    policy: str = DEFAULT_POLICY,
    min_cases: MinCases = None,
) -> HTMLResponse:
    _check(who, hospital)
    service = container(request).drgpay
    run = service.run(year, policy, min_cases=min_cases)
    summary = api.summary_rows(run, hospital)
    cases = [c for c in run.cases if c.hospital == hospital]
    kinds: dict[str, float] = {}
    for case in cases:
        kinds[case.kind] = kinds.get(case.kind, 0.0) + float(case.points)
    t = translator(request)
    chart = bar_chart(
        t("drgpay.points_by_kind"), [t(f"drgpay.kind.{k}") for k in kinds], list(kinds.values())
    )
    return render(
        request,
        "drgpay/statement.html",
        {
            **_params(year, policy, min_cases),
            "hospital": hospital,
            "name": service.names(year, policy).get(hospital, hospital),
            "summary": summary,
            "cases": cases,
            "chart": chart,
            "months": sorted(run.prepayments.get(hospital, {}).items()),
            "pool": run.settlement.pool,
            "yuan": api.yuan,
            "reviewed": {r.stay_id: r.status for r in service.reviews(year, hospital)},
        },
    )


@router.get("/payment/{hospital}/excel")
def statement_excel(
    hospital: str,
    request: Request,
    who: CurrentPrincipal,
    year: Year = 2023,
    policy: str = DEFAULT_POLICY,
    min_cases: MinCases = None,
) -> Response:
    _check(who, hospital)
    run = container(request).drgpay.run(year, policy, min_cases=min_cases)
    return Response(
        api.statement_xlsx(run, hospital),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="drg-statement-{hospital}-{year}.xlsx"'},
    )


@router.get("/evaluation", response_class=HTMLResponse)
def evaluation(
    request: Request,
    who: CurrentPrincipal,
    year: Year = 2023,
    policy: str = DEFAULT_POLICY,
    by: Annotated[str, Query(pattern="^(hospital|department|doctor)$")] = "hospital",
) -> HTMLResponse:
    """DRG evaluation per hospital, department or doctor, with the region as the benchmark."""
    service = container(request).drgpay
    units, region = service.evaluation(year, policy, by)
    if who.role not in REGIONAL:
        if who.role is not Role.INSTITUTION_STAFF or not who.institution_id:
            raise DomainError(AUTH_FORBIDDEN)
        mine = who.institution_id
        units = {k: v for k, v in units.items() if k == mine or k.startswith(mine + "/")}
    names = service.names(year, policy)
    shown = sorted(units.values(), key=lambda u: -(u.cmi or 0))
    label = {
        u.unit: names.get(u.unit.split("/")[0], u.unit)
        + ("" if by == "hospital" else " " + u.unit.split("/", 1)[1])
        for u in shown
    }
    t = translator(request)
    top = [u for u in shown if u.cmi is not None][:CHART_UNITS]
    cmi_chart = bar_chart(
        t("drgpay.cmi_chart"), [label[u.unit] for u in top], [float(u.cmi or 0) for u in top]
    )
    cost_chart = bar_chart(
        t("drgpay.cost_index_chart"), [label[u.unit] for u in top], [float(u.cost_index or 0) for u in top]
    )
    return render(
        request,
        "drgpay/evaluation.html",
        {
            "year": year,
            "policy": policy,
            "by": by,
            "units": shown,
            "region": region,
            "label": label,
            "cmi_chart": cmi_chart,
            "cost_chart": cost_chart,
        },
    )


# -- 特病单议 ----------------------------------------------------------------------------------------


@router.post("/reviews")
async def submit_review(request: Request, who: CurrentPrincipal) -> RedirectResponse:
    """A hospital (or the bureau on its behalf) submits a stay for expert review, with the reason."""
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    hospital = form.get("hospital", "")
    _check(who, hospital)
    try:
        year = int(form.get("year", ""))
    except ValueError:
        raise DomainError(api.DRGPAY_INVALID_REVIEW, reason="year", path="year") from None
    policy = form.get("policy") or DEFAULT_POLICY
    container(request).drgpay.submit_review(
        actor(request), form.get("stay_id", ""), hospital, year, form.get("reason", ""), policy
    )
    return RedirectResponse(f"/drg/reviews?year={year}&policy={policy}", status_code=303)


@router.get("/reviews", response_class=HTMLResponse)
def reviews(
    request: Request, who: CurrentPrincipal, year: Year = 2023, policy: str = DEFAULT_POLICY
) -> HTMLResponse:
    if who.role in REGIONAL:
        shown = container(request).drgpay.reviews(year)
    elif who.role is Role.INSTITUTION_STAFF and who.institution_id:
        shown = container(request).drgpay.reviews(year, who.institution_id)
    else:
        raise DomainError(AUTH_FORBIDDEN)
    return render(
        request,
        "drgpay/reviews.html",
        {
            "year": year,
            "policy": policy,
            "reviews": shown,
            "can_decide": who.role in DECIDERS,
        },
    )


@router.post("/reviews/{review_id}/decide")
async def decide_review(review_id: int, request: Request, who: CurrentPrincipal) -> RedirectResponse:
    """The insurance bureau approves with points, or rejects."""
    if who.role not in DECIDERS:
        raise DomainError(AUTH_FORBIDDEN)
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    decided = container(request).drgpay.decide_review(
        actor(request),
        review_id,
        approve=form.get("decision") == "approve",
        points=form.get("points"),
        note=form.get("note", ""),
    )
    return RedirectResponse(f"/drg/reviews?year={decided.year}", status_code=303)
