"""Jinja2 templates with what every page needs: translations, the CSRF token, navigation."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from sanyi import __version__
from sanyi.web.context import language, principal, translator
from sanyi.web.navigation import sections_for
from sanyi.web.security import csrf_token_for

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"
templates: Final = Jinja2Templates(directory=str(TEMPLATES_DIR))


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    who = principal(request)
    lang = language(request)
    base: dict[str, Any] = {
        "t": translator(request),
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "user": who,
        "nav": sections_for(who.role) if who is not None else [],
        "csrf_token": csrf_token_for(request),
        "current_path": request.url.path,
        "version": __version__,
    }
    base.update(context or {})
    return templates.TemplateResponse(request, template, base, status_code=status_code)
