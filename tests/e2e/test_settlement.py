"""Settle a claim by hand in Chromium: pre-settle, settle, read the trail, reverse, see the accumulators."""

import pytest
from playwright.sync_api import Page, expect

from sanyi.identity.api import Role
from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_shell import _ensure_user, _log_in

pytestmark = pytest.mark.e2e


def test_settle_by_hand(page: Page, live_server: LiveServer) -> None:
    _ensure_user(live_server, "e2e.bureau", Role.INSURANCE_BUREAU)
    _log_in(page, live_server, "e2e.bureau")
    page.get_by_test_id("nav-settlement").click()
    expect(page.get_by_test_id("packages-table")).to_contain_text("hangzhou-2020")
    page.get_by_role("link", name="wenzhou-2018").click()
    expect(page.get_by_test_id("policy-resident-inpatient")).to_contain_text("700.00")
    expect(page.get_by_test_id("policy-sources")).to_contain_text("温州")
    screenshot(page, "settlement-policy-zh")
    page.get_by_test_id("nav-settlement").click()
    page.get_by_test_id("settle-new-link").click()

    page.get_by_test_id("claim_id").fill("E2E-1")
    page.get_by_test_id("person_id").fill("P-E2E-1")
    page.get_by_test_id("home_region").fill("330102")
    page.get_by_test_id("institution_id").fill("H33010200001")
    page.get_by_test_id("start").fill("2023-03-01")
    rows = [
        ("A-1", "A", "", "1", "35000.00"),
        ("B-1", "B", "0.10", "100", "200.00"),
        ("C-1", "C", "", "1", "5000.00"),
    ]
    for number, (code, cls, selfpay, quantity, price) in enumerate(rows, start=1):
        page.get_by_test_id(f"line{number}_code").fill(code)
        page.get_by_test_id(f"line{number}_class").select_option(cls)
        page.get_by_test_id(f"line{number}_selfpay_prop").fill(selfpay)
        page.get_by_test_id(f"line{number}_quantity").fill(quantity)
        page.get_by_test_id(f"line{number}_unit_price").fill(price)

    page.get_by_test_id("dry-run").click()
    expect(page.get_by_test_id("settlement-status")).to_have_text("预结算（未保存）")
    expect(page.get_by_test_id("split-hifp_pay")).to_have_text("43584.00")
    expect(page.get_by_test_id("split-psn_part_amt")).to_have_text("16416.00")
    expect(page.get_by_test_id("trail-table")).to_contain_text("杭州市主城区")

    page.get_by_test_id("settle").click()
    expect(page.get_by_test_id("settlement-status")).to_have_text("已结算")
    screenshot(page, "settlement-by-hand-zh")
    page.get_by_test_id("claim-link").click()
    page.get_by_test_id("reverse").click()
    expect(page.get_by_test_id("settlement-status")).to_have_text("已冲正")

    page.goto(live_server.url + "/settlement/accumulators")
    page.get_by_test_id("acc-person").fill("P-E2E-1")
    page.get_by_test_id("acc-year").fill("2023")
    page.get_by_test_id("acc-search").click()
    expect(page.get_by_test_id("acc-inpatient_policy_range")).to_have_text("0.00")
    expect(page.get_by_test_id("accumulators-table")).to_be_visible()
