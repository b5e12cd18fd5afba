"""Traceability use cases: upload events, hand duplicates to supervision, the public query, staff lists.

An upload is one transaction: the good events are stored, every bad one reported. Codes the upload
dispensed again are then handed to supervision (a second transaction: findings are keyed, so a failure
there is repaired by ``sanyi trace duplicates-to-supervision``). Institution staff upload and see only
their institution's events; the regional roles see the whole region.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, and_, case, delete, func, insert, select

from sanyi.care.api import fee_lines
from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.tabular import SheetRow
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock
from sanyi.kernel.clock import today as local_today
from sanyi.kernel.errors import DomainError, Issue
from sanyi.knowledge.trace import trace_config
from sanyi.registry.api import Viewer, institutions
from sanyi.supervision.api import Finding
from sanyi.trace.codes import check_code
from sanyi.trace.duplicates import DispensingRecord, Duplicate, findings, pair_up
from sanyi.trace.errors import TRACE_CODE_NOT_FOUND, TRACE_FORBIDDEN, TRACE_OTHER_PARTY, TRACE_QUERY_THROTTLED
from sanyi.trace.ingest import Batch, IngestResult
from sanyi.trace.model import EVENT_LABELS, EventKind
from sanyi.trace.reading import file_rows, records_rows
from sanyi.trace.tables import trace_codes, trace_events, trace_parties, trace_public_queries
from sanyi.trace.templates import EVENTS

RecordFindings = Callable[[Viewer, Sequence[Finding], Sequence[dict[str, Any]]], int]
LIST_LIMIT: Final = 500
LOOKUP_CHUNK: Final = 500


class TraceService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        audit: AuditLog,
        record_findings: RecordFindings,
        client_key: Callable[[], bytes],
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self._record_findings = record_findings
        self._client_key = client_key

    # -- uploads -----------------------------------------------------------------------------------
    def upload(self, viewer: Viewer, path: Path) -> IngestResult:
        """Store the good events of a JSONL, Excel or CSV file and report every bad one."""
        rejected: list[Issue] = []
        return self._ingest(viewer, file_rows(path, rejected), rejected, path.name)

    def ingest(
        self, viewer: Viewer, records: Iterable[Mapping[str, Any]], source: str = "records"
    ) -> IngestResult:
        """The same for records with the template's keys (generated or posted events)."""
        return self._ingest(viewer, records_rows(records), [], source)

    def _ingest(
        self, viewer: Viewer, rows: Iterable[SheetRow], rejected: list[Issue], source: str
    ) -> IngestResult:
        refused: list[Issue] = []
        if viewer.scope is not None:
            rows = self._own_rows(viewer.scope, rows, refused)
        with self._uow(write=True) as uow:
            batch = Batch(uow.connection, self._clock.now())
            result = batch.run(rows)
            for problem in (*rejected, *refused):
                batch.reject(problem)
            result.issues.sort(key=lambda item: item.row or 0)
            self._audit.record(
                uow.connection,
                viewer.actor,
                "import",
                "trace-events",
                None,
                {"file": source, "rows": result.rows, "bad_rows": result.bad_rows, "stored": result.stored},
            )
            uow.commit()
        if result.repeated:
            self.duplicates_to_supervision(_system(viewer), sorted(result.repeated))
        return result

    @staticmethod
    def _own_rows(institution: str, rows: Iterable[SheetRow], refused: list[Issue]) -> Iterable[SheetRow]:
        party_header = EVENTS.column("party").header
        for row in rows:
            party = row.values.get(party_header, "")
            if party and party != institution:
                error = DomainError(TRACE_OTHER_PARTY, index=row.number, institution=institution, party=party)
                refused.append(error.as_issue(row=row.number, field_name=party_header))
                continue
            yield row

    # -- duplicates --------------------------------------------------------------------------------
    def duplicates(self, viewer: Viewer, codes: Sequence[str] | None = None) -> list[Duplicate]:
        """Codes dispensed more than once and not cancelled: each repeat with the first dispensing."""
        with self._uow() as uow:
            found = self._duplicates(uow.connection, codes)
        if viewer.scope is not None:
            found = [d for d in found if viewer.scope in (d.first.institution, d.repeat.institution)]
        return found

    def _duplicates(self, connection: Connection, codes: Sequence[str] | None) -> list[Duplicate]:
        e, c = trace_events.c, trace_codes.c
        query = (
            select(
                e.code,
                e.seq,
                e.party,
                e.at,
                e.person_id,
                e.encounter_id,
                e.line_no,
                c.active,
                c.generic_name,
                c.batch,
            )
            .join(trace_codes, c.code == e.code)
            .where(c.active_count > 1, e.kind == EventKind.DISPENSED.value)
            .order_by(e.code, e.seq)
        )
        if codes is not None:
            query = query.where(e.code.in_(list(codes)))
        # Only the dispensings still standing (a cancelled one is no longer evidence).
        rows = [r for r in connection.execute(query) if any(int(seq) == r.seq for seq, _, _ in r.active)]
        prices = self._unit_prices(connection, {(r.encounter_id, r.line_no) for r in rows})
        records = [
            DispensingRecord(
                r.code,
                r.seq,
                r.party,
                r.at,
                r.person_id,
                r.encounter_id,
                r.line_no,
                prices.get((r.encounter_id, r.line_no), 0),
            )
            for r in rows
        ]
        return pair_up(records, {r.code: f"{r.generic_name} · {r.batch}" for r in rows})

    @staticmethod
    def _unit_prices(connection: Connection, lines: set[tuple[str | None, int | None]]) -> dict[Any, int]:
        """Fen of one package on each known fee line (the amount a repeat dispensing put on the claim)."""
        encounters = sorted({enc for enc, no in lines if enc is not None and no is not None})
        f = fee_lines.c
        prices: dict[Any, int] = {}
        for start in range(0, len(encounters), LOOKUP_CHUNK):
            query = select(f.encounter_id, f.line_no, f.unit_price).where(
                f.encounter_id.in_(encounters[start : start + LOOKUP_CHUNK])
            )
            for enc, no, price in connection.execute(query):
                if (enc, no) in lines:
                    prices[(enc, no)] = int((Decimal(str(price)) * 100).to_integral_value())
        return prices

    def duplicates_to_supervision(
        self, viewer: Viewer, codes: Sequence[str] | None = None
    ) -> tuple[int, int]:
        """Raise every repeat dispensing as a supervision finding; returns (repeats, new findings)."""
        if not viewer.regional:
            raise DomainError(TRACE_FORBIDDEN, action="hand duplicates to supervision", action_zh="移交监管")
        found = self.duplicates(viewer, codes)
        if not found:
            return 0, 0
        with self._uow() as uow:
            names = self._names(uow.connection)
        raised, meta = findings(found, trace_config().duplicate_rule, names)
        return len(found), self._record_findings(viewer, raised, meta)

    # -- names ---------------------------------------------------------------------------------------
    @staticmethod
    def _names(connection: Connection, codes: Iterable[str] | None = None) -> dict[str, str]:
        """Names of enterprises and institutions (the registry's name wins for an institution)."""
        wanted = None if codes is None else sorted(set(codes))
        names: dict[str, str] = {}
        for table in (trace_parties, institutions):
            query = select(table.c.code, table.c.name)
            if wanted is not None:
                query = query.where(table.c.code.in_(wanted))
            names.update({str(code): str(name) for code, name in connection.execute(query)})
        return names

    # -- public query --------------------------------------------------------------------------------
    def public_lookup(self, client: str | None, raw_code: str) -> dict[str, Any]:
        """What anyone may know of a code: product, batch, expiry, chain of custody (names and dates,
        never the patient) and whether it was dispensed — within the per-client query limits."""
        limits = trace_config().public_query
        now = self._clock.now()
        since = now - timedelta(minutes=limits.window_minutes)
        who = self._client(client)
        with self._uow(write=True) as uow:
            connection = uow.connection
            q = trace_public_queries.c
            recent = connection.execute(
                select(
                    func.count(), func.coalesce(func.sum(case((q.found.is_(False), 1), else_=0)), 0)
                ).where(and_(q.client == who, q.at >= since))
            ).one()
            if recent[0] >= limits.max_queries or recent[1] >= limits.max_misses:
                raise DomainError(TRACE_QUERY_THROTTLED, minutes=limits.window_minutes)
            code = check_code(raw_code)
            found = self._public_record(connection, code)
            connection.execute(delete(trace_public_queries).where(q.at < since))
            connection.execute(
                insert(trace_public_queries).values(client=who, at=now, found=found is not None)
            )
            uow.commit()
        if found is None:
            raise DomainError(TRACE_CODE_NOT_FOUND, code=code)
        return found

    def _client(self, client: str | None) -> str:
        return hmac.new(self._client_key(), (client or "unknown").encode(), hashlib.sha256).hexdigest()[:32]

    def _public_record(self, connection: Connection, code: str) -> dict[str, Any] | None:
        row = connection.execute(select(trace_codes).where(trace_codes.c.code == code)).first()
        if row is None:
            return None
        e = trace_events.c
        events = connection.execute(
            select(e.seq, e.kind, e.at, e.party, e.counterpart, e.cancels)
            .where(e.code == code)
            .order_by(e.seq)
        ).all()
        names = self._names(connection, [p for ev in events for p in (ev.party, ev.counterpart) if p])
        today = local_today(self._clock)
        return {
            "code": code,
            "product": {
                "drug_code": row.drug_code,
                "generic_name": row.generic_name,
                "spec": row.spec,
                "manufacturer": row.manufacturer,
                "batch": row.batch,
                "production_date": row.production_date.isoformat(),
                "expiry_date": row.expiry_date.isoformat(),
                "expired": row.expiry_date < today,
            },
            "status": row.status,
            "dispensed_times": row.active_count,
            "repeated": row.active_count > 1,
            "chain": [
                {
                    "event": ev.kind,
                    "event_zh": EVENT_LABELS[EventKind(ev.kind)],
                    "at": ev.at.isoformat(),
                    "party": names.get(ev.party, ev.party),
                    "counterpart": None
                    if ev.counterpart is None
                    else names.get(ev.counterpart, ev.counterpart),
                }
                for ev in events
            ],
        }

    # -- staff lists -----------------------------------------------------------------------------------
    def events(
        self, viewer: Viewer, kinds: Sequence[EventKind], institution: str | None = None
    ) -> list[dict[str, Any]]:
        """An institution's events of the given kinds, newest first (staff: their own institution only)."""
        if viewer.scope is not None:
            institution = viewer.scope
        e, c = trace_events.c, trace_codes.c
        query = (
            select(
                e.code,
                e.seq,
                e.kind,
                e.at,
                e.party,
                e.counterpart,
                e.person_id,
                e.encounter_id,
                e.line_no,
                e.reason,
                c.generic_name,
                c.batch,
                c.expiry_date,
                c.active_count,
            )
            .join(trace_codes, c.code == e.code)
            .where(e.kind.in_([k.value for k in kinds]))
            .order_by(e.at.desc(), e.code)
            .limit(LIST_LIMIT)
        )
        if institution:
            query = query.where(e.party == institution)
        with self._uow(write=True) as uow:
            rows = [dict(r._mapping) for r in uow.connection.execute(query)]
            names = self._names(
                uow.connection,
                [r["party"] for r in rows] + [r["counterpart"] for r in rows if r["counterpart"]],
            )
            persons = sorted({r["person_id"] for r in rows if r["person_id"]})
            if persons:
                self._audit.record(
                    uow.connection,
                    viewer.actor,
                    "view",
                    "trace_dispensings",
                    institution,
                    {"persons": len(persons), "kinds": [k.value for k in kinds]},
                )
            uow.commit()
        for r in rows:
            r["party_name"] = names.get(r["party"], r["party"])
            r["counterpart_name"] = names.get(r["counterpart"] or "", r["counterpart"] or "")
        return rows

    def example_codes(self) -> dict[str, str | None]:
        """A dispensed code and a repeatedly dispensed one, to try the public query with."""
        c = trace_codes.c
        with self._uow() as uow:
            connection = uow.connection
            dispensed = connection.execute(
                select(c.code).where(c.active_count == 1).order_by(c.code).limit(1)
            ).scalar()
            repeated = connection.execute(
                select(c.code).where(c.active_count > 1).order_by(c.code).limit(1)
            ).scalar()
        return {"dispensed": dispensed, "repeated": repeated}


def _system(viewer: Viewer) -> Viewer:
    """On-upload detection acts for the region (findings are regional), recorded under the uploader."""
    return Viewer(
        username=viewer.username,
        role=viewer.role,
        institution=None,
        regional=True,
        source_ip=viewer.source_ip,
    )
