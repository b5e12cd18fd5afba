"""Tiered-care pages: overview (coverage), the family doctor's contracts and referrals (booking into
reserved slots), the hospital referral desk (incoming queue with timers, refreshed by HTMX),
sessions, and results lookup with recognition rates.

Forms post back to the page; a refused action re-renders the page with the error's code and
message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.errors import DomainError
from sanyi.tiered.api import TIERED_INVALID, BookingRequest, Channel, RepeatReason, recognisable_items
from sanyi.web.context import client_ip, container
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/tiered-care", include_in_schema=False)
ITEMS = tuple(recognisable_items().values())
REPEAT_REASONS = tuple(reason.value for reason in RepeatReason)


def local_time(iso: str | None) -> str:
    """An instant of the API (UTC ISO text) as Shanghai wall-clock time for the page."""
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return render(request, template, {**context, "local_time": local_time}, status_code=status_code)


async def _form(request: Request) -> dict[str, str]:
    return {key: value.strip() for key, value in (await request.form()).items() if isinstance(value, str)}


def _or_error(
    request: Request,
    template: str,
    context: Callable[[], dict[str, Any]],
    action: Callable[[], Any],
    target: str,
) -> Response:
    try:
        action()
    except DomainError as error:
        return _render(request, template, {**context(), "error": error}, status_code=422)
    return RedirectResponse(target, status_code=303)


# -- overview --------------------------------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
def index(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    services = container(request).tiered
    who = viewer(request)
    return _render(
        request,
        "tiered/index.html",
        {
            "areas": services.contracts.coverage(who, by="area"),
            "teams": services.contracts.list_teams(who),
            "overdue": services.referrals.overdue_count(who) if not who.regional else None,
        },
    )


# -- family doctor: contracts ----------------------------------------------------------------------
def _contracts_context(request: Request) -> dict[str, Any]:
    services = container(request).tiered
    who = viewer(request)
    sessions = [
        s for s in services.booking.list_schedules() if s["free_reserved"] > 0 and not s["unavailable_reason"]
    ]
    return {
        "contracts": services.contracts.list_contracts(who),
        "teams": services.contracts.list_teams(who),
        "sessions": sessions,
    }


@router.get("/contracts", response_class=HTMLResponse)
def contracts_page(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    return _render(request, "tiered/contracts.html", _contracts_context(request))


@router.post("/contracts")
async def sign_contract(request: Request, _: CurrentPrincipal) -> Response:
    form = await _form(request)
    return _or_error(
        request,
        "tiered/contracts.html",
        lambda: _contracts_context(request),
        lambda: container(request).tiered.contracts.sign(
            viewer(request),
            person_id=form.get("person_id", ""),
            team=form.get("team", ""),
            package=form.get("package", "BASIC"),
        ),
        "/tiered-care/contracts",
    )


@router.post("/contracts/{contract_id}/{action}")
async def contract_action(contract_id: str, action: str, request: Request, _: CurrentPrincipal) -> Response:
    form = await _form(request)
    services = container(request).tiered

    def act() -> None:
        who = viewer(request)
        if action == "renew":
            services.contracts.renew(who, contract_id)
        elif action == "terminate":
            services.contracts.terminate(who, contract_id, form.get("reason", ""))
        elif action == "book":
            contract = next(
                (c for c in services.contracts.list_contracts(who) if c["id"] == contract_id), None
            )
            person = contract["person_id"] if contract else ""
            request_ = BookingRequest(form.get("schedule_id", ""), person, Channel.FAMILY_DOCTOR)
            services.booking.book(who, request_)
        else:
            raise DomainError(
                TIERED_INVALID,
                path="action",
                field="action",
                value=action,
                reason="unknown",
                reason_zh="未知操作",
            )

    return _or_error(
        request, "tiered/contracts.html", lambda: _contracts_context(request), act, "/tiered-care/contracts"
    )


# -- family doctor: referrals into reserved slots --------------------------------------------------
def _referrals_context(request: Request) -> dict[str, Any]:
    services = container(request).tiered
    who = viewer(request)
    sessions = [s for s in services.booking.list_schedules() if s["free"] > 0 and not s["unavailable_reason"]]
    return {"referrals": services.referrals.queue(who, incoming=False), "sessions": sessions}


@router.get("/referrals", response_class=HTMLResponse)
def referrals_page(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    return _render(request, "tiered/referrals.html", _referrals_context(request))


@router.post("/referrals")
async def create_referral(request: Request, _: CurrentPrincipal) -> Response:
    form = await _form(request)
    services = container(request).tiered

    def create() -> None:
        session = services.booking.get_schedule(form.get("schedule_id", ""))
        services.referrals.create(
            viewer(request),
            person_id=form.get("person_id", ""),
            to_institution=session["institution"],
            direction="up",
            diagnosis=form.get("diagnosis", ""),
            reason=form.get("reason", ""),
            department=session["department"],
            schedule_id=session["id"],
        )

    return _or_error(
        request,
        "tiered/referrals.html",
        lambda: _referrals_context(request),
        create,
        "/tiered-care/referrals",
    )


# -- hospital: the referral desk -------------------------------------------------------------------
def _desk_context(request: Request) -> dict[str, Any]:
    services = container(request).tiered
    who = viewer(request)
    outgoing = [r for r in services.referrals.queue(who, incoming=False) if r["direction"] == "down"]
    return {"queue": services.referrals.queue(who, incoming=True), "sent_down": outgoing}


@router.get("/desk", response_class=HTMLResponse)
def desk_page(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    return _render(request, "tiered/desk.html", _desk_context(request))


@router.post("/desk/down", response_class=HTMLResponse)
async def refer_down(request: Request, _: CurrentPrincipal) -> Response:
    """下转: a recovering or chronic patient goes back to 基层 with a care plan."""
    form = await _form(request)
    return _or_error(
        request,
        "tiered/desk.html",
        lambda: _desk_context(request),
        lambda: container(request).tiered.referrals.create(
            viewer(request),
            person_id=form.get("person_id", ""),
            to_institution=form.get("to_institution", ""),
            direction="down",
            diagnosis=form.get("diagnosis", ""),
            reason=form.get("reason", ""),
            care_plan=form.get("care_plan", ""),
        ),
        "/tiered-care/desk",
    )


@router.get("/desk/queue", response_class=HTMLResponse)
def desk_queue(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    """The queue table alone, for HTMX to refresh the timers."""
    return _render(request, "tiered/_queue.html", _desk_context(request))


@router.post("/desk/{referral_id}/{action}")
async def desk_action(referral_id: str, action: str, request: Request, _: CurrentPrincipal) -> Response:
    form = await _form(request)
    return _or_error(
        request,
        "tiered/desk.html",
        lambda: _desk_context(request),
        lambda: container(request).tiered.referrals.act(
            viewer(request), referral_id, action, note=form.get("note") or None
        ),
        "/tiered-care/desk",
    )


# -- hospital: sessions ----------------------------------------------------------------------------
def _sessions_context(request: Request) -> dict[str, Any]:
    who = viewer(request)
    return {"sessions": container(request).tiered.booking.list_schedules(institution_code=who.institution)}


@router.get("/schedules", response_class=HTMLResponse)
def schedules_page(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    return _render(request, "tiered/schedules.html", _sessions_context(request))


@router.post("/schedules")
async def create_schedule(request: Request, _: CurrentPrincipal) -> Response:
    form = await _form(request)

    def create() -> None:
        try:
            starts = datetime.fromisoformat(form.get("starts_at", "") + "+08:00")
            capacity = int(form.get("capacity", "0"))
            reserved = int(form.get("reserved_percent", "30"))
        except ValueError:
            raise DomainError(
                TIERED_INVALID,
                path="starts_at",
                field="starts_at",
                value=form.get("starts_at"),
                reason="not a date and time",
                reason_zh="日期时间或数量无效",
            ) from None
        container(request).tiered.booking.create_schedule(
            viewer(request),
            department=form.get("department", ""),
            starts_at=starts,
            capacity=capacity,
            reserved_percent=reserved,
        )

    return _or_error(
        request, "tiered/schedules.html", lambda: _sessions_context(request), create, "/tiered-care/schedules"
    )


# -- results ---------------------------------------------------------------------------------------
def _results_context(request: Request, person_id: str) -> dict[str, Any]:
    services = container(request).tiered
    who = viewer(request)
    context: dict[str, Any] = {
        "person_id": person_id,
        "rates": services.results.rates(who),
        "items": ITEMS,
        "repeat_reasons": REPEAT_REASONS,
    }
    if person_id:
        try:
            context["results"] = services.results.lookup(who, person_id)
        except DomainError as error:
            context["error"] = error
    return context


@router.get("/results", response_class=HTMLResponse)
def results_page(request: Request, _: CurrentPrincipal, person_id: str = "") -> HTMLResponse:
    return _render(request, "tiered/results.html", _results_context(request, person_id.strip()))


@router.post("/results/order", response_class=HTMLResponse)
async def order_item(request: Request, _: CurrentPrincipal) -> HTMLResponse:
    """开检查: the page shows the proposed result (if any) with 互认 / 重复检查 buttons."""
    form = await _form(request)
    context = _results_context(request, form.get("person_id", ""))
    try:
        context["order"] = container(request).tiered.results.order(
            viewer(request), person_id=form.get("person_id", ""), item=form.get("item", "")
        )
    except DomainError as error:
        return _render(request, "tiered/results.html", {**context, "error": error}, status_code=422)
    return _render(request, "tiered/results.html", context)


@router.post("/results/orders/{order_id}", response_class=HTMLResponse)
async def decide_order(order_id: str, request: Request, _: CurrentPrincipal) -> HTMLResponse:
    form = await _form(request)
    context = _results_context(request, form.get("person_id", ""))
    try:
        context["decision"] = container(request).tiered.results.decide(
            viewer(request), order_id, accept=form.get("accept") == "1", reason=form.get("reason") or None
        )
    except DomainError as error:
        return _render(request, "tiered/results.html", {**context, "error": error}, status_code=422)
    return _render(request, "tiered/results.html", context)


# -- public booking (no login) ---------------------------------------------------------------------
public_router = APIRouter(prefix="/public/booking", include_in_schema=False)


def _public_context(request: Request, values: dict[str, str]) -> dict[str, Any]:
    return {"sessions": container(request).tiered.public.sessions(), "values": values}


@public_router.get("", response_class=HTMLResponse)
def public_booking_page(request: Request) -> HTMLResponse:
    return _render(request, "tiered/public_booking.html", _public_context(request, {}))


@public_router.post("", response_class=HTMLResponse)
async def public_booking_submit(request: Request) -> HTMLResponse:
    form = await _form(request)
    public = container(request).tiered.public
    context = _public_context(request, form)
    try:
        if form.get("action") == "code":
            public.request_code(form.get("citizen_id", ""), form.get("phone", ""))
            context["code_sent"] = True
        else:
            context["booked"] = public.book(
                form.get("citizen_id", ""),
                form.get("phone", ""),
                form.get("code", ""),
                form.get("schedule_id", ""),
                client_ip(request),
            )
    except DomainError as error:
        return _render(request, "tiered/public_booking.html", {**context, "error": error}, status_code=422)
    return _render(request, "tiered/public_booking.html", context)
