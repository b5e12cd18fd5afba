"""Public disclosure pages (no login)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sanyi.web.templating import render

router = APIRouter(prefix="/public", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def disclosure_index(request: Request) -> HTMLResponse:
    return render(request, "public/index.html")
