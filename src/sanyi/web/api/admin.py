"""User management and the audit log (administrators only)."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from sanyi.identity.api import Principal, Role
from sanyi.web.api.schemas import ERROR_RESPONSES, UserCreate, UserOut
from sanyi.web.context import actor, container
from sanyi.web.security import require_roles

router = APIRouter(prefix="/api/admin", tags=["admin"], responses=ERROR_RESPONSES)
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    record_type: str
    record_id: str | None
    source_ip: str | None
    detail: dict[str, Any]


@router.get("/users", summary="用户列表 · list users", response_model=list[UserOut])
def list_users(_: Admin, request: Request) -> list[UserOut]:
    return [UserOut.of(user) for user in container(request).identity.list_users()]


@router.post("/users", summary="新建用户 · create a user", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, _: Admin, request: Request) -> UserOut:
    user = container(request).identity.create_user(
        actor(request), body.username, body.password, body.role, body.display_name, body.institution_id
    )
    return UserOut.of(user)


@router.post("/users/{username}/disable", summary="停用用户 · disable a user", status_code=204)
def disable_user(username: str, _: Admin, request: Request) -> None:
    container(request).identity.disable_user(actor(request), username)


@router.get("/audit", summary="审计日志 · audit log", response_model=list[AuditEntryOut])
def audit_entries(
    _: Admin,
    request: Request,
    actor_name: Annotated[str | None, Query(alias="actor")] = None,
    record_type: str | None = None,
    record_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditEntryOut]:
    services = container(request)
    with services.uow() as uow:
        entries = services.audit.entries(
            uow.connection,
            actor=actor_name,
            record_type=record_type,
            record_id=record_id,
            limit=limit,
            offset=offset,
        )
    return [AuditEntryOut(**{**asdict(entry), "detail": dict(entry.detail)}) for entry in entries]
