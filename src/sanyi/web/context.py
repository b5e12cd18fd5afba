"""Per-request helpers: the container, the caller's address and language, the principal."""

from __future__ import annotations

from typing import cast

from fastapi import Request

from sanyi.bootstrap import Container
from sanyi.identity.api import Principal
from sanyi.infrastructure.audit import Actor
from sanyi.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator

LANGUAGE_COOKIE = "sanyi_lang"


def container(request: Request) -> Container:
    return cast(Container, request.app.state.container)


def client_ip(request: Request) -> str | None:
    if container(request).settings.trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else None


def is_secure(request: Request) -> bool:
    if container(request).settings.trust_proxy_headers:
        return request.headers.get("x-forwarded-proto", request.url.scheme) == "https"
    return request.url.scheme == "https"


def language(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    default = container(request).settings.default_language
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


def translator(request: Request) -> Translator:
    return Translator(language(request))


def principal(request: Request) -> Principal | None:
    return cast(Principal | None, getattr(request.state, "principal", None))


def actor(request: Request) -> Actor:
    """The audit actor of this request (anonymous callers are recorded as such)."""
    who = principal(request)
    if who is None:
        return Actor("anonymous", "public", client_ip(request))
    return Actor(who.username, who.role.value, client_ip(request))


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"
