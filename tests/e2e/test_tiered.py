"""Tiered care in Chromium: a family doctor refers a patient up into a reserved slot; the hospital's
referral desk sees it in its queue with a timer and accepts, which schedules the visit; the patient
arrives and the desk settles the referred stay from the browser with the referral's continuous
deductible (illustrative package referral-continuity-example, 国办发〔2015〕70号)."""

import json
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from sanyi.identity.api import Role
from sanyi.registry.api import Viewer, institutions, residents
from sanyi.synth.api import DatabaseSink, RegionRequest, database_is_empty, generate
from sanyi.tiered.api import referrals
from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_shell import _ensure_user, _log_in

pytestmark = pytest.mark.e2e


def test_family_doctor_refers_up_into_a_reserved_slot_and_the_hospital_accepts(
    page: Page, live_server: LiveServer
) -> None:
    container = live_server.container
    if database_is_empty(container.engine):
        generate(RegionRequest("wenzhou", 200, 2023, 5), [DatabaseSink(container.engine)])
    with container.engine.connect() as connection:
        centre = (
            connection.execute(
                select(institutions.c.code)
                .where(institutions.c.kind == "community_centre")
                .order_by(institutions.c.code)
            )
            .scalars()
            .first()
        )
        hospital = (
            connection.execute(
                select(institutions.c.code).where(institutions.c.tier == 3).order_by(institutions.c.code)
            )
            .scalars()
            .first()
        )
        person, home_region = connection.execute(
            select(residents.c.person_id, residents.c.home_region)
            .where(residents.c.death_date.is_(None))
            .order_by(residents.c.person_id.desc())
            .limit(1)
        ).one()
    assert centre and hospital and person and home_region
    _ensure_user(live_server, "e2e.gp", Role.FAMILY_DOCTOR, centre)
    _ensure_user(live_server, "e2e.desk", Role.INSTITUTION_STAFF, hospital)
    desk = Viewer("e2e.desk", Role.INSTITUTION_STAFF.value, hospital, regional=False)
    starts = container.clock.now().replace(microsecond=0) + timedelta(days=4)
    container.tiered.booking.create_schedule(desk, department="03", starts_at=starts, capacity=10)

    _log_in(page, live_server, "e2e.gp")
    page.get_by_test_id("nav-tiered_care").click()
    page.get_by_test_id("tiered-referrals-link").click()
    expect(page.get_by_test_id("refer-session")).to_contain_text("预留号余 3")
    page.get_by_test_id("refer-person").fill(person)
    page.get_by_test_id("refer-diagnosis").fill("I10.x00")
    page.get_by_test_id("refer-reason").fill("血压控制不佳，请上级医院调整用药")
    page.get_by_test_id("refer-submit").click()
    expect(page.get_by_test_id("my-referrals")).to_contain_text("待接收")
    expect(page.get_by_test_id("refer-session")).to_contain_text("预留号余 2")
    screenshot(page, "tiered-referral-created-zh")

    page.context.clear_cookies()
    _log_in(page, live_server, "e2e.desk")
    page.goto(live_server.url + "/tiered-care/desk")
    queue = page.get_by_test_id("desk-queue")
    expect(queue).to_contain_text("原发性高血压")
    expect(queue.get_by_test_id("referral-deadline").first).to_contain_text("截止")
    queue.get_by_role("button", name="接收").first.click()
    expect(page.get_by_test_id("desk-queue")).to_contain_text("已预约")
    screenshot(page, "tiered-desk-accepted-zh")

    with container.engine.connect() as connection:
        referral = connection.execute(
            select(referrals.c.id).where(referrals.c.person_id == person, referrals.c.state == "scheduled")
        ).scalar_one()
    page.get_by_test_id(f"arrive-{referral}").click()
    expect(page.get_by_test_id("desk-queue")).to_contain_text("已到诊")

    # The desk settles the stay in the browser session (cookie + CSRF header, as the page's HTMX does).
    claim = {
        "claim_id": f"E2E-{referral}",
        "person": {"id": person, "scheme": "resident", "group": "adult", "home_region": home_region},
        "encounter": {
            "type": "inpatient",
            "institution": {"id": hospital, "tier": 3, "primary_care": False, "region": home_region},
            "start": starts.isoformat(),
        },
        "lines": [
            {
                "no": 1,
                "code": "A-1",
                "name": "治疗费",
                "category": "05",
                "class": "A",
                "quantity": "1",
                "unit_price": "10000.00",
            }
        ],
    }
    result = page.evaluate(
        """async ([url, claim]) => {
            const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
            const response = await fetch(url, {method: "POST", body: JSON.stringify(claim),
                headers: {"content-type": "application/json", "x-csrf-token": token}});
            return {status: response.status, body: await response.json()};
        }""",
        [f"/api/tiered/referrals/{referral}/settle?policy=referral-continuity-example", claim],
    )
    assert result["status"] == 200, json.dumps(result, ensure_ascii=False)
    split = result["body"]["split"]
    # 三级 800 − 转出的一级社区 300 = 500; (10000 − 500) × 0.80 = 7600.
    assert split["act_pay_dedc"] == "500.00" and split["hifp_pay"] == "7600.00", split
    steps = [step for step in result["body"]["trail"] if step["step"] == "deductible"]
    assert steps[0]["rule"] == "continuous_on_referral"
