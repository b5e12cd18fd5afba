"""Registry in Chromium: the overview chart, a resident search, a masked record; the bureau reveals one."""

import re

import pytest
from playwright.sync_api import Page, expect

from sanyi.identity.api import Role
from sanyi.infrastructure.audit import Actor
from sanyi.registry.api import ResidentSearch, Viewer
from sanyi.synth.api import DatabaseSink, RegionRequest, database_is_empty, generate
from tests.e2e.conftest import LiveServer, screenshot

pytestmark = pytest.mark.e2e
PASSWORD = "browser-test-password"
MASKED_ID = re.compile(r"^\d{6}\*{8}[0-9X]{4}$")


def _prepare(server: LiveServer, username: str, role: Role) -> None:
    if database_is_empty(server.container.engine):
        generate(RegionRequest("wenzhou", 200, 2023, 5), [DatabaseSink(server.container.engine)])
    if server.container.identity.find_user(username) is None:
        server.container.identity.create_user(Actor.system("e2e"), username, PASSWORD, role)


def _log_in(page: Page, server: LiveServer, username: str, target: str) -> None:
    page.goto(server.url + target)
    page.get_by_test_id("username").fill(username)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(server.url + target)


def test_search_residents_and_open_a_masked_record(page: Page, live_server: LiveServer) -> None:
    _prepare(live_server, "e2e.commission", Role.HEALTH_COMMISSION)
    anyone = Viewer("e2e", "admin", None, regional=True)
    sample = live_server.container.registry.residents(anyone, ResidentSearch(), limit=1).items[0]
    suffix = sample.citizen_id[-4:]

    _log_in(page, live_server, "e2e.commission", "/registry")
    expect(page.locator("[data-testid=chart-tier] canvas")).to_be_visible()
    expect(page.get_by_test_id("total-residents")).to_contain_text("200")
    screenshot(page, "registry-overview-zh")

    page.get_by_test_id("nav-registry").click()
    page.goto(live_server.url + "/registry/residents")
    page.get_by_test_id("filter-q").fill(suffix)
    page.get_by_test_id("search").click()
    expect(page).to_have_url(re.compile(rf".*/registry/residents\?q={suffix}"))  # HTMX pushed the URL
    expect(page.get_by_test_id("residents-table")).to_contain_text(sample.person_id)
    for cell in page.get_by_test_id("masked-id").all_text_contents():
        assert MASKED_ID.match(cell) and cell.endswith(suffix)

    # Choosing a key group reloads only the results through HTMX and keeps the search in the URL.
    page.get_by_test_id("filter-q").fill("")
    page.get_by_test_id("filter-key-group").select_option("hypertension")
    expect(page).to_have_url(re.compile(r".*key_group=hypertension"))
    expect(page.get_by_test_id("residents-table")).to_contain_text("高血压患者")
    page.get_by_test_id("filter-key-group").select_option("")
    page.get_by_test_id("filter-q").fill(suffix)
    page.get_by_test_id("search").click()
    expect(page.get_by_test_id("residents-table")).to_contain_text(sample.person_id)

    page.get_by_test_id("residents-table").get_by_text(sample.person_id).click()
    expect(page).to_have_url(live_server.url + f"/registry/residents/{sample.person_id}")
    shown = page.get_by_test_id("citizen-id").inner_text()
    assert MASKED_ID.match(shown) and shown.endswith(suffix)
    expect(page.get_by_test_id("reveal")).to_have_count(0)  # the commission may not reveal
    expect(page.get_by_test_id("enrollment")).to_be_visible()
    screenshot(page, "registry-resident-zh")


def test_the_bureau_reveals_an_identity(page: Page, live_server: LiveServer) -> None:
    _prepare(live_server, "e2e.bureau", Role.INSURANCE_BUREAU)
    anyone = Viewer("e2e", "admin", None, regional=True, may_reveal=True)
    sample = live_server.container.registry.residents(anyone, ResidentSearch(), limit=1).items[0]
    full = live_server.container.registry.resident(anyone, sample.person_id, reveal=True).citizen_id

    _log_in(page, live_server, "e2e.bureau", f"/registry/residents/{sample.person_id}")
    expect(page.get_by_test_id("citizen-id")).to_have_text(sample.citizen_id)
    page.get_by_test_id("reveal").click()
    expect(page.get_by_test_id("revealed")).to_be_visible()
    expect(page.get_by_test_id("citizen-id")).to_have_text(full)

    page.goto(live_server.url + "/care?type=inpatient")
    page.get_by_test_id("encounter-link").first.click()
    expect(page.get_by_test_id("fee-lines")).to_be_visible()
    expect(page.get_by_test_id("diagnoses")).to_contain_text("主")
    assert MASKED_ID.match(page.get_by_test_id("citizen-id").inner_text())
    screenshot(page, "care-encounter-zh")
