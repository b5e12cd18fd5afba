"""The tiered-care JSON API: the referral loop end to end, errors in the API shape, OpenAPI."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from sanyi.identity.api import Role
from sanyi.web.app import create_app
from tests.integration.tiered.conftest import TieredRegion
from tests.integration.web_helpers import add_user, api_token

pytestmark = pytest.mark.db


@dataclass
class Clients:
    client: TestClient
    doctor: dict[str, str]
    desk: dict[str, str]
    bureau: dict[str, str]


@pytest.fixture(scope="module")
def users(tiered_region: TieredRegion) -> TieredRegion:
    add_user(tiered_region.container, "api_doctor", Role.FAMILY_DOCTOR, tiered_region.centre)
    add_user(tiered_region.container, "api_desk", Role.INSTITUTION_STAFF, tiered_region.hospital)
    add_user(tiered_region.container, "api_bureau", Role.HEALTH_COMMISSION)
    return tiered_region


@pytest.fixture
def api(users: TieredRegion, region: TieredRegion) -> Iterator[Clients]:
    with TestClient(create_app(region.container), base_url="http://testserver") as client:
        yield Clients(
            client,
            api_token(client, "api_doctor"),
            api_token(client, "api_desk"),
            api_token(client, "api_bureau"),
        )


def test_refer_into_a_reserved_slot_and_accept(api: Clients, region: TieredRegion) -> None:
    client = api.client
    person = region.people[0]
    team = {
        "code": "API-T",
        "name": "团队",
        "gp": region.staff[0],
        "nurse": region.staff[3],
        "public_health": region.staff[4],
    }
    assert client.post("/api/tiered/teams", json=team, headers=api.doctor).status_code == 201
    signed = client.post(
        "/api/tiered/contracts",
        json={"person_id": person, "team": "API-T", "package": "BASIC"},
        headers=api.doctor,
    )
    assert signed.status_code == 201, signed.text
    again = client.post(
        "/api/tiered/contracts",
        json={"person_id": person, "team": "API-T", "package": "BASIC"},
        headers=api.doctor,
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "CONTRACT_ALREADY_ACTIVE"
    session = client.post(
        "/api/tiered/schedules",
        json={"department": "03", "starts_at": "2024-03-05T08:30:00+08:00", "capacity": 10},
        headers=api.desk,
    )
    assert session.status_code == 201 and session.json()["free_reserved"] == 3
    referral = client.post(
        "/api/tiered/referrals",
        json={
            "person_id": person,
            "to_institution": region.hospital,
            "diagnosis": "I10.x00",
            "reason": "血压控制不佳",
            "schedule_id": session.json()["id"],
        },
        headers=api.doctor,
    )
    assert referral.status_code == 201, referral.text
    rid = referral.json()["id"]
    queue = client.get("/api/tiered/referrals", headers=api.desk).json()
    assert [r["id"] for r in queue] == [rid]
    refused = client.post(f"/api/tiered/referrals/{rid}/accept", headers=api.doctor)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "TIERED_TRANSITION_REFUSED"
    accepted = client.post(f"/api/tiered/referrals/{rid}/accept", headers=api.desk)
    assert accepted.status_code == 200 and accepted.json()["state"] == "scheduled"
    outgoing = client.get("/api/tiered/referrals?side=outgoing", headers=api.doctor).json()
    assert outgoing[0]["state"] == "scheduled"
    coverage = client.get("/api/tiered/coverage", headers=api.bureau).json()
    assert sum(row["signed"] for row in coverage) == 1
    assert client.get("/api/tiered/teams").status_code == 401


def test_results_api_and_openapi(api: Clients, region: TieredRegion) -> None:
    client = api.client
    person = region.people[1]
    made = client.post(
        "/api/tiered/results",
        json={"person_id": person, "item": "LAB001", "taken_at": "2024-02-28T10:00:00+08:00"},
        headers=api.desk,
    )
    assert made.status_code == 201, made.text
    order = client.post(
        "/api/tiered/orders", json={"person_id": person, "item": "LAB001"}, headers=api.doctor
    )
    assert order.json()["outcome"] == "proposed"
    bad = client.post(
        f"/api/tiered/orders/{order.json()['id']}/decide", json={"accept": False}, headers=api.doctor
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "REFERRAL_REASON_REQUIRED"
    ok = client.post(
        f"/api/tiered/orders/{order.json()['id']}/decide", json={"accept": True}, headers=api.doctor
    )
    assert ok.json()["outcome"] == "recognised"
    rates = client.get("/api/tiered/recognition-rates", headers=api.bureau).json()
    assert rates[0]["rate"] == 1.0
    paths = client.get("/api/openapi.json", headers=api.bureau).json()["paths"]
    assert {"/api/tiered/referrals", "/api/tiered/bookings", "/api/tiered/orders"} <= set(paths)
