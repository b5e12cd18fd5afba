from datetime import UTC, datetime, timedelta

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.tiered.booking import (
    BOOKING_TRANSITIONS,
    BookingState,
    Channel,
    Session,
    booking_transition,
    may_take,
    plan_slots,
)

START = datetime(2024, 3, 4, 0, 30, tzinfo=UTC)


def test_reserved_share_is_floored_and_spread() -> None:
    slots = plan_slots(Session(START, 10, 20, 30, 48))
    assert len(slots) == 20 and sum(s.reserved for s in slots) == 6
    assert slots[-1].starts_at == START + timedelta(minutes=190)
    reserved = [s.seq for s in slots if s.reserved]
    assert reserved[0] > 1 and reserved[-1] == 20
    assert sum(s.reserved for s in plan_slots(Session(START, 10, 7, 10, 48))) == 0


def test_reserved_slots_open_to_the_public_at_release_time() -> None:
    release = START - timedelta(hours=48)
    assert not may_take(True, Channel.PUBLIC, release - timedelta(seconds=1), release)
    assert may_take(True, Channel.PUBLIC, release, release)
    assert may_take(True, Channel.REFERRAL, release - timedelta(days=5), release)
    assert may_take(False, Channel.PUBLIC, release - timedelta(days=5), release)


def test_bad_session_is_refused() -> None:
    with pytest.raises(DomainError) as error:
        plan_slots(Session(START, 10, 20, 130, 48))
    assert error.value.code == "TIERED_INVALID" and error.value.path == "reserved_percent"


@pytest.mark.parametrize("state", list(BookingState))
@pytest.mark.parametrize("action", list(BOOKING_TRANSITIONS))
def test_booking_transitions(state: BookingState, action: str) -> None:
    sources, target = BOOKING_TRANSITIONS[action]
    if state in sources:
        assert booking_transition(state, action) is target
    else:
        with pytest.raises(DomainError) as error:
            booking_transition(state, action)
        assert error.value.code == "TIERED_TRANSITION_REFUSED"
