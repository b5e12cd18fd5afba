"""The indicator API: login, scoping by role, approval by the reform office (both databases)."""

from collections.abc import Iterator
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.registry.api import institutions
from sanyi.synth.api import DatabaseSink, RegionRequest, generate, generate_finance
from sanyi.web.app import create_app
from tests.integration.web_helpers import add_user, api_token

pytestmark = pytest.mark.db


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    generate(RegionRequest("wenzhou", 300, 2023, 3), [DatabaseSink(container.engine)])
    generate_finance(container.engine, 2023, 3)
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def test_values_are_scoped_and_carry_their_sums(client: TestClient, container: Container) -> None:
    assert client.get("/api/indicators/values?period=2023").status_code == 401
    with container.uow() as uow:
        hospital = (
            uow.connection.execute(
                select(institutions.c.code)
                .where(institutions.c.kind == "general")
                .order_by(institutions.c.code)
            )
            .scalars()
            .first()
        )
    assert hospital is not None
    add_user(container, "ind.office", Role.REFORM_OFFICE)
    add_user(container, "ind.staff", Role.INSTITUTION_STAFF, hospital)
    add_user(container, "ind.health", Role.HEALTH_COMMISSION)
    office, staff, health = (api_token(client, name) for name in ("ind.office", "ind.staff", "ind.health"))

    catalogue = client.get("/api/indicators", headers=staff).json()
    assert len(catalogue) == 38 and catalogue[0]["caliber"]["version"]
    fj06 = client.get("/api/indicators/FJ06", headers=staff).json()
    assert (
        fj06["numerator"] == "referred_visits[public_hospital]"
        and fj06["elements"][0]["id"] == "referred_visits"
    )
    assert client.get("/api/indicators/XX99", headers=staff).json()["error"]["code"] == "INDICATOR_UNKNOWN"
    assert any(
        t["indicator"] == "FJ06" and "温政发" in t["document"]
        for t in client.get("/api/indicators/targets", headers=staff).json()
    )

    counties = client.get(
        "/api/indicators/values?period=2023Q1&period=2023Q2&indicators=FJ03,YY01&scope=330300&by=county",
        headers=office,
    )
    assert counties.status_code == 200, counties.text
    rows = counties.json()
    assert {r["period"] for r in rows} == {"2023Q1", "2023Q2"} and len({r["key"] for r in rows}) > 3
    for row in rows:
        assert {
            "numerator",
            "denominator",
            "factor",
            "unit",
            "caliber_version",
            "elements",
            "achievement",
        } <= set(row)
    own = client.get("/api/indicators/values?period=2023&indicators=YY01", headers=staff).json()
    assert [r["key"] for r in own] == [hospital] and own[0]["numerator"] is not None
    refused = client.get("/api/indicators/values?period=2023&scope=330300", headers=staff)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "INDICATOR_OUT_OF_SCOPE"
    bad = client.get("/api/indicators/values?period=2023&by=street", headers=office)
    assert bad.status_code == 422 and bad.json()["error"]["path"] == "by"

    # Submit (commission) → approve (reform office only) → locked; the report is Excel.
    body = {"area": "330300", "period": "2023Q1"}
    assert client.post("/api/indicators/approvals", json=body, headers=staff).status_code == 403
    assert client.post("/api/indicators/approvals", json=body, headers=health).status_code == 201
    assert client.post("/api/indicators/approvals/330300/2023Q1/approve", headers=health).status_code == 403
    approved = client.post("/api/indicators/approvals/330300/2023Q1/approve", headers=office)
    assert approved.status_code == 200 and approved.json()["locked"] is True
    again = client.post("/api/indicators/approvals/330300/2023Q1/approve", headers=office)
    assert again.status_code == 409 and again.json()["error"]["code"] == "INDICATOR_APPROVAL_STATE"
    snapshot = client.get("/api/indicators/approvals/330300/2023Q1/snapshot", headers=office).json()
    assert any(r["indicator"] == "FJ03" and r["key"] == "330300" for r in snapshot)
    report = client.get("/api/indicators/report?area=330300&quarter=2023Q1", headers=office)
    assert report.status_code == 200 and "分级诊疗" in load_workbook(BytesIO(report.content)).sheetnames
    locked = client.post(
        "/api/indicators/reported-values",
        json={"unit": hospital, "month": "2023-02", "element": "paediatric_beds", "value": "8"},
        headers=staff,
    )
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "INDICATOR_PERIOD_LOCKED"
    other = client.post(
        "/api/indicators/reported-values",
        json={"unit": "H00000000000", "month": "2023-05", "element": "paediatric_beds", "value": "8"},
        headers=staff,
    )
    assert other.status_code == 422
    ok = client.post(
        "/api/indicators/reported-values",
        json={"unit": hospital, "month": "2023-05", "element": "paediatric_beds", "value": "8"},
        headers=staff,
    )
    assert ok.status_code == 204
