"""JSON API routers, one module per part of the platform."""

from fastapi import APIRouter

from sanyi.web.api import admin, auth, health, public, settlement


def routers() -> list[APIRouter]:
    return [health.router, auth.router, admin.router, public.router, settlement.router]
