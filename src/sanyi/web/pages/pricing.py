"""Staff pages of pricing: the schedules by area and day with search, their Excel export (the import
template's columns, so an export imports again), and the import form for the bureau with every bad
row listed. The public price lists live on the disclosure page."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sanyi.identity.api import Principal, Role
from sanyi.infrastructure.importer import OnError
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.clock import today
from sanyi.kernel.errors import DomainError
from sanyi.pricing.api import LEVELS, SPECS, check_kind
from sanyi.web.api.pricing import READERS, import_upload
from sanyi.web.context import container
from sanyi.web.exports import xlsx_attachment
from sanyi.web.filters import day
from sanyi.web.security import require_roles
from sanyi.web.templating import render

router = APIRouter(prefix="/pricing", include_in_schema=False)
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Bureau = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU, Role.ADMIN))]
SHOWN: Final = 500  # rows on the page; the export has them all
DEFAULT_KIND: Final = "pricing_case_prices"


def _page(request: Request, kind: str, area: str, on: str, q: str, extra: dict[str, Any]) -> HTMLResponse:
    service = container(request).pricing
    when = day(on, "on") if on else today(container(request).clock)
    items = service.versions(check_kind(kind), area, when, q.strip())
    context = {
        "kind": kind,
        "kinds": SPECS,
        "area": area,
        "on": when,
        "q": q,
        "areas": service.areas(),
        "items": items[:SHOWN],
        "total": len(items),
        "shown": SHOWN,
        "levels": LEVELS,
        **extra,
    }
    return render(request, "pricing/index.html", context)


@router.get("", response_class=HTMLResponse)
def index(
    request: Request,
    _: Reader,
    kind: str = DEFAULT_KIND,
    area: Annotated[str, Query(max_length=6)] = "",
    on: str = "",
    q: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    return _page(request, kind, area, on, q, {})


@router.get("/{kind}.xlsx")
def export(
    request: Request,
    _: Reader,
    kind: str,
    area: Annotated[str, Query(max_length=6)] = "",
    on: str = "",
) -> Response:
    header, rows = container(request).pricing.export(check_kind(kind), area, day(on, "on"))
    body = xlsx_bytes({"数据": (header, rows)})
    when = on or today(container(request).clock).isoformat()
    return xlsx_attachment(body, f"{SPECS[kind].title_zh}-{area or '全部'}-{when}.xlsx")


@router.post("/import", response_class=HTMLResponse)
async def upload(request: Request, _: Bureau) -> HTMLResponse:
    form = await request.form()
    kind = str(form.get("kind") or DEFAULT_KIND)
    on_error = OnError.SKIP if form.get("on_error") == "skip" else OnError.REJECT
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _page(request, kind, "", "", "", {"upload_missing": True})
    data = await file.read()
    try:
        result = await run_in_threadpool(import_upload, request, kind, file.filename, data, on_error)
    except DomainError as error:
        return _page(request, kind, "", "", "", {"error": error})
    return _page(request, kind, "", "", "", {"result": result})
