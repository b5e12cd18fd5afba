"""Drug traceability pages: the public code query (/public/trace, no login) and, for staff, /trace —
their institution's receipts and dispensings (regional roles: the region), duplicate dispensings, and
the event upload with its report of every bad event."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sanyi.infrastructure.sheets import template_bytes
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.errors import DomainError, ErrorKind
from sanyi.trace.api import EVENTS, EventKind
from sanyi.web.api.trace import DISPENSINGS, RECEIPTS, UPLOAD_SUFFIXES, ingest_upload
from sanyi.web.context import client_ip, container
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/trace", include_in_schema=False)
public_router = APIRouter(prefix="/public/trace", include_in_schema=False)
VIEWS: Final[dict[str, tuple[EventKind, ...]]] = {"receipts": RECEIPTS, "dispensings": DISPENSINGS}
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def local_time(moment: datetime | str | None) -> str:
    if not moment:
        return "—"
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


# -- public query (no login) ---------------------------------------------------------------------
@public_router.get("", response_class=HTMLResponse)
def public_query(request: Request, code: Annotated[str, Query(max_length=64)] = "") -> HTMLResponse:
    context: dict[str, Any] = {"code": code, "local_time": local_time}
    status = 200
    if code.strip():
        try:
            context["found"] = container(request).trace.public_lookup(client_ip(request), code)
        except DomainError as error:
            context["error"] = error
            status = 429 if error.kind is ErrorKind.THROTTLED else 200
    return render(request, "trace/public.html", context, status_code=status)


# -- staff ---------------------------------------------------------------------------------------
def _page(request: Request, view: str, institution: str | None, extra: dict[str, Any]) -> HTMLResponse:
    service = container(request).trace
    me = viewer(request)
    context: dict[str, Any] = {
        "view": view,
        "institution": institution or "",
        "regional": me.regional,
        "local_time": local_time,
        "suffixes": ", ".join(UPLOAD_SUFFIXES),
        **extra,
    }
    if view == "duplicates":
        context["duplicates"] = service.duplicates(me)
    else:
        context["rows"] = service.events(me, VIEWS[view], institution)
    return render(request, "trace/index.html", context, status_code=422 if "error" in extra else 200)


@router.get("", response_class=HTMLResponse)
def trace_page(
    request: Request,
    _: CurrentPrincipal,
    view: Annotated[str, Query(pattern="^(receipts|dispensings|duplicates)$")] = "dispensings",
    institution: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    return _page(request, view, institution or None, {})


@router.get("/template.xlsx")
def template(_: CurrentPrincipal) -> Response:
    return Response(
        template_bytes(EVENTS),
        media_type=XLSX,
        headers={"Content-Disposition": "attachment; filename=trace-events.xlsx"},
    )


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    form = await request.form()
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _page(request, "dispensings", None, {"upload_missing": True})
    data = await file.read()
    try:
        result = await run_in_threadpool(ingest_upload, request, file.filename, data)
    except DomainError as error:
        return _page(request, "dispensings", None, {"error": error})
    return _page(request, "dispensings", None, {"result": result})
