"""A coder groups a case in Chromium, reads the trail and tries a different principal diagnosis."""

import pytest
from playwright.sync_api import Page, expect

from sanyi.identity.api import Role
from sanyi.infrastructure.audit import Actor
from tests.e2e.conftest import LiveServer, screenshot

pytestmark = pytest.mark.e2e
PASSWORD = "browser-test-password"


def test_group_a_case_and_ask_what_if(page: Page, live_server: LiveServer) -> None:
    if live_server.container.identity.find_user("e2e.coder") is None:
        live_server.container.identity.create_user(
            Actor.system("e2e"), "e2e.coder", PASSWORD, Role.INSTITUTION_STAFF, institution_id="H33030200001"
        )
    page.goto(live_server.url + "/login?next=/drg")
    page.get_by_test_id("username").fill("e2e.coder")
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(live_server.url + "/drg")

    page.get_by_test_id("drg-sex").select_option("2")
    page.get_by_test_id("drg-age").fill("45")
    page.get_by_test_id("drg-diagnoses").fill("M51.201\nA19.200\nD48.902\nN73.500\nR47.801")
    page.get_by_test_id("drg-procedures").fill("77.6902\n88.4900\n18.0900x002")
    page.get_by_test_id("drg-submit").click()
    # The server compiles the scheme on its first grouping: seconds on a quiet machine, more on a busy one.
    expect(page.get_by_test_id("drg-code")).to_have_text("IF23", timeout=60_000)
    expect(page.get_by_test_id("drg-status")).to_contain_text("入组成功")
    expect(page.get_by_test_id("drg-trail")).to_contain_text("进入 MDCI")
    expect(page.get_by_test_id("drg-diagnoses-table")).to_contain_text("胸椎间盘突出")
    expect(page.get_by_test_id("cc-A19.200")).to_have_text("CC")

    page.get_by_test_id("what-if-dx-A19.200").click()
    expect(page.get_by_test_id("what-if-verdict")).to_contain_text("IF23 → SB19")
    expect(page.get_by_test_id("what-if-after")).to_contain_text("SB19")
    screenshot(page, "drg-what-if-zh")

    page.get_by_test_id("what-if-proc").fill("88.4900")
    page.get_by_test_id("what-if-submit").click()
    expect(page.get_by_test_id("what-if-verdict")).to_contain_text("IF23 →")

    # A bad code is named, and the page stays usable.
    page.get_by_test_id("drg-diagnoses").fill("X99.999")
    page.get_by_test_id("drg-submit").click()
    expect(page.get_by_test_id("drg-problem")).to_contain_text("X99.999")
    expect(page.get_by_test_id("drg-status")).to_contain_text("诊断编码无法识别")
