"""Checking and storing a batch of events: every bad event reported, the good ones stored.

Rows are parsed by the template (templates.EVENTS) and taken in chunks: the stored state of the
chunk's codes is read in one query, each event goes through the order rules (chain.apply) against
the state its earlier events left, and the chunk's accepted events, code states and party names are
written before the next chunk. A later event of a code whose earlier event was refused is checked
against the state without it, so a broken chain is reported where it breaks and after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, Final

from sqlalchemy import Connection, insert

from sanyi.infrastructure.sheets import issue
from sanyi.infrastructure.tabular import SheetRow
from sanyi.infrastructure.upsert import existing_keys, upsert
from sanyi.kernel.errors import DomainError, Issue
from sanyi.trace.chain import apply
from sanyi.trace.errors import TRACE_MISSING_FIELD
from sanyi.trace.model import EVENT_LABELS, CodeState, Dispensing, Event, EventKind, Product, Status
from sanyi.trace.tables import trace_codes, trace_events, trace_parties
from sanyi.trace.templates import EVENTS, REQUIRED

CHUNK: Final = 2_000
PRODUCT_FIELDS: Final = (
    "drug_code",
    "generic_name",
    "spec",
    "manufacturer",
    "batch",
    "production_date",
    "expiry_date",
)
_EVENT_HEADER: Final = EVENTS.column("event").header


@dataclass
class IngestResult:
    rows: int = 0
    bad_rows: int = 0
    stored: int = 0
    issues: list[Issue] = field(default_factory=list)
    repeated: set[str] = field(default_factory=set)  # codes dispensed again by this batch

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "bad_rows": self.bad_rows,
            "stored": self.stored,
            "repeated_codes": sorted(self.repeated),
            "issues": [item.to_dict() for item in self.issues],
        }


def state_of(row: dict[str, Any]) -> CodeState:
    return CodeState(
        code=row["code"],
        expiry_date=row["expiry_date"],
        status=Status(row["status"]),
        holder=row["holder"],
        to_party=row["to_party"],
        last_at=row["last_at"],
        events=row["events"],
        active=tuple(Dispensing(seq, party, datetime.fromisoformat(at)) for seq, party, at in row["active"]),
    )


def _state_columns(state: CodeState) -> dict[str, Any]:
    return {
        "status": state.status.value,
        "holder": state.holder,
        "to_party": state.to_party,
        "last_at": state.last_at,
        "events": state.events,
        "active": [[d.seq, d.party, d.at.isoformat()] for d in state.active],
        "active_count": len(state.active),
    }


def event_of(values: dict[str, Any]) -> Event:
    kind = EventKind(values["event"])
    product = None
    if kind is EventKind.PRODUCED:
        product = Product(
            drug_code=values["drug_code"],
            generic_name=values["generic_name"],
            spec=values["spec"],
            manufacturer=values["manufacturer"] or values["party_name"] or values["party"],
            batch=values["batch"],
            production_date=values["production_date"],
            expiry_date=values["expiry_date"],
        )
    return Event(
        code=values["code"],
        kind=kind,
        at=values["at"],
        party=values["party"],
        counterpart=values["counterpart"],
        product=product,
        person_id=values["person_id"],
        encounter_id=values["encounter_id"],
        line_no=values["line_no"],
        reason=values["reason"],
    )


class Batch:
    """One upload's chunks against one connection (inside the caller's transaction)."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self._now = now
        self._codes: dict[str, dict[str, Any]] = {}  # code → its trace_codes row as it now stands
        self._stored: set[str] = set()  # codes with a row in the database
        self.result = IngestResult()

    def run(self, rows: Iterable[SheetRow]) -> IngestResult:
        parse = EVENTS.parser()
        iterator: Iterator[SheetRow] = iter(rows)
        while chunk := list(islice(iterator, CHUNK)):
            self._chunk([(row, *parse(row)) for row in chunk])
        return self.result

    def reject(self, problem: Issue) -> None:
        """A row refused before parsing (e.g. a line of a JSONL file that is not JSON)."""
        self.result.rows += 1
        self.result.bad_rows += 1
        self.result.issues.append(problem)

    def _chunk(self, parsed: list[tuple[SheetRow, dict[str, Any], list[Issue]]]) -> None:
        self._load({values["code"] for _, values, issues in parsed if values.get("code")})
        events: list[dict[str, Any]] = []
        dirty: set[str] = set()
        names: dict[str, str] = {}
        for row, values, parse_issues in parsed:
            self.result.rows += 1
            issues = parse_issues or self._accept(row, values, events, dirty, names)
            if issues:
                self.result.bad_rows += 1
                self.result.issues.extend(issues)
        self._write(events, dirty, names)

    def _load(self, codes: set[str]) -> None:
        wanted = [(code,) for code in codes if code not in self._codes]
        for (code,), row in existing_keys(self._connection, trace_codes, ["code"], wanted).items():
            self._codes[code] = row
            self._stored.add(code)

    def _accept(
        self,
        row: SheetRow,
        values: dict[str, Any],
        events: list[dict[str, Any]],
        dirty: set[str],
        names: dict[str, str],
    ) -> list[Issue]:
        code = values["code"]
        kind = EventKind(values["event"])
        missing = [key for key in REQUIRED[kind.value] if values.get(key) in (None, "")]
        if missing:
            header = EVENTS.column(missing[0]).header
            error = DomainError(
                TRACE_MISSING_FIELD,
                index=row.number,
                code=code,
                event=kind.value,
                event_zh=EVENT_LABELS[kind],
                field=header,
            )
            return [issue(error, row.number, header, "")]
        stored = self._codes.get(code)
        event = event_of(values)
        try:
            applied = apply(None if stored is None else state_of(stored), event, row.number)
        except DomainError as error:
            return [issue(error, row.number, _EVENT_HEADER, code)]
        if event.product is not None:
            stored = {"code": code, **{name: getattr(event.product, name) for name in PRODUCT_FIELDS}}
        assert stored is not None  # apply refuses any other event of an unknown code
        stored.update(_state_columns(applied.state))
        self._codes[code] = stored
        dirty.add(code)
        if kind is EventKind.DISPENSED and len(applied.state.active) > 1:
            self.result.repeated.add(code)
        events.append(
            {
                "code": code,
                "seq": applied.seq,
                "kind": kind.value,
                "at": event.at,
                "party": event.party,
                "counterpart": event.counterpart,
                "person_id": event.person_id,
                "encounter_id": event.encounter_id,
                "line_no": event.line_no,
                "reason": event.reason,
                "cancels": applied.cancels,
                "recorded_at": self._now,
            }
        )
        for party, name in (
            (event.party, values["party_name"]),
            (event.counterpart, values["counterpart_name"]),
        ):
            if party and name:
                names[party] = name
        return []

    def _write(self, events: list[dict[str, Any]], dirty: set[str], names: dict[str, str]) -> None:
        connection = self._connection
        if events:
            connection.execute(insert(trace_events), events)
            self.result.stored += len(events)
        fresh = dirty - self._stored
        if fresh:
            connection.execute(insert(trace_codes), [self._codes[code] for code in sorted(fresh)])
            self._stored |= fresh
        changed = [self._codes[code] for code in sorted(dirty - fresh)]
        if changed:
            upsert(connection, trace_codes, changed, ["code"], before={})
        if names:
            upsert(
                connection,
                trace_parties,
                [{"code": k, "name": v} for k, v in sorted(names.items())],
                ["code"],
            )
