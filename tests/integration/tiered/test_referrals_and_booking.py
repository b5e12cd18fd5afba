"""Referrals and booking on each backend: the closed loop into a reserved slot, the settlement link,
atomic booking under 200 concurrent requests, release of reserved slots and the waiting list."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer
from sanyi.tiered.api import BookingRequest, Channel, attended_referral, bookings, referral_events, slots
from tests.integration.tiered.conftest import TieredRegion

pytestmark = pytest.mark.db

SESSION = datetime(2024, 3, 5, 0, 30, tzinfo=UTC)  # 08:30 Beijing time, four days ahead


def _schedule(region: TieredRegion, capacity: int = 10, reserved: int = 30, release: int = 48) -> str:
    created = region.container.tiered.booking.create_schedule(
        region.desk(),
        department="03",
        starts_at=SESSION,
        capacity=capacity,
        reserved_percent=reserved,
        release_hours=release,
    )
    return str(created["id"])


def _refer(region: TieredRegion, person: str, schedule: str | None = None) -> dict[str, Any]:
    return region.container.tiered.referrals.create(
        region.doctor(),
        person_id=person,
        to_institution=region.hospital,
        direction="up",
        diagnosis="I10.x00",
        reason="血压控制不佳，请上级医院调整方案",
        schedule_id=schedule,
    )


def test_closed_loop_into_a_reserved_slot(region: TieredRegion) -> None:
    tiered = region.container.tiered
    schedule = _schedule(region)
    referral = _refer(region, region.people[0], schedule)
    assert referral["state"] == "created" and referral["booking"]["reserved"] is True
    assert referral["first_contact"] == "原发性高血压" and referral["deadline"] is not None
    assert tiered.booking.get_schedule(schedule)["free_reserved"] == 2
    with pytest.raises(DomainError) as error:  # only the receiving hospital accepts
        tiered.referrals.act(region.doctor(), referral["id"], "accept")
    assert error.value.code == "TIERED_TRANSITION_REFUSED"
    accepted = tiered.referrals.act(region.desk(), referral["id"], "accept")
    assert accepted["state"] == "scheduled" and accepted["scheduled_for"] == referral["booking"]["starts_at"]
    queue = tiered.referrals.queue(region.desk())
    assert [r["id"] for r in queue] == [referral["id"]] and "*" in queue[0]["person"]["name"]
    assert tiered.referrals.queue(region.desk(region.secondary)) == []
    arrived = tiered.referrals.act(region.desk(), referral["id"], "arrive")
    assert tiered.referrals.claim_referral(region.desk(), referral["id"]) == {
        "id": referral["id"],
        "direction": "up",
        "from_institution": region.centre,
        "from_tier": arrived["from_tier"],
    }
    with pytest.raises(DomainError) as error:
        tiered.referrals.act(region.desk(), referral["id"], "complete")
    assert error.value.code == "REFERRAL_REASON_REQUIRED"
    done = tiered.referrals.act(region.desk(), referral["id"], "complete", note="出院小结：血压已控制")
    assert [e["action"] for e in done["events"]] == ["create", "accept", "schedule", "arrive", "complete"]
    with region.container.engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(referral_events)).scalar_one()
        state = connection.execute(select(bookings.c.state)).scalar_one()
    assert stored == 5 and state == "arrived"
    seen = tiered.referrals.get(region.doctor(), referral["id"])
    assert seen["note"] == "出院小结：血压已控制"


def test_decline_frees_the_slot_and_overdue_is_flagged(region: TieredRegion) -> None:
    tiered = region.container.tiered
    schedule = _schedule(region)
    referral = _refer(region, region.people[1], schedule)
    region.clock.advance(timedelta(hours=25))
    assert tiered.referrals.queue(region.desk())[0]["overdue"] is True
    assert tiered.referrals.overdue_count(region.desk()) == 1
    with pytest.raises(DomainError) as error:
        tiered.referrals.act(region.desk(), referral["id"], "decline")
    assert error.value.code == "REFERRAL_REASON_REQUIRED"
    tiered.referrals.act(region.desk(), referral["id"], "decline", note="本院该专科暂停接诊")
    assert tiered.booking.get_schedule(schedule)["free"] == 10
    with pytest.raises(DomainError) as error:
        tiered.referrals.act(region.desk(), referral["id"], "accept")
    assert error.value.code == "TIERED_TRANSITION_REFUSED"


def test_expired_referral_is_refused(region: TieredRegion) -> None:
    referral = _refer(region, region.people[2])
    region.clock.advance(timedelta(days=31))
    with pytest.raises(DomainError) as error:
        region.container.tiered.referrals.act(region.desk(), referral["id"], "accept")
    assert error.value.code == "REFERRAL_EXPIRED"


def test_settles_the_referred_visit_without_the_no_referral_penalty(region: TieredRegion) -> None:
    tiered = region.container.tiered
    person = region.people[3]
    referral = _refer(region, person)
    tiered.referrals.act(region.desk(), referral["id"], "accept")
    tiered.referrals.act(region.desk(), referral["id"], "schedule", schedule_id=_schedule(region))
    tiered.referrals.act(region.desk(), referral["id"], "arrive")
    claim = {
        "claim_id": "REF-1",
        "person": {"id": person, "scheme": "resident", "group": "adult", "home_region": "330303"},
        "encounter": {
            "type": "inpatient",
            "institution": {"id": region.hospital, "tier": 3, "primary_care": False, "region": "330303"},
            "start": "2019-03-01T09:00:00+08:00",
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
    plain = region.container.settlement.settle(
        {**claim, "claim_id": "PLAIN-1"}, region.desk().actor, dry_run=True
    )
    referred = tiered.referrals.settle(region.desk(), referral["id"], claim).to_dict()
    assert plain.to_dict()["split"]["pool_prop"] == "0.65"  # tertiary without referral
    assert referred["split"]["pool_prop"] == "0.70"
    # The shipped packages reward a referral through the ratio (no −5 points); none sets the
    # continuous deductible (deductible.continuous_on_referral), which the engine applies when set.
    assert referred["split"]["hifp_pay"] == "6510.00" and plain.to_dict()["split"]["hifp_pay"] == "6045.00"
    with pytest.raises(DomainError) as error:
        tiered.referrals.settle(region.desk(), referral["id"], {**claim, "person": {"id": region.people[4]}})
    assert error.value.code == "TIERED_INVALID"


def test_two_hundred_concurrent_requests_for_ten_slots(region: TieredRegion) -> None:
    booking = region.container.tiered.booking
    schedule = _schedule(region, capacity=10, reserved=0)
    public = Viewer("public", "public", None, regional=False)

    def attempt(person: str) -> str:
        try:
            booking.book(public, BookingRequest(schedule, person, Channel.PUBLIC))
            return "ok"
        except DomainError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(attempt, region.people[:200]))
    assert outcomes.count("ok") == 10 and outcomes.count("SLOT_FULL") == 190
    with region.container.engine.connect() as connection:
        taken = connection.execute(
            select(func.count(func.distinct(slots.c.booking_id))).where(slots.c.booking_id.is_not(None))
        ).scalar_one()
        rows = connection.execute(select(func.count()).select_from(bookings)).scalar_one()
    assert taken == 10 and rows == 10


def test_reserved_slots_release_limits_and_waiting_list(region: TieredRegion) -> None:
    tiered = region.container.tiered
    schedule = _schedule(region, capacity=4, reserved=50, release=48)
    public = Viewer("public", "public", None, regional=False)
    people = region.people[10:20]
    for person in people[:2]:
        tiered.booking.book(public, BookingRequest(schedule, person, Channel.PUBLIC))
    with pytest.raises(DomainError) as error:  # the two reserved slots are not yet released
        tiered.booking.book(public, BookingRequest(schedule, people[2], Channel.PUBLIC))
    assert error.value.code == "SLOT_FULL"
    with pytest.raises(DomainError) as error:  # not the person's family doctor
        tiered.booking.book(region.doctor(), BookingRequest(schedule, people[2], Channel.FAMILY_DOCTOR))
    assert error.value.code == "TIERED_INVALID"
    tiered.contracts.create_team(
        region.doctor(),
        code="T1",
        name="T1",
        gp=region.staff[0],
        nurse=region.staff[3],
        public_health=region.staff[4],
    )
    tiered.contracts.sign(region.doctor(), person_id=people[2], team="T1", package="BASIC")
    mine = tiered.booking.book(region.doctor(), BookingRequest(schedule, people[2], Channel.FAMILY_DOCTOR))
    assert mine["reserved"] is True
    with pytest.raises(DomainError) as error:
        tiered.booking.book(region.doctor(), BookingRequest(schedule, people[2], Channel.FAMILY_DOCTOR))
    assert error.value.code == "BOOKING_LIMIT_REACHED"
    region.clock.set(SESSION - timedelta(hours=48))  # released: the last reserved slot opens
    tiered.booking.book(public, BookingRequest(schedule, people[3], Channel.PUBLIC))
    waiting = tiered.booking.join_waitlist(public, BookingRequest(schedule, people[4], Channel.PUBLIC))
    assert waiting["state"] == "waiting"
    cancelled = tiered.booking.act(region.desk(), mine["id"], "cancel")
    assert cancelled["state"] == "cancelled" and cancelled["promoted"] is not None
    with pytest.raises(DomainError) as error:
        tiered.booking.act(region.desk(), mine["id"], "arrive")
    assert error.value.code == "TIERED_TRANSITION_REFUSED"
    tiered.booking.mark_unavailable(region.desk(), schedule, "外出培训")
    with pytest.raises(DomainError) as error:
        tiered.booking.book(public, BookingRequest(schedule, people[5], Channel.PUBLIC))
    assert error.value.code == "SCHEDULE_UNAVAILABLE"


def test_a_stored_visit_finds_its_attended_referral(region: TieredRegion) -> None:
    tiered = region.container.tiered
    person = region.people[5]
    referral = _refer(region, person)
    visit = region.clock.now() + timedelta(days=3)
    with region.container.engine.connect() as connection:
        assert attended_referral(connection, person, region.hospital, visit) is None  # not yet attended
    tiered.referrals.act(region.desk(), referral["id"], "accept")
    tiered.referrals.act(region.desk(), referral["id"], "schedule", schedule_id=_schedule(region))
    tiered.referrals.act(region.desk(), referral["id"], "arrive")
    with region.container.engine.connect() as connection:
        block = attended_referral(connection, person, region.hospital, visit)
        assert block is not None and block["id"] == referral["id"] and block["direction"] == "up"
        assert attended_referral(connection, person, region.hospital, visit + timedelta(days=40)) is None
        assert attended_referral(connection, person, region.secondary, visit) is None
        assert attended_referral(connection, person, region.hospital, visit, referral_id="other") is None
