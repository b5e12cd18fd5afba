"""Schedules and bookings (号源) for a generated region, derived from its hospital outpatient visits.

Every hospital (tier ≥ 2), department and day with outpatient visits gets one morning session whose
capacity leaves some slack (1.25 × demand) and whose reserved share is kept for referrals and signed
family doctors (booking.plan_slots). Each visit becomes a booking: an attended up-referral takes a
reserved slot through the referral channel, some signed residents are booked by their family doctor,
the rest book publicly (a reserved slot only after its release). Referrals that ended in no-show keep a
no-show booking, and a share of extra public bookings never turn up. Seeded like the rest of synth.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy import bindparam, insert, select, update

from sanyi.care.api import encounters
from sanyi.kernel.clock import ensure_aware
from sanyi.registry.api import institutions, residents
from sanyi.tiered.api import Channel, Session, bookings, plan_slots, schedules, slots

BEIJING = timedelta(hours=8)
SESSION_START = time(0, 30)  # 08:30 Beijing time, in UTC
SLOT_MINUTES = 10
RELEASE_HOURS = 48
MAX_CAPACITY = 500  # booking.Session.check's upper bound
FAMILY_DOCTOR_SHARE = 0.2  # signed residents' visits booked by their family doctor
# Synth ids start with "SY" so they never meet the service's time-ordered ids.
SCHEDULE_PREFIX = "SYS"


@dataclass(frozen=True)
class ReferralVisit:
    """The referral a hospital visit came through (from the referral step)."""

    referral_id: str
    state: str
    created_at: datetime


@dataclass(frozen=True)
class BookingSummary:
    schedules: int = 0
    slots: int = 0
    bookings: int = 0
    referral_bookings: int = 0
    no_shows: int = 0


def generate_bookings(
    connection: Any,
    rng: np.random.Generator,
    referred: Mapping[str, ReferralVisit],
    signed: frozenset[str],
    reserved_percent: int,
    no_show_share: float,
) -> BookingSummary:
    visits = connection.execute(
        select(
            encounters.c.id,
            encounters.c.person_id,
            encounters.c.institution_code,
            encounters.c.department_code,
            encounters.c.start_at,
        )
        .join(institutions, institutions.c.code == encounters.c.institution_code)
        .where(encounters.c.type == "outpatient", institutions.c.tier >= 2)
        .order_by(encounters.c.start_at, encounters.c.id)
    ).all()
    people = (
        connection.execute(
            select(residents.c.person_id)
            .where(residents.c.death_date.is_(None))
            .order_by(residents.c.person_id)
        )
        .scalars()
        .all()
    )
    sessions: dict[tuple[str, str, Any], list[Any]] = defaultdict(list)
    for visit in visits:
        day = (ensure_aware(visit.start_at) + BEIJING).date()
        sessions[(visit.institution_code, visit.department_code or "00", day)].append(visit)
    schedule_rows: list[dict[str, Any]] = []
    slot_rows: list[dict[str, Any]] = []
    planned: list[tuple[str, int, dict[str, Any]]] = []  # (schedule id, slot seq, booking row)
    for number, (institution, department, day) in enumerate(sorted(sessions)):
        group = sessions[(institution, department, day)]
        extra = int(rng.binomial(len(group), no_show_share)) if people else 0
        capacity = min(MAX_CAPACITY, max(4, math.ceil((len(group) + extra) * 1.25)))
        starts = datetime.combine(day, SESSION_START, tzinfo=UTC)
        session = Session(starts, SLOT_MINUTES, capacity, reserved_percent, RELEASE_HOURS)
        schedule_id = f"{SCHEDULE_PREFIX}{number:09d}"
        schedule_rows.append(
            {
                "id": schedule_id,
                "institution_code": institution,
                "department_code": department,
                "doctor_code": None,
                "starts_at": starts,
                "slot_minutes": SLOT_MINUTES,
                "capacity": capacity,
                "reserved_percent": reserved_percent,
                "release_hours": RELEASE_HOURS,
                "unavailable_reason": None,
                "created_by": "synth",
            }
        )
        plan = plan_slots(session)
        slot_rows.extend(
            {
                "schedule_id": schedule_id,
                "seq": s.seq,
                "starts_at": s.starts_at,
                "reserved": s.reserved,
                "booking_id": None,
            }
            for s in plan
        )
        reserved = [s.seq for s in plan if s.reserved]
        public = [s.seq for s in plan if not s.reserved]
        is_reserved = set(reserved)
        release_at = session.release_at
        requests = _requests(group, referred, signed, rng)
        requests.extend(
            (people[int(rng.integers(len(people)))], Channel.PUBLIC, "no_show", None, None)
            for _ in range(extra)
        )
        taken: set[str] = set()
        for person, channel, state, referral_id, created_at in requests:
            if person in taken or not (reserved or public):  # one booking per person; session full
                continue
            # Referrals and family doctors fill the reserved slots first; the public the open ones.
            first, second = (reserved, public) if channel.privileged else (public, reserved)
            seq = (first or second).pop(0)
            if created_at is not None:
                booked_at = ensure_aware(created_at) + timedelta(minutes=5)
            elif channel is Channel.PUBLIC and seq in is_reserved:
                booked_at = release_at + timedelta(hours=float(rng.uniform(0, RELEASE_HOURS - 1)))
            else:
                booked_at = starts - timedelta(hours=float(rng.uniform(2, 24 * 7)))
            taken.add(person)
            planned.append(
                (
                    schedule_id,
                    seq,
                    {
                        "schedule_id": schedule_id,
                        "person_id": person,
                        "channel": channel.value,
                        "referral_id": referral_id,
                        "state": state,
                        "day": day,
                        "booked_at": booked_at,
                        "booked_by": "synth",
                    },
                )
            )
    return _store(connection, schedule_rows, slot_rows, planned)


Request = tuple[str, Channel, str, str | None, datetime | None]  # person, channel, state, referral, at


def _requests(
    group: list[Any], referred: Mapping[str, ReferralVisit], signed: frozenset[str], rng: np.random.Generator
) -> list[Request]:
    """Who books each visit of a session, and how it ends."""
    requests: list[Request] = []
    for visit in group:
        link = referred.get(visit.id)
        if link is not None and link.state in ("arrived", "completed", "no_show"):
            state = "no_show" if link.state == "no_show" else "arrived"
            requests.append((visit.person_id, Channel.REFERRAL, state, link.referral_id, link.created_at))
        elif visit.person_id in signed and rng.random() < FAMILY_DOCTOR_SHARE:
            requests.append((visit.person_id, Channel.FAMILY_DOCTOR, "arrived", None, None))
        else:
            requests.append((visit.person_id, Channel.PUBLIC, "arrived", None, None))
    # Referrals are served first: they have priority on the reserved slots (tiered-care.md).
    return sorted(requests, key=lambda request: request[1] is not Channel.REFERRAL)


def _store(
    connection: Any,
    schedule_rows: list[dict[str, Any]],
    slot_rows: list[dict[str, Any]],
    planned: list[tuple[str, int, dict[str, Any]]],
) -> BookingSummary:
    for start in range(0, len(schedule_rows), 5000):
        connection.execute(insert(schedules), schedule_rows[start : start + 5000])
    for start in range(0, len(slot_rows), 5000):
        connection.execute(insert(slots), slot_rows[start : start + 5000])
    slot_ids = {
        (row.schedule_id, row.seq): row.id
        for row in connection.execute(
            select(slots.c.id, slots.c.schedule_id, slots.c.seq).where(
                slots.c.schedule_id.like(f"{SCHEDULE_PREFIX}%")
            )
        )
    }
    booking_rows = [
        {**row, "id": f"SYB{number:010d}", "slot_id": slot_ids[(schedule_id, seq)]}
        for number, (schedule_id, seq, row) in enumerate(planned)
    ]
    for start in range(0, len(booking_rows), 5000):
        connection.execute(insert(bookings), booking_rows[start : start + 5000])
    if booking_rows:
        connection.execute(
            update(slots).where(slots.c.id == bindparam("slot")).values(booking_id=bindparam("booking")),
            [{"slot": row["slot_id"], "booking": row["id"]} for row in booking_rows],
        )
    return BookingSummary(
        schedules=len(schedule_rows),
        slots=len(slot_rows),
        bookings=len(booking_rows),
        referral_bookings=sum(1 for row in booking_rows if row["channel"] == Channel.REFERRAL.value),
        no_shows=sum(1 for row in booking_rows if row["state"] == "no_show"),
    )
