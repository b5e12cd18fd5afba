"""Authentication gate, role checks and CSRF protection for every route.

The gate is a global dependency, so access is denied by default: only the paths in
``is_anonymous_path`` answer without a login. Pages use a session cookie (HttpOnly, SameSite=Lax,
Secure behind TLS) and CSRF tokens on every unsafe request; API clients send a bearer token.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from starlette.concurrency import run_in_threadpool

from sanyi.identity.api import AUTH_CSRF_FAILED, AUTH_FORBIDDEN, AUTH_REQUIRED, Principal, Role, TokenKind
from sanyi.kernel.errors import DomainError
from sanyi.web.context import container, is_api, is_secure, principal

SESSION_COOKIE = "sanyi_session"
CSRF_COOKIE = "sanyi_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_ANONYMOUS_EXACT = frozenset({"/healthz", "/login", "/api/docs", "/api/openapi.json", "/public"})
_ANONYMOUS_PREFIXES = ("/login/", "/static/", "/public/", "/api/public/")


def is_anonymous_path(path: str) -> bool:
    return path in _ANONYMOUS_EXACT or path.startswith(_ANONYMOUS_PREFIXES)


class LoginRequiredError(Exception):
    """A page needs a login: answered with a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def authenticate(request: Request) -> None:
    """Global dependency: resolve the caller, deny anonymous access outside the public paths."""
    identity = container(request).identity
    bearer = _bearer_token(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    found: Principal | None = None
    if bearer is not None:
        found = await run_in_threadpool(identity.resolve, bearer)
        if found is not None and found.token_kind is not TokenKind.API:
            found = None  # a session cookie's token is not accepted as a bearer token
    elif cookie is not None:
        found = await run_in_threadpool(identity.resolve, cookie)
        if found is not None and found.token_kind is not TokenKind.SESSION:
            found = None
    request.state.principal = found
    if found is None and not is_anonymous_path(request.url.path):
        if is_api(request):
            raise DomainError(AUTH_REQUIRED)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequiredError(target)
    if request.method in UNSAFE_METHODS and bearer is None and (found is not None or _is_form(request)):
        # Ambient credentials (the session cookie) and form posts (the login form) need a CSRF
        # token; a JSON call without a cookie carries no authority a third site could borrow.
        await _check_csrf(request, found)


def _is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
    )


def csrf_binding(request: Request, who: Principal | None) -> str:
    """What a CSRF token is bound to: the session, or before login the anonymous CSRF cookie."""
    if who is not None and who.token_kind is TokenKind.SESSION:
        return who.token_hash
    existing = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if existing is None:
        existing = secrets.token_urlsafe(24)
        request.state.new_csrf_cookie = existing  # set on the response by the middleware
    return str(existing)


def csrf_token_for(request: Request) -> str:
    return container(request).identity.csrf_token(csrf_binding(request, principal(request)))


async def _check_csrf(request: Request, who: Principal | None) -> None:
    submitted = request.headers.get(CSRF_HEADER)
    if (
        submitted is None
        and _is_form(request)
        and not request.headers.get("content-type", "").startswith("text/")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    binding = who.token_hash if who is not None else request.cookies.get(CSRF_COOKIE)
    if binding is None or not container(request).identity.csrf_valid(binding, submitted):
        raise DomainError(AUTH_CSRF_FAILED)


def current_principal(request: Request) -> Principal:
    who = principal(request)
    if who is None:
        raise DomainError(AUTH_REQUIRED)
    return who


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[[Request], Principal]:
    """A dependency that lets only the given roles through (403 for the others)."""
    allowed = frozenset(roles)

    def check(request: Request) -> Principal:
        who = current_principal(request)
        if who.role not in allowed:
            raise DomainError(AUTH_FORBIDDEN)
        return who

    return check


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_redirect(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")
