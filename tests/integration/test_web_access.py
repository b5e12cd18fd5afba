"""Default deny: anonymous callers reach only the public paths; roles are enforced."""

from collections.abc import Iterator

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.web.app import create_app
from sanyi.web.security import is_anonymous_path
from tests.integration.web_helpers import add_user, api_token, browser_login


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def _concrete(path: str) -> str:
    return path.replace("{", "").replace("}", "")


def test_every_protected_api_path_answers_401_to_anonymous_callers(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    checked = 0
    for path, operations in spec["paths"].items():
        for method in operations:
            response = client.request(method.upper(), _concrete(path), json={})
            if is_anonymous_path(path):
                assert response.status_code != 401, (method, path)
                continue
            assert response.status_code == 401, (method, path, response.status_code)
            assert response.json()["error"]["code"] == "AUTH_REQUIRED"
            assert response.headers["www-authenticate"] == "Bearer"
            checked += 1
    assert checked >= 5


def test_every_protected_page_redirects_anonymous_callers_to_login(client: TestClient) -> None:
    pages = [
        route
        for route in iter_route_contexts(client.app.routes)  # type: ignore[attr-defined]
        if route.methods and route.path and not route.include_in_schema and not is_anonymous_path(route.path)
    ]
    checked = 0
    for route in pages:
        for method in route.methods or ():
            response = client.request(method, _concrete(route.path or ""), follow_redirects=False)
            if method == "GET":
                assert response.status_code == 303, (method, route.path, response.status_code)
                assert response.headers["location"].startswith("/login?next=")
            else:
                assert response.status_code in (303, 401, 403), (method, route.path, response.status_code)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/login",
        "/public",
        "/api/docs",
        "/api/openapi.json",
        "/api/public/info",
        "/static/css/sanyi.css",
    ],
)
def test_public_paths_answer_without_login(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_wrong_role_gets_403(client: TestClient, container: Container) -> None:
    add_user(container, "clerk", Role.INSTITUTION_STAFF, institution_id="H33030200001")
    headers = api_token(client, "clerk")
    response = client.get("/api/admin/users", headers=headers)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "AUTH_FORBIDDEN"
    assert client.get("/api/me", headers=headers).json()["institution_id"] == "H33030200001"


def test_admin_manages_users_through_the_api(client: TestClient, container: Container) -> None:
    add_user(container, "boss", Role.ADMIN)
    headers = api_token(client, "boss")
    created = client.post(
        "/api/admin/users",
        headers=headers,
        json={
            "username": "new.doctor",
            "password": "0123456789ab",
            "role": "family_doctor",
            "institution_id": "H33030200009",
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["role_label_zh"] == "家庭医生"
    invalid = client.post(
        "/api/admin/users", headers=headers, json={"username": "x", "password": "p", "role": "admin"}
    )
    assert invalid.status_code == 422
    error = invalid.json()["error"]
    assert (error["code"], error["path"]) == ("USER_INVALID_USERNAME", "username")
    assert error["message_zh"].startswith("用户名须为") and error["message_en"].startswith("a username has")
    assert client.post("/api/admin/users/new.doctor/disable", headers=headers).status_code == 204
    users = {u["username"]: u for u in client.get("/api/admin/users", headers=headers).json()}
    assert users["new.doctor"]["active"] is False
    audit = client.get("/api/admin/audit", headers=headers, params={"record_id": "new.doctor"}).json()
    assert [entry["action"] for entry in audit] == ["user.disable", "user.create"]


def test_a_session_cookie_is_not_a_bearer_token(client: TestClient, container: Container) -> None:
    add_user(container, "mixer", Role.ADMIN)
    browser_login(client, "mixer")
    cookie = client.cookies.get("sanyi_session")
    assert cookie
    client.cookies.clear()
    response = client.get("/api/me", headers={"Authorization": f"Bearer {cookie}"})
    assert response.status_code == 401


def test_revoked_api_token_stops_working(client: TestClient, container: Container) -> None:
    add_user(container, "leaver", Role.REFORM_OFFICE)
    headers = api_token(client, "leaver")
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/me", headers=headers).status_code == 401


def test_validation_errors_use_the_error_shape(client: TestClient, container: Container) -> None:
    add_user(container, "checker", Role.ADMIN)
    headers = api_token(client, "checker")
    response = client.get("/api/admin/audit", headers=headers, params={"limit": 0})
    assert response.status_code == 422
    body = response.json()["error"]
    assert body["code"] == "REQUEST_INVALID" and body["path"] == "query.limit"
