"""The traceability vocabulary: a code's product, an event, and the state a code's events lead to.

Plain frozen dataclasses; times are timezone-aware, dates are Shanghai calendar dates.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final


class EventKind(enum.StrEnum):
    PRODUCED = "produced"
    SHIPPED = "shipped"
    RECEIVED = "received"
    DISPENSED = "dispensed"
    CANCELLED = "cancelled"  # 冲正: a dispensing taken back (returned, entered in error)


EVENT_LABELS: Final[dict[EventKind, str]] = {
    EventKind.PRODUCED: "生产赋码",
    EventKind.SHIPPED: "发货",
    EventKind.RECEIVED: "收货",
    EventKind.DISPENSED: "发药",
    EventKind.CANCELLED: "发药冲正",
}


class Status(enum.StrEnum):
    HELD = "held"  # in the stock of its holder
    IN_TRANSIT = "in_transit"  # shipped, not yet received
    DISPENSED = "dispensed"  # given to a patient (at least one dispensing not cancelled)


@dataclass(frozen=True, slots=True)
class Product:
    """What the manufacturer registers with the code (the 码上放心 practice)."""

    drug_code: str  # national 医保药品编码 or 药品本位码
    generic_name: str
    spec: str
    manufacturer: str
    batch: str
    production_date: date
    expiry_date: date


@dataclass(frozen=True, slots=True)
class Event:
    code: str
    kind: EventKind
    at: datetime
    party: str  # who acts: manufacturer, shipper, receiver, dispensing institution
    counterpart: str | None = None  # shipped: to whom; received: from whom (optional)
    product: Product | None = None  # produced only
    person_id: str | None = None  # dispensed: the patient
    encounter_id: str | None = None
    line_no: int | None = None  # the fee line of the encounter, when known
    reason: str | None = None  # cancelled: why


@dataclass(frozen=True, slots=True)
class Dispensing:
    seq: int
    party: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CodeState:
    """Where a code stands after its events, which is all the order rules need."""

    code: str
    expiry_date: date
    status: Status
    holder: str
    to_party: str | None  # in transit to
    last_at: datetime
    events: int  # the next event's sequence number
    active: tuple[Dispensing, ...] = field(default=())  # dispensings not cancelled, oldest first


@dataclass(frozen=True, slots=True)
class Applied:
    """An accepted event: the state after it, its sequence number, the dispensing it cancels."""

    state: CodeState
    seq: int
    cancels: int | None = None
