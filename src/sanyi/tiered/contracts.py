"""Family-doctor contracts (家庭医生签约) as a pure model: signing rules, states and capitation.

A contract is ``active`` until it is renewed (a new contract continues it), expires at its end,
or is terminated with a reason. Caps count distinct residents per GP code (a doctor practising at
two sites is one doctor) and per team. Re-signing a corrected contract replaces the active one and
does not count twice, so it is allowed at the cap.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sanyi.kernel.errors import DomainError
from sanyi.tiered.errors import (
    CONTRACT_ALREADY_ACTIVE,
    CONTRACT_CAP_REACHED,
    CONTRACT_COMBINATION_INVALID,
    CONTRACT_RESIDENT_DECEASED,
    CONTRACT_TEAM_INVALID,
    TIERED_TRANSITION_REFUSED,
)


class ContractState(enum.Enum):
    ACTIVE = "active"
    RENEWED = "renewed"
    EXPIRED = "expired"
    TERMINATED = "terminated"


class TerminationReason(enum.Enum):
    DEATH = "death"
    MOVED_AWAY = "moved_away"
    ON_REQUEST = "on_request"
    AGE_LIMIT = "age_limit"
    CORRECTED = "corrected"  # replaced by a corrected contract


@dataclass(frozen=True, slots=True)
class ContractPolicy:
    """A region's contracting rules (configurable)."""

    gp_cap: int = 2000
    team_cap: int = 2500
    term_days: int = 365
    minor_age_limit: int = 18  # a child's contract ends the day before this birthday


@dataclass(frozen=True, slots=True)
class Team:
    code: str
    name: str
    institution: str  # the 基层 institution the team works at
    institution_tier: int
    primary_care: bool
    gp: str
    nurse: str
    public_health: str
    specialist: str | None = None

    def check(self) -> None:
        if not self.primary_care:
            raise DomainError(
                CONTRACT_TEAM_INVALID,
                path="institution",
                reason="the team must work at a primary-care institution",
                reason_zh="团队须在基层医疗卫生机构",
            )
        if len({self.gp, self.nurse, self.public_health}) != 3:
            raise DomainError(
                CONTRACT_TEAM_INVALID,
                path="gp",
                reason="GP, nurse and public-health member must be three people",
                reason_zh="全科医生、护士、公卫人员须为三人",
            )


@dataclass(frozen=True, slots=True)
class Combination:
    """The "1+1+1": one 二级 and one 三级 hospital beside the family-doctor team."""

    secondary: str
    secondary_tier: int
    tertiary: str
    tertiary_tier: int

    def check(self) -> None:
        if self.secondary_tier != 2:
            raise DomainError(
                CONTRACT_COMBINATION_INVALID,
                path="secondary",
                reason=f"{self.secondary} is not a tier-2 hospital",
                reason_zh=f"{self.secondary} 不是二级医院",
            )
        if self.tertiary_tier != 3:
            raise DomainError(
                CONTRACT_COMBINATION_INVALID,
                path="tertiary",
                reason=f"{self.tertiary} is not a tier-3 hospital",
                reason_zh=f"{self.tertiary} 不是三级医院",
            )

    def includes(self, institution: str) -> bool:
        return institution in (self.secondary, self.tertiary)


@dataclass(frozen=True, slots=True)
class Contract:
    id: str
    person_id: str
    team: str
    gp: str
    package: str
    start: date
    end: date
    state: ContractState = ContractState.ACTIVE
    combination: Combination | None = None
    ended_on: date | None = None
    reason: TerminationReason | None = None
    previous: str | None = None  # the contract this one renews or corrects

    def covers(self, day: date) -> bool:
        return self.start <= day <= (self.ended_on or self.end)


@dataclass(frozen=True, slots=True)
class SignRequest:
    id: str
    person_id: str
    birth_date: date
    death_date: date | None
    team: Team
    package: str
    start: date
    combination: Combination | None = None
    replaces: str | None = None  # the active contract a corrected contract takes the place of


@dataclass(frozen=True, slots=True)
class Load:
    """Distinct residents with an active contract now: with the GP, with the team."""

    gp: int
    team: int


def contract_end(start: date, birth_date: date, policy: ContractPolicy) -> date:
    """The last day of a new contract: one term, and for a minor no later than the age limit."""
    end = start + timedelta(days=policy.term_days - 1)
    limit = _birthday(birth_date, policy.minor_age_limit) - timedelta(days=1)
    if limit >= start:
        end = min(end, limit)
    return end


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # born on 29 February
        return date(birth.year + years, 3, 1)


def sign(request: SignRequest, active: Contract | None, load: Load, policy: ContractPolicy) -> Contract:
    """A new active contract, or the error that refuses it."""
    request.team.check()
    if request.combination is not None:
        request.combination.check()
    if request.death_date is not None:
        raise DomainError(CONTRACT_RESIDENT_DECEASED, path="person_id")
    correcting = active is not None and request.replaces == active.id
    if active is not None and not correcting:
        raise DomainError(CONTRACT_ALREADY_ACTIVE, path="person_id", contract_id=active.id)
    # A corrected contract takes the old one's place: it does not count again with the same GP/team.
    gp_load = load.gp - (1 if correcting and active is not None and active.gp == request.team.gp else 0)
    team_load = load.team - (
        1 if correcting and active is not None and active.team == request.team.code else 0
    )
    if gp_load >= policy.gp_cap:
        raise DomainError(
            CONTRACT_CAP_REACHED,
            path="team",
            holder="GP",
            holder_zh="全科医生",
            code=request.team.gp,
            cap=policy.gp_cap,
        )
    if team_load >= policy.team_cap:
        raise DomainError(
            CONTRACT_CAP_REACHED,
            path="team",
            holder="team",
            holder_zh="团队",
            code=request.team.code,
            cap=policy.team_cap,
        )
    return Contract(
        id=request.id,
        person_id=request.person_id,
        team=request.team.code,
        gp=request.team.gp,
        package=request.package,
        start=request.start,
        end=contract_end(request.start, request.birth_date, policy),
        combination=request.combination,
        previous=request.replaces,
    )


def _refuse(contract: Contract, action: str) -> DomainError:
    return DomainError(
        TIERED_TRANSITION_REFUSED,
        path="state",
        kind="contract",
        kind_zh="签约",
        state=contract.state.value,
        action=action,
    )


def terminate(contract: Contract, reason: TerminationReason, on: date) -> Contract:
    if contract.state is not ContractState.ACTIVE:
        raise _refuse(contract, "terminate")
    return replace(contract, state=ContractState.TERMINATED, ended_on=max(on, contract.start), reason=reason)


def renew(
    contract: Contract, new_id: str, birth_date: date, policy: ContractPolicy
) -> tuple[Contract, Contract]:
    """(the old contract marked renewed, the new one starting the day after the old one ends)."""
    if contract.state is not ContractState.ACTIVE:
        raise _refuse(contract, "renew")
    start = contract.end + timedelta(days=1)
    new = replace(
        contract,
        id=new_id,
        start=start,
        end=contract_end(start, birth_date, policy),
        state=ContractState.ACTIVE,
        ended_on=None,
        reason=None,
        previous=contract.id,
    )
    return replace(contract, state=ContractState.RENEWED), new


def _is_minor_contract(contract: Contract, birth_date: date, policy: ContractPolicy) -> bool:
    return contract.start < _birthday(birth_date, policy.minor_age_limit)


def expire(contract: Contract, today: date, birth_date: date, policy: ContractPolicy) -> Contract | None:
    """The contract after its end has passed (a minor's ends with the age-limit reason), else None."""
    if contract.state is not ContractState.ACTIVE or today <= contract.end:
        return None
    if _is_minor_contract(contract, birth_date, policy) and contract.end == _birthday(
        birth_date, policy.minor_age_limit
    ) - timedelta(days=1):
        return replace(
            contract,
            state=ContractState.TERMINATED,
            ended_on=contract.end,
            reason=TerminationReason.AGE_LIMIT,
        )
    return replace(contract, state=ContractState.EXPIRED, ended_on=contract.end)


# -- capitation ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CapitationLine:
    month: date  # first day of the month
    signed: int  # residents whose contract covers the first day of the month
    amount_fen: int


@dataclass(frozen=True, slots=True)
class CapitationStatement:
    team: str
    months: tuple[CapitationLine, ...]
    rate_fen: int  # per signed resident per month
    gross_fen: int
    outside_fen: int  # care bought outside the team by referral, charged against it
    net_fen: int


def _months(first: date, last: date) -> list[date]:
    months: list[date] = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def capitation(
    team: str, contracts: list[Contract], first: date, last: date, rate_fen: int, outside_fen: int
) -> CapitationStatement:
    """按人头付费: each month pays the residents signed on its first day × the monthly rate."""
    lines = []
    for month in _months(first, last):
        signed = len({c.person_id for c in contracts if c.team == team and c.covers(month)})
        lines.append(CapitationLine(month, signed, signed * rate_fen))
    gross = sum(line.amount_fen for line in lines)
    return CapitationStatement(team, tuple(lines), rate_fen, gross, outside_fen, gross - outside_fen)
