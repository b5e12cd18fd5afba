"""Settlement pages: package list, settling by hand with its trail, 冲正, a person's masked accumulators."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.registry.api import areas, residents
from sanyi.web.app import create_app
from tests.integration.web_helpers import add_user, browser_login

pytestmark = pytest.mark.db


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


FORM = {
    "claim_id": "WEB1",
    "person_id": "P-WEB-1",
    "scheme": "employee",
    "group": "active",
    "home_region": "330102",
    "type": "inpatient",
    "institution_id": "H33010200001",
    "tier": "3",
    "kind": "general",
    "start": "2023-03-01",
    "line1_code": "A-1",
    "line1_category": "06",
    "line1_class": "A",
    "line1_quantity": "1",
    "line1_unit_price": "35000.00",
    "line2_code": "B-1",
    "line2_category": "09",
    "line2_class": "B",
    "line2_selfpay_prop": "0.10",
    "line2_quantity": "100",
    "line2_unit_price": "200.00",
    "line3_code": "C-1",
    "line3_category": "08",
    "line3_class": "C",
    "line3_quantity": "1",
    "line3_unit_price": "5000.00",
}


def test_index_lists_the_packages(client: TestClient, container: Container) -> None:
    add_user(container, "admin1", Role.ADMIN)
    browser_login(client, "admin1")
    page = client.get("/settlement")
    assert page.status_code == 200
    assert "hangzhou-2020" in page.text and "wenzhou-2018" in page.text
    assert 'data-testid="settle-new-link"' not in page.text
    assert client.get("/settlement/new").status_code == 403


def test_settle_by_hand_dry_run_then_settle_then_reverse(client: TestClient, container: Container) -> None:
    add_user(container, "bureau1", Role.INSURANCE_BUREAU)
    csrf = browser_login(client, "bureau1")
    preview = client.post("/settlement/new", data={**FORM, "csrf_token": csrf, "action": "dry_run"})
    assert preview.status_code == 200, preview.text
    assert 'data-testid="split-hifp_pay">43584.00<' in preview.text
    assert "预结算（未保存）" in preview.text and "杭州市主城区" in preview.text
    settled = client.post("/settlement/new", data={**FORM, "csrf_token": csrf, "action": "settle"})
    assert 'data-testid="settlement-status">已结算<' in settled.text
    claim_page = client.get("/settlement/claims/WEB1")
    assert claim_page.status_code == 200 and 'data-testid="reverse"' in claim_page.text
    workbook = client.get("/settlement/claims/WEB1/excel")
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    sheets = load_workbook(io.BytesIO(workbook.content))
    assert sheets.sheetnames == ["结算结果", "计算过程", "费用明细"]
    split_rows = {row[0]: row[2] for row in sheets["结算结果"].iter_rows(min_row=2, values_only=True)}
    assert split_rows["hifp_pay"] == "43584.00" and split_rows["psn_part_amt"] == "16416.00"
    reversed_ = client.post("/settlement/claims/WEB1/reverse", data={"csrf_token": csrf})
    assert reversed_.status_code == 200 and "已冲正" in reversed_.text
    english = client.get("/settlement/claims/WEB1?lang=en")
    assert "reversed" in english.text and "Patient&#39;s share" in english.text


def test_bad_form_shows_code_and_path(client: TestClient, container: Container) -> None:
    add_user(container, "bureau1", Role.INSURANCE_BUREAU)
    csrf = browser_login(client, "bureau1")
    bad = {**FORM, "line1_unit_price": "12,5", "csrf_token": csrf, "action": "settle"}
    page = client.post("/settlement/new", data=bad)
    assert page.status_code == 422
    assert "SETTLEMENT_INVALID_FIELD" in page.text and "lines[0].unit_price" in page.text
    assert 'value="12,5"' in page.text  # the form keeps what was typed


def test_institution_staff_settle_for_their_own_institution_only(
    client: TestClient, container: Container
) -> None:
    add_user(container, "staff1", Role.INSTITUTION_STAFF, institution_id="H33010200099")
    csrf = browser_login(client, "staff1")
    form = client.get("/settlement/new").text
    assert re.search(r'name="institution_id" value="H33010200099" readonly', form)
    page = client.post("/settlement/new", data={**FORM, "csrf_token": csrf, "action": "settle"})
    # The form's institution is ignored: staff always settle as their own institution.
    assert 'data-testid="settlement-status">已结算<' in page.text
    assert client.get("/settlement/accumulators").status_code == 403


def _register_resident(container: Container) -> None:
    with container.uow(write=True) as uow:
        uow.connection.execute(areas.insert().values(code="330102", name="上城区", level="county"))
        uow.connection.execute(
            residents.insert().values(
                person_id="P-WEB-1",
                citizen_id="33010219600501123X",
                name="张三丰",
                sex="1",
                birth_date=date(1960, 5, 1),
                household_area="330102",
                residence_area="330102",
                pregnant=False,
                disabled=False,
                severe_mental=False,
                hypertension=False,
                diabetes=False,
                tuberculosis=False,
            )
        )
        uow.commit()


def test_accumulators_page_masks_the_person(client: TestClient, container: Container) -> None:
    _register_resident(container)
    add_user(container, "bureau1", Role.INSURANCE_BUREAU)
    csrf = browser_login(client, "bureau1")
    client.post("/settlement/new", data={**FORM, "csrf_token": csrf, "action": "settle"})
    page = client.get("/settlement/accumulators?person_id=P-WEB-1&year=2023")
    assert page.status_code == 200
    assert 'data-testid="acc-inpatient_policy_range">53000.00<' in page.text
    assert 'href="/settlement/claims/WEB1"' in page.text
    assert 'data-testid="masked-name">张**<' in page.text and "330102********123X" in page.text
    assert "张三丰" not in page.text and "33010219600501123X" not in page.text
    with container.uow() as uow:
        actions = [e.action for e in container.audit.entries(uow.connection, actor="bureau1")]
    assert "accumulators.view" in actions


def test_policy_page_shows_every_parameter_with_its_source(client: TestClient, container: Container) -> None:
    add_user(container, "staff1", Role.INSTITUTION_STAFF, institution_id="H33010200001")
    browser_login(client, "staff1")
    assert 'href="/settlement/policies/harbin-2017"' in client.get("/settlement").text
    page = client.get("/settlement/policies/harbin-2017")
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="policy-resident-inpatient"' in text and "720.00" in text and "0.65" in text
    assert "psychiatric_or_tuberculosis_hospital" in text and "-0.03" in text
    assert "哈尔滨市城乡居民基本医疗保险待遇（二手整理）" in text
    wenzhou = client.get("/settlement/policies/wenzhou-2018?lang=en").text
    assert "12000.00" in wenzhou and "dibao edge" in wenzhou and "none" in wenzhou
    assert client.get("/settlement/policies/atlantis").status_code == 404
