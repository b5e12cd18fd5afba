"""The settlement API: roles and scope, dry run, idempotency, reversal, errors in the API shape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.web.app import create_app
from tests.integration.web_helpers import add_user, api_token
from tests.unit.settlement.claims import claim, line

pytestmark = pytest.mark.db

HOSPITAL = "H33010200001"


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def bureau(client: TestClient, container: Container) -> dict[str, str]:
    add_user(container, "bureau1", Role.INSURANCE_BUREAU)
    return api_token(client, "bureau1")


def test_settle_dry_run_duplicate_read_and_reverse(client: TestClient, bureau: dict[str, str]) -> None:
    record = claim(
        "API1",
        [line(1, "35000.00"), line(2, "20000.00", cls="B", selfpay="0.10"), line(3, "5000.00", cls="C")],
    )
    preview = client.post("/api/settlements?dry_run=true", json=record, headers=bureau)
    assert preview.status_code == 200 and preview.json()["status"] == "dry_run"
    assert client.get("/api/settlements/API1", headers=bureau).status_code == 404
    created = client.post("/api/settlements", json=record, headers=bureau)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["split"]["hifp_pay"] == preview.json()["split"]["hifp_pay"] == "43584.00"
    assert body["duplicate"] is False and body["trail"][0]["step"] == "policy_range"
    repeat = client.post("/api/settlements", json=record, headers=bureau)
    assert repeat.status_code == 200 and repeat.json()["duplicate"] is True
    changed = dict(record, lines=[line(1, "1.00")])
    conflict = client.post("/api/settlements", json=changed, headers=bureau)
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "SETTLEMENT_CONFLICT"
    assert client.get("/api/settlements/API1", headers=bureau).json()["status"] == "settled"
    reversed_ = client.post("/api/settlements/API1/reverse", headers=bureau)
    assert reversed_.status_code == 200 and reversed_.json()["status"] == "reversed"
    totals = client.get("/api/settlements/accumulators/P1?year=2023", headers=bureau).json()
    assert totals["inpatient_policy_range"] == "0.00" and totals["inpatient_stays"] == 0


def test_bad_claim_gives_code_messages_and_path(client: TestClient, bureau: dict[str, str]) -> None:
    record = claim("API2", [line(1, "100.00")])
    record["lines"][0]["unit_price"] = 100.5
    response = client.post("/api/settlements", json=record, headers=bureau)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "SETTLEMENT_INVALID_FIELD" and error["path"] == "lines[0].unit_price"
    assert error["message_zh"] and error["message_en"]
    unknown = client.post(
        "/api/settlements?policy=atlantis", json=claim("API3", [line(1, "1.00")]), headers=bureau
    )
    assert unknown.status_code == 404


def test_institution_staff_only_for_their_own_institution(
    client: TestClient, container: Container, bureau: dict[str, str]
) -> None:
    add_user(container, "staff1", Role.INSTITUTION_STAFF, institution_id=HOSPITAL)
    add_user(container, "staff2", Role.INSTITUTION_STAFF, institution_id="H33010200099")
    own, other = api_token(client, "staff1"), api_token(client, "staff2")
    record = claim("API4", [line(1, "100.00")])
    assert client.post("/api/settlements", json=record, headers=other).status_code == 403
    assert client.post("/api/settlements", json=record, headers=own).status_code == 201
    assert client.get("/api/settlements/API4", headers=other).status_code == 403
    assert client.post("/api/settlements/API4/reverse", headers=other).status_code == 403
    assert client.get("/api/settlements/API4", headers=own).status_code == 200
    # Accumulators of a person are the bureau's view.
    assert client.get("/api/settlements/accumulators/P1?year=2023", headers=own).status_code == 403


def test_other_roles_and_anonymous_are_refused(client: TestClient, container: Container) -> None:
    add_user(container, "doctor1", Role.FAMILY_DOCTOR, institution_id=HOSPITAL)
    record = claim("API5", [line(1, "100.00")])
    assert client.post("/api/settlements", json=record).status_code == 401
    assert (
        client.post("/api/settlements", json=record, headers=api_token(client, "doctor1")).status_code == 403
    )


def test_every_access_is_audited(client: TestClient, container: Container, bureau: dict[str, str]) -> None:
    client.post("/api/settlements", json=claim("API6", [line(1, "100.00")]), headers=bureau)
    client.get("/api/settlements/API6", headers=bureau)
    client.get("/api/settlements/accumulators/P1?year=2023", headers=bureau)
    with container.uow() as uow:
        actions = [e.action for e in container.audit.entries(uow.connection, actor="bureau1")]
    assert {"settlement.settle", "settlement.view", "accumulators.view"} <= set(actions)
