"""Use cases of settlement on the database: settle, pre-settle (dry run), reverse, read.

Each use case is one unit of work. Settling locks the person's accumulator row for the claim's year
before it reads anything else, so concurrent settlements of one person run one after the other on
PostgreSQL (row lock) and on SQLite (the write lock taken at ``BEGIN IMMEDIATE``); a claim id is
checked for a previous settlement under that lock, so a repeat is answered with the first result and
changes nothing. Callers pass the institution they are scoped to (``None`` for regional roles).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from sanyi.infrastructure.audit import Actor, AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock
from sanyi.kernel.errors import DomainError
from sanyi.kernel.masking import mask_citizen_id, mask_name
from sanyi.knowledge.policies import PolicyPackage, load_package, package_names
from sanyi.registry.api import get_resident
from sanyi.settlement.claims import parse_claim, result_record
from sanyi.settlement.engine import choose_package, settle
from sanyi.settlement.errors import (
    SETTLEMENT_ALREADY_REVERSED,
    SETTLEMENT_BLOCKED_BY_SUPERVISION,
    SETTLEMENT_CONFLICT,
    SETTLEMENT_NOT_FOUND,
    SETTLEMENT_OUT_OF_SCOPE,
)
from sanyi.settlement.model import Accumulators, Claim, Settlement
from sanyi.settlement.tables import ACCUMULATOR_FIELDS, accumulators, settlement_lines, settlements

RECORD_TYPE = "settlement"


@dataclass(frozen=True, slots=True)
class SettlementView:
    """A stored settlement as the API returns it (with the supervision findings, if any)."""

    record: dict[str, Any]
    duplicate: bool = False
    flags: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        result = {**self.record, "duplicate": self.duplicate}
        if self.flags:
            result["supervision"] = list(self.flags)
        return result


# The per-claim supervision check, injected by the composition root (supervision sits above
# settlement): a claim record → finding records {"rule_id", "result", "line_no", "message_*", …}.
Screen = Callable[[Mapping[str, Any]], Sequence[dict[str, Any]]]


@cache
def _all_packages() -> tuple[PolicyPackage, ...]:
    return tuple(load_package(name) for name in package_names())


def content_hash(record: Mapping[str, Any], policy: str) -> str:
    """The identity of a claim's content: its canonical JSON and the package it is settled by."""
    canonical = json.dumps({"policy": policy, "claim": record}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class StoredAccumulators(MutableMapping[tuple[str, int], Accumulators]):
    """Accumulators for a batch run that start from the database's and then live in memory.

    ``sanyi settle --db`` reads each person's stored totals the first time the person appears and
    never writes them back: a file run previews what the stored state would give.
    """

    def __init__(self, service: SettlementService) -> None:
        self._service = service
        self._values: dict[tuple[str, int], Accumulators] = {}

    def __getitem__(self, key: tuple[str, int]) -> Accumulators:
        if key not in self._values:
            self._values[key] = self._service.stored_accumulators(*key)
        return self._values[key]

    def __setitem__(self, key: tuple[str, int], value: Accumulators) -> None:
        self._values[key] = value

    def __delitem__(self, key: tuple[str, int]) -> None:
        del self._values[key]

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class SettlementService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        audit: AuditLog,
        *,
        screen: Screen | None = None,
        block: frozenset[str] = frozenset(),
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self._screen = screen
        self._block = block  # finding result types that refuse the claim (e.g. {"violation"})

    # -- settle ----------------------------------------------------------------------------------
    def _prepare(
        self, record: Mapping[str, Any], policy: str | None, scope: str | None
    ) -> tuple[Claim, PolicyPackage]:
        claim = parse_claim(record)
        if scope is not None and claim.encounter.institution.id != scope:
            raise DomainError(SETTLEMENT_OUT_OF_SCOPE, path="encounter.institution.id")
        package = load_package(policy) if policy else choose_package(claim, _all_packages())
        return claim, package

    def settle(
        self,
        record: Mapping[str, Any],
        actor: Actor,
        *,
        policy: str | None = None,
        scope: str | None = None,
        dry_run: bool = False,
    ) -> SettlementView:
        """Settle a claim record (claim.md); ``dry_run`` computes on the stored accumulators and writes
        nothing but the audit entry (预结算)."""
        claim, package = self._prepare(record, policy, scope)
        flags = self._screened(record, claim.claim_id, actor)
        if dry_run:
            return replace(self._dry_run(claim, package, actor), flags=flags)
        digest = content_hash(dict(record), package.name)
        try:
            return replace(self._settle_once(claim, package, dict(record), digest, actor), flags=flags)
        except IntegrityError:
            # Another transaction inserted the same claim id for another person first.
            with self._uow() as uow:
                latest = self._latest(uow.connection, claim.claim_id)
            if latest is None:  # pragma: no cover - the integrity error had another cause
                raise
            return self._repeat(latest, digest)

    def _screened(self, record: Mapping[str, Any], claim_id: str, actor: Actor) -> tuple[dict[str, Any], ...]:
        """Run the per-claim supervision check; a blocking finding refuses the claim (and is audited)."""
        if self._screen is None:
            return ()
        flags = tuple(self._screen(record))
        blocking = [f for f in flags if f["result"] in self._block]
        if blocking:
            first = blocking[0]
            with self._uow(write=True) as uow:
                self._audit.record(
                    uow.connection,
                    actor,
                    "settlement.blocked",
                    RECORD_TYPE,
                    claim_id,
                    {"rules": sorted({f["rule_id"] for f in blocking})},
                )
                uow.commit()
            line = first.get("line_no")
            raise DomainError(
                SETTLEMENT_BLOCKED_BY_SUPERVISION,
                path="lines" if line is None else f"lines[no={line}]",
                rule=first["rule_id"],
                message_zh=first["message_zh"],
                message_en=first["message_en"],
            )
        return flags

    def _dry_run(self, claim: Claim, package: PolicyPackage, actor: Actor) -> SettlementView:
        with self._uow(write=True) as uow:
            before = self._read_accumulators(uow.connection, claim.person.id, claim.year, lock=False)
            result = settle(claim, package, before)
            self._audit.record(
                uow.connection,
                actor,
                "settlement.dry_run",
                RECORD_TYPE,
                claim.claim_id,
                {"person_id": claim.person.id, "policy": package.name},
            )
            uow.commit()
        view = result_record(result)
        view["status"] = "dry_run"
        return SettlementView(view)

    def _settle_once(
        self, claim: Claim, package: PolicyPackage, record: dict[str, Any], digest: str, actor: Actor
    ) -> SettlementView:
        with self._uow(write=True) as uow:
            connection = uow.connection
            before = self._read_accumulators(connection, claim.person.id, claim.year, lock=True)
            latest = self._latest(connection, claim.claim_id)
            if latest is not None and latest.status == "settled":
                repeat = self._repeat(latest, digest)
                self._audit.record(
                    connection,
                    actor,
                    "settlement.duplicate",
                    RECORD_TYPE,
                    claim.claim_id,
                    {"person_id": latest.person_id},
                )
                uow.commit()
                return repeat
            attempt = 1 if latest is None else latest.attempt + 1
            result = settle(claim, package, before)
            view = result_record(result)
            view["attempt"] = attempt
            settlement_id = self._insert(connection, claim, result, record, view, digest, attempt, actor)
            self._write_accumulators(connection, claim.person.id, result.after)
            self._audit.record(
                connection,
                actor,
                "settlement.settle",
                RECORD_TYPE,
                claim.claim_id,
                {"person_id": claim.person.id, "policy": package.name, "settlement_id": settlement_id},
            )
            uow.commit()
        return SettlementView(view)

    def _repeat(self, latest: Row[Any], digest: str) -> SettlementView:
        if latest.content_hash != digest:
            raise DomainError(SETTLEMENT_CONFLICT, path="claim_id", claim_id=latest.claim_id)
        if latest.status != "settled":
            raise DomainError(SETTLEMENT_ALREADY_REVERSED, path="claim_id", claim_id=latest.claim_id)
        return SettlementView(self._view(latest), duplicate=True)

    def _insert(
        self,
        connection: Connection,
        claim: Claim,
        result: Settlement,
        record: dict[str, Any],
        view: dict[str, Any],
        digest: str,
        attempt: int,
        actor: Actor,
    ) -> int:
        split = result.split
        settlement_id = connection.execute(
            insert(settlements)
            .values(
                claim_id=claim.claim_id,
                attempt=attempt,
                content_hash=digest,
                policy=result.policy,
                person_id=claim.person.id,
                institution_id=claim.encounter.institution.id,
                year=result.year,
                pool=result.pool,
                status="settled",
                medfee_sumamt=split.medfee_sumamt,
                inscp_scp_amt=split.inscp_scp_amt,
                fund_pay_sumamt=split.fund_pay_sumamt,
                psn_part_amt=split.psn_part_amt,
                claim=record,
                result=view,
                accumulators_before=result.before.to_fields(),
                accumulators_after=result.after.to_fields(),
                settled_at=self._clock.now(),
                settled_by=actor.name,
            )
            .returning(settlements.c.id)
        ).scalar_one()
        connection.execute(
            insert(settlement_lines),
            [
                {
                    "settlement_id": settlement_id,
                    "line_no": line.no,
                    "code": source.code,
                    "total": line.total,
                    "fulamt_ownpay_amt": line.fulamt_ownpay_amt,
                    "overlmt_selfpay": line.overlmt_selfpay,
                    "preselfpay_amt": line.preselfpay_amt,
                    "inscp_scp_amt": line.inscp_scp_amt,
                }
                for line, source in zip(result.lines, claim.lines, strict=True)
            ],
        )
        return int(settlement_id)

    # -- reverse ---------------------------------------------------------------------------------
    def reverse(self, claim_id: str, actor: Actor, *, scope: str | None = None) -> SettlementView:
        """冲正: mark the settlement reversed and take its contribution out of the accumulators."""
        with self._uow(write=True) as uow:
            connection = uow.connection
            latest = self._latest(connection, claim_id)
            if latest is None:
                raise DomainError(SETTLEMENT_NOT_FOUND, path="claim_id", claim_id=claim_id)
            self._check_scope(latest, scope)
            current = self._read_accumulators(connection, latest.person_id, latest.year, lock=True)
            # Re-read under the person's lock: a concurrent reversal may have won.
            locked = self._latest(connection, claim_id)
            assert locked is not None
            latest = locked
            if latest.status != "settled":
                raise DomainError(SETTLEMENT_ALREADY_REVERSED, path="claim_id", claim_id=claim_id)
            now = current.to_fields()
            before, after = latest.accumulators_before, latest.accumulators_after
            restored = {name: now[name] - (after[name] - before[name]) for name in ACCUMULATOR_FIELDS}
            self._write_accumulators(
                connection, latest.person_id, Accumulators.from_fields(latest.year, restored)
            )
            connection.execute(
                update(settlements)
                .where(settlements.c.id == latest.id)
                .values(status="reversed", reversed_at=self._clock.now(), reversed_by=actor.name)
            )
            self._audit.record(
                connection,
                actor,
                "settlement.reverse",
                RECORD_TYPE,
                claim_id,
                {"person_id": latest.person_id},
            )
            uow.commit()
        return self.get(claim_id, actor, scope=scope, audit=False)

    # -- read ------------------------------------------------------------------------------------
    def get(
        self, claim_id: str, actor: Actor, *, scope: str | None = None, audit: bool = True
    ) -> SettlementView:
        with self._uow(write=audit) as uow:
            latest = self._latest(uow.connection, claim_id)
            if latest is None:
                raise DomainError(SETTLEMENT_NOT_FOUND, path="claim_id", claim_id=claim_id)
            self._check_scope(latest, scope)
            if audit:
                self._audit.record(
                    uow.connection,
                    actor,
                    "settlement.view",
                    RECORD_TYPE,
                    claim_id,
                    {"person_id": latest.person_id},
                )
                uow.commit()
            return SettlementView(self._view(latest))

    def person_accumulators(self, person_id: str, year: int, actor: Actor) -> Accumulators:
        """A person's accumulators of one year (zero when none); the access is audited."""
        with self._uow(write=True) as uow:
            found = self._read_accumulators(uow.connection, person_id, year, lock=False)
            self._audit.record(
                uow.connection, actor, "accumulators.view", "person", person_id, {"year": year}
            )
            uow.commit()
        return found

    def stored_accumulators(self, person_id: str, year: int) -> Accumulators:
        """A person's stored totals of one year, for batch runs by the system (not audited per person)."""
        with self._uow() as uow:
            return self._read_accumulators(uow.connection, person_id, year, lock=False)

    def masked_person(self, person_id: str) -> dict[str, str] | None:
        """The registry's masked name and citizen ID of a person, when the registry knows them."""
        with self._uow() as uow:
            resident = get_resident(uow.connection, person_id)
        if resident is None:
            return None
        return {"name": mask_name(resident.name), "citizen_id": mask_citizen_id(resident.citizen_id)}

    def person_settlements(self, person_id: str, year: int) -> list[dict[str, Any]]:
        """The settlements of a person in a year, oldest first (for the accumulators page)."""
        with self._uow() as uow:
            rows = uow.connection.execute(
                select(settlements)
                .where(settlements.c.person_id == person_id, settlements.c.year == year)
                .order_by(settlements.c.id)
            ).all()
        return [self._view(row) for row in rows]

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _check_scope(row: Row[Any], scope: str | None) -> None:
        if scope is not None and row.institution_id != scope:
            raise DomainError(SETTLEMENT_OUT_OF_SCOPE, path="claim_id")

    @staticmethod
    def _view(row: Row[Any]) -> dict[str, Any]:
        view = dict(row.result)
        view["status"] = row.status
        view["attempt"] = row.attempt
        view["settled_at"] = row.settled_at.isoformat()
        if row.reversed_at is not None:
            view["reversed_at"] = row.reversed_at.isoformat()
        return view

    @staticmethod
    def _latest(connection: Connection, claim_id: str) -> Row[Any] | None:
        return connection.execute(
            select(settlements)
            .where(settlements.c.claim_id == claim_id)
            .order_by(settlements.c.attempt.desc())
            .limit(1)
        ).first()

    @staticmethod
    def _read_accumulators(connection: Connection, person_id: str, year: int, *, lock: bool) -> Accumulators:
        key = (accumulators.c.person_id == person_id, accumulators.c.year == year)
        if lock:
            # Make sure the row exists (one statement, no savepoint), then lock it: the lock is what
            # serialises one person's claims.
            upsert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
            connection.execute(
                upsert(accumulators)
                .values(person_id=person_id, year=year, **dict.fromkeys(ACCUMULATOR_FIELDS, 0))
                .on_conflict_do_nothing()
            )
            row: Row[Any] | None = connection.execute(
                select(accumulators).where(*key).with_for_update()
            ).one()
        else:
            row = connection.execute(select(accumulators).where(*key)).first()
        if row is None:
            return Accumulators(year)
        return Accumulators.from_fields(year, {name: int(getattr(row, name)) for name in ACCUMULATOR_FIELDS})

    @staticmethod
    def _write_accumulators(connection: Connection, person_id: str, values: Accumulators) -> None:
        connection.execute(
            update(accumulators)
            .where(accumulators.c.person_id == person_id, accumulators.c.year == values.year)
            .values(**values.to_fields())
        )
