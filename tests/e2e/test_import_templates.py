"""Download an import template through Chromium and open it: the same columns the importer checks."""

from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from sanyi.care.api import import_specs
from sanyi.identity.api import Role
from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_shell import _ensure_user, _log_in

pytestmark = pytest.mark.e2e


def test_a_signed_in_user_downloads_the_residents_template(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    _ensure_user(live_server, "e2e.importer", Role.INSURANCE_BUREAU)
    _log_in(page, live_server, "e2e.importer")
    expect(page).to_have_url(live_server.url + "/")
    page.goto(live_server.url + "/registry")
    page.get_by_test_id("subnav-templates").click()
    expect(page).to_have_url(live_server.url + "/registry/templates")
    table = page.get_by_test_id("import-templates")
    expect(table).to_contain_text("参保居民")
    expect(table).to_contain_text("sanyi import encounters")
    screenshot(page, "import-templates-zh")
    with page.expect_download() as caught:
        page.locator('a[href="/registry/templates/residents.xlsx"]').click()
    saved = tmp_path / "residents.xlsx"
    caught.value.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    header = [cell.value for cell in next(workbook["数据"].iter_rows(max_row=1))]
    workbook.close()
    assert header == import_specs()["residents"].headers
