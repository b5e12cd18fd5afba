"""``sanyi synth tiered`` on a generated region: coverage near the targets, caps and invariants held,
referrals with consistent event chains, linked visits settle with their referral; clearing works."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from sqlalchemy import func, select

from sanyi.care.api import encounters
from sanyi.synth.api import TieredTargets, generate_tiered
from sanyi.tiered.api import (
    REFERRAL_TRANSITIONS,
    contracts,
    orders,
    referral_events,
    referrals,
    results,
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
