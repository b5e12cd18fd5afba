"""Server-rendered pages (Jinja2 + HTMX), one module per part of the platform."""

from fastapi import APIRouter

from sanyi.web.pages import admin, auth, care, docs, public, registry, settlement, shell, tiered


def routers() -> list[APIRouter]:
    return [
        auth.router,
        shell.router,
        admin.router,
        public.router,
        docs.router,
        registry.router,
        care.router,
        settlement.router,
        tiered.router,
        tiered.public_router,
    ]
