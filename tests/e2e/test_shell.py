"""Log in through Chromium, see the shell, switch language, take a screenshot."""

import pytest
from playwright.sync_api import Page, expect

from sanyi.identity.api import Role
from sanyi.infrastructure.audit import Actor
from tests.e2e.conftest import LiveServer, screenshot

pytestmark = pytest.mark.e2e
PASSWORD = "browser-test-password"


def _ensure_user(server: LiveServer, username: str, role: Role, institution: str | None = None) -> None:
    if server.container.identity.find_user(username) is None:
        server.container.identity.create_user(
            Actor.system("e2e"), username, PASSWORD, role, institution_id=institution
        )


def _log_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/")
    expect(page).to_have_url(server.url + "/login?next=/")
    page.get_by_test_id("username").fill(username)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()


def test_login_shows_the_shell(page: Page, live_server: LiveServer) -> None:
    _ensure_user(live_server, "e2e.admin", Role.ADMIN)
    _log_in(page, live_server, "e2e.admin")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_test_id("welcome")).to_contain_text("欢迎")
    expect(page.get_by_test_id("nav")).to_be_visible()
    expect(page.get_by_test_id("nav-settlement")).to_have_text("医保结算")
    expect(page.get_by_test_id("current-user")).to_contain_text("系统管理员")
    shot = screenshot(page, "shell-home-zh")
    assert shot.stat().st_size > 10_000

    page.get_by_test_id("nav-admin").click()
    expect(page.get_by_test_id("users-table")).to_contain_text("e2e.admin")
    page.goto(live_server.url + "/admin/audit")
    expect(page.get_by_test_id("audit-table")).to_contain_text("auth.login")
    expect(page.locator("[data-testid=audit-chart] canvas")).to_be_visible()  # ECharts drew from local assets

    page.get_by_test_id("lang-switch").click()
    expect(page.get_by_test_id("nav-settlement")).to_have_text("Settlement")
    screenshot(page, "shell-admin-en")

    page.get_by_test_id("logout").click()
    expect(page).to_have_url(live_server.url + "/login")


def test_wrong_password_stays_on_the_login_page(page: Page, live_server: LiveServer) -> None:
    _ensure_user(live_server, "e2e.clerk", Role.INSTITUTION_STAFF, "H33030200001")
    page.goto(live_server.url + "/login")
    page.get_by_test_id("username").fill("e2e.clerk")
    page.get_by_test_id("password").fill("not the password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("login-error")).to_be_visible()


def test_api_docs_render_from_local_assets(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Sanyi")
