"""What other parts of Sanyi may use of tiered care."""

from __future__ import annotations

from dataclasses import dataclass

from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock
from sanyi.knowledge.tiered import recognisable_items
from sanyi.settlement.api import SettlementService
from sanyi.tiered.booking import BookingState, Channel, Session, plan_slots
from sanyi.tiered.booking_service import BookingPolicy, BookingRequest, BookingService
from sanyi.tiered.contract_service import ContractService
from sanyi.tiered.contracts import ContractPolicy, ContractState, TerminationReason, contract_end
from sanyi.tiered.errors import SLOT_FULL, TIERED_INVALID, TIERED_NOT_FOUND, TIERED_TRANSITION_REFUSED
from sanyi.tiered.public_booking import PublicBookingService
from sanyi.tiered.recognition import RepeatReason
from sanyi.tiered.referral_service import ReferralService, attended_referral
from sanyi.tiered.referrals import TRANSITIONS as REFERRAL_TRANSITIONS
from sanyi.tiered.referrals import ReferralPolicy, ReferralState, claim_referral
from sanyi.tiered.results_service import ResultsService
from sanyi.tiered.tables import ALL_TABLES as TIERED_TABLES
from sanyi.tiered.tables import (
    bookings,
    contracts,
    orders,
    referral_events,
    referrals,
    results,
    schedules,
    slots,
    teams,
)
from sanyi.tiered.verification import LogGateway, PhoneVerifier, SmsGateway


@dataclass(frozen=True)
class TieredServices:
    """The four parts of tiered care, wired once by the composition root."""

    contracts: ContractService
    referrals: ReferralService
    booking: BookingService
    results: ResultsService
    public: PublicBookingService


def build_services(
    uow: UnitOfWorkFactory,
    clock: Clock,
    audit: AuditLog,
    settlement: SettlementService,
    *,
    contract_policy: ContractPolicy | None = None,
    referral_policy: ReferralPolicy | None = None,
    booking_policy: BookingPolicy | None = None,
    sms: SmsGateway | None = None,
) -> TieredServices:
    booking = BookingService(uow, clock, audit, booking_policy)
    verifier = PhoneVerifier(clock, sms or LogGateway())
    return TieredServices(
        contracts=ContractService(uow, clock, audit, contract_policy),
        referrals=ReferralService(uow, clock, audit, booking, settlement, referral_policy),
        booking=booking,
        results=ResultsService(uow, clock, audit),
        public=PublicBookingService(uow, booking, verifier),
    )


__all__ = [
    "REFERRAL_TRANSITIONS",
    "SLOT_FULL",
    "TIERED_INVALID",
    "TIERED_NOT_FOUND",
    "TIERED_TABLES",
    "TIERED_TRANSITION_REFUSED",
    "BookingPolicy",
    "BookingRequest",
    "BookingService",
    "BookingState",
    "Channel",
    "ContractPolicy",
    "ContractService",
    "ContractState",
    "LogGateway",
    "PhoneVerifier",
    "PublicBookingService",
    "ReferralPolicy",
    "ReferralService",
    "ReferralState",
    "RepeatReason",
    "ResultsService",
    "Session",
    "SmsGateway",
    "TerminationReason",
    "TieredServices",
    "attended_referral",
    "bookings",
    "build_services",
    "claim_referral",
    "contract_end",
    "contracts",
    "orders",
    "plan_slots",
    "recognisable_items",
    "referral_events",
    "referrals",
    "results",
    "schedules",
    "slots",
    "teams",
]
