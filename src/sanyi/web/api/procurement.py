"""Procurement API: the catalogue, the two-invoice check and its findings, orders and deliveries,
volume-based procurement (completion, warnings, savings, assessments), price alerts, shortages, use
and distribution concentration.

Regional authorities see the region, institution staff their own institution; the bureau runs the
check and records assessments. Family doctors have no procurement view.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from sanyi.identity.api import Principal, Role
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.knowledge.procurement import parameters as load_parameters
from sanyi.procurement.api import RULES, USE_GROUPS, completion_dict
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import container
from sanyi.web.errors import REQUEST_INVALID
from sanyi.web.filters import day
from sanyi.web.security import require_roles
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/api/procurement", tags=["procurement"], responses=ERROR_RESPONSES)
READERS = (
    Role.ADMIN,
    Role.INSURANCE_BUREAU,
    Role.HEALTH_COMMISSION,
    Role.REFORM_OFFICE,
    Role.INSTITUTION_STAFF,
)
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Bureau = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU, Role.ADMIN))]


def grouping(value: str) -> str:
    if value not in USE_GROUPS:
        raise DomainError(REQUEST_INVALID, path="by", reason=f"by must be one of {', '.join(USE_GROUPS)}")
    return value


def rows_json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [plain(row) for row in rows]


def plain(value: Any) -> Any:
    """JSON-safe: Money and Decimal as exact strings, dates as ISO text."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Money):
        return str(value.yuan)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@router.get("/parameters", summary="监测参数及依据 · parameters with their sources")
def parameters(_: Reader) -> list[dict[str, Any]]:
    return [asdict(source) for source in load_parameters().sources]


@router.get("/rules", summary="两票制核查规则 · the chain rules")
def rules(_: Reader) -> list[dict[str, str]]:
    return [asdict(rule) for rule in RULES.values()]


@router.get("/products", summary="药品耗材目录 · catalogue products")
def products(request: Request, _: Reader, q: str = "", limit: int = 200) -> list[dict[str, Any]]:
    return rows_json(container(request).procurement.products(viewer(request), q, min(limit, 1000)))


@router.post("/chain-check", summary="运行两票制核查 · run the two-invoice check")
def chain_check(
    request: Request, _: Bureau, start: str | None = None, end: str | None = None
) -> dict[str, int]:
    return container(request).procurement.check_chain(viewer(request), day(start, "start"), day(end, "end"))


@router.get("/findings", summary="两票制核查发现 · chain findings")
def findings(
    request: Request,
    _: Reader,
    rule: str | None = None,
    institution: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> dict[str, Any]:
    total, rows = container(request).procurement.findings(
        viewer(request), rule, institution, min(limit, 1000), offset
    )
    return {"total": total, "findings": plain(rows)}


@router.get("/deliveries/{delivery_id}", summary="送货单及其发票链 · a delivery with its invoices")
def delivery(request: Request, _: Reader, delivery_id: str) -> dict[str, Any]:
    result: dict[str, Any] = plain(container(request).procurement.delivery(viewer(request), delivery_id))
    return result


@router.get("/orders", summary="采购订单 · orders")
def orders(
    request: Request, _: Reader, institution: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    return rows_json(container(request).procurement.orders(viewer(request), institution, min(limit, 1000)))


@router.get("/completion", summary="带量采购完成进度 · completion of agreed volumes")
def completion(
    request: Request, _: Reader, as_of: str | None = None, monthly: bool = False
) -> list[dict[str, Any]]:
    items = container(request).procurement.completion(viewer(request), day(as_of, "as_of"), monthly=monthly)
    return [plain(completion_dict(item)) for item in items]


@router.get("/warnings", summary="进度滞后预警 · institutions lagging their agreed volumes")
def warnings(request: Request, _: Reader, as_of: str | None = None) -> list[dict[str, Any]]:
    return [
        plain(completion_dict(item))
        for item in container(request).procurement.warnings(viewer(request), day(as_of, "as_of"))
    ]


@router.get("/savings", summary="集采结余留用 · savings retained")
def savings(request: Request, _: Reader, as_of: str | None = None) -> list[dict[str, Any]]:
    return [
        plain(asdict(item))
        for item in container(request).procurement.savings(viewer(request), day(as_of, "as_of"))
    ]


class AssessmentIn(BaseModel):
    agreement_id: str = Field(min_length=1, max_length=32)
    institution: str = Field(min_length=1, max_length=12)
    passed: bool


@router.post("/assessments", summary="登记考核结果 · record an assessment", status_code=204)
def assess(request: Request, _: Bureau, body: AssessmentIn) -> None:
    container(request).procurement.record_assessment(
        viewer(request), body.agreement_id, body.institution, body.passed
    )


@router.get("/price-alerts", summary="价格预警 · price alerts")
def price_alerts(
    request: Request, _: Reader, start: str | None = None, end: str | None = None
) -> list[dict[str, Any]]:
    alerts = container(request).procurement.price_alerts(
        viewer(request), day(start, "start"), day(end, "end")
    )
    return [plain(asdict(alert)) for alert in alerts]


@router.get("/shortages", summary="短缺信号 · shortage signals")
def shortages(request: Request, _: Reader, as_of: str | None = None) -> list[dict[str, Any]]:
    return [
        plain(asdict(s))
        for s in container(request).procurement.shortages(viewer(request), day(as_of, "as_of"))
    ]


@router.get("/use", summary="药占比与百元耗材 · drug share and consumables per 100 yuan")
def use(
    request: Request, _: Reader, by: str = "institution", start: str | None = None, end: str | None = None
) -> list[dict[str, Any]]:
    group = grouping(by)
    return rows_json(
        container(request).procurement.use(viewer(request), group, day(start, "start"), day(end, "end"))
    )


@router.get("/concentration", summary="配送集中度 · distribution concentration")
def concentration(
    request: Request, _: Reader, start: str | None = None, end: str | None = None
) -> list[dict[str, Any]]:
    rows = container(request).procurement.concentration(viewer(request), day(start, "start"), day(end, "end"))
    return rows_json(rows)
