"""The FastAPI application: routers, the default-deny auth gate, error handlers, static assets."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Final

from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from sanyi import __version__
from sanyi.bootstrap import Container, build_container
from sanyi.web import api, pages
from sanyi.web.context import LANGUAGE_COOKIE, is_secure
from sanyi.web.errors import install_error_handlers
from sanyi.web.i18n import LANGUAGES
from sanyi.web.security import CSRF_COOKIE, authenticate

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"

# Everything is served from this origin: no CDN, no inline script, no framing.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

_access_log = logging.getLogger("sanyi.web.access")


def app_from_environment() -> FastAPI:
    """The app of one server worker process, configured from ``SANYI_*`` (``sanyi serve --workers``)."""
    return create_app(build_container())


def create_app(container: Container) -> FastAPI:
    app = FastAPI(
        title="Sanyi 三医 API",
        version=__version__,
        summary="三医联动综合平台接口 · API of the Sanyi platform",
        openapi_url="/api/openapi.json",
        docs_url=None,  # served by pages.docs with local assets
        redoc_url=None,
        dependencies=[Depends(authenticate)],
    )
    container.identity  # noqa: B018 - needs the secret key: fail at start, not at the first login
    app.state.container = container
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in (*api.routers(), *pages.routers()):
        app.include_router(router)
    app.middleware("http")(_per_request)
    return app


async def _per_request(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
    request.state.request_id = request_id
    started = time.perf_counter()
    response = await call_next(request)
    elapsed_ms = (time.perf_counter() - started) * 1000
    _set_headers(request, response, request_id)
    # Time spent inside the app, so a client can tell it from queueing and network (a load test's split).
    response.headers["Server-Timing"] = f"app;dur={elapsed_ms:.1f}"
    who = getattr(request.state, "principal", None)
    _access_log.info(
        "request",
        extra={
            "fields": {
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round(elapsed_ms, 1),
                "user": who.username if who is not None else None,
            }
        },
    )
    return response


def _set_headers(request: Request, response: Response, request_id: str) -> None:
    headers = response.headers
    headers["X-Request-ID"] = request_id
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if is_secure(request):
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.url.path.startswith("/api/") and "cache-control" not in headers:
        headers["Cache-Control"] = "no-store"
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="lax", path="/")
    new_csrf = getattr(request.state, "new_csrf_cookie", None)
    if new_csrf is not None:
        response.set_cookie(
            CSRF_COOKIE, new_csrf, httponly=True, samesite="strict", secure=is_secure(request), path="/"
        )
