"""Settlement pages: the policy packages, settling a claim by hand (with 预结算), a settlement with its
trail and 冲正, and a person's accumulators (masked)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sanyi.identity.api import AUTH_FORBIDDEN, Principal, Role
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import PAYMENT_CLASSES, flatten, load_package, package_names
from sanyi.settlement.api import SPLIT_FIELDS, accumulator_fields, yuan
from sanyi.web.api.settlement import scope_of
from sanyi.web.context import actor, container, translator
from sanyi.web.security import CurrentPrincipal, require_roles
from sanyi.web.templating import render

router = APIRouter(prefix="/settlement", include_in_schema=False)
Settler = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU, Role.INSTITUTION_STAFF))]
Bureau = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU))]
SECTION_ROLES: Final = frozenset({Role.ADMIN, Role.INSURANCE_BUREAU, Role.INSTITUTION_STAFF})

LINE_ROWS: Final = 5
ACCUMULATOR_KEYS: Final = (
    "inpatient_policy_range",
    "inpatient_deductible_paid",
    "inpatient_stays",
    "inpatient_fund_paid",
    "outpatient_policy_range",
    "outpatient_deductible_paid",
    "outpatient_stays",
    "outpatient_fund_paid",
    "catastrophic_self_burden",
    "catastrophic_paid",
    "assistance_deductible_paid",
    "assistance_paid",
)
CATEGORIES: Final = tuple(f"{n:02d}" for n in range(1, 15))


def _packages() -> list[Any]:
    return [load_package(name) for name in package_names()]


@router.get("", response_class=HTMLResponse)
def index(request: Request, who: CurrentPrincipal) -> HTMLResponse:
    if who.role not in SECTION_ROLES:
        raise DomainError(AUTH_FORBIDDEN)
    return render(request, "settlement/index.html", {"packages": _packages()})


@router.get("/policies/{name}", response_class=HTMLResponse)
def policy_page(name: str, request: Request, who: CurrentPrincipal) -> HTMLResponse:
    """Every parameter of a package by payment class × group × segment, with its source."""
    if who.role not in SECTION_ROLES:
        raise DomainError(AUTH_FORBIDDEN)
    package = load_package(name)
    pools = []
    for scheme in package.schemes.values():
        for pool in scheme.pools.values():
            bounds = [0, *pool.ratios.bounds_fen]
            segments = [
                f"{yuan(low)}–{yuan(bounds[i + 1]) if i + 1 < len(bounds) else '∞'}"
                for i, low in enumerate(bounds)
            ]
            rows = [
                (
                    payment_class,
                    group,
                    None
                    if payment_class in pool.deductible.exempt_classes
                    else yuan(pool.deductible.amounts_fen.get((payment_class, group), 0)),
                    [str(ratio) for ratio in pool.ratios.table[(payment_class, group)]],
                )
                for payment_class in PAYMENT_CLASSES
                for group in scheme.groups
            ]
            pools.append({"scheme": scheme.scheme, "rules": pool, "segments": segments, "rows": rows})
    flat = flatten(package)
    return render(
        request,
        "settlement/policy.html",
        {"package": package, "pools": pools, "flat": flat, "yuan": yuan},
    )


def _form_context(who: Principal, values: dict[str, str]) -> dict[str, Any]:
    defaults = {
        "scheme": "employee",
        "group": "active",
        "type": "inpatient",
        "tier": "3",
        "start": "2023-03-01",
        "institution_id": who.institution_id or "",
    }
    return {
        "values": {**defaults, **values},
        "line_rows": range(1, LINE_ROWS + 1),
        "categories": CATEGORIES,
        "packages": package_names(),
        "institution_locked": who.role is Role.INSTITUTION_STAFF,
    }


@router.get("/new", response_class=HTMLResponse)
def new_claim(request: Request, who: Settler) -> HTMLResponse:
    return render(request, "settlement/new.html", _form_context(who, {}))


def _claim_from_form(form: dict[str, str], who: Principal) -> dict[str, Any]:
    """Build a claim.md record from the form; checking is the claim reader's job, not the page's."""

    def text(name: str) -> str:
        return form.get(name, "").strip()

    def optional(name: str) -> str | None:
        return text(name) or None

    start = text("start")
    referral = None
    if text("referral") in {"up", "down"}:
        from_tier = text("referral_from_tier")
        referral = {
            "id": text("referral_id") or "R-manual",
            "direction": text("referral"),
            "from_tier": int(from_tier) if from_tier.isdigit() else None,
        }
    lines = []
    for row in range(1, LINE_ROWS + 1):
        if not text(f"line{row}_unit_price") and not text(f"line{row}_code"):
            continue
        lines.append(
            {
                "no": row,
                "code": text(f"line{row}_code"),
                "name": text(f"line{row}_name"),
                "category": text(f"line{row}_category"),
                "class": text(f"line{row}_class"),
                "selfpay_prop": text(f"line{row}_selfpay_prop") or "0",
                "quantity": text(f"line{row}_quantity") or "1",
                "unit_price": text(f"line{row}_unit_price"),
                "price_ceiling": optional(f"line{row}_price_ceiling"),
            }
        )
    tier = text("tier")
    institution_id = who.institution_id if who.role is Role.INSTITUTION_STAFF else text("institution_id")
    return {
        "claim_id": text("claim_id"),
        "person": {
            "id": text("person_id"),
            "scheme": text("scheme"),
            "group": text("group"),
            "home_region": text("home_region"),
            "assistance": optional("assistance"),
        },
        "encounter": {
            "type": text("type"),
            "institution": {
                "id": institution_id or "",
                "tier": int(tier) if tier.isdigit() else tier,
                "primary_care": form.get("primary_care") == "on",
                "region": text("home_region"),
                "kind": text("kind") or "general",
                "named_provincial": form.get("named_provincial") == "on",
            },
            "start": f"{start}T09:00:00+08:00" if len(start) == 10 else start,
            "referral": referral,
            "emergency": form.get("emergency") == "on",
            "offsite": optional("offsite"),
        },
        "lines": lines,
    }


@router.post("/new", response_class=HTMLResponse)
async def submit_claim(request: Request, who: Settler) -> HTMLResponse:
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    record = _claim_from_form(form, who)
    dry_run = form.get("action") != "settle"
    try:
        view = container(request).settlement.settle(
            record,
            actor(request),
            policy=form.get("policy") or None,
            scope=scope_of(who),
            dry_run=dry_run,
        )
    except DomainError as error:
        context = _form_context(who, form)
        context["error"] = error
        return render(request, "settlement/new.html", context, status_code=422)
    context = _form_context(who, form)
    context.update(_result_context(view.to_dict()))
    return render(request, "settlement/new.html", context)


def _result_context(result: dict[str, Any]) -> dict[str, Any]:
    return {"result": result, "split_fields": SPLIT_FIELDS}


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
def claim_page(claim_id: str, request: Request, who: Settler) -> HTMLResponse:
    view = container(request).settlement.get(claim_id, actor(request), scope=scope_of(who))
    return render(request, "settlement/claim.html", _result_context(view.to_dict()))


@router.get("/claims/{claim_id}/excel")
def claim_excel(claim_id: str, request: Request, who: Settler) -> Response:
    """The settlement as an Excel workbook: the split, the trail and the lines, one sheet each."""
    result = container(request).settlement.get(claim_id, actor(request), scope=scope_of(who)).to_dict()
    t = translator(request)
    split = [(name, t(f"settlement.split.{name}"), result["split"][name]) for name in SPLIT_FIELDS]
    trail = [
        (
            step["step"],
            step["rule"],
            step.get("parameter"),
            step.get("base"),
            step["amount"],
            step.get("source"),
        )
        for step in result["trail"]
    ]
    line_fields = ("no", "total", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
    workbook = xlsx_bytes(
        {
            t("settlement.result"): (("field", t("settlement.meaning"), t("settlement.amount")), split),
            t("settlement.trail"): (("step", "rule", "parameter", "base", "amount", "source"), trail),
            t("settlement.lines"): (
                line_fields,
                [[line[f] for f in line_fields] for line in result["lines"]],
            ),
        }
    )
    return Response(
        workbook,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="settlement-{claim_id}.xlsx"'},
    )


@router.post("/claims/{claim_id}/reverse")
def reverse_claim(claim_id: str, request: Request, who: Settler) -> RedirectResponse:
    container(request).settlement.reverse(claim_id, actor(request), scope=scope_of(who))
    return RedirectResponse(f"/settlement/claims/{claim_id}", status_code=303)


@router.get("/accumulators", response_class=HTMLResponse)
def accumulators_page(
    request: Request,
    _: Bureau,
    person_id: Annotated[str, Query()] = "",
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "person_id": person_id.strip(),
        "year": year or date.today().year,  # noqa: DTZ011 - a form default, not a stored instant
        "keys": ACCUMULATOR_KEYS,
    }
    if context["person_id"]:
        services = container(request).settlement
        found = services.person_accumulators(context["person_id"], context["year"], actor(request))
        context["values"] = accumulator_fields(found)
        context["person"] = services.masked_person(context["person_id"])
        context["settlements"] = services.person_settlements(context["person_id"], context["year"])
    return render(request, "settlement/accumulators.html", context)
