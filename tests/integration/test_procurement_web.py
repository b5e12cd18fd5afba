"""Procurement API and pages: the bureau runs the check and records assessments, staff see only their
institution, family doctors have no procurement view, every table exports to Excel, bad parameters
name themselves."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.registry.api import Viewer
from sanyi.synth.api import DatabaseSink, ProcurementSummary, RegionRequest, generate, generate_procurement
from sanyi.web.app import create_app
from sanyi.web.pages.procurement import VIEWS
from tests.integration.web_helpers import add_user, api_token, browser_login

pytestmark = pytest.mark.db


@pytest.fixture
def region(container: Container) -> Iterator[tuple[TestClient, ProcurementSummary]]:
    generate(RegionRequest("wenzhou", 300, 2023, 4), [DatabaseSink(container.engine)])
    summary = generate_procurement(container.engine, 2023, 4)
    with TestClient(create_app(container), base_url="http://testserver") as client:
        yield client, summary


def test_api_roles_and_scope(region: tuple[TestClient, ProcurementSummary], container: Container) -> None:
    client, summary = region
    add_user(container, "pc.bureau", Role.INSURANCE_BUREAU)
    add_user(container, "pc.staff", Role.INSTITUTION_STAFF, summary.lagging_institution)
    add_user(container, "pc.doctor", Role.FAMILY_DOCTOR, summary.lagging_institution)
    bureau, staff = api_token(client, "pc.bureau"), api_token(client, "pc.staff")
    assert client.post("/api/procurement/chain-check", headers=staff).status_code == 403
    ran = client.post("/api/procurement/chain-check", headers=bureau)
    assert ran.status_code == 200 and ran.json()["findings"] == len(summary.planted)
    listed = client.get("/api/procurement/findings", headers=bureau).json()
    assert sorted((f["delivery_id"], f["rule"]) for f in listed["findings"]) == sorted(summary.planted)
    price = next(f for f in listed["findings"] if f["rule"] == "CHAIN_PRICE_MISMATCH")
    assert float(price["amount"]) > 0 and price["evidence"]["platform_price"]
    chain = client.get(f"/api/procurement/deliveries/{price['delivery_id']}", headers=bureau).json()
    assert len(chain["invoices"]) == 2

    warnings = client.get("/api/procurement/warnings?as_of=2023-12-31", headers=staff).json()
    assert {w["institution"] for w in warnings} == {summary.lagging_institution}
    assert client.get("/api/procurement/orders", headers=staff).json()[0]["institution_code"] == (
        summary.lagging_institution
    )
    savings = client.get("/api/procurement/savings?as_of=2023-12-31", headers=bureau).json()
    keeper = next(s for s in savings if s["completed"] and s["passed"])
    assert keeper["retained"] != "0.00"
    body = {"agreement_id": keeper["agreement_id"], "institution": keeper["institution"], "passed": False}
    assert client.post("/api/procurement/assessments", json=body, headers=staff).status_code == 403
    assert client.post("/api/procurement/assessments", json=body, headers=bureau).status_code == 204
    bad = client.post("/api/procurement/assessments", json={**body, "institution": "H0"}, headers=bureau)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "PROCUREMENT_INVALID_ASSESSMENT"

    use = client.get("/api/procurement/use?by=nonsense", headers=bureau)
    assert use.status_code == 422 and use.json()["error"]["path"] == "by"
    assert client.get("/api/procurement/use?by=doctor", headers=bureau).status_code == 200
    assert len(client.get("/api/procurement/parameters", headers=bureau).json()) == 13
    assert client.get("/api/procurement/shortages", headers=bureau).json()
    doctor = api_token(client, "pc.doctor")
    assert client.get("/api/procurement/findings", headers=doctor).status_code == 403


def test_pages_and_excel_exports(region: tuple[TestClient, ProcurementSummary], container: Container) -> None:
    client, summary = region
    container.procurement.check_chain(Viewer("t", "admin", None, regional=True))
    add_user(container, "pc.commission", Role.HEALTH_COMMISSION)
    browser_login(client, "pc.commission")
    overview = client.get("/procurement")
    assert overview.status_code == 200 and "药品耗材" in overview.text
    assert summary.lagging_institution in overview.text
    assert 'data-testid="pc-check-form"' not in overview.text  # only the bureau runs the check
    for view in VIEWS:
        page = client.get(f"/procurement/{view}")
        assert page.status_code == 200, view
        workbook = load_workbook(io.BytesIO(client.get(f"/procurement/{view}.xlsx").content))
        sheet = workbook.worksheets[0]
        assert sheet.max_row >= 1 and sheet.cell(1, 1).value, view
    findings = load_workbook(io.BytesIO(client.get("/procurement/findings.xlsx").content)).worksheets[0]
    assert findings.max_row == len(summary.planted) + 1
    assert client.get("/procurement/nonsense").status_code == 422
    english = client.get("/procurement/completion?lang=en")
    assert "Volume-based procurement" in english.text
