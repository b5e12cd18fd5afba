"""Public booking (no login): a resident books a public slot after a one-time code to the phone the
registry holds for them. The answer to "send a code" never says whether the ID and phone matched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.errors import DomainError
from sanyi.kernel.masking import mask_citizen_id
from sanyi.registry.api import Viewer, residents
from sanyi.tiered.booking import Channel
from sanyi.tiered.booking_service import BookingRequest, BookingService
from sanyi.tiered.errors import PHONE_CHECK_FAILED
from sanyi.tiered.verification import PhoneVerifier


class PublicBookingService:
    def __init__(self, uow: UnitOfWorkFactory, booking: BookingService, verifier: PhoneVerifier) -> None:
        self._uow = uow
        self._booking = booking
        self.verifier = verifier

    def _person(self, citizen_id: str, phone: str) -> str | None:
        with self._uow() as uow:
            row = uow.connection.execute(
                select(residents.c.person_id, residents.c.phone).where(
                    residents.c.citizen_id == citizen_id.upper()
                )
            ).first()
        if row is None or not row.phone or row.phone != phone:
            return None
        return str(row.person_id)

    def request_code(self, citizen_id: str, phone: str) -> None:
        if self._person(citizen_id, phone) is not None:
            self.verifier.send(phone)

    def sessions(self) -> list[dict[str, Any]]:
        return [s for s in self._booking.list_schedules() if not s["unavailable_reason"]]

    def book(
        self, citizen_id: str, phone: str, code: str, schedule_id: str, source_ip: str | None
    ) -> dict[str, Any]:
        person = self._person(citizen_id, phone)
        if person is None or not self.verifier.check(phone, code):
            raise DomainError(PHONE_CHECK_FAILED, path="code")
        who = Viewer(
            f"public:{mask_citizen_id(citizen_id)}", "public", None, regional=False, source_ip=source_ip
        )
        return self._booking.book(who, BookingRequest(schedule_id, person, Channel.PUBLIC))
