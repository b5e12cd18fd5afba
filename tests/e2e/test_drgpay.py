"""A hospital's DRG statement in Chromium: the region's payment, a statement with every case's reason,
the chart drawn, the Excel download; then the evaluation page."""

import pytest
from playwright.sync_api import Page, expect

from sanyi.identity.api import Role
from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_registry import _log_in, _prepare

pytestmark = pytest.mark.e2e


def test_hospital_statement_page(page: Page, live_server: LiveServer) -> None:
    # The shared region of the browser tests is small: the what-if minimum of one case prices every group.
    _prepare(live_server, "e2e.drgpay", Role.INSURANCE_BUREAU)
    _log_in(page, live_server, "e2e.drgpay", "/drg/payment?year=2023&min_cases=1")
    expect(page.get_by_test_id("drgpay-point-value")).to_contain_text("元/点")
    expect(page.get_by_test_id("drgpay-pool-steps")).to_contain_text("点值 =")
    expect(page.locator("[data-testid=drgpay-chart] canvas")).to_be_visible()
    first = page.locator("[data-testid^=statement-link-]").first
    hospital = (first.get_attribute("data-testid") or "").removeprefix("statement-link-")
    first.click()
    expect(page).to_have_url(
        f"{live_server.url}/drg/payment/{hospital}?year=2023&policy=hangzhou-2020&min_cases=1"
    )
    expect(page.get_by_test_id("statement-summary")).to_contain_text(hospital)
    cases = page.get_by_test_id("statement-cases")
    expect(cases).to_contain_text("×")  # every reason is a formula from the case's numbers
    expect(page.locator("[data-testid=statement-chart] canvas")).to_be_visible()
    screenshot(page, "drgpay-statement-zh")
    with page.expect_download() as download:
        page.get_by_test_id("statement-excel").click()
    assert download.value.suggested_filename == f"drg-statement-{hospital}-2023.xlsx"

    page.get_by_test_id("drgpay-evaluation-link").click()
    expect(page.get_by_test_id("evaluation-region")).to_contain_text("全区")
    page.get_by_test_id("by-department").click()
    expect(page.get_by_test_id("evaluation-table")).to_be_visible()
    expect(page.locator("[data-testid=evaluation-cmi-chart] canvas")).to_be_visible()
    screenshot(page, "drgpay-evaluation-zh")


def test_expert_review_from_statement_to_points(page: Page, live_server: LiveServer) -> None:
    _prepare(live_server, "e2e.drgreview", Role.INSURANCE_BUREAU)
    _log_in(page, live_server, "e2e.drgreview", "/drg/payment?year=2023&min_cases=1")
    page.locator("[data-testid^=statement-link-]").first.click()
    form = page.locator("[data-testid^=review-form-]").first
    stay = (form.get_attribute("data-testid") or "").removeprefix("review-form-")
    page.get_by_test_id(f"review-reason-{stay}").fill("新技术：经导管主动脉瓣置换")
    page.get_by_test_id(f"review-submit-{stay}").click()
    expect(page.get_by_test_id("reviews-table")).to_contain_text(stay)
    row = page.locator("[data-testid^=review-state-]").first
    review = (row.get_attribute("data-testid") or "").removeprefix("review-state-")
    expect(row).to_have_text("已提交，待评审")
    page.get_by_test_id(f"review-points-{review}").fill("480.25")
    page.get_by_test_id(f"review-approve-{review}").click()
    expect(page.get_by_test_id(f"review-state-{review}")).to_have_text("已批准")
    screenshot(page, "drgpay-reviews-zh")
