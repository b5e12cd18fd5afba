"""Care pages: encounter search and one encounter with diagnoses, procedures and fee lines."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

from sanyi.care.api import DISCHARGE_TYPES, FEE_CATEGORIES, EncounterType
from sanyi.kernel.clock import SHANGHAI
from sanyi.web.context import container
from sanyi.web.exports import ENCOUNTER_HEADER, encounter_rows, xlsx_response
from sanyi.web.filters import EncounterParams
from sanyi.web.pages.listing import PAGE_SIZE, link, pager
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/care", include_in_schema=False)
Text = Annotated[str | None, Query()]


@router.get("", response_class=HTMLResponse)
def encounters(
    request: Request,
    _: CurrentPrincipal,
    type: Text = None,
    institution: Text = None,
    person_id: Text = None,
    date_from: Text = None,
    date_to: Text = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    params = EncounterParams(type, institution, person_id, date_from, date_to)
    who = viewer(request)
    page = container(request).care.encounters(who, params.to_filter(), offset, PAGE_SIZE)
    return render(
        request,
        "care/encounters.html",
        {
            "viewer": who,
            "page": page,
            "pager": pager(request, page),
            "params": params,
            "types": [kind.value for kind in EncounterType],
            "tz": SHANGHAI,
            "export_url": link(request, "/care/encounters.xlsx", offset=None),
        },
    )


@router.get("/encounters.xlsx")
def encounters_export(
    request: Request,
    _: CurrentPrincipal,
    type: Text = None,
    institution: Text = None,
    person_id: Text = None,
    date_from: Text = None,
    date_to: Text = None,
) -> StreamingResponse:
    where = EncounterParams(type, institution, person_id, date_from, date_to).to_filter()
    rows = encounter_rows(container(request).care.export_encounters(viewer(request), where))
    return xlsx_response("就诊记录.xlsx", ENCOUNTER_HEADER, rows)


@router.get("/encounters/{encounter_id}", response_class=HTMLResponse)
def encounter(request: Request, encounter_id: str, _: CurrentPrincipal) -> HTMLResponse:
    detail = container(request).care.encounter(viewer(request), encounter_id)
    return render(
        request,
        "care/encounter.html",
        {
            "detail": detail,
            "tz": SHANGHAI,
            "categories": FEE_CATEGORIES,
            "discharge_types": DISCHARGE_TYPES,
        },
    )
