"""Procurement in Chromium: the bureau runs the two-invoice check, sees the planted chain findings and
opens one delivery's invoices, then finds the lagging institution warned on the completion page."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from sanyi.identity.api import Role
from sanyi.procurement.api import procurement_products
from sanyi.synth.api import ProcurementSummary, generate_procurement
from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_registry import _log_in, _prepare

pytestmark = pytest.mark.e2e
_SUMMARY: list[ProcurementSummary] = []


def _procurement(server: LiveServer) -> ProcurementSummary:
    with server.container.engine.connect() as connection:
        empty = connection.execute(select(func.count()).select_from(procurement_products)).scalar_one() == 0
    if empty:
        _SUMMARY.append(generate_procurement(server.container.engine, 2023, 5))
    return _SUMMARY[0]


def test_bureau_sees_chain_findings_and_the_lagging_institution(page: Page, live_server: LiveServer) -> None:
    _prepare(live_server, "e2e.pc.bureau", Role.INSURANCE_BUREAU)
    summary = _procurement(live_server)
    _log_in(page, live_server, "e2e.pc.bureau", "/procurement")
    page.get_by_test_id("pc-check").click()
    expect(page).to_have_url(live_server.url + "/procurement/findings")
    rows = page.get_by_test_id("pc-table-findings").get_by_test_id("pc-row")
    expect(rows).to_have_count(len(summary.planted))
    for delivery_id, _ in summary.planted:
        expect(page.get_by_test_id("pc-table-findings")).to_contain_text(delivery_id)
    expect(page.get_by_test_id("pc-table-findings")).to_contain_text("超过两票")
    screenshot(page, "procurement-findings-zh")

    three = next(d for d, rule in summary.planted if rule == "CHAIN_TOO_MANY_INVOICES")
    page.get_by_role("link", name=three).click()
    expect(page.get_by_test_id("pc-invoices").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("pc-delivery-findings")).to_contain_text("超过两票")

    page.get_by_test_id("pc-link-overview").click()
    assert summary.lagging_institution is not None
    expect(page.get_by_test_id("pc-lagging")).to_contain_text(summary.lagging_institution)
    expect(page.get_by_test_id("pc-chart-rule").locator("canvas")).to_be_visible()
    page.get_by_test_id("pc-link-completion").click()
    warned = page.get_by_test_id("pc-table-completion").locator("tr.warning")
    expect(warned.first).to_contain_text(summary.lagging_institution)
    expect(page.get_by_test_id("pc-table-completion")).to_contain_text("⚠")
    screenshot(page, "procurement-completion-zh")
    with page.expect_download() as download:
        page.get_by_test_id("pc-export").click()
    assert download.value.suggested_filename == "procurement-completion.xlsx"
