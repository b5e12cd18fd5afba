"""Server-rendered pages (Jinja2 + HTMX), one module per part of the platform."""

from fastapi import APIRouter

from sanyi.web.pages import admin, auth, docs, public, shell, templates_download


def routers() -> list[APIRouter]:
    return [auth.router, shell.router, admin.router, public.router, docs.router, templates_download.router]
