"""Pages: login with CSRF, the shell, language switch, admin pages, error pages, headers."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.web.app import create_app
from sanyi.web.navigation import SECTIONS
from tests.integration.web_helpers import PASSWORD, add_user, browser_login, csrf_from


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def test_login_shows_the_shell_with_every_section(client: TestClient, container: Container) -> None:
    add_user(container, "admin1", Role.ADMIN)
    browser_login(client, "admin1")
    cookie_header = next(h for h in client.cookies.jar if h.name == "sanyi_session")
    assert cookie_header.has_nonstandard_attr("HttpOnly")
    home = client.get("/").text
    for section in SECTIONS:
        assert f'data-testid="nav-{section.key}"' in home
        assert client.get(section.path).status_code == 200, section.path
    assert "三医联动综合平台" in home


def test_institution_staff_do_not_see_admin(client: TestClient, container: Container) -> None:
    add_user(container, "nurse", Role.INSTITUTION_STAFF, institution_id="H33030200001")
    browser_login(client, "nurse")
    home = client.get("/").text
    assert 'data-testid="nav-admin"' not in home and 'data-testid="nav-ledger"' not in home
    assert client.get("/admin/users").status_code == 403
    assert client.get("/ledger").status_code == 403
    assert "AUTH_FORBIDDEN" in client.get("/admin/audit").text


def test_login_form_without_csrf_token_is_refused(client: TestClient, container: Container) -> None:
    add_user(container, "victim", Role.ADMIN)
    client.get("/login")
    response = client.post(
        "/login", data={"username": "victim", "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403 and "AUTH_CSRF_FAILED" in response.text
    assert client.cookies.get("sanyi_session") is None


def test_form_posts_of_a_session_need_its_csrf_token(client: TestClient, container: Container) -> None:
    add_user(container, "admin2", Role.ADMIN)
    token = browser_login(client, "admin2")
    form = {"username": "created.here", "password": "0123456789ab", "role": "reform_office"}
    refused = client.post("/admin/users", data=form)
    assert refused.status_code == 403
    accepted = client.post("/admin/users", data={**form, "csrf_token": token})
    assert accepted.status_code == 200 and "created.here" in accepted.text
    # HTMX sends the token as a header.
    disabled = client.post("/admin/users/created.here/disable", headers={"X-CSRF-Token": token})
    assert disabled.status_code == 200
    assert container.identity.get_user("created.here").active is False


def test_wrong_password_shows_a_message_and_no_session(client: TestClient, container: Container) -> None:
    add_user(container, "typo", Role.ADMIN)
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", data={"username": "typo", "password": "nope-nope-nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text


def test_login_redirects_back_to_the_page_asked_for_and_never_off_site(
    client: TestClient, container: Container
) -> None:
    add_user(container, "traveller", Role.ADMIN)
    assert client.get("/drg", follow_redirects=False).headers["location"] == "/login?next=/drg"
    for asked, landed in (("/drg", "/drg"), ("//evil.example", "/"), ("https://evil.example", "/")):
        client.cookies.clear()
        token = csrf_from(client.get("/login").text)
        response = client.post(
            "/login",
            data={"username": "traveller", "password": PASSWORD, "csrf_token": token, "next": asked},
            follow_redirects=False,
        )
        assert response.headers["location"] == landed


def test_logout_ends_the_session(client: TestClient, container: Container) -> None:
    add_user(container, "goer", Role.ADMIN)
    token = browser_login(client, "goer")
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 303


def test_language_switch_to_english_and_back(client: TestClient) -> None:
    english = client.get("/login?lang=en")
    assert "Log in" in english.text and english.cookies.get("sanyi_lang") == "en"
    assert "Log in" in client.get("/login").text  # remembered by the cookie
    assert "登录" in client.get("/login?lang=zh").text


def test_security_headers_and_no_external_assets(client: TestClient) -> None:
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert "http://" not in response.text.replace("http://testserver", "")
    assert "https://" not in response.text


def test_api_docs_use_local_assets(client: TestClient) -> None:
    html = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/vendor/htmx.min.js").status_code == 200
    assert client.get("/static/vendor/echarts.min.js").status_code == 200


def test_unknown_pages_and_api_paths_give_404_in_the_error_shape(
    client: TestClient, container: Container
) -> None:
    add_user(container, "explorer", Role.ADMIN)
    browser_login(client, "explorer")
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "NOT_FOUND" in page.text
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json()["error"]["code"] == "NOT_FOUND"


def test_healthz_reports_the_database(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"


def test_throttled_login_page_says_so(client: TestClient, container: Container) -> None:
    add_user(container, "hammer", Role.ADMIN)
    token = csrf_from(client.get("/login").text)
    for _ in range(container.settings.login_max_failures):
        client.post("/login", data={"username": "hammer", "password": "bad-bad-bad", "csrf_token": token})
    response = client.post("/login", data={"username": "hammer", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.text
