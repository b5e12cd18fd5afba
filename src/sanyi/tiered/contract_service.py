"""Use cases of family-doctor contracts: teams, signing, renewal, termination, coverage, capitation.

Signing locks the team and GP rows first, so two signings never both pass a cap (PostgreSQL row
locks; SQLite takes its write lock at BEGIN). The partial unique index on active contracts is the
last word on "no two active contracts" under concurrency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Integer, Row, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock, local_date
from sanyi.kernel.errors import DomainError
from sanyi.kernel.ids import new_id
from sanyi.kernel.masking import mask_citizen_id, mask_name
from sanyi.knowledge.tiered import service_packages
from sanyi.registry.api import Viewer, get_practitioner, practitioners, residents
from sanyi.settlement.api import settlements
from sanyi.tiered.common import institution, invalid, not_found, own_institution, resident
from sanyi.tiered.contracts import (
    CapitationStatement,
    Combination,
    Contract,
    ContractPolicy,
    ContractState,
    Load,
    SignRequest,
    Team,
    TerminationReason,
    capitation,
    expire,
    renew,
    sign,
    terminate,
)
from sanyi.tiered.errors import CONTRACT_ALREADY_ACTIVE
from sanyi.tiered.tables import contracts, teams

# The key groups of the coverage view and how each is found among residents on a day.
KEY_GROUP_FLAGS = ("hypertension", "diabetes", "pregnant", "disabled", "severe_mental", "tuberculosis")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _team(row: Row[Any], tier: int, primary_care: bool) -> Team:
    return Team(
        row.code,
        row.name,
        row.institution_code,
        tier,
        primary_care,
        row.gp_code,
        row.nurse_code,
        row.public_health_code,
        row.specialist_code,
    )


def to_contract(row: Row[Any]) -> Contract:
    combination = None
    if row.secondary_code and row.tertiary_code:
        combination = Combination(row.secondary_code, 2, row.tertiary_code, 3)
    return Contract(
        id=row.id,
        person_id=row.person_id,
        team=row.team_code,
        gp=row.gp_code,
        package=row.package_code,
        start=row.start_on,
        end=row.end_on,
        state=ContractState(row.state),
        combination=combination,
        ended_on=row.ended_on,
        reason=None if row.reason is None else TerminationReason(row.reason),
        previous=row.previous_id,
    )


def contract_record(contract: Contract) -> dict[str, Any]:
    return {
        "id": contract.id,
        "person_id": contract.person_id,
        "team": contract.team,
        "gp": contract.gp,
        "package": contract.package,
        "start": contract.start.isoformat(),
        "end": contract.end.isoformat(),
        "state": contract.state.value,
        "secondary": contract.combination.secondary if contract.combination else None,
        "tertiary": contract.combination.tertiary if contract.combination else None,
        "ended_on": contract.ended_on.isoformat() if contract.ended_on else None,
        "reason": contract.reason.value if contract.reason else None,
        "previous": contract.previous,
    }


class ContractService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, audit: AuditLog, policy: ContractPolicy | None = None
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self.policy = policy or ContractPolicy()

    # -- teams -----------------------------------------------------------------------------------
    def create_team(
        self,
        viewer: Viewer,
        *,
        code: str,
        name: str,
        gp: str,
        nurse: str,
        public_health: str,
        specialist: str | None = None,
        institution_code: str | None = None,
    ) -> dict[str, Any]:
        home = institution_code if viewer.regional and institution_code else own_institution(viewer)
        with self._uow(write=True) as uow:
            connection = uow.connection
            place = institution(connection, home)
            for path, member in (("gp", gp), ("nurse", nurse), ("public_health", public_health)):
                if get_practitioner(connection, member) is None:
                    raise not_found("team", member, path)
            if specialist is not None and get_practitioner(connection, specialist) is None:
                raise not_found("team", specialist, "specialist")
            Team(
                code, name, home, int(place.tier), place.primary_care, gp, nurse, public_health, specialist
            ).check()
            if connection.execute(select(teams.c.code).where(teams.c.code == code)).first() is not None:
                raise invalid("code", code, "a team with this code exists", "团队编码已存在")
            connection.execute(
                insert(teams).values(
                    code=code,
                    name=name,
                    institution_code=home,
                    gp_code=gp,
                    nurse_code=nurse,
                    public_health_code=public_health,
                    specialist_code=specialist,
                )
            )
            self._audit.record(
                connection, viewer.actor, "tiered.team.create", "team", code, {"institution": home}
            )
            uow.commit()
        return {"code": code, "name": name, "institution": home, "gp": gp}

    def list_teams(self, viewer: Viewer) -> list[dict[str, Any]]:
        active = (
            select(func.count())
            .where(contracts.c.team_code == teams.c.code, contracts.c.state == "active")
            .scalar_subquery()
        )
        query = select(teams, active.label("signed")).order_by(teams.c.code)
        if viewer.scope is not None:
            query = query.where(teams.c.institution_code == viewer.scope)
        with self._uow() as uow:
            rows = uow.connection.execute(query).all()
        return [
            {
                "code": row.code,
                "name": row.name,
                "institution": row.institution_code,
                "gp": row.gp_code,
                "signed": int(row.signed),
                "cap": self.policy.team_cap,
            }
            for row in rows
        ]

    def _team_row(self, connection: Connection, code: str, viewer: Viewer) -> Row[Any]:
        row = connection.execute(select(teams).where(teams.c.code == code)).first()
        if row is None or not viewer.sees_institution(row.institution_code):
            raise not_found("team", code, "team")
        return row

    # -- sign ------------------------------------------------------------------------------------
    def sign(
        self,
        viewer: Viewer,
        *,
        person_id: str,
        team: str,
        package: str,
        start: date | None = None,
        secondary: str | None = None,
        tertiary: str | None = None,
        replaces: str | None = None,
    ) -> dict[str, Any]:
        if package not in service_packages():
            raise invalid("package", package, "not a service package", "不是有效的服务包")
        if (secondary is None) != (tertiary is None):
            raise invalid(
                "secondary", secondary, "a 1+1+1 names both hospitals", "“1+1+1”须同时选择二级和三级医院"
            )
        today = local_date(self._clock.now())
        try:
            with self._uow(write=True) as uow:
                connection = uow.connection
                row = self._team_row(connection, team, viewer)
                # Lock the team and its GP: signings that could pass a cap run one after the other.
                connection.execute(select(teams.c.code).where(teams.c.code == team).with_for_update())
                connection.execute(
                    select(practitioners.c.code).where(practitioners.c.code == row.gp_code).with_for_update()
                )
                place = institution(connection, row.institution_code)
                person = resident(connection, person_id)
                combination = None
                if secondary is not None and tertiary is not None:
                    combination = Combination(
                        secondary,
                        int(institution(connection, secondary, "secondary").tier),
                        tertiary,
                        int(institution(connection, tertiary, "tertiary").tier),
                    )
                active_row = connection.execute(
                    select(contracts).where(contracts.c.person_id == person_id, contracts.c.state == "active")
                ).first()
                active = None if active_row is None else to_contract(active_row)
                request = SignRequest(
                    id=new_id(self._clock),
                    person_id=person_id,
                    birth_date=person.birth_date,
                    death_date=person.death_date,
                    team=_team(row, int(place.tier), place.primary_care),
                    package=package,
                    start=start or today,
                    combination=combination,
                    replaces=replaces,
                )
                contract = sign(request, active, self._load(connection, row.gp_code, team), self.policy)
                if active is not None:
                    self._store_state(
                        connection,
                        terminate(active, TerminationReason.CORRECTED, contract.start),
                    )
                self._insert(connection, contract, viewer)
                self._audit.record(
                    connection,
                    viewer.actor,
                    "tiered.contract.sign",
                    "person",
                    person_id,
                    {"contract": contract.id, "team": team, "replaces": replaces},
                )
                uow.commit()
        except IntegrityError:
            # A concurrent signing for the same resident won the unique index.
            raise DomainError(CONTRACT_ALREADY_ACTIVE, path="person_id", contract_id="?") from None
        return contract_record(contract)

    @staticmethod
    def _load(connection: Connection, gp: str, team: str) -> Load:
        # Distinct residents: a GP at two sites (two teams) counts each resident once.
        gp_count = connection.execute(
            select(func.count(func.distinct(contracts.c.person_id))).where(
                contracts.c.gp_code == gp, contracts.c.state == "active"
            )
        ).scalar_one()
        team_count = connection.execute(
            select(func.count(func.distinct(contracts.c.person_id))).where(
                contracts.c.team_code == team, contracts.c.state == "active"
            )
        ).scalar_one()
        return Load(int(gp_count), int(team_count))

    def _insert(self, connection: Connection, contract: Contract, viewer: Viewer) -> None:
        record = contract_record(contract)
        connection.execute(
            insert(contracts).values(
                id=contract.id,
                person_id=contract.person_id,
                team_code=contract.team,
                gp_code=contract.gp,
                package_code=contract.package,
                secondary_code=record["secondary"],
                tertiary_code=record["tertiary"],
                start_on=contract.start,
                end_on=contract.end,
                state=contract.state.value,
                previous_id=contract.previous,
                signed_at=self._clock.now(),
                signed_by=viewer.username,
            )
        )

    @staticmethod
    def _store_state(connection: Connection, contract: Contract) -> None:
        connection.execute(
            update(contracts)
            .where(contracts.c.id == contract.id)
            .values(
                state=contract.state.value,
                ended_on=contract.ended_on,
                reason=contract.reason.value if contract.reason else None,
            )
        )

    def _contract(self, connection: Connection, contract_id: str, viewer: Viewer) -> Contract:
        row = connection.execute(
            select(contracts, teams.c.institution_code)
            .join(teams, teams.c.code == contracts.c.team_code)
            .where(contracts.c.id == contract_id)
        ).first()
        if row is None or not viewer.sees_institution(row.institution_code):
            raise not_found("contract", contract_id, "contract_id")
        return to_contract(row)

    # -- terminate / renew / expire --------------------------------------------------------------
    def terminate(
        self, viewer: Viewer, contract_id: str, reason: str, on: date | None = None
    ) -> dict[str, Any]:
        try:
            why = TerminationReason(reason)
        except ValueError:
            raise invalid("reason", reason, "not a termination reason", "不是有效的解约原因") from None
        with self._uow(write=True) as uow:
            connection = uow.connection
            contract = terminate(
                self._contract(connection, contract_id, viewer), why, on or local_date(self._clock.now())
            )
            self._store_state(connection, contract)
            self._audit.record(
                connection,
                viewer.actor,
                "tiered.contract.terminate",
                "person",
                contract.person_id,
                {"contract": contract.id, "reason": why.value},
            )
            uow.commit()
        return contract_record(contract)

    def renew(self, viewer: Viewer, contract_id: str) -> dict[str, Any]:
        with self._uow(write=True) as uow:
            connection = uow.connection
            current = self._contract(connection, contract_id, viewer)
            person = resident(connection, current.person_id)
            old, new = renew(current, new_id(self._clock), person.birth_date, self.policy)
            self._store_state(connection, old)
            self._insert(connection, new, viewer)
            self._audit.record(
                connection,
                viewer.actor,
                "tiered.contract.renew",
                "person",
                new.person_id,
                {"contract": new.id, "previous": old.id},
            )
            uow.commit()
        return contract_record(new)

    def expire_due(self, viewer: Viewer) -> int:
        """End every active contract past its end (a minor's at the age limit); returns how many."""
        today = local_date(self._clock.now())
        changed = 0
        with self._uow(write=True) as uow:
            connection = uow.connection
            query = (
                select(contracts, residents.c.birth_date)
                .join(residents, residents.c.person_id == contracts.c.person_id)
                .where(contracts.c.state == "active", contracts.c.end_on < today)
            )
            for row in connection.execute(query).all():
                ended = expire(to_contract(row), today, row.birth_date, self.policy)
                if ended is not None:
                    self._store_state(connection, ended)
                    changed += 1
            # Death and moving away end a contract without anyone asking (auto-termination).
            dead = connection.execute(
                select(contracts, residents.c.death_date)
                .join(residents, residents.c.person_id == contracts.c.person_id)
                .where(contracts.c.state == "active", residents.c.death_date.is_not(None))
            ).all()
            for row in dead:
                self._store_state(
                    connection, terminate(to_contract(row), TerminationReason.DEATH, row.death_date)
                )
                changed += 1
            self._audit.record(
                connection, viewer.actor, "tiered.contract.expire", "contract", None, {"n": changed}
            )
            uow.commit()
        return changed

    # -- reads -----------------------------------------------------------------------------------
    def list_contracts(
        self, viewer: Viewer, *, team: str | None = None, state: str | None = "active", limit: int = 200
    ) -> list[dict[str, Any]]:
        query = (
            select(contracts, residents.c.name, residents.c.citizen_id, teams.c.institution_code)
            .join(teams, teams.c.code == contracts.c.team_code)
            .join(residents, residents.c.person_id == contracts.c.person_id)
            .order_by(contracts.c.start_on.desc(), contracts.c.id)
            .limit(limit)
        )
        if viewer.scope is not None:
            query = query.where(teams.c.institution_code == viewer.scope)
        if team:
            query = query.where(contracts.c.team_code == team)
        if state:
            query = query.where(contracts.c.state == state)
        with self._uow() as uow:
            rows = uow.connection.execute(query).all()
        out = []
        for row in rows:
            record = contract_record(to_contract(row))
            record["person"] = masked_row(row)
            out.append(record)
        return out

    def active_for(self, connection: Connection, person_id: str) -> Contract | None:
        row = connection.execute(
            select(contracts).where(contracts.c.person_id == person_id, contracts.c.state == "active")
        ).first()
        return None if row is None else to_contract(row)

    def coverage(self, viewer: Viewer, *, by: str = "area", day: date | None = None) -> list[dict[str, Any]]:
        """签约覆盖率: signed ÷ residents and key groups signed ÷ key groups, by county or by team."""
        day = day or local_date(self._clock.now())
        elderly = residents.c.birth_date <= _years_before(day, 65)
        children = residents.c.birth_date > _years_before(day, 7)
        key = or_(elderly, children, *(residents.c[name].is_(True) for name in KEY_GROUP_FLAGS))
        signed = contracts.c.id.is_not(None)
        alive = or_(residents.c.death_date.is_(None), residents.c.death_date > day)
        if by == "team":
            group: Any = teams.c.code
            base = select(teams.c.code.label("key")).select_from(
                teams.join(
                    contracts, and_(contracts.c.team_code == teams.c.code, contracts.c.state == "active")
                ).join(residents, residents.c.person_id == contracts.c.person_id)
            )
            if viewer.scope is not None:
                base = base.where(teams.c.institution_code == viewer.scope)
        elif by == "area":
            group = func.substr(residents.c.residence_area, 1, 6)
            base = select(group.label("key")).select_from(
                residents.outerjoin(
                    contracts,
                    and_(contracts.c.person_id == residents.c.person_id, contracts.c.state == "active"),
                )
            )
        else:
            raise invalid("by", by, "area or team", "须为 area 或 team")
        query = (
            base.add_columns(
                func.count().label("residents"),
                func.count(contracts.c.id).label("signed"),
                func.sum(func.cast(key, Integer)).label("key_residents"),
                func.sum(func.cast(and_(key, signed), Integer)).label("key_signed"),
            )
            .where(alive)
            .group_by(group)
            .order_by(group)
        )
        with self._uow() as uow:
            rows = uow.connection.execute(query).all()
        out = []
        for row in rows:
            total, n_signed = int(row.residents), int(row.signed)
            key_total, key_signed = int(row.key_residents or 0), int(row.key_signed or 0)
            out.append(
                {
                    "key": row.key,
                    "residents": total,
                    "signed": n_signed,
                    "coverage": _ratio(n_signed, total) if by == "area" else None,
                    "key_residents": key_total,
                    "key_signed": key_signed,
                    "key_coverage": _ratio(key_signed, key_total) if by == "area" else None,
                }
            )
        return out

    def capitation(
        self, viewer: Viewer, team: str, first: date, last: date, rate_fen: int
    ) -> CapitationStatement:
        """The team's capitation for a period, less fund payments for care its residents were referred to."""
        if last < first or rate_fen < 0:
            raise invalid("period", f"{first}..{last}", "empty period or negative rate", "期间为空或单价为负")
        with self._uow(write=True) as uow:
            connection = uow.connection
            row = self._team_row(connection, team, viewer)
            rows = connection.execute(
                select(contracts).where(
                    contracts.c.team_code == team,
                    contracts.c.start_on <= last,
                    contracts.c.end_on >= first,
                )
            ).all()
            signed = [to_contract(r) for r in rows]
            outside = self._outside_fen(
                connection, row.institution_code, {c.person_id for c in signed}, first, last
            )
            self._audit.record(
                connection,
                viewer.actor,
                "tiered.capitation",
                "team",
                team,
                {"first": first.isoformat(), "last": last.isoformat()},
            )
            uow.commit()
        return capitation(team, signed, first, last, rate_fen, outside)

    @staticmethod
    def _outside_fen(connection: Connection, home: str, persons: set[str], first: date, last: date) -> int:
        if not persons:
            return 0
        total = 0
        query = select(settlements.c.claim, settlements.c.fund_pay_sumamt, settlements.c.person_id).where(
            settlements.c.status == "settled", settlements.c.institution_id != home
        )
        for row in connection.execute(query):
            if row.person_id not in persons:
                continue
            encounter = row.claim.get("encounter", {})
            start = str(encounter.get("start", ""))[:10]
            if encounter.get("referral") and first.isoformat() <= start <= last.isoformat():
                total += int(row.fund_pay_sumamt)
        return total


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 4)


def masked_row(row: Row[Any]) -> dict[str, str]:
    return {"name": mask_name(row.name), "citizen_id": mask_citizen_id(row.citizen_id)}
