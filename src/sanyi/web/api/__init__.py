"""JSON API routers, one module per part of the platform."""

from fastapi import APIRouter

from sanyi.web.api import admin, auth, drg, health, public


def routers() -> list[APIRouter]:
    return [health.router, auth.router, admin.router, public.router, drg.router]
