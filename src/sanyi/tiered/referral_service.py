"""Use cases of referrals: create (optionally into a reserved slot), act on, read, queue, settle.

Every change writes the referral row, one event row and an audit entry in one transaction. The
referring institution creates and may cancel; the receiving institution accepts, declines,
schedules, marks arrival or no-show and completes with the discharge summary for the referrer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, case, func, insert, select, update

from sanyi.care.api import encounters
from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock, ensure_aware
from sanyi.kernel.errors import DomainError
from sanyi.kernel.ids import new_id
from sanyi.kernel.masking import mask_citizen_id, mask_name
from sanyi.knowledge.tiered import first_contact_prefixes
from sanyi.registry.api import Viewer, residents
from sanyi.settlement.api import SettlementService, SettlementView
from sanyi.tiered.booking import Channel
from sanyi.tiered.booking_service import BookingRequest, BookingService
from sanyi.tiered.common import institution, invalid, masked, not_found, own_institution, resident
from sanyi.tiered.errors import TIERED_TRANSITION_REFUSED
from sanyi.tiered.referrals import (
    Event,
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
from sanyi.tiered.tables import bookings, referral_events, referrals, slots

RECEIVER_ACTIONS = frozenset({"accept", "decline", "schedule", "arrive", "no_show", "complete"})


def to_referral(row: Row[Any], events: tuple[Event, ...] = ()) -> Referral:
    return Referral(
        id=row.id,
        person_id=row.person_id,
        direction=row.direction,
        from_institution=row.from_institution,
        from_tier=row.from_tier,
        to_institution=row.to_institution,
        to_tier=row.to_tier,
        department=row.department_code,
        diagnosis=row.diagnosis_code,
        reason=row.reason,
        created_at=ensure_aware(row.created_at),
        valid_until=ensure_aware(row.valid_until),
        priority=row.priority,
        care_plan=row.care_plan,
        state=ReferralState(row.state),
        state_at=ensure_aware(row.state_at),
        scheduled_for=None if row.scheduled_for is None else ensure_aware(row.scheduled_for),
        note=row.note,
        events=events,
    )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


class ReferralService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        audit: AuditLog,
        booking: BookingService,
        settlement: SettlementService,
        policy: ReferralPolicy | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self._booking = booking
        self._settlement = settlement
        self.policy = policy or ReferralPolicy()

    def record(self, referral: Referral, person: Mapping[str, Any] | None = None) -> dict[str, Any]:
        now = self._clock.now()
        due = deadline(referral, self.policy)
        return {
            "id": referral.id,
            "person_id": referral.person_id,
            "person": dict(person) if person is not None else None,
            "direction": referral.direction,
            "from_institution": referral.from_institution,
            "from_tier": referral.from_tier,
            "to_institution": referral.to_institution,
            "to_tier": referral.to_tier,
            "department": referral.department,
            "diagnosis": referral.diagnosis,
            "first_contact": needs_first_contact(referral.diagnosis, first_contact_prefixes()),
            "reason": referral.reason,
            "care_plan": referral.care_plan,
            "priority": referral.priority,
            "state": referral.state.value,
            "created_at": referral.created_at.isoformat(),
            "valid_until": referral.valid_until.isoformat(),
            "scheduled_for": _iso(referral.scheduled_for),
            "note": referral.note,
            "deadline": _iso(due),
            "overdue": overdue(referral, now, self.policy),
            "events": [
                {
                    "at": e.at.isoformat(),
                    "actor": e.actor,
                    "action": e.action,
                    "from_state": e.from_state.value if e.from_state else None,
                    "to_state": e.to_state.value,
                    "note": e.note,
                }
                for e in referral.events
            ],
        }

    # -- create ----------------------------------------------------------------------------------
    def create(
        self,
        viewer: Viewer,
        *,
        person_id: str,
        to_institution: str,
        direction: str,
        diagnosis: str,
        reason: str,
        department: str | None = None,
        care_plan: str | None = None,
        priority: bool = True,
        schedule_id: str | None = None,
    ) -> dict[str, Any]:
        home = own_institution(viewer)
        now = self._clock.now()
        with self._uow(write=True) as uow:
            connection = uow.connection
            person = resident(connection, person_id)
            source = institution(connection, home)
            target = institution(connection, to_institution, "to_institution")
            referral = create(
                id=new_id(self._clock),
                person_id=person_id,
                direction=direction,
                from_institution=home,
                from_tier=int(source.tier),
                to_institution=to_institution,
                to_tier=int(target.tier),
                diagnosis=diagnosis,
                reason=reason,
                at=now,
                actor=viewer.username,
                policy=self.policy,
                department=department,
                care_plan=care_plan,
                priority=priority,
            )
            connection.execute(
                insert(referrals).values(
                    id=referral.id,
                    person_id=person_id,
                    direction=referral.direction,
                    from_institution=home,
                    from_tier=referral.from_tier,
                    to_institution=to_institution,
                    to_tier=referral.to_tier,
                    department_code=department,
                    diagnosis_code=diagnosis,
                    reason=reason,
                    care_plan=care_plan,
                    priority=priority,
                    state=referral.state.value,
                    state_at=now,
                    created_at=now,
                    valid_until=referral.valid_until,
                    created_by=viewer.username,
                )
            )
            self._events(connection, referral.id, referral.events)
            booking = None
            if schedule_id is not None:
                booking = self._booking.book_in(
                    connection, viewer, BookingRequest(schedule_id, person_id, Channel.REFERRAL, referral.id)
                )
            self._audit.record(
                connection,
                viewer.actor,
                "tiered.referral.create",
                "person",
                person_id,
                {
                    "referral": referral.id,
                    "to": to_institution,
                    "booking": booking["id"] if booking else None,
                },
            )
            uow.commit()
        result = self.record(referral, masked(person))
        result["booking"] = booking
        return result

    @staticmethod
    def _events(connection: Connection, referral_id: str, events: tuple[Event, ...]) -> None:
        connection.execute(
            insert(referral_events),
            [
                {
                    "referral_id": referral_id,
                    "at": e.at,
                    "actor": e.actor,
                    "action": e.action,
                    "from_state": e.from_state.value if e.from_state else None,
                    "to_state": e.to_state.value,
                    "note": e.note,
                }
                for e in events
            ],
        )

    # -- act -------------------------------------------------------------------------------------
    def act(
        self,
        viewer: Viewer,
        referral_id: str,
        action: str,
        *,
        note: str | None = None,
        schedule_id: str | None = None,
    ) -> dict[str, Any]:
        now = self._clock.now()
        with self._uow(write=True) as uow:
            connection = uow.connection
            current = self._load(connection, referral_id, viewer)
            side = current.to_institution if action in RECEIVER_ACTIONS else None
            if side is not None and not (viewer.institution == side and not viewer.regional):
                raise DomainError(
                    TIERED_TRANSITION_REFUSED,
                    path="action",
                    kind="referral",
                    kind_zh="转诊单",
                    state=current.state.value,
                    action=f"{action} (only the receiving institution)",
                )
            live = self._live_booking(connection, referral_id)
            if action == "schedule" and live is None:
                if schedule_id is None:
                    raise invalid("schedule_id", None, "choose a session to schedule into", "请选择预约场次")
                self._booking.book_in(
                    connection,
                    viewer,
                    BookingRequest(schedule_id, current.person_id, Channel.REFERRAL, referral_id),
                )
                live = self._live_booking(connection, referral_id)
            scheduled_for = ensure_aware(live.starts_at) if live is not None else None
            updated = transition(
                current, action, now, viewer.username, note=note, scheduled_for=scheduled_for
            )
            if action == "accept" and live is not None:
                # Booked into a slot at creation: accepting schedules it at once.
                updated = transition(updated, "schedule", now, viewer.username, scheduled_for=scheduled_for)
            if live is not None and action in ("decline", "cancel", "arrive", "no_show"):
                booking_action = "cancel" if action in ("decline", "cancel") else action
                self._booking.act_in(connection, _desk(viewer, current), live.id, booking_action)
            self._store(connection, updated)
            self._events(connection, referral_id, updated.events[len(current.events) :])
            self._audit.record(
                connection,
                viewer.actor,
                f"tiered.referral.{action}",
                "person",
                current.person_id,
                {"referral": referral_id},
            )
            uow.commit()
        return self.record(updated)

    @staticmethod
    def _live_booking(connection: Connection, referral_id: str) -> Any:
        return connection.execute(
            select(bookings.c.id, slots.c.starts_at)
            .join(slots, slots.c.id == bookings.c.slot_id)
            .where(bookings.c.referral_id == referral_id, bookings.c.state == "booked")
        ).first()

    @staticmethod
    def _store(connection: Connection, referral: Referral) -> None:
        connection.execute(
            update(referrals)
            .where(referrals.c.id == referral.id)
            .values(
                state=referral.state.value,
                state_at=referral.state_at,
                scheduled_for=referral.scheduled_for,
                note=referral.note,
            )
        )

    def _load(self, connection: Connection, referral_id: str, viewer: Viewer) -> Referral:
        row = connection.execute(select(referrals).where(referrals.c.id == referral_id)).first()
        if row is None or not (
            viewer.sees_institution(row.from_institution) or viewer.sees_institution(row.to_institution)
        ):
            raise not_found("referral", referral_id, "referral_id")
        return to_referral(row, self._read_events(connection, referral_id))

    @staticmethod
    def _read_events(connection: Connection, referral_id: str) -> tuple[Event, ...]:
        rows = connection.execute(
            select(referral_events)
            .where(referral_events.c.referral_id == referral_id)
            .order_by(referral_events.c.id)
        ).all()
        return tuple(
            Event(
                ensure_aware(r.at),
                r.actor,
                r.action,
                None if r.from_state is None else ReferralState(r.from_state),
                ReferralState(r.to_state),
                r.note,
            )
            for r in rows
        )

    # -- read ------------------------------------------------------------------------------------
    def get(self, viewer: Viewer, referral_id: str) -> dict[str, Any]:
        with self._uow(write=True) as uow:
            connection = uow.connection
            referral = self._load(connection, referral_id, viewer)
            person = resident(connection, referral.person_id)
            self._audit.record(
                connection,
                viewer.actor,
                "tiered.referral.view",
                "person",
                referral.person_id,
                {"referral": referral_id},
            )
            uow.commit()
        return self.record(referral, masked(person))

    def queue(
        self, viewer: Viewer, *, incoming: bool = True, states: tuple[str, ...] = (), limit: int = 200
    ) -> list[dict[str, Any]]:
        """Incoming (the referral desk) or outgoing (the family doctor) referrals, oldest first."""
        side = referrals.c.to_institution if incoming else referrals.c.from_institution
        query = (
            select(referrals, residents.c.name, residents.c.citizen_id)
            .join(residents, residents.c.person_id == referrals.c.person_id)
            .order_by(referrals.c.priority.desc(), referrals.c.created_at, referrals.c.id)
            .limit(limit)
        )
        if viewer.scope is not None:
            query = query.where(side == viewer.scope)
        if states:
            query = query.where(referrals.c.state.in_(states))
        with self._uow() as uow:
            rows = uow.connection.execute(query).all()
        out = []
        for row in rows:
            person = {"name": mask_name(row.name), "citizen_id": mask_citizen_id(row.citizen_id)}
            out.append(self.record(to_referral(row), person))
        return out

    def overdue_count(self, viewer: Viewer) -> int:
        return sum(
            1
            for r in self.queue(viewer, states=("created", "accepted", "scheduled", "arrived"))
            if r["overdue"]
        )

    def indicators(self, viewer: Viewer, first: datetime, last: datetime) -> list[dict[str, Any]]:
        """下级转诊占门诊比 per receiving institution: up-referred patients who arrived in the period ÷
        its outpatient visits in the period; with the referrals received, declined and overdue."""
        arrived = func.sum(case((referrals.c.state.in_(("arrived", "completed")), 1), else_=0))
        declined = func.sum(case((referrals.c.state == "declined", 1), else_=0))
        query = (
            select(
                referrals.c.to_institution,
                func.count().label("received"),
                arrived.label("arrived"),
                declined.label("declined"),
            )
            .where(
                referrals.c.direction == "up", referrals.c.created_at >= first, referrals.c.created_at <= last
            )
            .group_by(referrals.c.to_institution)
            .order_by(referrals.c.to_institution)
        )
        visits_query = (
            select(encounters.c.institution_code, func.count())
            .where(
                encounters.c.type == "outpatient",
                encounters.c.start_at >= first,
                encounters.c.start_at <= last,
            )
            .group_by(encounters.c.institution_code)
        )
        if viewer.scope is not None:
            query = query.where(referrals.c.to_institution == viewer.scope)
            visits_query = visits_query.where(encounters.c.institution_code == viewer.scope)
        with self._uow() as uow:
            rows = uow.connection.execute(query).all()
            visits: dict[str, int] = dict(uow.connection.execute(visits_query).all())
        return [
            {
                "institution": row.to_institution,
                "received": int(row.received),
                "arrived": int(row.arrived or 0),
                "declined": int(row.declined or 0),
                "outpatient_visits": int(visits.get(row.to_institution, 0)),
                "referred_share": None
                if not visits.get(row.to_institution)
                else round(int(row.arrived or 0) / int(visits[row.to_institution]), 4),
            }
            for row in rows
        ]

    # -- settlement link -------------------------------------------------------------------------
    def claim_referral(self, viewer: Viewer, referral_id: str) -> dict[str, Any]:
        """The ``encounter.referral`` block for a claim at the receiving institution (claim.md)."""
        with self._uow() as uow:
            referral = self._load(uow.connection, referral_id, viewer)
        block = claim_referral(referral)
        if block is None:
            raise DomainError(
                TIERED_TRANSITION_REFUSED,
                path="referral_id",
                kind="referral",
                kind_zh="转诊单",
                state=referral.state.value,
                action="settle (the patient has not arrived)",
            )
        return block

    def settle(
        self, viewer: Viewer, referral_id: str, record: Mapping[str, Any], *, policy: str | None = None
    ) -> SettlementView:
        """Settle a claim of the referred visit with the referral filled in from the loop; ``policy``
        names a package instead of the one of the person's home region (e.g. the illustrative
        referral-continuity package)."""
        block = self.claim_referral(viewer, referral_id)
        with self._uow() as uow:
            referral = self._load(uow.connection, referral_id, viewer)
        claim = dict(record)
        encounter = claim.get("encounter")
        if not isinstance(encounter, Mapping):
            raise invalid("encounter", None, "the claim needs an encounter object", "结算单缺少就诊信息")
        person = claim.get("person")
        if not isinstance(person, Mapping) or person.get("id") != referral.person_id:
            raise invalid("person.id", None, "the claim is for another person", "结算单的参保人与转诊单不符")
        claim["encounter"] = {**encounter, "referral": block}
        scope = None if viewer.regional else viewer.institution
        return self._settlement.settle(claim, viewer.actor, scope=scope, policy=policy)


def _desk(viewer: Viewer, referral: Referral) -> Viewer:
    # The referral's own rules decided who may act; the booking follows the referral.
    return Viewer(
        viewer.username, viewer.role, referral.to_institution, regional=False, source_ip=viewer.source_ip
    )


def attended_referral(
    connection: Connection,
    person_id: str,
    institution_code: str,
    at: datetime,
    referral_id: str | None = None,
) -> dict[str, Any] | None:
    """The claim's ``encounter.referral`` block for a stored visit: the encounter's own referral, or
    the person's attended referral to that institution that was valid when the visit started."""
    query = select(referrals).where(
        referrals.c.person_id == person_id,
        referrals.c.to_institution == institution_code,
        referrals.c.state.in_(("arrived", "completed")),
    )
    if referral_id is not None:
        query = query.where(referrals.c.id == referral_id)
    else:
        query = query.where(referrals.c.created_at <= at, referrals.c.valid_until >= at)
    row = connection.execute(query.order_by(referrals.c.created_at.desc()).limit(1)).first()
    return None if row is None else claim_referral(to_referral(row))
