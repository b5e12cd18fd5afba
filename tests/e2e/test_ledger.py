"""The task ledger in Chromium: a task moves to 已销号 only after the lead department reports it done,
someone else verifies it and the reform office approves; approval before verification is refused."""

import pytest
from playwright.sync_api import Browser, Page, expect

from sanyi.identity.api import Role
from sanyi.infrastructure.audit import Actor
from sanyi.registry.api import Viewer
from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_registry import PASSWORD

pytestmark = pytest.mark.e2e
TASK = "/ledger/tasks/WZ2016-10"  # 开展DRGs试点, led by 市卫计委 (health commission)


def _user(server: LiveServer, username: str, role: Role) -> None:
    if server.container.identity.find_user(username) is None:
        server.container.identity.create_user(Actor.system("e2e"), username, PASSWORD, role)


def _session(browser: Browser, server: LiveServer, username: str, target: str) -> Page:
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(server.url + target)
    page.get_by_test_id("username").fill(username)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(server.url + target)
    return page


def test_closing_needs_verification_then_approval(page: Page, live_server: LiveServer) -> None:
    live_server.container.ledger.seed(Viewer("e2e", "system", None, regional=True))
    _user(live_server, "e2e.lg.office", Role.REFORM_OFFICE)
    _user(live_server, "e2e.lg.health", Role.HEALTH_COMMISSION)
    _user(live_server, "e2e.lg.health2", Role.HEALTH_COMMISSION)
    browser = page.context.browser
    assert browser is not None

    # The reform office sees the ledger (Chinese first) with its overdue badge.
    page.goto(live_server.url + "/ledger")
    page.get_by_test_id("username").fill("e2e.lg.office")
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(live_server.url + "/ledger")
    expect(page.get_by_test_id("lg-count")).to_contain_text("项任务")
    expect(page.get_by_test_id("lg-row-WZ2016-10")).to_be_visible()
    screenshot(page, "ledger-list-zh")

    # The health commission (lead department) reports the task done, with evidence.
    health = _session(browser, live_server, "e2e.lg.health", TASK)
    health.get_by_test_id("lg-report-text").fill("DRGs 试点已在三家医院开展")
    health.get_by_test_id("lg-evidence").set_input_files(
        {"name": "试点报告.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 report"}
    )
    health.get_by_test_id("lg-submit").click()
    expect(health.get_by_test_id("lg-status-value")).to_have_text("待核验")
    expect(health.get_by_test_id("lg-reports")).to_contain_text("试点报告.pdf")
    health.context.close()

    # Approval before verification is refused and changes nothing.
    page.goto(live_server.url + TASK)
    page.get_by_test_id("lg-approve").click()
    expect(page.get_by_test_id("lg-error")).to_contain_text("LEDGER_NOT_VERIFIED")
    expect(page.get_by_test_id("lg-status-value")).to_have_text("待核验")
    screenshot(page, "ledger-approval-refused-zh")

    # Another person of the commission verifies; then the reform office closes the task.
    verifier = _session(browser, live_server, "e2e.lg.health2", TASK)
    verifier.get_by_test_id("lg-verify-note").fill("材料齐全")
    verifier.get_by_test_id("lg-verify").click()
    expect(verifier.get_by_test_id("lg-verified-by")).to_contain_text("e2e.lg.health2")
    verifier.context.close()

    page.goto(live_server.url + TASK)
    page.get_by_test_id("lg-approve-note").fill("同意销号")
    page.get_by_test_id("lg-approve").click()
    expect(page.get_by_test_id("lg-status-value")).to_have_text("已销号")
    expect(page.get_by_test_id("lg-history")).to_contain_text("销号")
    expect(page.get_by_test_id("lg-history")).to_contain_text("核验通过")
    screenshot(page, "ledger-closed-zh")

    # The calculator is linked from the ledger's navigation.
    page.get_by_test_id("lg-compensation-link").click()
    expect(page).to_have_url(live_server.url + "/indicators/compensation")
    expect(page.get_by_test_id("ind-compensation-link")).to_have_class("active")
    # The old address still leads there.
    page.goto(live_server.url + "/compensation")
    expect(page).to_have_url(live_server.url + "/indicators/compensation")
    expect(page.get_by_test_id("cp-form")).to_be_visible()
