"""The public drug trace query in a real browser, without logging in: a code shows its product, batch,
expiry, chain of custody and dispensed status; a code dispensed twice warns; an unknown code is told."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from sanyi.registry.api import Viewer
from tests.e2e.conftest import LiveServer, screenshot
from tests.integration.trace.conftest import CLINIC, HOSPITAL, chain, code, dispensing

REGION = Viewer("e2e", "insurance_bureau", None, regional=True)


def test_anyone_can_query_a_code(live_server: LiveServer, page: Page) -> None:
    live_server.container.trace.ingest(
        REGION,
        [
            *chain(901),
            *chain(902, CLINIC),
            dispensing(901, HOSPITAL, 10, "P1"),
            dispensing(902, CLINIC, 10, "P2"),
            dispensing(902, HOSPITAL, 11, "P3"),
        ],
    )
    page.goto(f"{live_server.url}/public")
    page.get_by_test_id("public-trace-link").click()
    expect(page.get_by_test_id("trace-title")).to_have_text("药品追溯码查询")
    page.get_by_test_id("trace-code").fill(code(901))
    page.get_by_test_id("trace-submit").click()
    expect(page.get_by_test_id("trace-product")).to_contain_text("阿莫西林胶囊")
    expect(page.get_by_test_id("trace-batch")).to_have_text("B2301")
    expect(page.get_by_test_id("trace-expiry")).to_contain_text("2025-01-01")
    expect(page.get_by_test_id("trace-status")).to_have_text("已发药")
    chain_table = page.get_by_test_id("trace-chain")
    expect(chain_table.locator("tbody tr")).to_have_count(6)
    expect(chain_table).to_contain_text("温州医药配送有限公司")
    expect(chain_table).to_contain_text("温州市第一人民医院")
    expect(page.locator("main")).not_to_contain_text("P1")
    expect(page.get_by_test_id("trace-repeated")).to_have_count(0)
    screenshot(page, "trace-public")

    page.get_by_test_id("trace-code").fill(code(902))
    page.get_by_test_id("trace-submit").click()
    expect(page.get_by_test_id("trace-repeated")).to_contain_text("已多次发药，请警惕")

    page.get_by_test_id("trace-code").fill(code(999))
    page.get_by_test_id("trace-submit").click()
    expect(page.get_by_test_id("trace-error")).to_contain_text("未查到追溯码")
    expect(page.get_by_test_id("trace-product")).to_have_count(0)
