"""Server-rendered pages (Jinja2 + HTMX), one module per part of the platform."""

from fastapi import APIRouter

from sanyi.web.pages import (
    admin,
    auth,
    care,
    disclosure,
    docs,
    drg,
    drgpay,
    indicators,
    public,
    registry,
    settlement,
    shell,
    supervision,
    templates_download,
    tiered,
)


def routers() -> list[APIRouter]:
    # The template downloads come before the registry pages so /registry/templates is never read as a record.
    return [
        auth.router,
        shell.router,
        admin.router,
        public.router,
        docs.router,
        templates_download.router,
        registry.router,
        care.router,
        settlement.router,
        drg.router,
        drgpay.router,
        supervision.router,
        tiered.router,
        tiered.public_router,
        indicators.router,
        disclosure.router,
    ]
