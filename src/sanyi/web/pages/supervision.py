"""Supervision pages: the findings dashboard (ECharts by rule, institution, doctor and month), the
findings list with its Excel export, the case queue, a case with its workflow forms, and a doctor's
score card."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from sanyi.identity.api import Principal, Role
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.errors import DomainError
from sanyi.supervision.api import Outcome, load_rules, load_workflow
from sanyi.web.api.supervision import fen
from sanyi.web.charts import bar_chart
from sanyi.web.context import container, translator
from sanyi.web.security import CurrentPrincipal, require_roles
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/supervision", include_in_schema=False)
Bureau = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU))]
Party = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU, Role.INSTITUTION_STAFF))]
PAGE: Final = 50
EXPORT_LIMIT: Final = 100_000
FINDING_COLUMNS: Final = (
    "id",
    "claim_id",
    "line_no",
    "rule_id",
    "result",
    "institution_id",
    "doctor_id",
    "claim_day",
    "amount",
    "message_zh",
    "message_en",
)


def _titles(request: Request) -> dict[str, str]:
    t = translator(request)
    return {rule.id: t.pick(rule.title_zh, rule.title_en) for rule in load_rules()}


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    t = translator(request)
    board = container(request).supervision.dashboard(viewer(request))
    titles = _titles(request)
    charts = {
        "rule": bar_chart(
            t("supervision.by_rule"),
            [titles.get(x["key"], x["key"]) for x in board["by_rule"]],
            [x["count"] for x in board["by_rule"]],
        ),
        "institution": bar_chart(
            t("supervision.by_institution"),
            [x["name"] or x["key"] for x in board["by_institution"]],
            [x["count"] for x in board["by_institution"]],
        ),
        "doctor": bar_chart(
            t("supervision.by_doctor"),
            [f"{x['name']} {x['key']}" if x["name"] else x["key"] for x in board["by_doctor"]],
            [x["count"] for x in board["by_doctor"]],
        ),
        "month": bar_chart(
            t("supervision.by_month"),
            [x["key"] for x in board["by_month"]],
            [x["count"] for x in board["by_month"]],
            horizontal=False,
        ),
    }
    total = sum(x["count"] for x in board["by_rule"])
    amount = sum(x["amount"] for x in board["by_rule"])
    return render(
        request,
        "supervision/dashboard.html",
        {"charts": charts, "board": board, "titles": titles, "total": total, "amount": amount},
    )


@router.post("/run")
async def run(request: Request, _: Bureau) -> RedirectResponse:
    form = await request.form()

    def day(name: str) -> date | None:
        value = form.get(name)
        return date.fromisoformat(value) if isinstance(value, str) and value else None

    container(request).supervision.run_stored(viewer(request), day("from"), day("to"))
    return RedirectResponse("/supervision", status_code=303)


def _filters(rule_id: str, institution_id: str, doctor_id: str, month: str) -> dict[str, str]:
    return {"rule_id": rule_id, "institution_id": institution_id, "doctor_id": doctor_id, "month": month}


def _find(
    request: Request, filters: dict[str, str], limit: int, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    return container(request).supervision.findings(
        viewer(request),
        rule_id=filters["rule_id"] or None,
        institution_id=filters["institution_id"] or None,
        doctor_id=filters["doctor_id"] or None,
        month=filters["month"] or None,
        limit=limit,
        offset=offset,
    )


@router.get("/findings", response_class=HTMLResponse)
def findings(
    request: Request,
    _: CurrentPrincipal,
    rule_id: str = "",
    institution_id: str = "",
    doctor_id: str = "",
    month: Annotated[str, Query(pattern=r"^(\d{4}-\d{2})?$")] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    filters = _filters(rule_id, institution_id, doctor_id, month)
    total, rows = _find(request, filters, PAGE, (page - 1) * PAGE)
    return render(
        request,
        "supervision/findings.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE)),
            "filters": filters,
            "titles": _titles(request),
            "rules": load_rules(),
        },
    )


@router.get("/findings.xlsx")
def findings_excel(
    request: Request,
    _: CurrentPrincipal,
    rule_id: str = "",
    institution_id: str = "",
    doctor_id: str = "",
    month: Annotated[str, Query(pattern=r"^(\d{4}-\d{2})?$")] = "",
) -> Response:
    """The findings under the filters as an Excel workbook (amounts in yuan)."""
    rows = _find(request, _filters(rule_id, institution_id, doctor_id, month), EXPORT_LIMIT)[1]
    t = translator(request)
    body = [
        [
            f"{r[c] / 100:.2f}" if c == "amount" else (r[c].isoformat() if c == "claim_day" else r[c])
            for c in FINDING_COLUMNS
        ]
        for r in rows
    ]
    workbook = xlsx_bytes({t("supervision.findings"): (FINDING_COLUMNS, body)})
    return Response(
        workbook,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="supervision-findings.xlsx"'},
    )


@router.post("/findings/{finding_id}/case")
def open_case(finding_id: int, request: Request, _: Bureau) -> RedirectResponse:
    case_id = container(request).supervision.open_case(viewer(request), finding_id)
    return RedirectResponse(f"/supervision/cases/{case_id}", status_code=303)


@router.get("/cases", response_class=HTMLResponse)
def cases(request: Request, _: CurrentPrincipal, stage: str = "") -> HTMLResponse:
    rows = container(request).supervision.cases(viewer(request), stage or None)
    stages = [s.name for s in load_workflow().stages] + ["结案"]
    return render(
        request,
        "supervision/cases.html",
        {"rows": rows, "stage": stage, "stages": stages, "titles": _titles(request), "today": date.today()},  # noqa: DTZ011
    )


def _case_page(request: Request, case_id: int, error: DomainError | None = None) -> HTMLResponse:
    case = container(request).supervision.case(viewer(request), case_id)
    for event in case["events"]:
        event["at"] = event["at"].astimezone(SHANGHAI)  # shown in local time
    flow = load_workflow()
    return render(
        request,
        "supervision/case.html",
        {
            "case": case,
            "stages": flow.stages,
            "scoring": flow.scoring,
            "titles": _titles(request),
            "error": error,
        },
        status_code=422 if error else 200,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request, _: CurrentPrincipal) -> HTMLResponse:
    return _case_page(request, case_id)


@router.post("/cases/{case_id}/{action}", response_class=HTMLResponse, response_model=None)
async def case_action(case_id: int, action: str, request: Request, _: Party) -> Response:
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    # The service refuses assign, advance and decide to institution staff (regional roles only).
    service, me = container(request).supervision, viewer(request)
    try:
        if action == "assign":
            service.assign(me, case_id, text("assignee"))
        elif action == "comment":
            upload = form.get("attachment")
            attachment = None
            if isinstance(upload, UploadFile) and upload.filename:
                data = await upload.read()
                attachment = (upload.filename, upload.content_type or "application/octet-stream", data)
            service.comment(me, case_id, text("text") or (attachment[0] if attachment else ""), attachment)
        elif action == "advance":
            service.advance(me, case_id, text("text") or None)
        elif action == "appeal":
            service.appeal(me, case_id, text("text"))
        elif action == "decide":
            severity = text("severity") or None
            base = text("base_points")
            outcome = Outcome(
                fen(text("deduction") or "0.00", "deduction"),
                severity,
                int(base) if base.isdigit() else 0,
                text("responsibility") or None,
                form.get("referral") == "on",
                text("text"),
            )
            service.decide(me, case_id, outcome)
        else:
            return Response(status_code=404)
    except DomainError as error:
        return _case_page(request, case_id, error)
    return RedirectResponse(f"/supervision/cases/{case_id}", status_code=303)


@router.get("/cases/{case_id}/attachments/{event_id}")
def attachment(case_id: int, event_id: int, request: Request, _: CurrentPrincipal) -> Response:
    name, media_type, data = container(request).supervision.attachment(viewer(request), case_id, event_id)
    encoded = quote(name)
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{encoded}"},
    )


@router.get("/doctors/{doctor_id}", response_class=HTMLResponse)
def doctor_page(
    doctor_id: str,
    request: Request,
    _: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> HTMLResponse:
    score = container(request).supervision.score(viewer(request), doctor_id, year)
    gauge = _gauge(score["points"], score["thresholds"], translator(request)("supervision.points"))
    return render(request, "supervision/doctor.html", {"score": score, "gauge": gauge})


def _gauge(points: int, thresholds: dict[str, int], label: str) -> str:
    """A gauge of the year's points with the interview, suspension and termination bands."""
    import json

    top = thresholds["termination"]
    option: dict[str, Any] = {
        "series": [
            {
                "type": "gauge",
                "min": 0,
                "max": top,
                "splitNumber": top,
                "axisLine": {
                    "lineStyle": {
                        "width": 18,
                        "color": [
                            [thresholds["interview"] / top, "#0b6e4f"],
                            [thresholds["suspension"] / top, "#e0a800"],
                            [(top - 0.001) / top, "#d9534f"],
                            [1, "#7a0000"],
                        ],
                    }
                },
                "detail": {"formatter": f"{{value}} {label}", "fontSize": 18},
                "data": [{"value": min(points, top)}],
            }
        ]
    }
    return json.dumps(option, ensure_ascii=False)
