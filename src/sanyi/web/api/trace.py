"""JSON API of drug traceability: the public code query (no login) and, for staff, an institution's
receipts and dispensings, duplicate dispensings, and event upload.

Staff see their own institution only; the regional roles see the region. Patient ids appear only in
the authenticated lists (audited by the service), never in the public answer.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile

from sanyi.trace.api import Duplicate, EventKind, IngestResult
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import client_ip, container
from sanyi.web.security import CurrentPrincipal
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/api/trace", tags=["drug traceability"], responses=ERROR_RESPONSES)
public_router = APIRouter(prefix="/api/public/trace", tags=["public drug trace"], responses=ERROR_RESPONSES)
Json = dict[str, Any]
RECEIPTS = (EventKind.RECEIVED,)
DISPENSINGS = (EventKind.DISPENSED, EventKind.CANCELLED)
UPLOAD_SUFFIXES = (".jsonl", ".xlsx", ".csv")


@public_router.get("/{code}", summary="追溯码查询 · what a traceability code says (no login, rate-limited)")
def public_lookup(code: str, request: Request) -> Json:
    return container(request).trace.public_lookup(client_ip(request), code)


def duplicate_record(d: Duplicate) -> Json:
    return {
        "code": d.repeat.code,
        "drug": d.drug,
        "first": _dispensing(d.first),
        "repeat": _dispensing(d.repeat),
    }


def _dispensing(record: Any) -> Json:
    return {
        "seq": record.seq,
        "institution": record.institution,
        "at": record.at.isoformat(),
        "person_id": record.person_id,
        "encounter_id": record.encounter_id,
        "line_no": record.line_no,
    }


def _events(rows: list[Json]) -> list[Json]:
    return [{**r, "at": r["at"].isoformat(), "expiry_date": r["expiry_date"].isoformat()} for r in rows]


@router.get("/receipts", summary="收货记录 · an institution's receipts")
def receipts(
    _: CurrentPrincipal, request: Request, institution: Annotated[str | None, Query()] = None
) -> list[Json]:
    return _events(container(request).trace.events(viewer(request), RECEIPTS, institution))


@router.get("/dispensings", summary="发药与冲正 · an institution's dispensings and cancellations")
def dispensings(
    _: CurrentPrincipal, request: Request, institution: Annotated[str | None, Query()] = None
) -> list[Json]:
    return _events(container(request).trace.events(viewer(request), DISPENSINGS, institution))


@router.get("/duplicates", summary="重复发药 · codes dispensed more than once")
def duplicates(_: CurrentPrincipal, request: Request) -> list[Json]:
    return [duplicate_record(d) for d in container(request).trace.duplicates(viewer(request))]


@router.post("/events", summary="上传追溯事件 · upload events (.jsonl, .xlsx, .csv)")
def upload(_: CurrentPrincipal, request: Request, file: Annotated[UploadFile, File()]) -> Json:
    return ingest_upload(request, file.filename or "", file.file.read()).to_dict()


def ingest_upload(request: Request, filename: str, data: bytes) -> IngestResult:
    """Keep the upload in a temporary file (the readers stream from disk) and ingest it; the file's
    suffix picks the reader (anything else is refused by the service)."""
    suffix = Path(filename).suffix.lower()[:8]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"events{suffix}"
        path.write_bytes(data)
        return container(request).trace.upload(viewer(request), path)
