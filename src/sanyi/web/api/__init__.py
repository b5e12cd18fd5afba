"""JSON API routers, one module per part of the platform."""

from fastapi import APIRouter

from sanyi.web.api import (
    admin,
    appraisal,
    auth,
    care,
    drg,
    health,
    indicators,
    pricing,
    procurement,
    public,
    registry,
    settlement,
    supervision,
    tiered,
    trace,
)


def routers() -> list[APIRouter]:
    return [
        health.router,
        auth.router,
        admin.router,
        public.router,
        registry.router,
        care.router,
        drg.router,
        settlement.router,
        supervision.router,
        procurement.router,
        pricing.router,
        tiered.router,
        tiered.public_router,
        appraisal.router,  # before the indicator routes: /api/indicators/{code}
        indicators.router,
        trace.router,
        trace.public_router,
    ]
