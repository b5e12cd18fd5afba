"""Server-rendered pages (Jinja2 + HTMX), one module per part of the platform."""

from fastapi import APIRouter

from sanyi.web.pages import (
    admin,
    appraisal,
    auth,
    care,
    compensation,
    disclosure,
    docs,
    drg,
    drgpay,
    indicators,
    ledger,
    pricing,
    procurement,
    public,
    registry,
    settlement,
    shell,
    supervision,
    templates_download,
    tiered,
    trace,
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
        procurement.router,
        pricing.router,
        tiered.router,
        tiered.public_router,
        ledger.router,
        compensation.router,
        trace.router,
        trace.public_router,
        appraisal.router,  # before the indicator pages: /indicators/{code}
        indicators.router,
        disclosure.router,
    ]
