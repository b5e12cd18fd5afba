"""The order rules of a code's events: a pure function from (state, event) to the next state.

A produced code is held by its manufacturer; a shipment puts it in transit to one party, which alone
may receive it; only the holder that received it may dispense it, before its expiry date. A code
already dispensed (and not cancelled) cannot be shipped or received again; a further dispensing of it
is accepted and kept — it is the evidence of a resold package or a fake claim that supervision needs
(see duplicates.py). A cancellation (冲正) takes back the party's latest dispensing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sanyi.kernel.clock import SHANGHAI, local_date
from sanyi.kernel.errors import DomainError, ErrorSpec
from sanyi.trace.errors import (
    TRACE_ALREADY_DISPENSED,
    TRACE_ALREADY_PRODUCED,
    TRACE_BAD_DATES,
    TRACE_EXPIRED,
    TRACE_IN_TRANSIT,
    TRACE_MISSING_FIELD,
    TRACE_NOT_HOLDER,
    TRACE_NOT_PRODUCED,
    TRACE_NOT_RECEIVED,
    TRACE_NOT_SHIPPED_TO,
    TRACE_NOTHING_TO_CANCEL,
    TRACE_SAME_PARTY,
    TRACE_TIME_BACKWARDS,
)
from sanyi.trace.model import EVENT_LABELS, Applied, CodeState, Dispensing, Event, EventKind, Status


def _error(spec: ErrorSpec, event: Event, index: int, **params: Any) -> DomainError:
    return DomainError(
        spec,
        index=index,
        code=event.code,
        event=event.kind.value,
        event_zh=EVENT_LABELS[event.kind],
        **params,
    )


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def apply(state: CodeState | None, event: Event, index: int) -> Applied:
    """The state after ``event`` (the ``index``-th of its upload), or the DomainError that refuses it."""
    if event.kind is EventKind.PRODUCED:
        return _produced(state, event, index)
    if state is None:
        raise _error(TRACE_NOT_PRODUCED, event, index)
    if event.at < state.last_at:
        raise _error(TRACE_TIME_BACKWARDS, event, index, at=_local(event.at), last=_local(state.last_at))
    if event.kind is EventKind.SHIPPED:
        return _shipped(state, event, index)
    if event.kind is EventKind.RECEIVED:
        return _received(state, event, index)
    if event.kind is EventKind.DISPENSED:
        return _dispensed(state, event, index)
    return _cancelled(state, event, index)


def _produced(state: CodeState | None, event: Event, index: int) -> Applied:
    if state is not None:
        raise _error(TRACE_ALREADY_PRODUCED, event, index)
    product = event.product
    if product is None:
        raise _error(TRACE_MISSING_FIELD, event, index, field="product")
    if product.expiry_date <= product.production_date:
        raise _error(
            TRACE_BAD_DATES,
            event,
            index,
            expiry=product.expiry_date.isoformat(),
            produced=product.production_date.isoformat(),
        )
    fresh = CodeState(event.code, product.expiry_date, Status.HELD, event.party, None, event.at, 1)
    return Applied(fresh, 0)


def _check_expiry(state: CodeState, event: Event, index: int) -> None:
    if local_date(event.at) > state.expiry_date:
        raise _error(TRACE_EXPIRED, event, index, expiry=state.expiry_date.isoformat())


def _shipped(state: CodeState, event: Event, index: int) -> Applied:
    if state.status is Status.DISPENSED:
        raise _error(TRACE_ALREADY_DISPENSED, event, index)
    if state.status is Status.IN_TRANSIT:
        raise _error(TRACE_IN_TRANSIT, event, index, to=state.to_party)
    if state.holder != event.party:
        raise _error(TRACE_NOT_HOLDER, event, index, holder=state.holder, party=event.party)
    if not event.counterpart:
        raise _error(TRACE_MISSING_FIELD, event, index, field="counterpart")
    if event.counterpart == event.party:
        raise _error(TRACE_SAME_PARTY, event, index, party=event.party)
    _check_expiry(state, event, index)
    moved = replace(
        state, last_at=event.at, events=state.events + 1, status=Status.IN_TRANSIT, to_party=event.counterpart
    )
    return Applied(moved, state.events)


def _received(state: CodeState, event: Event, index: int) -> Applied:
    if state.status is Status.DISPENSED:
        raise _error(TRACE_ALREADY_DISPENSED, event, index)
    if state.status is not Status.IN_TRANSIT or state.to_party != event.party:
        raise _error(TRACE_NOT_SHIPPED_TO, event, index, party=event.party)
    moved = replace(
        state,
        last_at=event.at,
        events=state.events + 1,
        status=Status.HELD,
        holder=event.party,
        to_party=None,
    )
    return Applied(moved, state.events)


def _dispensed(state: CodeState, event: Event, index: int) -> Applied:
    dispensing = Dispensing(state.events, event.party, event.at)
    if state.active:
        # A repeat: kept as evidence whoever scans it (a resold or copied package).
        moved = replace(state, last_at=event.at, events=state.events + 1, active=(*state.active, dispensing))
        return Applied(moved, state.events)
    if state.status is not Status.HELD or state.holder != event.party:
        raise _error(TRACE_NOT_RECEIVED, event, index, party=event.party)
    _check_expiry(state, event, index)
    moved = replace(
        state, last_at=event.at, events=state.events + 1, status=Status.DISPENSED, active=(dispensing,)
    )
    return Applied(moved, state.events)


def _cancelled(state: CodeState, event: Event, index: int) -> Applied:
    if not event.reason:
        raise _error(TRACE_MISSING_FIELD, event, index, field="reason")
    own = [d for d in state.active if d.party == event.party]
    if not own:
        raise _error(TRACE_NOTHING_TO_CANCEL, event, index, party=event.party)
    taken = own[-1]
    active = tuple(d for d in state.active if d is not taken)
    # Back in the pharmacy of the institution that received it once no dispensing stands.
    status = Status.DISPENSED if active else Status.HELD
    moved = replace(state, last_at=event.at, events=state.events + 1, status=status, active=active)
    return Applied(moved, state.events, cancels=taken.seq)
