"""Settlement API: settle (or pre-settle) a claim, reverse it, read it; a person's accumulators.

Like the national 2303/2304 pair, ``POST /api/settlements?dry_run=true`` computes the split on the
stored accumulators and writes nothing; without it the settlement is stored and the accumulators
move, in one transaction. A repeat of the same claim returns the first result with
``"duplicate": true``. The insurance bureau sees every claim; institution staff only their own
institution's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from sanyi.identity.api import Principal, Role
from sanyi.settlement.api import accumulator_fields
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import actor, container
from sanyi.web.security import require_roles

router = APIRouter(prefix="/api/settlements", tags=["settlement"], responses=ERROR_RESPONSES)
SETTLEMENT_ROLES = (Role.INSURANCE_BUREAU, Role.INSTITUTION_STAFF)
Settler = Annotated[Principal, Depends(require_roles(*SETTLEMENT_ROLES))]
Bureau = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU))]

CLAIM_EXAMPLE: dict[str, Any] = {
    "claim_id": "C0001",
    "person": {"id": "P001", "scheme": "employee", "group": "active", "home_region": "330102"},
    "encounter": {
        "type": "inpatient",
        "institution": {"id": "H33010200001", "tier": 3, "primary_care": False, "region": "330102"},
        "start": "2023-03-01T09:00:00+08:00",
    },
    "lines": [
        {
            "no": 1,
            "code": "001102000050000",
            "name": "住院诊查费",
            "category": "02",
            "class": "A",
            "selfpay_prop": "0",
            "quantity": "7",
            "unit_price": "20.00",
        }
    ],
}


def scope_of(who: Principal) -> str | None:
    """Institution staff act for their own institution only; the bureau for the region."""
    return None if who.role is Role.INSURANCE_BUREAU else (who.institution_id or "")


@router.post("", summary="结算（或预结算）· settle a claim (or pre-settle with dry_run)")
def settle(
    who: Settler,
    request: Request,
    claim: Annotated[dict[str, Any], Body(examples=[CLAIM_EXAMPLE])],
    dry_run: Annotated[
        bool, Query(description="预结算: compute on the stored accumulators, store nothing")
    ] = False,
    policy: Annotated[
        str | None, Query(description="Policy package (default: chosen by home region and date)")
    ] = None,
) -> JSONResponse:
    view = container(request).settlement.settle(
        claim, actor(request), policy=policy, scope=scope_of(who), dry_run=dry_run
    )
    # The result is plain JSON already: skip FastAPI's re-encoding of a large nested dict.
    return JSONResponse(view.to_dict(), status_code=200 if dry_run or view.duplicate else 201)


@router.post("/{claim_id}/reverse", summary="冲正 · reverse a settlement")
def reverse(claim_id: str, who: Settler, request: Request) -> dict[str, Any]:
    return container(request).settlement.reverse(claim_id, actor(request), scope=scope_of(who)).to_dict()


@router.get("/accumulators/{person_id}", summary="参保人年度累计 · a person's accumulators of a year")
def person_accumulators(
    person_id: str, year: Annotated[int, Query(ge=1990, le=2100)], _: Bureau, request: Request
) -> dict[str, Any]:
    found = container(request).settlement.person_accumulators(person_id, year, actor(request))
    return {"person_id": person_id, **accumulator_fields(found)}


@router.get("/{claim_id}", summary="查询结算 · read a settlement")
def read(claim_id: str, who: Settler, request: Request) -> dict[str, Any]:
    return container(request).settlement.get(claim_id, actor(request), scope=scope_of(who)).to_dict()
