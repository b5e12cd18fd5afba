"""Indicators in Chromium: a hospital's disclosure page without login (charts drawn, every figure with
numerator and denominator, the 价格 section with its three price lists and a search), then the
scorecard of a bureau user with its legend colours, and the 绩效考核 score on both."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from sanyi.identity.api import Role
from sanyi.indicators.api import institution_finance
from sanyi.registry.api import institutions
from sanyi.synth.api import generate_finance, generate_pricing
from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_registry import _log_in, _prepare

pytestmark = pytest.mark.e2e


def _hospital(server: LiveServer) -> str:
    _prepare(server, "e2e.ind.bureau", Role.INSURANCE_BUREAU)
    engine = server.container.engine
    with engine.connect() as connection:
        returns = connection.execute(select(func.count()).select_from(institution_finance)).scalar_one()
        code = (
            connection.execute(
                select(institutions.c.code)
                .where(institutions.c.kind == "general")
                .order_by(institutions.c.code)
            )
            .scalars()
            .first()
        )
    if returns == 0:
        generate_finance(engine, 2023, 5)
    if not server.container.pricing.areas():
        generate_pricing(engine, 2023, "wenzhou")
    assert code is not None
    return str(code)


def test_public_disclosure_page_draws_charts_without_login(page: Page, live_server: LiveServer) -> None:
    hospital = _hospital(live_server)
    page.goto(f"{live_server.url}/public/disclosure/hospitals/{hospital}?period=2023")
    expect(page).to_have_url(f"{live_server.url}/public/disclosure/hospitals/{hospital}?period=2023")
    expect(page.get_by_test_id("dc-chart").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("dc-rule")).to_contain_text("国卫办发〔2021〕43号")
    fraction = page.get_by_test_id("dc-figure-YY01").get_by_test_id("dc-fraction")
    expect(fraction).to_contain_text("分子")
    expect(fraction).to_contain_text("分母")
    expect(page.get_by_test_id("dc-heading-prices")).to_be_visible()
    # 价格: service prices at the hospital's level (most billed first), drugs, the 按病种收费 list.
    services = page.get_by_test_id("dc-service-prices")
    expect(services).to_contain_text("挂号费")
    expect(
        page.get_by_test_id("dc-drug-prices").or_(page.get_by_test_id("dc-no-drug-prices"))
    ).to_be_visible()
    expect(page.get_by_test_id("dc-case-prices")).to_contain_text("合成数据")
    expect(page.get_by_test_id("dc-export-cases")).to_have_attribute(
        "href", f"/public/disclosure/hospitals/{hospital}/prices/cases.xlsx?period=2023"
    )
    screenshot(page, "disclosure-hospital-zh")
    search = page.get_by_test_id("dc-service-search")
    search.locator("input[name=q]").fill("床位")
    search.get_by_role("button").click()
    expect(page.get_by_test_id("dc-service-prices")).to_contain_text("床位")
    expect(page.get_by_test_id("dc-service-prices")).not_to_contain_text("挂号费")
    page.goto(f"{live_server.url}/public/disclosure/region?period=2023&indicator=YY02")
    expect(page.get_by_test_id("dc-chart-hospitals").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("dc-chart-counties").locator("canvas")).to_be_visible()


def test_scorecard_shows_legend_colours_to_the_bureau(page: Page, live_server: LiveServer) -> None:
    _hospital(live_server)
    target = "/indicators?period=2023Q1&scope=330300&by=county&theme=YY"
    _log_in(page, live_server, "e2e.ind.bureau", target)
    expect(page.get_by_test_id("ind-scorecard")).to_be_visible()
    bands = page.get_by_test_id("ind-legend-band")
    expect(bands.first).to_be_visible()
    assert bands.count() >= 3
    coloured = page.locator("[data-testid=ind-cell][data-band^='#']")
    expect(coloured.first).to_be_visible()
    expect(coloured.first.locator("svg rect")).to_have_attribute(
        "fill", coloured.first.get_attribute("data-band") or ""
    )
    expect(page.get_by_test_id("ind-row-YY01").get_by_test_id("ind-fraction").first).to_contain_text("/")
    screenshot(page, "indicators-scorecard-zh")


def test_appraisal_scorecard_and_the_public_score(page: Page, live_server: LiveServer) -> None:
    hospital = _hospital(live_server)
    page.goto(f"{live_server.url}/public/disclosure/hospitals/{hospital}?period=2023")
    appraisal = page.get_by_test_id("dc-heading-performance").get_by_test_id("dc-appraisal")
    expect(appraisal).to_be_visible()
    expect(appraisal.get_by_test_id("dc-appraisal-score")).to_have_text(re.compile(r"^(\d+\.\d{2}|—)$"))
    _log_in(page, live_server, "e2e.ind.bureau", "/indicators")
    page.get_by_test_id("ind-appraisal-link").click()
    expect(page).to_have_url(re.compile(r"/indicators/appraisal$"))
    page.get_by_test_id("ap-period").fill("2023")
    page.get_by_test_id("ap-show").click()
    ranking = page.get_by_test_id("ap-ranking")
    expect(ranking).to_be_visible()
    expect(ranking.locator("tbody tr").first.locator("td").first).to_have_text("1")
    expect(page.get_by_test_id("ap-component-YY03").first).to_contain_text("/")
    screenshot(page, "indicators-appraisal-zh")
