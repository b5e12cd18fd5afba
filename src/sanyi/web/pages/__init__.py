"""Server-rendered pages (Jinja2 + HTMX), one module per part of the platform."""

from fastapi import APIRouter

from sanyi.web.pages import admin, auth, care, docs, drg, drgpay, public, registry, settlement, shell


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
        drg.router,
        drgpay.router,
    ]
