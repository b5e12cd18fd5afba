from datetime import UTC, datetime, timedelta

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.tiered import first_contact_prefixes
from sanyi.tiered.referrals import (
    TRANSITIONS,
    Referral,
    ReferralPolicy,
    ReferralState,
    claim_referral,
    create,
    deadline,
    needs_first_contact,
    overdue,
    transition,
)

T0 = datetime(2024, 3, 1, 9, tzinfo=UTC)
POLICY = ReferralPolicy()


def up() -> Referral:
    return create(
        id="r1",
        person_id="p1",
        direction="up",
        from_institution="C1",
        from_tier=1,
        to_institution="H3",
        to_tier=3,
        diagnosis="I21.9",
        reason="胸痛待查",
        at=T0,
        actor="doc",
        policy=POLICY,
    )


def walk(referral: Referral, *actions: str) -> Referral:
    at = T0
    for action in actions:
        at += timedelta(hours=1)
        note = "ok" if action in ("decline", "complete") else None
        scheduled = T0 + timedelta(days=2) if action == "schedule" else None
        referral = transition(referral, action, at, "x", note=note, scheduled_for=scheduled)
    return referral


PATHS = {
    ReferralState.CREATED: (),
    ReferralState.ACCEPTED: ("accept",),
    ReferralState.DECLINED: ("decline",),
    ReferralState.SCHEDULED: ("accept", "schedule"),
    ReferralState.ARRIVED: ("accept", "schedule", "arrive"),
    ReferralState.NO_SHOW: ("accept", "schedule", "no_show"),
    ReferralState.CANCELLED: ("cancel",),
    ReferralState.COMPLETED: ("accept", "schedule", "arrive", "complete"),
}


@pytest.mark.parametrize("state", list(ReferralState))
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_from_every_state(state: ReferralState, action: str) -> None:
    referral = walk(up(), *PATHS[state])
    assert referral.state is state
    sources, target = TRANSITIONS[action]
    if state in sources:
        after = walk(referral, action)
        assert after.state is target and after.events[-1].from_state is state
    else:
        with pytest.raises(DomainError) as error:
            walk(referral, action)
        assert error.value.code == "TIERED_TRANSITION_REFUSED"


def test_closed_loop_keeps_every_event() -> None:
    done = walk(up(), "accept", "schedule", "arrive", "complete")
    assert [e.action for e in done.events] == ["create", "accept", "schedule", "arrive", "complete"]
    assert claim_referral(done) == {"id": "r1", "direction": "up", "from_institution": "C1", "from_tier": 1}
    assert claim_referral(walk(up(), "accept")) is None


def test_direction_and_reasons() -> None:
    with pytest.raises(DomainError) as error:
        create(
            id="r",
            person_id="p",
            direction="up",
            from_institution="H",
            from_tier=3,
            to_institution="C",
            to_tier=1,
            diagnosis="I10",
            reason="x",
            at=T0,
            actor="a",
            policy=POLICY,
        )
    assert error.value.code == "REFERRAL_DIRECTION_INVALID"
    with pytest.raises(DomainError) as error:
        create(
            id="r",
            person_id="p",
            direction="down",
            from_institution="H",
            from_tier=3,
            to_institution="C",
            to_tier=1,
            diagnosis="I10",
            reason="x",
            at=T0,
            actor="a",
            policy=POLICY,
        )
    assert error.value.code == "REFERRAL_REASON_REQUIRED"
    with pytest.raises(DomainError) as error:
        transition(up(), "decline", T0, "x", note=" ")
    assert error.value.code == "REFERRAL_REASON_REQUIRED"


def test_expired_referral_cannot_be_accepted_but_can_be_cancelled() -> None:
    late = T0 + timedelta(days=31)
    with pytest.raises(DomainError) as error:
        transition(up(), "accept", late, "x")
    assert error.value.code == "REFERRAL_EXPIRED"
    assert transition(up(), "cancel", late, "x").state is ReferralState.CANCELLED


def test_deadlines_and_overdue() -> None:
    referral = up()
    assert deadline(referral, POLICY) == T0 + timedelta(hours=24)
    assert not overdue(referral, T0 + timedelta(hours=24), POLICY)
    assert overdue(referral, T0 + timedelta(hours=24, seconds=1), POLICY)
    accepted = walk(referral, "accept")
    assert deadline(accepted, POLICY) == T0 + timedelta(hours=1 + 72)
    assert deadline(walk(referral, "decline"), POLICY) is None


def test_first_contact_list() -> None:
    prefixes = first_contact_prefixes()
    assert needs_first_contact("I10.x00", prefixes) == "原发性高血压"
    assert needs_first_contact("I21.9", prefixes) is None
