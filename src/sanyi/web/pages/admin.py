"""Administration pages: users and the audit log."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from sanyi.identity.api import Principal, Role
from sanyi.kernel.errors import DomainError
from sanyi.web.charts import bar_chart
from sanyi.web.context import actor, container, translator
from sanyi.web.security import require_roles
from sanyi.web.templating import render

router = APIRouter(prefix="/admin", include_in_schema=False)
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


def _users_page(
    request: Request, notice: str | None = None, error: str | None = None, status: int = 200
) -> HTMLResponse:
    users = container(request).identity.list_users()
    return render(
        request,
        "admin/users.html",
        {"users": users, "roles": list(Role), "notice": notice, "form_error": error},
        status_code=status,
    )


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, _: Admin) -> HTMLResponse:
    return _users_page(request)


@router.post("/users", response_class=HTMLResponse)
def create_user(
    request: Request,
    _: Admin,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[Role, Form()],
    display_name: Annotated[str, Form()] = "",
    institution_id: Annotated[str, Form()] = "",
) -> HTMLResponse:
    t = translator(request)
    try:
        user = container(request).identity.create_user(
            actor(request),
            username.strip(),
            password,
            role,
            display_name.strip() or None,
            institution_id.strip() or None,
        )
    except DomainError as error:
        return _users_page(request, error=t.pick(error.message_zh, error.message_en), status=422)
    return _users_page(request, notice=t("admin.created", username=user.username))


@router.post("/users/{username}/disable", response_class=HTMLResponse)
def disable_user(request: Request, username: str, _: Admin) -> HTMLResponse:
    container(request).identity.disable_user(actor(request), username)
    return _users_page(request, notice=translator(request)("admin.disabled", username=username))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, _: Admin, offset: int = 0) -> HTMLResponse:
    services = container(request)
    page_size = 50
    with services.uow() as uow:
        entries = services.audit.entries(uow.connection, limit=page_size + 1, offset=max(offset, 0))
        by_action = services.audit.counts_by_action(uow.connection, services.clock.now() - timedelta(days=30))
    t = translator(request)
    chart = bar_chart(t("admin.actions_30d"), [action for action, _ in by_action], [n for _, n in by_action])
    return render(
        request,
        "admin/audit.html",
        {
            "entries": entries[:page_size],
            "next_offset": offset + page_size if len(entries) > page_size else None,
            "chart": chart,
        },
    )
