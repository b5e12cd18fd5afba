"""Tiered care in Chromium: a family doctor refers a patient up into a reserved slot; the hospital's
referral desk sees it in its queue with a timer and accepts, which schedules the visit."""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from sanyi.identity.api import Role
from sanyi.registry.api import Viewer, institutions, residents
from sanyi.synth.api import DatabaseSink, RegionRequest, database_is_empty, generate
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
        person = (
            connection.execute(
                select(residents.c.person_id)
                .where(residents.c.death_date.is_(None))
                .order_by(residents.c.person_id.desc())
            )
            .scalars()
            .first()
        )
    assert centre and hospital and person
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
