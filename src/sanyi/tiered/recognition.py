"""Mutual recognition of results (检查检验结果互认) as a pure model.

An order for an item the patient already has — a quality-controlled result from an institution of
the same or a higher tier, taken within the item's validity window — gets that result proposed.
The doctor accepts it (recognised) or repeats the test with a reason; an unjustified repeat is
what supervision counts as 重复检查.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.tiered import RecognisableItem
from sanyi.tiered.errors import REFERRAL_REASON_REQUIRED, TIERED_INVALID


class RepeatReason(enum.Enum):
    CONDITION_CHANGED = "condition_changed"
    EMERGENCY = "emergency"
    QUALITY_DOUBT = "quality_doubt"
    PATIENT_REQUEST = "patient_request"
    NONE = "none"

    @property
    def justified(self) -> bool:
        return self not in (RepeatReason.PATIENT_REQUEST, RepeatReason.NONE)


@dataclass(frozen=True, slots=True)
class Result:
    id: str
    person_id: str
    item: str
    institution: str
    tier: int
    taken_at: datetime
    qc_passed: bool


@dataclass(frozen=True, slots=True)
class Proposal:
    result: Result
    valid_until: datetime


def propose(
    item: RecognisableItem, ordering_tier: int, at: datetime, results: Iterable[Result]
) -> Proposal | None:
    """The newest recognisable result for an order, or None (then the test is simply done)."""
    window = timedelta(days=item.validity_days)
    candidates = [
        r
        for r in results
        if r.item == item.code and r.qc_passed and r.tier >= ordering_tier and at - window <= r.taken_at <= at
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda r: (r.taken_at, r.tier, r.id))
    return Proposal(best, best.taken_at + window)


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str  # recognised | repeated | no_candidate
    reason: RepeatReason | None
    justified: bool


def decide(proposal: Proposal | None, accept: bool, reason: str | None) -> Decision:
    if proposal is None:
        return Decision("no_candidate", None, True)
    if accept:
        return Decision("recognised", None, True)
    if not reason:
        raise DomainError(
            REFERRAL_REASON_REQUIRED, path="reason", action="a repeat test", action_zh="重复检查"
        )
    try:
        parsed = RepeatReason(reason)
    except ValueError:
        raise DomainError(
            TIERED_INVALID,
            path="reason",
            field="reason",
            value=reason,
            reason=f"one of {[r.value for r in RepeatReason]}",
            reason_zh="不是有效的重复检查原因",
        ) from None
    return Decision("repeated", parsed, parsed.justified)


def recognition_rate(recognised: int, eligible: int) -> float | None:
    """recognised ÷ eligible (orders with a proposal); None when nothing was eligible."""
    return None if eligible == 0 else recognised / eligible
