"""``sanyi synth tiered`` on a generated region: coverage near the targets, caps and invariants held,
referrals with consistent event chains, linked visits settle with their referral; clearing works."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import func, select

from sanyi.care.api import encounters
from sanyi.kernel.clock import ensure_aware
from sanyi.registry.api import institutions
from sanyi.synth.api import TieredTargets, generate_tiered
from sanyi.tiered.api import (
    REFERRAL_TRANSITIONS,
    bookings,
    contracts,
    orders,
    referral_events,
    referrals,
    results,
    schedules,
    slots,
    teams,
)
from tests.integration.tiered.conftest import TieredRegion

pytestmark = pytest.mark.db


def test_contracts_and_referrals_of_a_synthetic_year(region: TieredRegion) -> None:
    engine = region.container.engine
    targets = TieredTargets(signing=0.3, key_signing=0.7, referral_share=0.2)
    summary = generate_tiered(engine, 2023, 11, targets)
    assert summary.teams > 0 and summary.referrals > 0
    # 400 residents: the draws land within a few points of the targets.
    assert abs(summary.coverage - 0.3) < 0.08 and abs(summary.key_coverage - 0.7) < 0.12
    coverage = region.container.tiered.contracts.coverage(region.bureau, by="area")
    assert sum(a["signed"] for a in coverage) == summary.contracts
    with engine.connect() as connection:
        per_person = connection.execute(
            select(func.count())
            .select_from(contracts)
            .group_by(contracts.c.person_id)
            .having(func.count() > 1)
        ).all()
        assert per_person == []
        chains: dict[str, list[tuple[str | None, str, str]]] = defaultdict(list)
        for row in connection.execute(select(referral_events).order_by(referral_events.c.id)):
            chains[row.referral_id].append((row.from_state, row.to_state, row.action))
        states = dict(connection.execute(select(referrals.c.id, referrals.c.state)).all())
        linked = connection.execute(
            select(func.count()).select_from(encounters).where(encounters.c.referral_id.is_not(None))
        ).scalar_one()
        team_count = connection.execute(select(func.count()).select_from(teams)).scalar_one()
    assert team_count == summary.teams
    assert set(chains) == set(states)
    for referral_id, chain in chains.items():
        assert chain[0] == (None, "created", "create")
        for (_, before, _), (source, target, action) in pairwise(chain):
            sources, expected = REFERRAL_TRANSITIONS[action]
            assert source == before and target == expected.value and source in {s.value for s in sources}
        assert chain[-1][1] == states[referral_id]
    assert linked == sum(1 for s in states.values() if s in ("arrived", "completed"))
    first, last = datetime(2022, 12, 1, tzinfo=UTC), datetime(2024, 1, 1, tzinfo=UTC)
    indicators = region.container.tiered.referrals.indicators(region.bureau, first, last)
    assert sum(i["received"] for i in indicators) == len(states)
    assert sum(i["arrived"] for i in indicators) == linked
    assert all(0 < i["referred_share"] <= 1 for i in indicators if i["arrived"])
    hospital = indicators[0]["institution"]
    scoped = region.container.tiered.referrals.indicators(region.desk(hospital), first, last)
    assert [i["institution"] for i in scoped] == [hospital]


def _signed(region: TieredRegion) -> list[tuple[str, str]]:
    with region.container.engine.connect() as connection:
        query = select(contracts.c.person_id, contracts.c.team_code).order_by(contracts.c.person_id)
        return [tuple(row) for row in connection.execute(query)]


def test_the_same_seed_gives_the_same_contracts(region: TieredRegion) -> None:
    generate_tiered(region.container.engine, 2023, 5, TieredTargets(referral_share=0.0))
    first = _signed(region)
    region.clear()
    generate_tiered(region.container.engine, 2023, 5, TieredTargets(referral_share=0.0))
    assert _signed(region) == first and first
    region.clear()
    generate_tiered(region.container.engine, 2023, 6, TieredTargets(referral_share=0.0))
    assert _signed(region) != first


def test_results_and_orders_with_recognition_and_repeats(region: TieredRegion) -> None:
    targets = TieredTargets(referral_share=0.0, result_share=0.6, recognition=0.6)
    summary = generate_tiered(region.container.engine, 2023, 4, targets)
    assert summary.results > 0 and summary.orders > 0
    rates = region.container.tiered.results.rates(region.bureau)
    eligible = sum(r["eligible"] for r in rates)
    recognised = sum(r["recognised"] for r in rates)
    assert eligible == summary.orders and 0 < recognised < eligible
    assert abs(recognised / eligible - 0.6) < 0.2
    assert sum(r["unjustified_repeats"] for r in rates) <= eligible - recognised
    with region.container.engine.connect() as connection:
        proposed = connection.execute(
            select(
                orders.c.ordered_at, orders.c.tier, results.c.taken_at, results.c.tier.label("result_tier")
            ).join(results, results.c.id == orders.c.proposed_result_id)
        ).all()
    # Every proposal obeys the rule of the service: same or higher tier, taken before the order.
    assert all(row.result_tier >= row.tier and row.taken_at <= row.ordered_at for row in proposed)


def _bookings(region: TieredRegion) -> list[tuple[Any, ...]]:
    with region.container.engine.connect() as connection:
        query = (
            select(
                bookings.c.schedule_id,
                slots.c.seq,
                bookings.c.person_id,
                bookings.c.channel,
                bookings.c.state,
                bookings.c.referral_id,
            )
            .join(slots, slots.c.id == bookings.c.slot_id)
            .order_by(bookings.c.id)
        )
        return [tuple(row) for row in connection.execute(query)]


def test_schedules_and_bookings_with_reserved_slots_referrals_and_no_shows(region: TieredRegion) -> None:
    engine = region.container.engine
    targets = TieredTargets(referral_share=0.3, reserved_percent=25, no_show_share=0.1, result_share=0.0)
    summary = generate_tiered(engine, 2023, 9, targets)
    booking = summary.booking
    assert booking.schedules > 0 and booking.referral_bookings > 0 and booking.no_shows > 0
    with engine.connect() as connection:
        sessions = connection.execute(select(schedules)).all()
        rows = connection.execute(
            select(bookings, slots.c.reserved, slots.c.booking_id.label("slot_booking")).join(
                slots, slots.c.id == bookings.c.slot_id
            )
        ).all()
        reserved_per_session: dict[str, int] = dict(
            connection.execute(
                select(slots.c.schedule_id, func.count())
                .where(slots.c.reserved)
                .group_by(slots.c.schedule_id)
            ).all()
        )
        referral_states = dict(connection.execute(select(referrals.c.id, referrals.c.state)).all())
        hospital_visits = connection.execute(
            select(func.count())
            .select_from(encounters)
            .join(institutions, institutions.c.code == encounters.c.institution_code)
            .where(encounters.c.type == "outpatient", institutions.c.tier >= 2)
        ).scalar_one()
    assert len(sessions) == booking.schedules and len(rows) == booking.bookings
    for session in sessions:  # the reserved share of every session, as the booking model plans it
        assert reserved_per_session.get(session.id, 0) == session.capacity * 25 // 100
        assert session.reserved_percent == 25 and session.release_hours == 48
    assert all(row.slot_booking == row.id for row in rows)  # every booking holds its slot
    by_referral = [row for row in rows if row.channel == "referral"]
    assert len(by_referral) == booking.referral_bookings
    reserved_by_referral: dict[str, int] = defaultdict(int)
    for row in by_referral:  # referral bookings come from attended or missed referrals
        assert referral_states[row.referral_id] in ("arrived", "completed", "no_show")
        assert (row.state == "no_show") == (referral_states[row.referral_id] == "no_show")
        reserved_by_referral[row.schedule_id] += row.reserved
    for row in by_referral:  # an open slot only once referrals hold every reserved slot of the session
        assert row.reserved or reserved_by_referral[row.schedule_id] == reserved_per_session.get(
            row.schedule_id, 0
        )
    assert sum(reserved_by_referral.values()) > 0
    for row in rows:
        if row.channel == "public" and row.reserved:  # only after the reserved slot was released
            session = next(s for s in sessions if s.id == row.schedule_id)
            assert ensure_aware(row.booked_at) >= ensure_aware(session.starts_at) - timedelta(hours=48)
    arrived = sum(1 for row in rows if row.state == "arrived")
    assert arrived <= hospital_visits and booking.no_shows == sum(1 for row in rows if row.state == "no_show")
    first = _bookings(region)
    region.clear()
    generate_tiered(engine, 2023, 9, targets)
    assert _bookings(region) == first
