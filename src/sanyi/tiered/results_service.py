"""Use cases of mutual recognition: record results, order with a proposal, decide, look up, rates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Row, case, func, insert, select, update

from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import SHANGHAI, Clock, ensure_aware
from sanyi.kernel.errors import DomainError, Issue
from sanyi.kernel.ids import new_id
from sanyi.knowledge.tiered import RecognisableItem, recognisable_items
from sanyi.registry.api import Viewer
from sanyi.tiered.common import institution, invalid, not_found, own_institution, resident
from sanyi.tiered.errors import RESULT_ITEM_UNKNOWN, TIERED_TRANSITION_REFUSED
from sanyi.tiered.recognition import Result, decide, propose, recognition_rate
from sanyi.tiered.tables import orders, results

QC_TEXT = {"1": True, "true": True, "是": True, "": True, "0": False, "false": False, "否": False}


def _item(code: str) -> RecognisableItem:
    item = recognisable_items().get(code)
    if item is None:
        raise DomainError(RESULT_ITEM_UNKNOWN, path="item", item=code)
    return item


def to_result(row: Row[Any]) -> Result:
    return Result(
        row.id,
        row.person_id,
        row.item_code,
        row.institution_code,
        row.tier,
        ensure_aware(row.taken_at),
        row.qc_passed,
    )


def result_record(result: Result) -> dict[str, Any]:
    item = recognisable_items().get(result.item)
    return {
        "id": result.id,
        "person_id": result.person_id,
        "item": result.item,
        "item_name": item.name if item else None,
        "institution": result.institution,
        "tier": result.tier,
        "taken_at": result.taken_at.isoformat(),
        "qc_passed": result.qc_passed,
    }


class ResultsService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, audit: AuditLog) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit

    def record_result(
        self, viewer: Viewer, *, person_id: str, item: str, taken_at: datetime, qc_passed: bool = True
    ) -> dict[str, Any]:
        home = own_institution(viewer)
        _item(item)
        with self._uow(write=True) as uow:
            connection = uow.connection
            resident(connection, person_id)
            place = institution(connection, home)
            result = Result(
                new_id(self._clock), person_id, item, home, int(place.tier), ensure_aware(taken_at), qc_passed
            )
            connection.execute(
                insert(results).values(
                    id=result.id,
                    person_id=person_id,
                    item_code=item,
                    institution_code=home,
                    tier=result.tier,
                    taken_at=result.taken_at,
                    qc_passed=qc_passed,
                    recorded_by=viewer.username,
                )
            )
            self._audit.record(
                connection, viewer.actor, "tiered.result.record", "person", person_id, {"item": item}
            )
            uow.commit()
        return result_record(result)

    def import_results(
        self, viewer: Viewer, rows: Iterable[tuple[int, Mapping[str, str]]]
    ) -> tuple[int, list[Issue]]:
        """Load results from a table (person_id, item, taken_at, qc_passed): every bad row is
        reported with its number and field, the good ones are stored (one transaction each)."""
        stored, issues = 0, []
        for number, values in rows:
            try:
                taken = values.get("taken_at", "")
                try:
                    moment = datetime.fromisoformat(taken)
                    if moment.tzinfo is None:  # a time written without a zone is Beijing time
                        moment = moment.replace(tzinfo=SHANGHAI)
                except ValueError:
                    raise invalid("taken_at", taken, "not a date and time", "不是有效的日期时间") from None
                qc = values.get("qc_passed", "1").strip().lower()
                if qc not in QC_TEXT:
                    raise invalid(
                        "qc_passed", qc, "1/0, true/false or 是/否", "应为 1/0、true/false 或 是/否"
                    )
                self.record_result(
                    viewer,
                    person_id=values.get("person_id", ""),
                    item=values.get("item", ""),
                    taken_at=moment,
                    qc_passed=QC_TEXT[qc],
                )
                stored += 1
            except DomainError as error:
                issues.append(error.as_issue(row=number))
        return stored, issues

    def order(self, viewer: Viewer, *, person_id: str, item: str) -> dict[str, Any]:
        """An order for an item: proposes an existing result when one is recognisable."""
        home = own_institution(viewer)
        known = _item(item)
        now = self._clock.now()
        with self._uow(write=True) as uow:
            connection = uow.connection
            resident(connection, person_id)
            tier = int(institution(connection, home).tier)
            rows = connection.execute(
                select(results).where(results.c.person_id == person_id, results.c.item_code == item)
            ).all()
            proposal = propose(known, tier, now, [to_result(r) for r in rows])
            order_id = new_id(self._clock)
            connection.execute(
                insert(orders).values(
                    id=order_id,
                    person_id=person_id,
                    item_code=item,
                    institution_code=home,
                    tier=tier,
                    ordered_at=now,
                    proposed_result_id=proposal.result.id if proposal else None,
                    outcome="proposed" if proposal else "no_candidate",
                    ordered_by=viewer.username,
                )
            )
            self._audit.record(
                connection,
                viewer.actor,
                "tiered.result.order",
                "person",
                person_id,
                {"order": order_id, "item": item, "proposed": proposal.result.id if proposal else None},
            )
            uow.commit()
        return {
            "id": order_id,
            "person_id": person_id,
            "item": item,
            "item_name": known.name,
            "outcome": "proposed" if proposal else "no_candidate",
            "proposal": None
            if proposal is None
            else {**result_record(proposal.result), "valid_until": proposal.valid_until.isoformat()},
        }

    def decide(
        self, viewer: Viewer, order_id: str, *, accept: bool, reason: str | None = None
    ) -> dict[str, Any]:
        with self._uow(write=True) as uow:
            connection = uow.connection
            row = connection.execute(select(orders).where(orders.c.id == order_id)).first()
            if row is None or viewer.regional or viewer.institution != row.institution_code:
                raise not_found("order", order_id, "order_id")
            if row.outcome != "proposed":
                raise DomainError(
                    TIERED_TRANSITION_REFUSED,
                    path="order_id",
                    kind="order",
                    kind_zh="检查申请",
                    state=row.outcome,
                    action="decide",
                )
            proposed = connection.execute(select(results).where(results.c.id == row.proposed_result_id)).one()
            proposal = propose(
                _item(row.item_code), row.tier, ensure_aware(row.ordered_at), [to_result(proposed)]
            )
            decision = decide(proposal, accept, reason)
            connection.execute(
                update(orders)
                .where(orders.c.id == order_id)
                .values(
                    outcome=decision.outcome,
                    reason=decision.reason.value if decision.reason else None,
                    justified=decision.justified,
                )
            )
            self._audit.record(
                connection,
                viewer.actor,
                "tiered.result.decide",
                "person",
                row.person_id,
                {"order": order_id, "outcome": decision.outcome},
            )
            uow.commit()
        return {
            "id": order_id,
            "outcome": decision.outcome,
            "reason": reason,
            "justified": decision.justified,
        }

    def lookup(self, viewer: Viewer, person_id: str) -> list[dict[str, Any]]:
        """A person's results across the region (the regional index); every lookup is audited."""
        if viewer.scope is not None and viewer.institution is None:
            raise not_found("person", person_id, "person_id")
        with self._uow(write=True) as uow:
            connection = uow.connection
            resident(connection, person_id)
            rows = connection.execute(
                select(results).where(results.c.person_id == person_id).order_by(results.c.taken_at.desc())
            ).all()
            self._audit.record(connection, viewer.actor, "tiered.result.lookup", "person", person_id, {})
            uow.commit()
        return [result_record(to_result(r)) for r in rows]

    def unjustified_repeats(self, viewer: Viewer) -> list[dict[str, Any]]:
        """Orders repeated without a justifying reason (重复检查), for supervision."""
        query = (
            select(orders)
            .where((orders.c.outcome == "repeated") & orders.c.justified.is_(False))
            .order_by(orders.c.ordered_at, orders.c.id)
        )
        if viewer.scope is not None:
            query = query.where(orders.c.institution_code == viewer.scope)
        with self._uow() as uow:
            return [dict(row._mapping) for row in uow.connection.execute(query)]

    def rates(self, viewer: Viewer) -> list[dict[str, Any]]:
        """互认率 by institution and item: recognised ÷ eligible (orders that had a proposal)."""
        eligible = func.sum(case((orders.c.proposed_result_id.is_not(None), 1), else_=0)).label("eligible")
        recognised = func.sum(case((orders.c.outcome == "recognised", 1), else_=0)).label("recognised")
        unjustified = func.sum(
            case(((orders.c.outcome == "repeated") & (orders.c.justified.is_(False)), 1), else_=0)
        ).label("unjustified")
        query = (
            select(
                orders.c.institution_code,
                orders.c.item_code,
                func.count().label("orders"),
                eligible,
                recognised,
                unjustified,
            )
            .group_by(orders.c.institution_code, orders.c.item_code)
            .order_by(orders.c.institution_code, orders.c.item_code)
        )
        if viewer.scope is not None:
            query = query.where(orders.c.institution_code == viewer.scope)
        with self._uow() as uow:
            rows = uow.connection.execute(query).all()
        return [
            {
                "institution": r.institution_code,
                "item": r.item_code,
                "orders": int(r.orders),
                "eligible": int(r.eligible or 0),
                "recognised": int(r.recognised or 0),
                "unjustified_repeats": int(r.unjustified or 0),
                "rate": recognition_rate(int(r.recognised or 0), int(r.eligible or 0)),
            }
            for r in rows
        ]
