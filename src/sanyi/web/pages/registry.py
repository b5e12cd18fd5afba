"""Registry pages: overview, institutions, groups, practitioners and residents, each scoped."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from sanyi.care.api import EncounterFilter
from sanyi.kernel.clock import SHANGHAI
from sanyi.knowledge import codes
from sanyi.registry.api import (
    GroupKind,
    InstitutionKind,
    KeyGroup,
    LicenceType,
    Ownership,
    Scheme,
    Tier,
)
from sanyi.web.charts import bar_chart
from sanyi.web.context import container, translator
from sanyi.web.exports import (
    GROUP_HEADER,
    INSTITUTION_HEADER,
    PRACTITIONER_HEADER,
    RESIDENT_HEADER,
    group_rows,
    institution_rows,
    practitioner_rows,
    resident_rows,
    xlsx_response,
)
from sanyi.web.filters import InstitutionParams, PractitionerParams, ResidentParams
from sanyi.web.pages.listing import PAGE_SIZE, link, pager
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/registry", include_in_schema=False)
Text = Annotated[str | None, Query()]
Offset = Annotated[int, Query(ge=0)]

CHOICES = {
    "kinds": [kind.value for kind in InstitutionKind],
    "tiers": [str(int(tier)) for tier in sorted(Tier, reverse=True)],
    "ownerships": [ownership.value for ownership in Ownership],
    "licences": [licence.value for licence in LicenceType],
    "key_groups": [group.value for group in KeyGroup],
    "schemes": [scheme.value for scheme in Scheme],
    "group_kinds": [kind.value for kind in GroupKind],
}


def _page(request: Request, template: str, context: dict[str, object]) -> HTMLResponse:
    who = viewer(request)
    base: dict[str, object] = {"viewer": who, "choices": CHOICES}
    return render(request, template, {**base, **context})


@router.get("", response_class=HTMLResponse)
def overview(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    found = container(request).registry.overview(viewer(request))
    t = translator(request)
    tier_chart = bar_chart(
        t("registry.by_tier"),
        [t(f"registry.tier.{int(tier)}") for tier, _ in found.by_tier],
        [n for _, n in found.by_tier],
    )
    kind_chart = bar_chart(
        t("registry.by_kind"),
        [t(f"registry.kind.{kind}") for kind, _ in found.by_kind],
        [n for _, n in found.by_kind],
    )
    return _page(
        request,
        "registry/overview.html",
        {"overview": found, "tier_chart": tier_chart, "kind_chart": kind_chart},
    )


# -- institutions ------------------------------------------------------------------------------------
@router.get("/institutions", response_class=HTMLResponse)
def institutions(
    request: Request,
    _: CurrentPrincipal,
    q: Text = None,
    area: Text = None,
    kind: Text = None,
    tier: Text = None,
    ownership: Text = None,
    primary_care: Text = None,
    offset: Offset = 0,
) -> HTMLResponse:
    params = InstitutionParams(q, area, kind, tier, ownership, primary_care)
    registry = container(request).registry
    who = viewer(request)
    page = registry.institutions(who, params.to_filter(), offset, PAGE_SIZE)
    return _page(
        request,
        "registry/institutions.html",
        {
            "page": page,
            "pager": pager(request, page),
            "params": params,
            "areas": registry.areas(who),
            "area_names": registry.area_names(),
            "export_url": link(request, "/registry/institutions.xlsx", offset=None),
        },
    )


@router.get("/institutions.xlsx")
def institutions_export(
    request: Request,
    _: CurrentPrincipal,
    q: Text = None,
    area: Text = None,
    kind: Text = None,
    tier: Text = None,
    ownership: Text = None,
    primary_care: Text = None,
) -> StreamingResponse:
    where = InstitutionParams(q, area, kind, tier, ownership, primary_care).to_filter()
    registry = container(request).registry
    rows = institution_rows(registry.iter_institutions(viewer(request), where), registry.area_names())
    return xlsx_response("医疗机构.xlsx", INSTITUTION_HEADER, rows)


@router.get("/institutions/{code}", response_class=HTMLResponse)
def institution(request: Request, code: str, _: CurrentPrincipal) -> HTMLResponse:
    services = container(request)
    who = viewer(request)
    detail = services.registry.institution(who, code)
    staff = services.registry.practitioners(who, institution=code, limit=PAGE_SIZE)
    return _page(
        request,
        "registry/institution.html",
        {
            "detail": detail,
            "volumes": services.care.volumes(who, code),
            "staff": staff,
            "names": services.registry.institution_names(),
            "departments": codes.departments(),
        },
    )


@router.get("/groups", response_class=HTMLResponse)
def groups(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    registry = container(request).registry
    return _page(
        request,
        "registry/groups.html",
        {
            "groups": registry.groups(viewer(request)),
            "names": registry.institution_names(),
            "area_names": registry.area_names(),
        },
    )


@router.get("/groups.xlsx")
def groups_export(request: Request, _: CurrentPrincipal) -> StreamingResponse:
    registry = container(request).registry
    rows = group_rows(registry.groups(viewer(request)), registry.institution_names(), registry.area_names())
    return xlsx_response("医共体与医联体.xlsx", GROUP_HEADER, rows)


# -- practitioners -----------------------------------------------------------------------------------
@router.get("/practitioners", response_class=HTMLResponse)
def practitioners(
    request: Request,
    _: CurrentPrincipal,
    q: Text = None,
    institution: Text = None,
    licence: Text = None,
    offset: Offset = 0,
) -> HTMLResponse:
    params = PractitionerParams(q, institution, licence)
    text, at, kind = params.parsed()
    registry = container(request).registry
    page = registry.practitioners(viewer(request), text, at, kind, offset, PAGE_SIZE)
    return _page(
        request,
        "registry/practitioners.html",
        {
            "page": page,
            "pager": pager(request, page),
            "params": params,
            "names": registry.institution_names(),
            "departments": codes.departments(),
            "export_url": link(request, "/registry/practitioners.xlsx", offset=None),
        },
    )


@router.get("/practitioners.xlsx")
def practitioners_export(
    request: Request, _: CurrentPrincipal, q: Text = None, institution: Text = None, licence: Text = None
) -> StreamingResponse:
    text, at, kind = PractitionerParams(q, institution, licence).parsed()
    registry = container(request).registry
    found = registry.iter_practitioners(viewer(request), text, at, kind)
    rows = practitioner_rows(found, codes.departments())
    return xlsx_response("医务人员.xlsx", PRACTITIONER_HEADER, rows)


@router.get("/practitioners/{code}", response_class=HTMLResponse)
def practitioner(request: Request, code: str, _: CurrentPrincipal) -> HTMLResponse:
    registry = container(request).registry
    return _page(
        request,
        "registry/practitioner.html",
        {
            "item": registry.practitioner(viewer(request), code),
            "names": registry.institution_names(),
            "departments": codes.departments(),
        },
    )


# -- residents ---------------------------------------------------------------------------------------
@router.get("/residents", response_class=HTMLResponse)
def residents(
    request: Request,
    _: CurrentPrincipal,
    q: Text = None,
    area: Text = None,
    key_group: Text = None,
    scheme: Text = None,
    offset: Offset = 0,
) -> HTMLResponse:
    params = ResidentParams(q, area, key_group, scheme)
    registry = container(request).registry
    who = viewer(request)
    page = registry.residents(who, params.to_search(), offset, PAGE_SIZE)
    return _page(
        request,
        "registry/residents.html",
        {
            "page": page,
            "pager": pager(request, page),
            "params": params,
            "areas": registry.areas(who),
            "area_names": registry.area_names(),
            "export_url": link(request, "/registry/residents.xlsx", offset=None),
        },
    )


@router.get("/residents.xlsx")
def residents_export(
    request: Request,
    _: CurrentPrincipal,
    q: Text = None,
    area: Text = None,
    key_group: Text = None,
    scheme: Text = None,
) -> StreamingResponse:
    search = ResidentParams(q, area, key_group, scheme).to_search()
    registry = container(request).registry
    rows = resident_rows(registry.export_residents(viewer(request), search), registry.area_names())
    return xlsx_response("参保居民.xlsx", RESIDENT_HEADER, rows)


def _resident_page(request: Request, person_id: str, *, reveal: bool) -> HTMLResponse:
    services = container(request)
    who = viewer(request)
    person = services.registry.resident(who, person_id, reveal=reveal)
    visits = services.care.encounters(who, EncounterFilter(person_id=person_id), 0, PAGE_SIZE)
    response = _page(
        request,
        "registry/resident.html",
        {"person": person, "visits": visits, "area_names": services.registry.area_names(), "tz": SHANGHAI},
    )
    response.headers["Cache-Control"] = "no-store"  # a person's record stays out of shared caches
    return response


@router.get("/residents/{person_id}", response_class=HTMLResponse)
def resident(request: Request, person_id: str, _: CurrentPrincipal) -> HTMLResponse:
    return _resident_page(request, person_id, reveal=False)


@router.post("/residents/{person_id}/reveal", response_class=HTMLResponse)
def reveal(request: Request, person_id: str, _: CurrentPrincipal) -> HTMLResponse:
    return _resident_page(request, person_id, reveal=True)
