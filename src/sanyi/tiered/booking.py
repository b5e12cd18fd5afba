"""Booking with reserved slots (号源) as a pure model: slots of a session, who may take which slot.

A session of ``capacity`` slots keeps ``floor(capacity × reserved_percent / 100)`` of them for
referrals and signed residents booked by their family doctor; those open to the public
``release_hours`` before the session starts. Taking a slot atomically is the service's job.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sanyi.kernel.errors import DomainError
from sanyi.tiered.errors import TIERED_INVALID, TIERED_TRANSITION_REFUSED


class Channel(enum.Enum):
    PUBLIC = "public"
    REFERRAL = "referral"
    FAMILY_DOCTOR = "family_doctor"

    @property
    def privileged(self) -> bool:
        return self is not Channel.PUBLIC


class BookingState(enum.Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ARRIVED = "arrived"
    NO_SHOW = "no_show"


B = BookingState
BOOKING_TRANSITIONS = {
    "cancel": (frozenset({B.BOOKED}), B.CANCELLED),
    "arrive": (frozenset({B.BOOKED}), B.ARRIVED),
    "no_show": (frozenset({B.BOOKED}), B.NO_SHOW),
}


@dataclass(frozen=True, slots=True)
class Session:
    starts_at: datetime
    slot_minutes: int
    capacity: int
    reserved_percent: int
    release_hours: int

    def check(self) -> None:
        problems = [
            ("slot_minutes", self.slot_minutes, 1 <= self.slot_minutes <= 240),
            ("capacity", self.capacity, 1 <= self.capacity <= 500),
            ("reserved_percent", self.reserved_percent, 0 <= self.reserved_percent <= 100),
            ("release_hours", self.release_hours, 0 <= self.release_hours <= 24 * 14),
        ]
        for field, value, ok in problems:
            if not ok:
                raise DomainError(
                    TIERED_INVALID,
                    path=field,
                    field=field,
                    value=value,
                    reason="out of range",
                    reason_zh="超出范围",
                )

    @property
    def reserved_count(self) -> int:
        return self.capacity * self.reserved_percent // 100

    @property
    def release_at(self) -> datetime:
        return self.starts_at - timedelta(hours=self.release_hours)


@dataclass(frozen=True, slots=True)
class SlotPlan:
    seq: int
    starts_at: datetime
    reserved: bool


def plan_slots(session: Session) -> list[SlotPlan]:
    """The slots of a session; the reserved ones are spread evenly so referrals get good times too."""
    session.check()
    reserved = session.reserved_count
    plans = []
    for seq in range(session.capacity):
        # Slot seq is reserved when it crosses the next multiple of capacity/reserved (Bresenham).
        is_reserved = (
            reserved > 0
            and (seq * reserved) // session.capacity != ((seq + 1) * reserved) // session.capacity
        )
        plans.append(
            SlotPlan(seq + 1, session.starts_at + timedelta(minutes=session.slot_minutes * seq), is_reserved)
        )
    return plans


def may_take(reserved: bool, channel: Channel, now: datetime, release_at: datetime) -> bool:
    """Whether a booking through ``channel`` may take a slot (reserved slots are released at release_at)."""
    return not reserved or channel.privileged or now >= release_at


def booking_transition(state: BookingState, action: str) -> BookingState:
    allowed = BOOKING_TRANSITIONS.get(action)
    if allowed is None or state not in allowed[0]:
        raise DomainError(
            TIERED_TRANSITION_REFUSED,
            path="state",
            kind="booking",
            kind_zh="预约",
            state=state.value,
            action=action,
        )
    return allowed[1]
