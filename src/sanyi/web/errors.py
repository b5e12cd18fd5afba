"""Errors → HTTP, in one place: DomainError kinds map to statuses; pages get an error page."""

from __future__ import annotations

import logging
import uuid
from typing import Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from sanyi.kernel.errors import DomainError, ErrorKind, ErrorSpec
from sanyi.web.context import is_api, translator
from sanyi.web.security import LoginRequiredError, login_redirect
from sanyi.web.templating import render

STATUS: Final = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.THROTTLED: 429,
    ErrorKind.CONFIGURATION: 500,
}

REQUEST_INVALID = ErrorSpec(
    "REQUEST_INVALID", ErrorKind.INVALID, "请求内容无效：{reason}", "invalid request: {reason}"
)
NOT_FOUND = ErrorSpec("NOT_FOUND", ErrorKind.NOT_FOUND, "未找到：{target}", "not found: {target}")
METHOD_NOT_ALLOWED = ErrorSpec(
    "METHOD_NOT_ALLOWED", ErrorKind.INVALID, "不支持该请求方法", "method not allowed"
)
INTERNAL_ERROR = ErrorSpec(
    "INTERNAL_ERROR",
    ErrorKind.CONFIGURATION,
    "服务器内部错误（编号 {request_id}）",
    "internal server error (reference {request_id})",
)

_log = logging.getLogger("sanyi.web")


def status_of(kind: ErrorKind) -> int:
    return STATUS[kind]


def _respond(request: Request, error: DomainError, status: int) -> Response:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if is_api(request):
        return JSONResponse({"error": error.to_dict()}, status_code=status, headers=headers)
    t = translator(request)
    return render(
        request,
        "error.html",
        {"error": error, "message": t.pick(error.message_zh, error.message_en)},
        status_code=status,
    )


async def _domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, DomainError)
    return _respond(request, error, status_of(error.kind))


async def _login_required(request: Request, error: Exception) -> Response:
    assert isinstance(error, LoginRequiredError)
    return RedirectResponse(login_redirect(error.next_url), status_code=303)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid"}
    path = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    domain = DomainError(REQUEST_INVALID, path=path or None, reason=str(first.get("msg", "invalid")))
    return _respond(request, domain, 422)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404:
        return _respond(request, DomainError(NOT_FOUND, target=request.url.path), 404)
    if error.status_code == 405:
        return _respond(request, DomainError(METHOD_NOT_ALLOWED), 405)
    return JSONResponse({"error": {"code": "HTTP_ERROR", "message_en": str(error.detail)}}, error.status_code)


async def _unexpected(request: Request, error: Exception) -> Response:
    request_id = uuid.uuid4().hex[:12]
    _log.exception("unhandled error", extra={"fields": {"request_id": request_id, "path": request.url.path}})
    return _respond(request, DomainError(INTERNAL_ERROR, request_id=request_id), 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(LoginRequiredError, _login_required)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
