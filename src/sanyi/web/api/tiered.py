"""JSON API of tiered care: teams and contracts, referrals, schedules and bookings, results.

Every action of the pages is here too. Acting users act for their own institution (family doctors
for their centre, staff for their hospital); regional roles read the whole region. Person data
comes masked and every access to a person's record is audited by the services.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sanyi.tiered.api import BookingRequest, Channel
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import client_ip, container
from sanyi.web.security import CurrentPrincipal
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/api/tiered", tags=["tiered care"], responses=ERROR_RESPONSES)
Json = dict[str, Any]


class TeamIn(BaseModel):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    gp: str
    nurse: str
    public_health: str
    specialist: str | None = None
    institution: str | None = Field(None, description="only regional administrators name it")


class ContractIn(BaseModel):
    person_id: str
    team: str
    package: str = Field(description="service package code, e.g. BASIC")
    start: date | None = None
    secondary: str | None = Field(None, description="1+1+1: the tier-2 hospital")
    tertiary: str | None = Field(None, description="1+1+1: the tier-3 hospital")
    replaces: str | None = Field(None, description="the active contract a corrected one replaces")


class TerminateIn(BaseModel):
    reason: Literal["death", "moved_away", "on_request", "age_limit"]
    on: date | None = None


class ReferralIn(BaseModel):
    person_id: str
    to_institution: str
    direction: Literal["up", "down"] = "up"
    diagnosis: str = Field(min_length=3, max_length=32, description="ICD-10 code")
    reason: str = Field(min_length=1, max_length=2000)
    department: str | None = None
    care_plan: str | None = Field(None, description="required for a down-referral")
    priority: bool = True
    schedule_id: str | None = Field(None, description="book a reserved slot of this session at once")


class ReferralActionIn(BaseModel):
    note: str | None = Field(None, description="decline reason or discharge summary")
    schedule_id: str | None = None


class ScheduleIn(BaseModel):
    department: str
    starts_at: datetime
    capacity: int = Field(ge=1, le=500)
    slot_minutes: int = Field(10, ge=1, le=240)
    reserved_percent: int = Field(30, ge=0, le=100)
    release_hours: int = Field(48, ge=0, le=336)
    doctor: str | None = None


class BookingIn(BaseModel):
    schedule_id: str
    person_id: str
    channel: Channel = Channel.PUBLIC
    referral_id: str | None = None

    def request(self) -> BookingRequest:
        return BookingRequest(self.schedule_id, self.person_id, self.channel, self.referral_id)


class ResultIn(BaseModel):
    person_id: str
    item: str
    taken_at: datetime
    qc_passed: bool = True


class OrderIn(BaseModel):
    person_id: str
    item: str


class DecisionIn(BaseModel):
    accept: bool
    reason: str | None = Field(None, description="why the test is repeated (condition_changed, emergency, …)")


def _created(body: Json) -> JSONResponse:
    return JSONResponse(body, status_code=201)


# -- teams and contracts ---------------------------------------------------------------------------
@router.get("/teams", summary="家庭医生团队 · family-doctor teams")
def list_teams(_: CurrentPrincipal, request: Request) -> list[Json]:
    return container(request).tiered.contracts.list_teams(viewer(request))


@router.post("/teams", summary="组建团队 · create a team", status_code=201)
def create_team(body: TeamIn, _: CurrentPrincipal, request: Request) -> JSONResponse:
    values = body.model_dump()
    values["institution_code"] = values.pop("institution")
    return _created(container(request).tiered.contracts.create_team(viewer(request), **values))


@router.get("/contracts", summary="签约列表 · contracts")
def list_contracts(
    _: CurrentPrincipal,
    request: Request,
    team: str | None = None,
    state: Literal["active", "renewed", "expired", "terminated"] | None = "active",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[Json]:
    return container(request).tiered.contracts.list_contracts(
        viewer(request), team=team, state=state, limit=limit
    )


@router.post("/contracts", summary="签约 · sign a contract", status_code=201)
def sign(body: ContractIn, _: CurrentPrincipal, request: Request) -> JSONResponse:
    return _created(container(request).tiered.contracts.sign(viewer(request), **body.model_dump()))


@router.post("/contracts/{contract_id}/terminate", summary="解约 · terminate")
def terminate(contract_id: str, body: TerminateIn, _: CurrentPrincipal, request: Request) -> Json:
    return container(request).tiered.contracts.terminate(viewer(request), contract_id, body.reason, body.on)


@router.post("/contracts/{contract_id}/renew", summary="续约 · renew")
def renew(contract_id: str, _: CurrentPrincipal, request: Request) -> Json:
    return container(request).tiered.contracts.renew(viewer(request), contract_id)


@router.post("/contracts/expire", summary="到期处理 · end contracts past their end or of the deceased")
def expire(_: CurrentPrincipal, request: Request) -> Json:
    return {"changed": container(request).tiered.contracts.expire_due(viewer(request))}


@router.get("/coverage", summary="签约覆盖率 · coverage by county or team")
def coverage(_: CurrentPrincipal, request: Request, by: Literal["area", "team"] = "area") -> list[Json]:
    return container(request).tiered.contracts.coverage(viewer(request), by=by)


@router.get("/capitation/{team}", summary="按人头付费 · capitation statement of a team")
def capitation(
    team: str,
    first: date,
    last: date,
    rate_fen: Annotated[int, Query(ge=0, description="per signed resident per month, in fen")],
    _: CurrentPrincipal,
    request: Request,
) -> Json:
    statement = container(request).tiered.contracts.capitation(viewer(request), team, first, last, rate_fen)
    return {
        "team": statement.team,
        "rate_fen": statement.rate_fen,
        "months": [
            {"month": line.month.isoformat()[:7], "signed": line.signed, "amount_fen": line.amount_fen}
            for line in statement.months
        ],
        "gross_fen": statement.gross_fen,
        "outside_fen": statement.outside_fen,
        "net_fen": statement.net_fen,
    }


# -- referrals -------------------------------------------------------------------------------------
@router.post("/referrals", summary="开转诊单 · create a referral", status_code=201)
def create_referral(body: ReferralIn, _: CurrentPrincipal, request: Request) -> JSONResponse:
    return _created(container(request).tiered.referrals.create(viewer(request), **body.model_dump()))


@router.get("/referrals", summary="转诊队列 · incoming or outgoing referrals")
def referral_queue(
    _: CurrentPrincipal,
    request: Request,
    side: Literal["incoming", "outgoing"] = "incoming",
    state: Annotated[list[str] | None, Query()] = None,
) -> list[Json]:
    return container(request).tiered.referrals.queue(
        viewer(request), incoming=side == "incoming", states=tuple(state or ())
    )


@router.get("/referral-indicators", summary="下级转诊占门诊比 · referral indicators by receiving institution")
def referral_indicators(first: datetime, last: datetime, _: CurrentPrincipal, request: Request) -> list[Json]:
    return container(request).tiered.referrals.indicators(viewer(request), first, last)


@router.get("/referrals/{referral_id}", summary="转诊单及其事件 · a referral with its events")
def read_referral(referral_id: str, _: CurrentPrincipal, request: Request) -> Json:
    return container(request).tiered.referrals.get(viewer(request), referral_id)


@router.post("/referrals/{referral_id}/settle", summary="按转诊结算 · settle the referred visit")
def settle_referral(
    referral_id: str,
    claim: Annotated[Json, Body()],
    _: CurrentPrincipal,
    request: Request,
    policy: Annotated[str | None, Query(description="结算政策包（缺省按参保地）· package name")] = None,
) -> Json:
    view = container(request).tiered.referrals.settle(viewer(request), referral_id, claim, policy=policy)
    return view.to_dict()


@router.post("/referrals/{referral_id}/{action}", summary="转诊操作 · accept, decline, schedule, arrive, …")
def act_on_referral(
    referral_id: str,
    action: Literal["accept", "decline", "schedule", "arrive", "no_show", "cancel", "complete"],
    _: CurrentPrincipal,
    request: Request,
    body: ReferralActionIn | None = None,
) -> Json:
    body = body or ReferralActionIn()
    return container(request).tiered.referrals.act(
        viewer(request), referral_id, action, note=body.note, schedule_id=body.schedule_id
    )


# -- schedules and bookings ------------------------------------------------------------------------
@router.post("/schedules", summary="排班放号 · create a session with its slots", status_code=201)
def create_schedule(body: ScheduleIn, _: CurrentPrincipal, request: Request) -> JSONResponse:
    return _created(container(request).tiered.booking.create_schedule(viewer(request), **body.model_dump()))


@router.get("/schedules", summary="可预约场次 · sessions from now on")
def list_schedules(
    _: CurrentPrincipal, request: Request, institution: str | None = None, department: str | None = None
) -> list[Json]:
    return container(request).tiered.booking.list_schedules(
        institution_code=institution, department=department
    )


@router.get("/schedules/{schedule_id}", summary="场次 · one session with free slots")
def read_schedule(schedule_id: str, _: CurrentPrincipal, request: Request) -> Json:
    return container(request).tiered.booking.get_schedule(schedule_id)


@router.post("/schedules/{schedule_id}/unavailable", summary="停诊 · the doctor is unavailable")
def unavailable(
    schedule_id: str, reason: Annotated[str, Body(embed=True)], _: CurrentPrincipal, request: Request
) -> Json:
    return container(request).tiered.booking.mark_unavailable(viewer(request), schedule_id, reason)


@router.post("/bookings", summary="预约 · book a slot", status_code=201)
def book(body: BookingIn, _: CurrentPrincipal, request: Request) -> JSONResponse:
    return _created(container(request).tiered.booking.book(viewer(request), body.request()))


@router.post("/bookings/{booking_id}/{action}", summary="取消/到诊/爽约 · cancel, arrive, no-show")
def act_on_booking(
    booking_id: str, action: Literal["cancel", "arrive", "no_show"], _: CurrentPrincipal, request: Request
) -> Json:
    return container(request).tiered.booking.act(viewer(request), booking_id, action)


@router.post("/waitlist", summary="候补 · join the waiting list", status_code=201)
def join_waitlist(body: BookingIn, _: CurrentPrincipal, request: Request) -> JSONResponse:
    return _created(container(request).tiered.booking.join_waitlist(viewer(request), body.request()))


# -- mutual recognition ----------------------------------------------------------------------------
@router.post("/results", summary="上传结果索引 · record a result in the regional index", status_code=201)
def record_result(body: ResultIn, _: CurrentPrincipal, request: Request) -> JSONResponse:
    return _created(container(request).tiered.results.record_result(viewer(request), **body.model_dump()))


@router.get("/results/{person_id}", summary="结果查询 · a person's results across the region")
def lookup_results(person_id: str, _: CurrentPrincipal, request: Request) -> list[Json]:
    return container(request).tiered.results.lookup(viewer(request), person_id)


@router.post("/orders", summary="开检查 · order an item; an existing result is proposed", status_code=201)
def order(body: OrderIn, _: CurrentPrincipal, request: Request) -> JSONResponse:
    return _created(container(request).tiered.results.order(viewer(request), **body.model_dump()))


@router.post("/orders/{order_id}/decide", summary="互认或重复检查 · recognise or repeat with a reason")
def decide(order_id: str, body: DecisionIn, _: CurrentPrincipal, request: Request) -> Json:
    return container(request).tiered.results.decide(
        viewer(request), order_id, accept=body.accept, reason=body.reason
    )


@router.get("/recognition-rates", summary="互认率 · recognition rate by institution and item")
def rates(_: CurrentPrincipal, request: Request) -> list[Json]:
    return container(request).tiered.results.rates(viewer(request))


# -- public booking (no login) ---------------------------------------------------------------------
public_router = APIRouter(prefix="/api/public/booking", tags=["public booking"], responses=ERROR_RESPONSES)


class PhoneIn(BaseModel):
    citizen_id: str = Field(min_length=18, max_length=18)
    phone: str = Field(min_length=11, max_length=20)


class PublicBookingIn(PhoneIn):
    code: str = Field(min_length=6, max_length=6)
    schedule_id: str


@public_router.get("/sessions", summary="可预约场次 · sessions open for booking")
def public_sessions(request: Request) -> list[Json]:
    return container(request).tiered.public.sessions()


@public_router.post("/code", summary="发送验证码 · send a code to the registered phone", status_code=202)
def send_code(body: PhoneIn, request: Request) -> JSONResponse:
    container(request).tiered.public.request_code(body.citizen_id, body.phone)
    # The same answer whether or not the ID and phone matched: nothing to enumerate.
    return JSONResponse({"sent": True}, status_code=202)


@public_router.post("", summary="公众预约 · book a public slot with the code", status_code=201)
def public_book(body: PublicBookingIn, request: Request) -> JSONResponse:
    booked = container(request).tiered.public.book(
        body.citizen_id, body.phone, body.code, body.schedule_id, client_ip(request)
    )
    return _created(booked)
