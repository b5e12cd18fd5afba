"""Pricing API: the schedules (service prices, 按病种收费) by area and day, an institution's three
public lists, and the import of a schedule file (the bureau, which sets prices since 2018).

Prices are public, so every signed-in reader may list them; an institution's dispensed drugs follow
procurement's scope (institution staff see their own)."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from sanyi.identity.api import Principal, Role
from sanyi.infrastructure.importer import ImportResult, OnError
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.pricing.api import CasePrice, DrugPrice, Priced, ServicePrice, check_kind
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import container
from sanyi.web.errors import REQUEST_INVALID
from sanyi.web.filters import day
from sanyi.web.prices import period_days
from sanyi.web.security import require_roles
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/api/pricing", tags=["pricing"], responses=ERROR_RESPONSES)
READERS = (
    Role.ADMIN,
    Role.INSURANCE_BUREAU,
    Role.HEALTH_COMMISSION,
    Role.REFORM_OFFICE,
    Role.INSTITUTION_STAFF,
)
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Bureau = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU, Role.ADMIN))]
UPLOAD_SUFFIXES = (".xlsx", ".csv")


def _money(value: Money | None) -> str | None:
    return None if value is None else str(value.yuan)


def _levels(item: ServicePrice | CasePrice) -> dict[int, Money]:
    return dict(item.prices if isinstance(item, ServicePrice) else item.fees)


def version_json(item: ServicePrice | CasePrice) -> dict[str, Any]:
    out: dict[str, Any] = {
        "area": item.area,
        "key": item.key,
        "name": item.name,
        "prices": {str(level): _money(price) for level, price in sorted(_levels(item).items())},
        "effective_from": item.validity.effective_from.isoformat(),
        "effective_to": None
        if item.validity.effective_to is None
        else item.validity.effective_to.isoformat(),
        "version": item.version,
        "source": item.source,
    }
    if isinstance(item, ServicePrice):
        out.update(code=item.code, unit=item.unit, note=item.note)
    else:
        out.update(
            disease_code=item.disease_code,
            operation_code=item.operation_code,
            includes=item.includes,
            excludes=item.excludes,
        )
    return out


def priced_json(p: Priced) -> dict[str, Any]:
    return {**version_json(p.item), "price": _money(p.price), "billed": p.billed}


def drug_json(d: DrugPrice) -> dict[str, Any]:
    def text(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return {
        "code": d.code,
        "name": d.name,
        "sale_prices": [str(p) for p in d.sale_prices],
        "purchase_price": text(d.purchase_price),
        "purchase_basis": d.purchase_basis,
        "markup": text(d.markup),
        "marked_up": d.marked_up,
        "quantity": str(d.quantity),
        "amount": str(d.amount.yuan),
    }


def _period(period: str) -> tuple[date, date]:
    try:
        days = period_days(period)
    except (ValueError, DomainError):
        raise DomainError(
            REQUEST_INVALID, path="period", reason="period must be YYYY, YYYYQn or YYYY-MM"
        ) from None
    return days.first, days.last


@router.get("/schedules/{kind}", summary="价格目录 · the versions of a schedule")
def schedule(
    request: Request,
    _: Reader,
    kind: str,
    area: Annotated[str, Query(max_length=6)] = "",
    on: Annotated[str | None, Query(description="only versions in force on this day")] = None,
    q: Annotated[str, Query(max_length=64)] = "",
) -> list[dict[str, Any]]:
    items = container(request).pricing.versions(check_kind(kind), area, day(on, "on"), q)
    return [version_json(item) for item in items]


@router.get("/institutions/{code}/services", summary="机构执行的医疗服务项目价格 · service prices")
def services(
    request: Request,
    _: Reader,
    code: str,
    period: str,
    q: Annotated[str, Query(max_length=64)] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    first, last = _period(period)
    page = container(request).pricing.service_prices(code, last, first, q, offset, limit)
    return {"total": page.total, "items": [priced_json(p) for p in page.rows]}


@router.get("/institutions/{code}/drugs", summary="机构药品销售价与采购价 · drugs at zero mark-up")
def drugs(request: Request, _: Reader, code: str, period: str) -> list[dict[str, Any]]:
    first, last = _period(period)
    return [drug_json(d) for d in container(request).pricing.drug_prices(viewer(request), code, first, last)]


@router.get("/institutions/{code}/cases", summary="机构执行的按病种收费 · per-case prices")
def cases(request: Request, _: Reader, code: str, period: str) -> list[dict[str, Any]]:
    last = _period(period)[1]
    return [priced_json(p) for p in container(request).pricing.case_prices(code, last)]


def import_upload(request: Request, kind: str, filename: str, data: bytes, on_error: OnError) -> ImportResult:
    """Keep the upload in a temporary file (the importer streams from disk) and import it."""
    suffix = Path(filename).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise DomainError(REQUEST_INVALID, path="file", reason="upload an .xlsx or .csv file")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"schedule{suffix}"
        path.write_bytes(data)
        actor = viewer(request).actor
        return container(request).pricing.import_schedule(actor, check_kind(kind), path, on_error)


@router.post("/schedules/{kind}/import", summary="导入价格目录 · import a schedule file (bureau)")
async def import_schedule(
    request: Request,
    _: Bureau,
    kind: str,
    file: Annotated[UploadFile, File()],
    on_error: OnError = OnError.REJECT,
) -> dict[str, Any]:
    data = await file.read()
    result = await run_in_threadpool(import_upload, request, kind, file.filename or "", data, on_error)
    return result.to_dict()
