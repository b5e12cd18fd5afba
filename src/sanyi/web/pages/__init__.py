"""Server-rendered pages (Jinja2 + HTMX), one module per part of the platform."""

from fastapi import APIRouter

from sanyi.web.pages import admin, auth, docs, drg, public, shell


def routers() -> list[APIRouter]:
    return [auth.router, shell.router, admin.router, drg.router, public.router, docs.router]
