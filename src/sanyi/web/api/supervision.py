"""Supervision API: run the rules over stored claims, check one claim (事中), findings and their
dashboard, the case workflow and a practitioner's points.

The bureau runs, opens, assigns, advances and decides; institution staff see their institution's
findings and cases, add comments and appeal; other regional roles read.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, Field

from sanyi.identity.api import Principal, Role
from sanyi.kernel.errors import DomainError
from sanyi.supervision.api import (
    SUPERVISION_INVALID_OUTCOME,
    Outcome,
    check_claim,
    load_rules,
    parse_claim,
    select_rules,
)
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import container
from sanyi.web.security import CurrentPrincipal, require_roles
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/api/supervision", tags=["supervision"], responses=ERROR_RESPONSES)
Bureau = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU))]
Party = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU, Role.INSTITUTION_STAFF))]


def fen(text: str, field: str) -> int:
    """Yuan as a decimal string → fen, exactly; anything else names the field."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise DomainError(
            SUPERVISION_INVALID_OUTCOME, field=field, reason="not a decimal", reason_zh="不是金额"
        ) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise DomainError(
            SUPERVISION_INVALID_OUTCOME,
            field=field,
            reason="yuan with 2 decimals",
            reason_zh="须为两位小数的元",
        )
    return int(value * 100)


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in row.items() if k != "attachment"}


@router.get("/rules", summary="监管规则 · the rules (rules.yaml)")
def rules(_: CurrentPrincipal) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "title_zh": r.title_zh,
            "title_en": r.title_en,
            "basis": r.basis,
            "result": r.result,
            "window": r.window,
            "scenes": r.scenes,
            "stage": r.stage,
            "levels": r.levels,
            "parameters": r.parameters,
            "version": r.version,
            "region": r.region,
        }
        for r in load_rules()
    ]


@router.post("/check", summary="事中审核 · check one claim (claim.md) against the rules")
def check(
    _: Party,
    claim: Annotated[dict[str, Any], Body()],
    rules: Annotated[str | None, Query(description="Rule ids, comma-separated")] = None,
) -> list[dict[str, Any]]:
    chosen = select_rules(rules.split(",") if rules else None)
    return [f.record() for f in check_claim(parse_claim(claim), chosen)]


@router.post("/runs", summary="事后审核 · run the rules over the stored claims of a period")
def run(
    _: Bureau,
    request: Request,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    rules: Annotated[str | None, Query()] = None,
) -> dict[str, int]:
    ids = rules.split(",") if rules else None
    return {"new_findings": container(request).supervision.run_stored(viewer(request), start, end, ids)}


@router.get("/findings", summary="监管发现 · findings (own institution's for its staff)")
def findings(
    _: CurrentPrincipal,
    request: Request,
    rule_id: str | None = None,
    institution_id: str | None = None,
    doctor_id: str | None = None,
    month: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    total, rows = container(request).supervision.findings(
        viewer(request),
        rule_id=rule_id,
        institution_id=institution_id,
        doctor_id=doctor_id,
        month=month,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "items": [_json(r) for r in rows]}


@router.get("/dashboard", summary="监管看板 · findings by rule, institution, doctor and month")
def dashboard(_: CurrentPrincipal, request: Request) -> dict[str, Any]:
    return container(request).supervision.dashboard(viewer(request))


@router.post("/findings/{finding_id}/case", status_code=201, summary="立案 · open a case for a finding")
def open_case(finding_id: int, _: Bureau, request: Request) -> dict[str, int]:
    return {"case_id": container(request).supervision.open_case(viewer(request), finding_id)}


@router.get("/cases", summary="案件队列 · the case queue")
def cases(_: CurrentPrincipal, request: Request, stage: str | None = None) -> list[dict[str, Any]]:
    return [_json(c) for c in container(request).supervision.cases(viewer(request), stage)]


@router.get("/cases/{case_id}", summary="案件 · a case with its finding and events")
def read_case(case_id: int, _: CurrentPrincipal, request: Request) -> dict[str, Any]:
    case = container(request).supervision.case(viewer(request), case_id)
    return {
        **_json({k: v for k, v in case.items() if k not in ("finding", "events")}),
        "finding": _json(case["finding"]),
        "events": [_json(e) for e in case["events"]],
    }


class Text(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class Assignment(BaseModel):
    assignee: str = Field(min_length=1, max_length=64)


class Decision(BaseModel):
    deduction: str = Field(description="扣款（元）, e.g. '120.00'")
    severity: str | None = Field(None, description="一般 / 较重 / 严重 / 特别严重; null: no points")
    base_points: int = 0
    responsibility: str | None = Field(None, description="主要责任 / 重要责任 / 一般责任")
    referral: bool = False
    note: str = ""


@router.post("/cases/{case_id}/assign", summary="分派 · assign a case")
def assign(case_id: int, body: Assignment, _: Bureau, request: Request) -> dict[str, str]:
    container(request).supervision.assign(viewer(request), case_id, body.assignee)
    return {"assignee": body.assignee}


@router.post("/cases/{case_id}/comments", status_code=201, summary="意见 · comment on a case")
def comment(case_id: int, body: Text, _: Party, request: Request) -> dict[str, str]:
    container(request).supervision.comment(viewer(request), case_id, body.text)
    return {"text": body.text}


@router.post("/cases/{case_id}/advance", summary="推进 · move a case to its next stage")
def advance(case_id: int, _: Bureau, request: Request, body: Text | None = None) -> dict[str, str]:
    stage = container(request).supervision.advance(viewer(request), case_id, body.text if body else None)
    return {"stage": stage}


@router.post("/cases/{case_id}/appeal", summary="申诉 · the institution's appeal")
def appeal(case_id: int, body: Text, _: Party, request: Request) -> dict[str, str]:
    container(request).supervision.appeal(viewer(request), case_id, body.text)
    return {"text": body.text}


@router.post("/cases/{case_id}/decision", summary="处理 · decide a case (deduction, points, referral)")
def decide(case_id: int, body: Decision, _: Bureau, request: Request) -> dict[str, int]:
    outcome = Outcome(
        fen(body.deduction, "deduction"),
        body.severity,
        body.base_points,
        body.responsibility,
        body.referral,
        body.note,
    )
    return {"points": container(request).supervision.decide(viewer(request), case_id, outcome)}


@router.get("/practitioners/{doctor_id}/score", summary="医保医师记分 · a practitioner's points and standing")
def score(
    doctor_id: str,
    _: CurrentPrincipal,
    request: Request,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> dict[str, Any]:
    result = container(request).supervision.score(viewer(request), doctor_id, year)
    result["history"] = [_json(h) for h in result["history"]]
    return result
