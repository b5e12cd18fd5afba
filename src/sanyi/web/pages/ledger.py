"""Ledger pages: the task list (by department, deadline, status, 督办) with its overdue badge, the
department view, a task with its reports, history and the forms of its workflow, Excel export,
the import template and the import of new tasks."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from sanyi.infrastructure.importer import OnError
from sanyi.infrastructure.sheets import template_bytes
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.errors import DomainError
from sanyi.ledger.api import LEDGER_INVALID_FIELD, TASKS, LedgerService, Status, TaskFilter
from sanyi.web.charts import bar_chart
from sanyi.web.context import container, translator
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/ledger", include_in_schema=False)
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUSES: Final = [s.value for s in Status] + ["逾期"]


def _filter(region: str, department: str, status: str, due_by: str, supervised: str) -> TaskFilter:
    return TaskFilter(
        department=department or None,
        status=status or None,
        region=region or None,
        due_by=date.fromisoformat(due_by) if due_by else None,
        supervised=True if supervised == "1" else None,
    )


def _regions() -> list[tuple[str, str]]:
    return sorted((code, region.name) for code, region in LedgerService.departments().items())


def _badge(request: Request) -> int:
    return container(request).ledger.overdue_count(viewer(request))


@router.get("", response_class=HTMLResponse)
def index(
    request: Request,
    _: CurrentPrincipal,
    region: Annotated[str, Query(pattern=r"^(\d{6})?$")] = "",
    department: str = "",
    status: str = "",
    due_by: Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = "",
    supervised: str = "",
) -> HTMLResponse:
    where = _filter(region, department, status, due_by, supervised)
    tasks = container(request).ledger.tasks(viewer(request), where)
    filters = {"region": region, "department": department, "status": status, "due_by": due_by}
    filters["supervised"] = supervised
    names = sorted({d.name for r in LedgerService.departments().values() for d in r.departments})
    return render(
        request,
        "ledger/index.html",
        {
            "tasks": tasks,
            "filters": filters,
            "statuses": STATUSES,
            "regions": _regions(),
            "departments": names,
            "overdue": _badge(request),
            "query": "&".join(f"{k}={quote(v)}" for k, v in filters.items() if v),
        },
    )


@router.get("/departments", response_class=HTMLResponse)
def departments(
    request: Request, _: CurrentPrincipal, region: Annotated[str, Query(pattern=r"^(\d{6})?$")] = ""
) -> HTMLResponse:
    rows = container(request).ledger.by_department(viewer(request), region or None)
    t = translator(request)
    chart = bar_chart(
        t("ledger.overdue_by_department"), [r["department"] for r in rows], [r["overdue"] for r in rows]
    )
    return render(
        request,
        "ledger/departments.html",
        {
            "rows": rows,
            "statuses": [s.value for s in Status],
            "chart": chart,
            "region": region,
            "regions": _regions(),
            "overdue": _badge(request),
        },
    )


@router.get("/export.xlsx")
def export(
    request: Request,
    _: CurrentPrincipal,
    region: Annotated[str, Query(pattern=r"^(\d{6})?$")] = "",
    department: str = "",
    status: str = "",
    due_by: Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$")] = "",
    supervised: str = "",
) -> Response:
    where = _filter(region, department, status, due_by, supervised)
    data = container(request).ledger.export(viewer(request), where)
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="ledger.xlsx"'}
    )


@router.get("/template.xlsx")
def template(_: CurrentPrincipal) -> Response:
    example = [column.example for column in TASKS.columns]
    return Response(
        template_bytes(TASKS, example),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="ledger-template.xlsx"'},
    )


@router.post("/import", response_class=HTMLResponse, response_model=None)
async def import_tasks(request: Request, _: CurrentPrincipal) -> Response:
    form = await request.form()
    upload = form.get("file")
    on_error = OnError.SKIP if form.get("on_error") == "skip" else OnError.REJECT
    if not isinstance(upload, UploadFile) or not upload.filename:
        return RedirectResponse("/ledger", status_code=303)
    suffix = Path(upload.filename).suffix.lower()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix if suffix in ('.xlsx', '.csv') else '.xlsx'}"
        path.write_bytes(await upload.read())
        result = container(request).ledger.import_file(viewer(request), path, on_error)
    return render(
        request, "ledger/imported.html", {"result": result}, status_code=200 if result.committed else 422
    )


def _task_page(request: Request, task_id: str, error: DomainError | None = None) -> HTMLResponse:
    task = container(request).ledger.task(viewer(request), task_id)
    for item in (*task["events"], *task["reports"]):
        item["at"] = item["at"].astimezone(SHANGHAI)  # shown in local time
    for key in ("submitted_at", "verified_at", "approved_at"):
        if task[key] is not None:
            task[key] = task[key].astimezone(SHANGHAI)
    return render(
        request,
        "ledger/task.html",
        {"task": task, "error": error, "overdue": _badge(request)},
        status_code=422 if error else 200,
    )


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
def task_page(task_id: str, request: Request, _: CurrentPrincipal) -> HTMLResponse:
    return _task_page(request, task_id)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            LEDGER_INVALID_FIELD,
            field="deadline",
            value=value,
            reason="not a date YYYY-MM-DD",
            reason_zh="不是有效日期（YYYY-MM-DD）",
            path="deadline",
        ) from None


def _changes(text: Callable[[str], str]) -> dict[str, Any]:
    """The fields an adjustment form fills in (empty inputs leave a field as it is)."""
    parse: dict[str, Callable[[str], Any]] = {
        "deadline": _day,
        "leader": str,
        "lead": str,
        "cooperating": _lines,
        "milestones": _milestones,
    }
    return {name: convert(text(name)) for name, convert in parse.items() if text(name)}


def _milestones(value: str) -> list[dict[str, str]]:
    """One milestone a line: "YYYY-MM-DD what is due" (the service checks the dates)."""
    rows = [line.strip().split(maxsplit=1) for line in value.splitlines() if line.strip()]
    return [{"date": parts[0], "text": parts[1] if len(parts) > 1 else ""} for parts in rows]


def _lines(value: str) -> list[str]:
    return [part.strip() for part in value.replace("，", "、").replace(",", "、").split("、") if part.strip()]


@router.post("/tasks/{task_id}/{action}", response_class=HTMLResponse, response_model=None)
async def task_action(task_id: str, action: str, request: Request, _: CurrentPrincipal) -> Response:
    form = await request.form()

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    service, me = container(request).ledger, viewer(request)
    try:
        if action in ("report", "submit"):
            upload = form.get("attachment")
            attachment = None
            if isinstance(upload, UploadFile) and upload.filename:
                attachment = (upload.filename, await upload.read())
            service.report(me, task_id, text("text"), completed=action == "submit", attachment=attachment)
        elif action in ("verify", "reject"):
            service.verify(me, task_id, action == "verify", text("note"))
        elif action == "approve":
            service.approve(me, task_id, text("note"))
        elif action in ("flag", "unflag"):
            service.flag(me, task_id, action == "flag", text("note"))
        elif action == "adjust":
            service.adjust(me, task_id, _changes(text), text("reason"))
        else:
            return Response(status_code=404)
    except DomainError as error:
        return _task_page(request, task_id, error)
    return RedirectResponse(f"/ledger/tasks/{task_id}", status_code=303)


@router.get("/tasks/{task_id}/evidence/{report_id}")
def evidence(task_id: str, report_id: int, request: Request, _: CurrentPrincipal) -> Response:
    name, media_type, data = container(request).ledger.evidence(viewer(request), task_id, report_id)
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
