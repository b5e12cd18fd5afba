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
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.errors import DomainError, ErrorKind
from sanyi.trace.api import EVENT_LABELS, EVENTS, EventKind
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


EVENT_HEADER: Final = (
    "时间",
    "环节",
    "追溯码",
    "药品",
    "批号",
    "有效期至",
    "主体",
    "对方",
    "患者编号",
    "就诊ID",
    "费用明细序号",
    "冲正原因",
)
DUPLICATE_HEADER: Final = (
    "追溯码",
    "药品 · 批号",
    "首次发药机构",
    "首次发药时间",
    "首次就诊ID",
    "首次患者编号",
    "再次发药机构",
    "再次发药时间",
    "再次就诊ID",
    "再次患者编号",
)


@router.get("/export.xlsx")
def export(
    request: Request,
    _: CurrentPrincipal,
    view: Annotated[str, Query(pattern="^(receipts|dispensings|duplicates)$")] = "dispensings",
    institution: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    """The page's list as Excel (same scope; listing patients is audited by the service)."""
    service, me = container(request).trace, viewer(request)
    if view == "duplicates":
        header: tuple[str, ...] = DUPLICATE_HEADER
        rows: list[list[Any]] = [
            [d.repeat.code, d.drug]
            + [
                x
                for r in (d.first, d.repeat)
                for x in (r.institution, local_time(r.at), r.encounter_id, r.person_id)
            ]
            for d in service.duplicates(me)
        ]
    else:
        header = EVENT_HEADER
        rows = [
            [
                local_time(r["at"]),
                EVENT_LABELS[EventKind(r["kind"])],
                r["code"],
                r["generic_name"],
                r["batch"],
                r["expiry_date"].isoformat(),
                r["party_name"],
                r["counterpart_name"],
                r["person_id"],
                r["encounter_id"],
                r["line_no"],
                r["reason"],
            ]
            for r in service.events(me, VIEWS[view], institution or None)
        ]
    return Response(
        xlsx_bytes({view: (header, rows)}),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename=trace-{view}.xlsx"},
    )


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
