"""Use cases of booking (号源): schedules and their slots, book, cancel, attend, waiting list.

Booking is atomic without a table lock: a slot is taken by ``UPDATE … SET booking_id WHERE
booking_id IS NULL``; when a concurrent booking took it first the update touches no row and the next
free slot is tried. On PostgreSQL the second writer waits for the first and re-checks the condition;
on SQLite the write lock taken at BEGIN serialises writers. So exactly as many bookings succeed as
there are free slots, and the rest get ``SLOT_FULL``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock, ensure_aware, local_date
from sanyi.kernel.errors import DomainError
from sanyi.kernel.ids import new_id
from sanyi.registry.api import Viewer
from sanyi.tiered.booking import BookingState, Channel, Session, booking_transition, may_take, plan_slots
from sanyi.tiered.common import institution, invalid, not_found, own_institution, resident
from sanyi.tiered.errors import BOOKING_LIMIT_REACHED, SCHEDULE_UNAVAILABLE, SLOT_FULL
from sanyi.tiered.tables import bookings, contracts, referrals, schedules, slots, teams, waitlist


@dataclass(frozen=True, slots=True)
class BookingPolicy:
    per_person_day: int = 2  # live bookings of one person on one day, across the region


@dataclass(frozen=True, slots=True)
class BookingRequest:
    schedule_id: str
    person_id: str
    channel: Channel
    referral_id: str | None = None


def schedule_record(row: Row[Any], free: int, free_reserved: int) -> dict[str, Any]:
    return {
        "id": row.id,
        "institution": row.institution_code,
        "department": row.department_code,
        "doctor": row.doctor_code,
        "starts_at": ensure_aware(row.starts_at).isoformat(),
        "slot_minutes": row.slot_minutes,
        "capacity": row.capacity,
        "reserved_percent": row.reserved_percent,
        "release_hours": row.release_hours,
        "unavailable_reason": row.unavailable_reason,
        "free": free,
        "free_reserved": free_reserved,
    }


class BookingService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, audit: AuditLog, policy: BookingPolicy | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self.policy = policy or BookingPolicy()

    # -- schedules -------------------------------------------------------------------------------
    def create_schedule(
        self,
        viewer: Viewer,
        *,
        department: str,
        starts_at: datetime,
        capacity: int,
        slot_minutes: int = 10,
        reserved_percent: int = 30,
        release_hours: int = 48,
        doctor: str | None = None,
    ) -> dict[str, Any]:
        home = own_institution(viewer)
        session = Session(ensure_aware(starts_at), slot_minutes, capacity, reserved_percent, release_hours)
        plans = plan_slots(session)
        schedule_id = new_id(self._clock)
        with self._uow(write=True) as uow:
            connection = uow.connection
            institution(connection, home)
            connection.execute(
                insert(schedules).values(
                    id=schedule_id,
                    institution_code=home,
                    department_code=department,
                    doctor_code=doctor,
                    starts_at=session.starts_at,
                    slot_minutes=slot_minutes,
                    capacity=capacity,
                    reserved_percent=reserved_percent,
                    release_hours=release_hours,
                    created_by=viewer.username,
                )
            )
            connection.execute(
                insert(slots),
                [
                    {
                        "schedule_id": schedule_id,
                        "seq": p.seq,
                        "starts_at": p.starts_at,
                        "reserved": p.reserved,
                    }
                    for p in plans
                ],
            )
            self._audit.record(
                connection,
                viewer.actor,
                "tiered.schedule.create",
                "schedule",
                schedule_id,
                {"institution": home},
            )
            uow.commit()
        return self.get_schedule(schedule_id)

    def mark_unavailable(self, viewer: Viewer, schedule_id: str, reason: str) -> dict[str, Any]:
        """停诊 (holiday, training …): no new bookings; live bookings stay for the desk to move."""
        if not reason.strip():
            raise invalid("reason", reason, "a reason is needed", "须填写停诊原因")
        with self._uow(write=True) as uow:
            row = self._schedule(uow.connection, schedule_id)
            if not viewer.sees_institution(row.institution_code) or viewer.regional:
                raise not_found("schedule", schedule_id, "schedule_id")
            uow.connection.execute(
                update(schedules).where(schedules.c.id == schedule_id).values(unavailable_reason=reason)
            )
            self._audit.record(
                uow.connection,
                viewer.actor,
                "tiered.schedule.unavailable",
                "schedule",
                schedule_id,
                {"reason": reason},
            )
            uow.commit()
        return self.get_schedule(schedule_id)

    def list_schedules(
        self, *, institution_code: str | None = None, department: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Open sessions from now on (anyone may see what can be booked; no person data here)."""
        query = (
            select(schedules)
            .where(schedules.c.starts_at >= self._clock.now())
            .order_by(schedules.c.starts_at, schedules.c.id)
            .limit(limit)
        )
        if institution_code:
            query = query.where(schedules.c.institution_code == institution_code)
        if department:
            query = query.where(schedules.c.department_code == department)
        with self._uow() as uow:
            rows = uow.connection.execute(query).all()
            return [self._with_counts(uow.connection, row) for row in rows]

    def get_schedule(self, schedule_id: str) -> dict[str, Any]:
        with self._uow() as uow:
            return self._with_counts(uow.connection, self._schedule(uow.connection, schedule_id))

    @staticmethod
    def _with_counts(connection: Connection, row: Row[Any]) -> dict[str, Any]:
        counts = connection.execute(
            select(slots.c.reserved, func.count())
            .where(slots.c.schedule_id == row.id, slots.c.booking_id.is_(None))
            .group_by(slots.c.reserved)
        ).all()
        free = {bool(reserved): int(n) for reserved, n in counts}
        return schedule_record(row, free.get(False, 0) + free.get(True, 0), free.get(True, 0))

    @staticmethod
    def _schedule(connection: Connection, schedule_id: str) -> Row[Any]:
        row = connection.execute(select(schedules).where(schedules.c.id == schedule_id)).first()
        if row is None:
            raise not_found("schedule", schedule_id, "schedule_id")
        return row

    # -- book ------------------------------------------------------------------------------------
    def book(self, viewer: Viewer, request: BookingRequest) -> dict[str, Any]:
        try:
            with self._uow(write=True) as uow:
                booking = self.book_in(uow.connection, viewer, request)
                uow.commit()
        except IntegrityError:
            # The partial unique index: this person already holds a slot in the session.
            raise DomainError(
                BOOKING_LIMIT_REACHED,
                path="person_id",
                reason="one live booking per person and session",
                reason_zh="同一场次每人限约一个号",
            ) from None
        return booking

    def book_in(
        self, connection: Connection, viewer: Viewer, request: BookingRequest, *, checked: bool = False
    ) -> dict[str, Any]:
        """Take a slot inside the caller's transaction (a referral books in the same unit of work).

        ``checked``: the channel was checked when the person joined the waiting list.
        """
        now = self._clock.now()
        schedule = self._schedule(connection, request.schedule_id)
        resident(connection, request.person_id)
        if not checked:
            self._check_channel(connection, viewer, request, schedule)
        if schedule.unavailable_reason:
            raise DomainError(SCHEDULE_UNAVAILABLE, path="schedule_id", reason=schedule.unavailable_reason)
        if ensure_aware(schedule.starts_at) <= now:
            raise invalid("schedule_id", request.schedule_id, "the session has started", "该场次已开始")
        day = local_date(ensure_aware(schedule.starts_at))
        live = connection.execute(
            select(func.count()).where(
                bookings.c.person_id == request.person_id, bookings.c.day == day, bookings.c.state == "booked"
            )
        ).scalar_one()
        if live >= self.policy.per_person_day:
            raise DomainError(
                BOOKING_LIMIT_REACHED,
                path="person_id",
                reason=f"at most {self.policy.per_person_day} bookings a day",
                reason_zh=f"每人每天最多预约 {self.policy.per_person_day} 个号",
            )
        release_at = ensure_aware(schedule.starts_at) - timedelta(hours=schedule.release_hours)
        # Privileged channels use reserved slots first, so public slots stay for the public.
        order = (
            (slots.c.reserved.desc(), slots.c.seq)
            if request.channel.privileged
            else (slots.c.reserved, slots.c.seq)
        )
        free = connection.execute(
            select(slots.c.id, slots.c.reserved, slots.c.starts_at, slots.c.seq)
            .where(slots.c.schedule_id == request.schedule_id, slots.c.booking_id.is_(None))
            .order_by(*order)
        ).all()
        booking_id = new_id(self._clock)
        for slot in free:
            if not may_take(bool(slot.reserved), request.channel, now, release_at):
                continue
            taken = connection.execute(
                update(slots)
                .where(slots.c.id == slot.id, slots.c.booking_id.is_(None))
                .values(booking_id=booking_id)
            )
            if taken.rowcount == 1:
                connection.execute(
                    insert(bookings).values(
                        id=booking_id,
                        schedule_id=request.schedule_id,
                        slot_id=slot.id,
                        person_id=request.person_id,
                        channel=request.channel.value,
                        referral_id=request.referral_id,
                        state=BookingState.BOOKED.value,
                        day=day,
                        booked_at=now,
                        booked_by=viewer.username,
                    )
                )
                self._audit.record(
                    connection,
                    viewer.actor,
                    "tiered.booking.book",
                    "person",
                    request.person_id,
                    {
                        "booking": booking_id,
                        "schedule": request.schedule_id,
                        "channel": request.channel.value,
                    },
                )
                return {
                    "id": booking_id,
                    "schedule_id": request.schedule_id,
                    "slot": slot.seq,
                    "reserved": bool(slot.reserved),
                    "starts_at": ensure_aware(slot.starts_at).isoformat(),
                    "channel": request.channel.value,
                    "state": BookingState.BOOKED.value,
                }
        raise DomainError(SLOT_FULL, path="schedule_id")

    def _check_channel(
        self, connection: Connection, viewer: Viewer, request: BookingRequest, schedule: Row[Any]
    ) -> None:
        if request.channel is Channel.REFERRAL:
            row = connection.execute(
                select(referrals).where(referrals.c.id == (request.referral_id or ""))
            ).first()
            if (
                row is None
                or row.person_id != request.person_id
                or not (
                    viewer.sees_institution(row.from_institution)
                    or viewer.sees_institution(row.to_institution)
                )
            ):
                raise not_found("referral", request.referral_id or "", "referral_id")
            if row.to_institution != schedule.institution_code:
                raise invalid(
                    "schedule_id",
                    schedule.id,
                    "the session is not at the referral's hospital",
                    "该场次不在转入机构",
                )
        elif request.channel is Channel.FAMILY_DOCTOR:
            signed = connection.execute(
                select(contracts.c.id)
                .join(teams, teams.c.code == contracts.c.team_code)
                .where(
                    contracts.c.person_id == request.person_id,
                    contracts.c.state == "active",
                    teams.c.institution_code == (viewer.institution or ""),
                )
            ).first()
            if signed is None or viewer.regional:
                raise invalid(
                    "channel",
                    request.channel.value,
                    "only the resident's own family doctor books reserved slots",
                    "仅签约家庭医生可为居民预约预留号源",
                )

    # -- after booking ---------------------------------------------------------------------------
    def act(self, viewer: Viewer, booking_id: str, action: str) -> dict[str, Any]:
        with self._uow(write=True) as uow:
            result = self.act_in(uow.connection, viewer, booking_id, action)
            uow.commit()
        return result

    def act_in(self, connection: Connection, viewer: Viewer, booking_id: str, action: str) -> dict[str, Any]:
        """Cancel, arrive or no-show; a cancelled slot goes to the first on the waiting list."""
        row = connection.execute(
            select(bookings, schedules.c.institution_code)
            .join(schedules, schedules.c.id == bookings.c.schedule_id)
            .where(bookings.c.id == booking_id)
        ).first()
        if row is None or not (
            viewer.sees_institution(row.institution_code) or row.booked_by == viewer.username
        ):
            raise not_found("booking", booking_id, "booking_id")
        state = booking_transition(BookingState(row.state), action)
        connection.execute(update(bookings).where(bookings.c.id == booking_id).values(state=state.value))
        promoted = None
        if state is BookingState.CANCELLED:
            connection.execute(update(slots).where(slots.c.id == row.slot_id).values(booking_id=None))
            promoted = self._promote(connection, viewer, row.schedule_id)
        self._audit.record(
            connection,
            viewer.actor,
            f"tiered.booking.{action}",
            "person",
            row.person_id,
            {"booking": booking_id},
        )
        return {"id": booking_id, "state": state.value, "promoted": promoted}

    def _promote(self, connection: Connection, viewer: Viewer, schedule_id: str) -> str | None:
        waiting = connection.execute(
            select(waitlist)
            .where(waitlist.c.schedule_id == schedule_id, waitlist.c.state == "waiting")
            .order_by(waitlist.c.priority.desc(), waitlist.c.id)
        ).all()
        for entry in waiting:
            request = BookingRequest(schedule_id, entry.person_id, Channel(entry.channel), entry.referral_id)
            try:
                with connection.begin_nested():
                    booking = self.book_in(connection, viewer, request, checked=True)
            except DomainError:
                continue
            connection.execute(
                update(waitlist)
                .where(waitlist.c.id == entry.id)
                .values(state="booked", booking_id=booking["id"])
            )
            return str(booking["id"])
        return None

    def join_waitlist(self, viewer: Viewer, request: BookingRequest) -> dict[str, Any]:
        with self._uow(write=True) as uow:
            connection = uow.connection
            schedule = self._schedule(connection, request.schedule_id)
            resident(connection, request.person_id)
            self._check_channel(connection, viewer, request, schedule)
            entry_id = connection.execute(
                insert(waitlist)
                .values(
                    schedule_id=request.schedule_id,
                    person_id=request.person_id,
                    channel=request.channel.value,
                    referral_id=request.referral_id,
                    priority=request.channel is Channel.REFERRAL,
                    state="waiting",
                    created_at=self._clock.now(),
                    created_by=viewer.username,
                )
                .returning(waitlist.c.id)
            ).scalar_one()
            self._audit.record(
                connection,
                viewer.actor,
                "tiered.waitlist.join",
                "person",
                request.person_id,
                {"schedule": request.schedule_id},
            )
            uow.commit()
        return {"id": int(entry_id), "schedule_id": request.schedule_id, "state": "waiting"}
