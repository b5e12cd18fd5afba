"""Tiered care for a generated region: teams, contracts near a signing target, and up-referrals.

Runs on a region already in the database (``sanyi synth tiered``). Teams form at every primary-care
institution with at least three staff (the GP first); each living resident is offered a contract by a
team of their county, key groups with a higher probability, so that signed ÷ residents lands on the
target (calibration.md: baseline ≈ 25 %, key groups well above). A share of hospital outpatient visits
of signed residents arrive as up-referrals from their team's institution (about 1–2 %); each referral
gets a realistic path (completed, declined, no-show, cancelled or still open) with delays, its events,
and the visit's ``referral_id``. Hospital visits then get schedules and bookings (``tiered_booking``).
Seeded: the same seed gives the same result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, insert, select, update

from sanyi.care.api import encounters
from sanyi.kernel.clock import ensure_aware
from sanyi.knowledge.tiered import recognisable_items
from sanyi.registry.api import institutions, practice_sites, practitioners, residents
from sanyi.synth.tiered_booking import BookingSummary, ReferralVisit, generate_bookings
from sanyi.tiered.api import (
    ContractPolicy,
    ReferralPolicy,
    contract_end,
    contracts,
    orders,
    referral_events,
    referrals,
    results,
    teams,
)

KEY_FLAGS = ("hypertension", "diabetes", "pregnant", "disabled", "severe_mental", "tuberculosis")
# Paths a referral takes, with their shares: (final actions after create, share).
PATHS: tuple[tuple[tuple[str, ...], float], ...] = (
    (("accept", "schedule", "arrive", "complete"), 0.78),
    (("decline",), 0.05),
    (("accept", "schedule", "no_show"), 0.05),
    (("cancel",), 0.03),
    (("accept", "schedule", "arrive"), 0.05),
    (("accept",), 0.02),
    ((), 0.02),
)
TARGET_STATE = {
    "accept": "accepted",
    "decline": "declined",
    "schedule": "scheduled",
    "arrive": "arrived",
    "no_show": "no_show",
    "cancel": "cancelled",
    "complete": "completed",
}


@dataclass(frozen=True)
class TieredTargets:
    signing: float = 0.25  # signed ÷ residents (baseline below the 42 % target)
    key_signing: float = 0.60  # key groups signed ÷ key groups
    referral_share: float = 0.015  # of hospital outpatient visits of signed residents
    result_share: float = 0.10  # outpatient visits that order a recognisable test
    recognition: float = 0.60  # of orders with a recognisable result, the share recognised
    reserved_percent: int = 20  # of each hospital session's slots, kept for referrals and family doctors
    no_show_share: float = 0.05  # extra public bookings per visit that never turn up


@dataclass(frozen=True)
class TieredSummary:
    teams: int
    contracts: int
    residents: int
    key_residents: int
    key_contracts: int
    referrals: int
    results: int = 0
    orders: int = 0
    booking: BookingSummary = field(default_factory=BookingSummary)

    @property
    def coverage(self) -> float:
        return self.contracts / self.residents if self.residents else 0.0

    @property
    def key_coverage(self) -> float:
        return self.key_contracts / self.key_residents if self.key_residents else 0.0


def _is_key(row: Any, on: date) -> bool:
    age = on.year - row.birth_date.year - ((on.month, on.day) < (row.birth_date.month, row.birth_date.day))
    return age >= 65 or age <= 6 or any(getattr(row, flag) for flag in KEY_FLAGS)


def generate_tiered(
    engine: Engine, year: int, seed: int, targets: TieredTargets | None = None
) -> TieredSummary:
    targets = targets or TieredTargets()
    rng = np.random.default_rng([seed, 606])
    policy = ContractPolicy()
    first_day = date(year, 1, 1)
    with engine.begin() as connection:
        team_rows, areas = _teams(connection)
        if team_rows:
            connection.execute(insert(teams), team_rows)
        by_county: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for team in team_rows:
            by_county[areas[team["code"]][:6]].append(team)
        people = connection.execute(
            select(residents).where(residents.c.death_date.is_(None)).order_by(residents.c.person_id)
        ).all()
        key = np.array([_is_key(p, first_day) for p in people], dtype=bool)
        n, k = len(people), int(key.sum())
        p_key = min(targets.key_signing, 1.0)
        # The rest sign with the probability that brings the whole to the target.
        p_other = float(np.clip((targets.signing * n - p_key * k) / max(n - k, 1), 0.0, 1.0))
        draws = rng.random(n)
        load: dict[str, int] = defaultdict(int)
        rows, signed_at = [], datetime(year, 1, 1, tzinfo=UTC)
        signed_team: dict[str, dict[str, Any]] = {}
        for index, person in enumerate(people):
            chance = p_key if key[index] else p_other
            options = by_county.get(person.residence_area[:6]) or team_rows
            if draws[index] >= chance or not options:
                continue
            team = options[int(rng.integers(len(options)))]
            if load[team["gp_code"]] >= policy.gp_cap:
                continue
            load[team["gp_code"]] += 1
            start = first_day + timedelta(days=int(rng.integers(0, 180)))
            package = "KEY_CHRONIC" if key[index] else "BASIC"
            rows.append(
                {
                    "id": f"SC{year}{index:08d}",
                    "person_id": person.person_id,
                    "team_code": team["code"],
                    "gp_code": team["gp_code"],
                    "package_code": package,
                    "start_on": start,
                    "end_on": contract_end(start, person.birth_date, policy),
                    "state": "active",
                    "signed_at": signed_at,
                    "signed_by": "synth",
                }
            )
            signed_team[person.person_id] = team
        for number in range(0, len(rows), 5000):
            connection.execute(insert(contracts), rows[number : number + 5000])
        key_signed = sum(1 for index, p in enumerate(people) if key[index] and p.person_id in signed_team)
        made, referred = _referrals(connection, rng, signed_team, targets.referral_share)
        results_made, orders_made = _results(connection, rng, targets)
        # Its own stream, so adding bookings left the contracts, referrals and results of a seed as they were.
        booking = generate_bookings(
            connection,
            np.random.default_rng([seed, 607]),
            referred,
            frozenset(signed_team),
            targets.reserved_percent,
            targets.no_show_share,
        )
    return TieredSummary(
        len(team_rows), len(rows), n, k, key_signed, made, results_made, orders_made, booking
    )


def _teams(connection: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    primary = connection.execute(
        select(institutions.c.code, institutions.c.area_code, institutions.c.kind)
        .where(institutions.c.kind.in_(("community_centre", "community_station", "township_centre")))
        .order_by(institutions.c.code)
    ).all()
    staff = connection.execute(
        select(practice_sites.c.institution_code, practitioners.c.code, practitioners.c.general_practitioner)
        .join(practitioners, practitioners.c.code == practice_sites.c.practitioner_code)
        .where(practice_sites.c.main.is_(True))
        .order_by(
            practice_sites.c.institution_code,
            practitioners.c.general_practitioner.desc(),
            practitioners.c.code,
        )
    ).all()
    at: dict[str, list[Any]] = defaultdict(list)
    for row in staff:
        at[row.institution_code].append(row)
    out: list[dict[str, Any]] = []
    areas: dict[str, str] = {}
    for place in primary:
        people = at.get(place.code, [])
        # Teams of three: the GPs lead, the others are nurse and public-health member.
        for number in range(len(people) // 3):
            gp, nurse, public_health = people[number], people[-1 - 2 * number], people[-2 - 2 * number]
            if len({gp.code, nurse.code, public_health.code}) < 3:
                break
            out.append(
                {
                    "code": f"{place.code}-T{number + 1}",
                    "name": f"家庭医生团队{number + 1}",
                    "institution_code": place.code,
                    "gp_code": gp.code,
                    "nurse_code": nurse.code,
                    "public_health_code": public_health.code,
                    "specialist_code": None,
                }
            )
            areas[f"{place.code}-T{number + 1}"] = place.area_code
            if number >= 2:  # at most three teams per institution
                break
    return out, areas


def _referrals(
    connection: Any, rng: np.random.Generator, signed_team: dict[str, dict[str, Any]], share: float
) -> tuple[int, dict[str, ReferralVisit]]:
    policy = ReferralPolicy()
    visits = connection.execute(
        select(
            encounters.c.id,
            encounters.c.person_id,
            encounters.c.institution_code,
            encounters.c.start_at,
            encounters.c.department_code,
            encounters.c.diagnoses,
            institutions.c.tier,
        )
        .join(institutions, institutions.c.code == encounters.c.institution_code)
        .where(encounters.c.type == "outpatient", institutions.c.tier >= 2)
        .order_by(encounters.c.start_at, encounters.c.id)
    ).all()
    tiers = dict(connection.execute(select(institutions.c.code, institutions.c.tier)).all())
    shares = np.array([p[1] for p in PATHS])
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    links: list[tuple[str, str]] = []
    referred: dict[str, ReferralVisit] = {}
    for visit in visits:
        team = signed_team.get(visit.person_id)
        if team is None or rng.random() >= share:
            continue
        start = ensure_aware(visit.start_at)
        created = start - timedelta(hours=float(rng.uniform(24, 120)))
        path = PATHS[int(rng.choice(len(PATHS), p=shares / shares.sum()))][0]
        referral_id = f"SR{visit.id[-20:]}"
        at, state = created, "created"
        chain: list[tuple[datetime, str, str | None, str, str | None]] = [
            (created, "create", None, "created", None)
        ]
        scheduled_for = None
        for action in path:
            at = start if action in ("arrive", "no_show") else at + timedelta(hours=float(rng.uniform(1, 30)))
            if action == "schedule":
                scheduled_for = start
            note = {"decline": "本院该专科号源已满", "complete": "出院/门诊小结已回传"}.get(action)
            chain.append((at, action, state, TARGET_STATE[action], note))
            state = TARGET_STATE[action]
        diagnosis = (visit.diagnoses or "").split("|")[0].strip() or "Z00.0"
        rows.append(
            {
                "id": referral_id,
                "person_id": visit.person_id,
                "direction": "up",
                "from_institution": team["institution_code"],
                "from_tier": int(tiers[team["institution_code"]]),
                "to_institution": visit.institution_code,
                "to_tier": int(visit.tier),
                "department_code": visit.department_code,
                "diagnosis_code": diagnosis[:32],
                "reason": "基层首诊后上转",
                "care_plan": None,
                "priority": True,
                "state": state,
                "state_at": at,
                "created_at": created,
                "valid_until": created + timedelta(days=policy.valid_days),
                "scheduled_for": scheduled_for,
                "note": chain[-1][4],
                "created_by": "synth",
            }
        )
        events.extend(
            {
                "referral_id": referral_id,
                "at": a,
                "actor": "synth",
                "action": act,
                "from_state": f,
                "to_state": t,
                "note": n,
            }
            for a, act, f, t, n in chain
        )
        if state in ("arrived", "completed"):
            links.append((visit.id, referral_id))
        referred[visit.id] = ReferralVisit(referral_id, state, created)
    for number in range(0, len(rows), 5000):
        connection.execute(insert(referrals), rows[number : number + 5000])
    for number in range(0, len(events), 5000):
        connection.execute(insert(referral_events), events[number : number + 5000])
    for encounter_id, referral_id in links:
        connection.execute(
            update(encounters).where(encounters.c.id == encounter_id).values(referral_id=referral_id)
        )
    return len(rows), referred


# Why a repeat was done instead of recognising, with shares (patient_request and none are unjustified).
REPEATS = (
    ("condition_changed", 0.45),
    ("quality_doubt", 0.15),
    ("emergency", 0.1),
    ("patient_request", 0.2),
    ("none", 0.1),
)


def _results(connection: Any, rng: np.random.Generator, targets: TieredTargets) -> tuple[int, int]:
    """Tests ordered at outpatient visits: the first becomes a result in the index; a later order of
    the same item within its validity, from the same or a lower tier, is recognised or repeated."""
    items = list(recognisable_items().values())
    visits = connection.execute(
        select(
            encounters.c.person_id, encounters.c.institution_code, encounters.c.start_at, institutions.c.tier
        )
        .join(institutions, institutions.c.code == encounters.c.institution_code)
        .where(encounters.c.type == "outpatient")
        .order_by(encounters.c.start_at, encounters.c.id)
    ).all()
    latest: dict[tuple[str, str], tuple[str, int, datetime]] = {}
    result_rows: list[dict[str, Any]] = []
    order_rows: list[dict[str, Any]] = []
    reasons = [reason for reason, _ in REPEATS]
    shares = np.array([weight for _, weight in REPEATS])
    shares = shares / shares.sum()
    for visit in visits:
        if rng.random() >= targets.result_share:
            continue
        # People repeat few items: the person's number picks from a small set, so repeats happen.
        item = items[int(rng.integers(0, 6))]
        at = ensure_aware(visit.start_at)
        tier = int(visit.tier)
        previous = latest.get((visit.person_id, item.code))
        recognised = False
        if (
            previous is not None
            and previous[1] >= tier
            and at - previous[2] <= timedelta(days=item.validity_days)
        ):
            recognised = rng.random() < targets.recognition
            reason = None if recognised else reasons[int(rng.choice(len(reasons), p=shares))]
            order_rows.append(
                {
                    "id": f"SO{len(order_rows):010d}",
                    "person_id": visit.person_id,
                    "item_code": item.code,
                    "institution_code": visit.institution_code,
                    "tier": tier,
                    "ordered_at": at,
                    "proposed_result_id": previous[0],
                    "outcome": "recognised" if recognised else "repeated",
                    "reason": reason,
                    "justified": recognised or reason not in ("patient_request", "none"),
                    "ordered_by": "synth",
                }
            )
        if recognised:
            continue
        result_id = f"SX{len(result_rows):010d}"
        result_rows.append(
            {
                "id": result_id,
                "person_id": visit.person_id,
                "item_code": item.code,
                "institution_code": visit.institution_code,
                "tier": tier,
                "taken_at": at,
                "qc_passed": bool(rng.random() < 0.97),
                "recorded_by": "synth",
            }
        )
        if result_rows[-1]["qc_passed"]:
            latest[(visit.person_id, item.code)] = (result_id, tier, at)
    for number in range(0, len(result_rows), 5000):
        connection.execute(insert(results), result_rows[number : number + 5000])
    for number in range(0, len(order_rows), 5000):
        connection.execute(insert(orders), order_rows[number : number + 5000])
    return len(result_rows), len(order_rows)
