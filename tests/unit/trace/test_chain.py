"""The order rules of a code's events, one rule at a time, each refusal with its code and event index."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.trace.chain import apply
from sanyi.trace.codes import check_code
from sanyi.trace.model import CodeState, Event, EventKind, Product, Status

CODE = "81234560000000011234"
MAKER, DISTRIBUTOR, HOSPITAL, CLINIC = "91330300SY00000011", "91330300SY00000066", "H001", "C002"
T0 = datetime(2023, 1, 1, 1, 0, tzinfo=UTC)
PRODUCT = Product(
    "XJ01CAA040A001010101234", "阿莫西林胶囊", "0.25g×24粒", "厂", "B2301", date(2023, 1, 1), date(2025, 1, 1)
)


def ev(kind: EventKind, days: float, party: str, **extra: object) -> Event:
    return Event(CODE, kind, T0 + timedelta(days=days), party, **extra)  # type: ignore[arg-type]


def run(*events: Event) -> CodeState:
    state: CodeState | None = None
    for index, event in enumerate(events, start=1):
        state = apply(state, event, index).state
    assert state is not None
    return state


def refused(state: CodeState | None, event: Event, index: int = 7) -> DomainError:
    with pytest.raises(DomainError) as caught:
        apply(state, event, index)
    error = caught.value
    assert error.params["index"] == index and error.params["code"] == CODE
    assert f"第 {index} 条" in error.message_zh and CODE in error.message_en
    return error


PRODUCED = ev(EventKind.PRODUCED, 0, MAKER, product=PRODUCT)
TO_DISTRIBUTOR = ev(EventKind.SHIPPED, 1, MAKER, counterpart=DISTRIBUTOR)
AT_DISTRIBUTOR = ev(EventKind.RECEIVED, 2, DISTRIBUTOR)
TO_HOSPITAL = ev(EventKind.SHIPPED, 3, DISTRIBUTOR, counterpart=HOSPITAL)
AT_HOSPITAL = ev(EventKind.RECEIVED, 4, HOSPITAL)
DISPENSED = ev(EventKind.DISPENSED, 5, HOSPITAL, person_id="P1", encounter_id="E1", line_no=3)
HELD = (PRODUCED, TO_DISTRIBUTOR, AT_DISTRIBUTOR, TO_HOSPITAL, AT_HOSPITAL)


def test_a_full_chain_ends_dispensed_at_the_hospital() -> None:
    state = run(*HELD, DISPENSED)
    assert (state.status, state.holder, state.events) == (Status.DISPENSED, HOSPITAL, 6)
    assert [(d.seq, d.party) for d in state.active] == [(5, HOSPITAL)]


def test_a_code_is_produced_once_with_an_expiry_after_production() -> None:
    assert refused(run(PRODUCED), PRODUCED).code == "TRACE_ALREADY_PRODUCED"
    stale = replace(PRODUCED, product=replace(PRODUCT, expiry_date=date(2022, 12, 31)))
    assert refused(None, stale).code == "TRACE_BAD_DATES"


def test_events_of_an_unknown_code_are_refused() -> None:
    assert refused(None, TO_DISTRIBUTOR).code == "TRACE_NOT_PRODUCED"


def test_cannot_dispense_before_received() -> None:
    assert refused(run(*HELD[:4]), ev(EventKind.DISPENSED, 5, HOSPITAL)).code == "TRACE_NOT_RECEIVED"
    # Nor at an institution that never received it.
    assert refused(run(*HELD), ev(EventKind.DISPENSED, 5, CLINIC)).code == "TRACE_NOT_RECEIVED"


def test_cannot_ship_what_was_dispensed() -> None:
    error = refused(run(*HELD, DISPENSED), ev(EventKind.SHIPPED, 6, HOSPITAL, counterpart=CLINIC))
    assert error.code == "TRACE_ALREADY_DISPENSED"
    assert refused(run(*HELD, DISPENSED), ev(EventKind.RECEIVED, 6, CLINIC)).code == "TRACE_ALREADY_DISPENSED"


def test_only_the_holder_ships_and_only_the_addressee_receives() -> None:
    assert refused(run(PRODUCED), ev(EventKind.SHIPPED, 1, DISTRIBUTOR, counterpart=HOSPITAL)).code == (
        "TRACE_NOT_HOLDER"
    )
    assert refused(
        run(PRODUCED, TO_DISTRIBUTOR), ev(EventKind.SHIPPED, 2, MAKER, counterpart=CLINIC)
    ).code == ("TRACE_IN_TRANSIT")
    assert refused(run(PRODUCED, TO_DISTRIBUTOR), ev(EventKind.RECEIVED, 2, HOSPITAL)).code == (
        "TRACE_NOT_SHIPPED_TO"
    )
    assert (
        refused(run(PRODUCED), ev(EventKind.SHIPPED, 1, MAKER, counterpart=MAKER)).code == "TRACE_SAME_PARTY"
    )
    assert refused(run(PRODUCED), ev(EventKind.SHIPPED, 1, MAKER)).code == "TRACE_MISSING_FIELD"


def test_time_never_goes_backwards() -> None:
    error = refused(run(*HELD), ev(EventKind.DISPENSED, 3.5, HOSPITAL))
    assert error.code == "TRACE_TIME_BACKWARDS"


def test_an_expired_package_is_neither_shipped_nor_dispensed() -> None:
    late = (date(2025, 1, 2) - T0.date()).days
    assert refused(run(*HELD), ev(EventKind.DISPENSED, late, HOSPITAL)).code == "TRACE_EXPIRED"
    assert refused(run(PRODUCED), ev(EventKind.SHIPPED, late, MAKER, counterpart=DISTRIBUTOR)).code == (
        "TRACE_EXPIRED"
    )
    # The expiry day itself is still good.
    assert run(*HELD, ev(EventKind.DISPENSED, late - 1, HOSPITAL)).status is Status.DISPENSED


def test_a_second_dispensing_is_kept_as_evidence_wherever_it_is_scanned() -> None:
    state = run(*HELD, DISPENSED, ev(EventKind.DISPENSED, 6, CLINIC, person_id="P2"))
    assert [(d.seq, d.party) for d in state.active] == [(5, HOSPITAL), (6, CLINIC)]


def test_a_cancellation_takes_back_the_institutions_latest_dispensing() -> None:
    cancel = ev(EventKind.CANCELLED, 6, HOSPITAL, reason="患者退药")
    applied = apply(run(*HELD, DISPENSED), cancel, 7)
    assert applied.cancels == 5 and applied.state.status is Status.HELD and applied.state.active == ()
    # Back in stock, it can be dispensed again without being a repeat.
    again = apply(applied.state, ev(EventKind.DISPENSED, 7, HOSPITAL), 8).state
    assert len(again.active) == 1
    assert refused(run(*HELD), cancel).code == "TRACE_NOTHING_TO_CANCEL"
    assert refused(run(*HELD, DISPENSED), ev(EventKind.CANCELLED, 6, HOSPITAL)).code == "TRACE_MISSING_FIELD"
    other = ev(EventKind.CANCELLED, 6, CLINIC, reason="录入错误")
    assert refused(run(*HELD, DISPENSED), other).code == "TRACE_NOTHING_TO_CANCEL"


@pytest.mark.parametrize(
    "value", ["8123456000000001123", "812345600000000112345", "8123456000000001123X", ""]
)
def test_a_code_is_twenty_digits(value: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_code(value)
    assert caught.value.code == "TRACE_BAD_CODE"


def test_spaces_a_scanner_or_a_person_adds_are_ignored() -> None:
    assert check_code("8123 4560 0000 0001 1234") == CODE
