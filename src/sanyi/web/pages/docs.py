"""The API documentation page, served with local Swagger UI assets (no CDN)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sanyi.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    return render(request, "api_docs.html")
