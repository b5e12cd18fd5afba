"""Login and logout pages."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sanyi.identity.api import AUTH_INVALID_CREDENTIALS, TokenKind
from sanyi.kernel.errors import DomainError
from sanyi.web.context import client_ip, container, principal, translator
from sanyi.web.security import clear_session_cookie, set_session_cookie
from sanyi.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(next_url: str | None) -> str:
    # Only local paths: never redirect a user off-site after login.
    if next_url and next_url.startswith("/") and not next_url.startswith("//"):
        return next_url
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    if principal(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
async def login_submit(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    services = container(request)
    try:
        issued = await run_in_threadpool(
            services.identity.login, username.strip(), password, TokenKind.SESSION, client_ip(request)
        )
    except DomainError as error:
        status = 429 if error.code != AUTH_INVALID_CREDENTIALS.code else 401
        message = translator(request).pick(error.message_zh, error.message_en)
        return render(request, "login.html", {"next": _safe_next(next), "error": message}, status_code=status)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, issued.token, services.settings.session_hours * 3600)
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    who = principal(request)
    if who is not None:
        container(request).identity.logout(who, client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response
