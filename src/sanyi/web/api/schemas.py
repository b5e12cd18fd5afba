"""Request and response bodies shared by API routers."""

from datetime import datetime

from pydantic import BaseModel, Field

from sanyi.identity.api import Principal, Role, User


class ErrorBody(BaseModel):
    code: str
    message_zh: str
    message_en: str
    path: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorResponse} for status in (401, 403, 404, 409, 422, 429)
}


class UserOut(BaseModel):
    username: str
    display_name: str
    role: Role
    role_label_zh: str
    institution_id: str | None
    active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> "UserOut":
        return cls(
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            role_label_zh=user.role.label_zh,
            institution_id=user.institution_id,
            active=user.active,
            created_at=user.created_at,
            last_login_at=user.last_login_at,
        )


class PrincipalOut(BaseModel):
    username: str
    display_name: str
    role: Role
    institution_id: str | None

    @classmethod
    def of(cls, principal: Principal) -> "PrincipalOut":
        return cls(
            username=principal.username,
            display_name=principal.display_name,
            role=principal.role,
            institution_id=principal.institution_id,
        )


class UserCreate(BaseModel):
    username: str = Field(examples=["zhang.san"])
    password: str = Field(min_length=1)
    role: Role
    display_name: str | None = None
    institution_id: str | None = None


class TokenRequest(BaseModel):
    username: str
    password: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime
    user: PrincipalOut
