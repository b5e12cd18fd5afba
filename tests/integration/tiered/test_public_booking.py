"""Public booking without login: a code to the registered phone (SMS behind a test double), then a
public slot; wrong codes and mismatched phones are refused without telling which part was wrong."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanyi.registry.api import residents
from sanyi.web.app import create_app
from tests.integration.tiered.conftest import TieredRegion

pytestmark = pytest.mark.db


class RecordingGateway:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def deliver(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


@pytest.fixture
def sms(region: TieredRegion) -> Iterator[RecordingGateway]:
    public = region.container.tiered.public
    original = public.verifier.gateway
    public.verifier.gateway = recorder = RecordingGateway()
    yield recorder
    public.verifier.gateway = original


def test_book_a_public_slot_with_a_phone_code(region: TieredRegion, sms: RecordingGateway) -> None:
    with region.container.engine.connect() as connection:
        person = connection.execute(
            select(residents.c.person_id, residents.c.citizen_id, residents.c.phone)
            .where(residents.c.phone.is_not(None), residents.c.death_date.is_(None))
            .order_by(residents.c.person_id)
        ).first()
    assert person is not None
    session = region.container.tiered.booking.create_schedule(
        region.desk(), department="03", starts_at=datetime(2024, 3, 5, 0, 30, tzinfo=UTC), capacity=4
    )
    with TestClient(create_app(region.container), base_url="http://testserver") as client:
        assert client.get("/public/booking").status_code == 200
        assert [s["id"] for s in client.get("/api/public/booking/sessions").json()] == [session["id"]]
        wrong = client.post(
            "/api/public/booking/code", json={"citizen_id": person.citizen_id, "phone": "13900000000"}
        )
        assert wrong.status_code == 202 and sms.sent == []
        sent = client.post(
            "/api/public/booking/code", json={"citizen_id": person.citizen_id, "phone": person.phone}
        )
        assert sent.status_code == 202 and len(sms.sent) == 1
        match = re.search(r"(\d{6})", sms.sent[0][1])
        assert match is not None
        body = {"citizen_id": person.citizen_id, "phone": person.phone, "schedule_id": session["id"]}
        bad = client.post(
            "/api/public/booking", json={**body, "code": "000000" if match[1] != "000000" else "111111"}
        )
        assert bad.status_code == 403 and bad.json()["error"]["code"] == "PHONE_CHECK_FAILED"
        booked = client.post("/api/public/booking", json={**body, "code": match[1]})
        assert booked.status_code == 201, booked.text
        assert booked.json()["reserved"] is False and booked.json()["channel"] == "public"
        reused = client.post("/api/public/booking", json={**body, "code": match[1]})
        assert reused.status_code == 403
    assert region.container.tiered.booking.get_schedule(session["id"])["free"] == 3


def test_the_public_booking_page(region: TieredRegion, sms: RecordingGateway) -> None:
    with region.container.engine.connect() as connection:
        person = connection.execute(
            select(residents.c.citizen_id, residents.c.phone)
            .where(residents.c.phone.is_not(None), residents.c.death_date.is_(None))
            .order_by(residents.c.person_id.desc())
        ).first()
    assert person is not None
    session = region.container.tiered.booking.create_schedule(
        region.desk(), department="03", starts_at=datetime(2024, 3, 5, 0, 30, tzinfo=UTC), capacity=4
    )
    with TestClient(create_app(region.container), base_url="http://testserver") as client:
        page = client.get("/public/booking").text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
        assert token is not None
        form = {"csrf_token": token[1], "citizen_id": person.citizen_id, "phone": person.phone}
        sent = client.post("/public/booking", data={**form, "action": "code"})
        assert sent.status_code == 200 and "验证码已发送" in sent.text
        match = re.search(r"(\d{6})", sms.sent[-1][1])
        assert match is not None
        booked = client.post(
            "/public/booking", data={**form, "action": "book", "code": match[1], "schedule_id": session["id"]}
        )
        assert booked.status_code == 200 and "预约成功" in booked.text
        refused = client.post(
            "/public/booking", data={**form, "action": "book", "code": match[1], "schedule_id": session["id"]}
        )
        assert refused.status_code == 422 and "PHONE_CHECK_FAILED" in refused.text
