"""Tiered-care pages: each role's page renders; the family doctor refers into a reserved slot and the
desk accepts through the forms; a refused action shows its code and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from sanyi.identity.api import Role
from sanyi.web.app import create_app
from tests.integration.tiered.conftest import TieredRegion
from tests.integration.web_helpers import add_user, browser_login

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def page_users(tiered_region: TieredRegion) -> TieredRegion:
    add_user(tiered_region.container, "pg_doctor", Role.FAMILY_DOCTOR, tiered_region.centre)
    add_user(tiered_region.container, "pg_desk", Role.INSTITUTION_STAFF, tiered_region.hospital)
    add_user(tiered_region.container, "pg_bureau", Role.HEALTH_COMMISSION)
    return tiered_region


def _client(region: TieredRegion, username: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(region.container), base_url="http://testserver")
    return client, browser_login(client, username)


@pytest.fixture
def clients(page_users: TieredRegion, region: TieredRegion) -> Iterator[dict[str, tuple[TestClient, str]]]:
    made = {name: _client(region, f"pg_{name}") for name in ("doctor", "desk", "bureau")}
    yield made
    for client, _ in made.values():
        client.close()


def test_every_page_renders_for_every_role(clients: dict[str, tuple[TestClient, str]]) -> None:
    for client, _ in clients.values():
        for path in ("", "/contracts", "/referrals", "/desk", "/desk/queue", "/schedules", "/results"):
            response = client.get(f"/tiered-care{path}")
            assert response.status_code == 200, (path, response.text[:300])
            assert "tiered." not in response.text  # every message key has a text


def test_refer_into_a_reserved_slot_and_accept_through_the_forms(
    clients: dict[str, tuple[TestClient, str]], region: TieredRegion
) -> None:
    region.container.tiered.booking.create_schedule(
        region.desk(), department="03", starts_at=datetime(2024, 3, 5, 0, 30, tzinfo=UTC), capacity=10
    )
    doctor, doctor_csrf = clients["doctor"]
    desk, desk_csrf = clients["desk"]
    page = doctor.get("/tiered-care/referrals").text
    assert "预留号余 3" in page
    session = region.container.tiered.booking.list_schedules()[0]["id"]
    form = {
        "csrf_token": doctor_csrf,
        "person_id": region.people[0],
        "schedule_id": session,
        "diagnosis": "I10.x00",
        "reason": "血压控制不佳",
    }
    bad = doctor.post("/tiered-care/referrals", data={**form, "person_id": "NOBODY"})
    assert bad.status_code == 422 and "TIERED_NOT_FOUND" in bad.text
    made = doctor.post("/tiered-care/referrals", data=form, follow_redirects=False)
    assert made.status_code == 303
    assert "待接收" in doctor.get("/tiered-care/referrals").text
    queue = desk.get("/tiered-care/desk").text
    referral = region.container.tiered.referrals.queue(region.desk())[0]["id"]
    assert f"accept-{referral}" in queue and "原发性高血压" in queue
    accepted = desk.post(f"/tiered-care/desk/{referral}/accept", data={"csrf_token": desk_csrf})
    assert accepted.status_code == 200 and "已预约" in accepted.text
    refused = doctor.post(f"/tiered-care/desk/{referral}/arrive", data={"csrf_token": doctor_csrf})
    assert refused.status_code == 422 and "TIERED_TRANSITION_REFUSED" in refused.text


def test_sign_book_a_reserved_slot_and_terminate_through_the_forms(
    clients: dict[str, tuple[TestClient, str]], region: TieredRegion
) -> None:
    tiered = region.container.tiered
    tiered.contracts.create_team(
        region.doctor(),
        code="PG-T",
        name="PG",
        gp=region.staff[0],
        nurse=region.staff[3],
        public_health=region.staff[4],
    )
    tiered.booking.create_schedule(
        region.desk(), department="03", starts_at=datetime(2024, 3, 6, 0, 30, tzinfo=UTC), capacity=10
    )
    doctor, csrf = clients["doctor"]
    person = region.people[7]
    signed = doctor.post(
        "/tiered-care/contracts",
        data={"csrf_token": csrf, "person_id": person, "team": "PG-T", "package": "BASIC"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    contract = tiered.contracts.list_contracts(region.doctor())[0]
    page = doctor.get("/tiered-care/contracts").text
    assert f"book-{contract['id']}" in page and "预留号余 3" in page
    session = tiered.booking.list_schedules()[0]["id"]
    booked = doctor.post(
        f"/tiered-care/contracts/{contract['id']}/book",
        data={"csrf_token": csrf, "schedule_id": session},
        follow_redirects=False,
    )
    assert booked.status_code == 303 and tiered.booking.get_schedule(session)["free_reserved"] == 2
    again = doctor.post(
        f"/tiered-care/contracts/{contract['id']}/book", data={"csrf_token": csrf, "schedule_id": session}
    )
    assert again.status_code == 422 and "BOOKING_LIMIT_REACHED" in again.text
    ended = doctor.post(
        f"/tiered-care/contracts/{contract['id']}/terminate",
        data={"csrf_token": csrf, "reason": "on_request"},
        follow_redirects=False,
    )
    assert ended.status_code == 303
    assert tiered.contracts.list_contracts(region.doctor(), state="terminated")[0]["reason"] == "on_request"


def test_order_recognise_or_repeat_through_the_results_page(
    clients: dict[str, tuple[TestClient, str]], region: TieredRegion
) -> None:
    results = region.container.tiered.results
    person = region.people[8]
    results.record_result(region.desk(), person_id=person, item="IMG004", taken_at=region.clock.now())
    doctor, csrf = clients["doctor"]
    ordered = doctor.post(
        "/tiered-care/results/order", data={"csrf_token": csrf, "person_id": person, "item": "IMG004"}
    )
    assert ordered.status_code == 200 and "互认有效期至" in ordered.text
    found = re.search(r'action="/tiered-care/results/orders/([0-9A-Z]+)"', ordered.text)
    assert found is not None
    order_id = found[1]
    repeated = doctor.post(
        f"/tiered-care/results/orders/{order_id}",
        data={"csrf_token": csrf, "person_id": person, "accept": "0", "reason": "condition_changed"},
    )
    assert repeated.status_code == 200 and "已记录重复检查" in repeated.text
    again = doctor.post(
        f"/tiered-care/results/orders/{order_id}",
        data={"csrf_token": csrf, "person_id": person, "accept": "1"},
    )
    assert again.status_code == 422 and "TIERED_TRANSITION_REFUSED" in again.text
    unknown = doctor.post(
        "/tiered-care/results/order", data={"csrf_token": csrf, "person_id": person, "item": "X"}
    )
    assert unknown.status_code == 422 and "RESULT_ITEM_UNKNOWN" in unknown.text
    looked = doctor.get(f"/tiered-care/results?person_id={person}").text
    assert "超声" in looked


def test_the_desk_refers_down_with_a_care_plan(
    clients: dict[str, tuple[TestClient, str]], region: TieredRegion
) -> None:
    desk, csrf = clients["desk"]
    form = {
        "csrf_token": csrf,
        "person_id": region.people[9],
        "to_institution": region.centre,
        "diagnosis": "I63.9",
        "reason": "脑梗死恢复期",
    }
    missing = desk.post("/tiered-care/desk/down", data={**form, "care_plan": ""})
    assert missing.status_code == 422 and "REFERRAL_REASON_REQUIRED" in missing.text
    sent = desk.post(
        "/tiered-care/desk/down", data={**form, "care_plan": "康复训练，每周随访血压"}, follow_redirects=False
    )
    assert sent.status_code == 303
    assert "下转" in desk.get("/tiered-care/desk").text
    doctor, _ = clients["doctor"]
    incoming = doctor.get("/tiered-care/desk").text
    assert "脑梗死恢复期" in incoming and "accept-" in incoming
