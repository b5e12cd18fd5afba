"""Liveness and readiness: is the app up and can it reach its database."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from sanyi import __version__
from sanyi.web.context import container

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="健康检查 · health check")
def healthz(request: Request) -> JSONResponse:
    body: dict[str, Any] = {"status": "ok", "version": __version__}
    try:
        with container(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        body["database"] = "ok"
        status = 200
    except Exception as error:
        body.update(status="degraded", database=type(error).__name__)
        status = 503
    return JSONResponse(body, status_code=status)
