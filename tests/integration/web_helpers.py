"""Helpers for web tests: users of each role and logged-in clients."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.infrastructure.audit import Actor

PASSWORD = "a-long-test-password"
_CSRF_RE = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def add_user(container: Container, username: str, role: Role, institution_id: str | None = None) -> None:
    container.identity.create_user(
        Actor.system("test"), username, PASSWORD, role, institution_id=institution_id
    )


def api_token(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/login/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def csrf_from(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def browser_login(client: TestClient, username: str) -> str:
    """Log in through the form like a browser; returns the CSRF token of the session's pages."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/").text)
