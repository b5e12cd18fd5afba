"""Referrals (双向转诊) as a closed loop: states, allowed transitions, time limits and validity.

created → accepted | declined → scheduled → arrived | no_show | cancelled → completed. Each step has
a time limit counted from the event that opened it; a referral is valid for a number of days from
its creation, after which it can no longer be accepted, scheduled or attended. The settlement link
(:func:`claim_referral`) is what a claim's ``encounter.referral`` carries.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

from sanyi.kernel.errors import DomainError
from sanyi.tiered.errors import (
    REFERRAL_DIRECTION_INVALID,
    REFERRAL_EXPIRED,
    REFERRAL_REASON_REQUIRED,
    TIERED_TRANSITION_REFUSED,
)


class ReferralState(enum.Enum):
    CREATED = "created"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    ARRIVED = "arrived"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


S = ReferralState
# action → (states it may start from, state it leads to)
TRANSITIONS: Final[dict[str, tuple[frozenset[ReferralState], ReferralState]]] = {
    "accept": (frozenset({S.CREATED}), S.ACCEPTED),
    "decline": (frozenset({S.CREATED}), S.DECLINED),
    "schedule": (frozenset({S.ACCEPTED}), S.SCHEDULED),
    "arrive": (frozenset({S.SCHEDULED}), S.ARRIVED),
    "no_show": (frozenset({S.SCHEDULED}), S.NO_SHOW),
    "cancel": (frozenset({S.CREATED, S.ACCEPTED, S.SCHEDULED}), S.CANCELLED),
    "complete": (frozenset({S.ARRIVED}), S.COMPLETED),
}
# Actions that use the referral, so they are refused once it has expired.
_NEEDS_VALIDITY: Final = frozenset({"accept", "schedule", "arrive"})
ACTION_ZH: Final = {
    "accept": "接收",
    "decline": "拒绝",
    "schedule": "预约",
    "arrive": "到诊",
    "no_show": "爽约",
    "cancel": "取消",
    "complete": "完成并回传病历",
}


@dataclass(frozen=True, slots=True)
class ReferralPolicy:
    """Time limits per step (hours) and the validity window (days); a region's configuration."""

    accept_hours: int = 24
    schedule_hours: int = 72
    complete_hours: int = 24 * 14  # discharge summary back to the referrer
    valid_days: int = 30


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    actor: str
    action: str
    from_state: ReferralState | None
    to_state: ReferralState
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Referral:
    id: str
    person_id: str
    direction: str  # up | down
    from_institution: str
    from_tier: int
    to_institution: str
    to_tier: int
    department: str | None
    diagnosis: str
    reason: str
    created_at: datetime
    valid_until: datetime
    priority: bool = True  # referred patients are seen first
    care_plan: str | None = None  # a down-referral's plan for 基层
    state: ReferralState = ReferralState.CREATED
    state_at: datetime | None = None  # when the current state was entered
    scheduled_for: datetime | None = None
    note: str | None = None  # decline reason or discharge summary
    events: tuple[Event, ...] = ()


def create(
    *,
    id: str,
    person_id: str,
    direction: str,
    from_institution: str,
    from_tier: int,
    to_institution: str,
    to_tier: int,
    diagnosis: str,
    reason: str,
    at: datetime,
    actor: str,
    policy: ReferralPolicy,
    department: str | None = None,
    care_plan: str | None = None,
    priority: bool = True,
) -> Referral:
    if direction == "up" and to_tier <= from_tier:
        raise DomainError(
            REFERRAL_DIRECTION_INVALID,
            path="to_institution",
            reason=f"an up-referral goes to a higher tier ({from_tier} → {to_tier})",
            reason_zh=f"上转须转往更高级别机构（{from_tier} → {to_tier}）",
        )
    if direction == "down":
        if to_tier >= from_tier:
            raise DomainError(
                REFERRAL_DIRECTION_INVALID,
                path="to_institution",
                reason=f"a down-referral goes to a lower tier ({from_tier} → {to_tier})",
                reason_zh=f"下转须转往更低级别机构（{from_tier} → {to_tier}）",
            )
        if not care_plan:
            raise DomainError(
                REFERRAL_REASON_REQUIRED,
                path="care_plan",
                action="a down-referral's care plan",
                action_zh="下转的康复/管理方案",
            )
    if direction not in ("up", "down"):
        raise DomainError(
            REFERRAL_DIRECTION_INVALID,
            path="direction",
            reason="direction is up or down",
            reason_zh="方向须为上转或下转",
        )
    if not reason.strip():
        raise DomainError(REFERRAL_REASON_REQUIRED, path="reason", action="a referral", action_zh="转诊")
    event = Event(at, actor, "create", None, S.CREATED)
    return Referral(
        id=id,
        person_id=person_id,
        direction=direction,
        from_institution=from_institution,
        from_tier=from_tier,
        to_institution=to_institution,
        to_tier=to_tier,
        department=department,
        diagnosis=diagnosis,
        reason=reason,
        created_at=at,
        valid_until=at + timedelta(days=policy.valid_days),
        priority=priority,
        care_plan=care_plan,
        state_at=at,
        events=(event,),
    )


def transition(
    referral: Referral,
    action: str,
    at: datetime,
    actor: str,
    *,
    note: str | None = None,
    scheduled_for: datetime | None = None,
) -> Referral:
    """The referral after ``action``, or the error that refuses it (the referral is unchanged)."""
    allowed = TRANSITIONS.get(action)
    if allowed is None or referral.state not in allowed[0]:
        raise DomainError(
            TIERED_TRANSITION_REFUSED,
            path="state",
            kind="referral",
            kind_zh="转诊单",
            state=referral.state.value,
            action=action,
        )
    if action in _NEEDS_VALIDITY and at > referral.valid_until:
        raise DomainError(REFERRAL_EXPIRED, path="valid_until", valid_until=referral.valid_until.isoformat())
    if action in ("decline", "complete") and not (note and note.strip()):
        raise DomainError(REFERRAL_REASON_REQUIRED, path="note", action=action, action_zh=ACTION_ZH[action])
    if action == "schedule" and scheduled_for is None:
        raise DomainError(
            REFERRAL_REASON_REQUIRED, path="scheduled_for", action=action, action_zh=ACTION_ZH[action]
        )
    target = allowed[1]
    event = Event(at, actor, action, referral.state, target, note)
    return replace(
        referral,
        state=target,
        state_at=at,
        note=note if note is not None else referral.note,
        scheduled_for=scheduled_for if scheduled_for is not None else referral.scheduled_for,
        events=(*referral.events, event),
    )


def deadline(referral: Referral, policy: ReferralPolicy) -> datetime | None:
    """When the current step must be done by, or None when nothing is awaited."""
    assert referral.state_at is not None
    if referral.state is S.CREATED:
        return min(referral.state_at + timedelta(hours=policy.accept_hours), referral.valid_until)
    if referral.state is S.ACCEPTED:
        return min(referral.state_at + timedelta(hours=policy.schedule_hours), referral.valid_until)
    if referral.state is S.SCHEDULED:
        return referral.scheduled_for
    if referral.state is S.ARRIVED:
        return referral.state_at + timedelta(hours=policy.complete_hours)
    return None


def overdue(referral: Referral, now: datetime, policy: ReferralPolicy) -> bool:
    due = deadline(referral, policy)
    return due is not None and now > due


def claim_referral(referral: Referral) -> dict[str, Any] | None:
    """The ``encounter.referral`` block of a claim (claim.md) for a referral that was attended."""
    if referral.state not in (S.ARRIVED, S.COMPLETED):
        return None
    return {
        "id": referral.id,
        "direction": referral.direction,
        "from_institution": referral.from_institution,
        "from_tier": referral.from_tier,
    }


def needs_first_contact(diagnosis: str, prefixes: tuple[tuple[str, str], ...]) -> str | None:
    """The first-contact condition a diagnosis falls under (区域首诊疾病目录), or None."""
    for prefix, name in prefixes:
        if diagnosis.startswith(prefix):
            return name
    return None
