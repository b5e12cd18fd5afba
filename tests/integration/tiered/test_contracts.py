"""Family-doctor contracts on each backend: teams, caps counted once, coverage, capitation, scope."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from sanyi.infrastructure.audit import audit_log
from sanyi.kernel.errors import DomainError
from sanyi.tiered.api import ContractPolicy, ContractService
from tests.integration.tiered.conftest import TieredRegion

pytestmark = pytest.mark.db


def _team(region: TieredRegion, code: str = "T1", institution: str | None = None, gp: int = 0) -> None:
    viewer = region.doctor(institution)
    staff = region.staff
    region.container.tiered.contracts.create_team(
        viewer, code=code, name=f"{code}团队", gp=staff[gp], nurse=staff[3], public_health=staff[4]
    )


def _code(call: pytest.ExceptionInfo[DomainError]) -> str:
    return call.value.code


def test_sign_once_terminate_renew_and_audit(region: TieredRegion) -> None:
    service = region.container.tiered.contracts
    _team(region)
    person = region.people[0]
    signed = service.sign(region.doctor(), person_id=person, team="T1", package="BASIC")
    assert signed["state"] == "active" and signed["start"] == "2024-03-01"
    with pytest.raises(DomainError) as error:
        service.sign(region.doctor(), person_id=person, team="T1", package="BASIC")
    assert _code(error) == "CONTRACT_ALREADY_ACTIVE"
    renewed = service.renew(region.doctor(), signed["id"])
    assert signed["end"] == "2025-02-28"
    assert renewed["previous"] == signed["id"] and renewed["start"] == "2025-03-01"
    ended = service.terminate(region.doctor(), renewed["id"], "moved_away")
    assert ended["state"] == "terminated" and ended["reason"] == "moved_away"
    with pytest.raises(DomainError) as error:
        service.terminate(region.doctor(), renewed["id"], "death")
    assert _code(error) == "TIERED_TRANSITION_REFUSED"
    with region.container.engine.connect() as connection:
        actions = (
            connection.execute(select(audit_log.c.action).where(audit_log.c.record_id == person))
            .scalars()
            .all()
        )
    assert {"tiered.contract.sign", "tiered.contract.renew", "tiered.contract.terminate"} <= set(actions)


def test_gp_cap_counts_a_doctor_at_two_sites_once_and_correction_is_allowed(region: TieredRegion) -> None:
    container = region.container
    service = ContractService(
        container.uow, container.clock, container.audit, ContractPolicy(gp_cap=2, team_cap=5)
    )
    container.tiered.contracts.create_team(
        region.doctor(),
        code="A",
        name="A",
        gp=region.staff[0],
        nurse=region.staff[3],
        public_health=region.staff[4],
    )
    container.tiered.contracts.create_team(
        region.doctor(region.other_centre),
        code="B",
        name="B",
        gp=region.staff[0],
        nurse=region.staff[5],
        public_health=region.staff[4],
    )
    first = service.sign(region.doctor(), person_id=region.people[0], team="A", package="BASIC")
    service.sign(region.doctor(region.other_centre), person_id=region.people[1], team="B", package="BASIC")
    with pytest.raises(DomainError) as error:
        service.sign(region.doctor(), person_id=region.people[2], team="A", package="BASIC")
    assert _code(error) == "CONTRACT_CAP_REACHED"
    corrected = service.sign(
        region.doctor(), person_id=region.people[0], team="A", package="KEY_CHRONIC", replaces=first["id"]
    )
    assert corrected["previous"] == first["id"] and corrected["package"] == "KEY_CHRONIC"
    states = {c["id"]: c["state"] for c in service.list_contracts(region.bureau, state=None)}
    assert states[first["id"]] == "terminated" and states[corrected["id"]] == "active"


def test_one_plus_one_plus_one_and_bad_input(region: TieredRegion) -> None:
    service = region.container.tiered.contracts
    _team(region)
    with pytest.raises(DomainError) as error:
        service.sign(
            region.doctor(),
            person_id=region.people[0],
            team="T1",
            package="BASIC",
            secondary=region.hospital,
            tertiary=region.hospital,
        )
    assert _code(error) == "CONTRACT_COMBINATION_INVALID"
    ok = service.sign(
        region.doctor(),
        person_id=region.people[0],
        team="T1",
        package="BASIC",
        secondary=region.secondary,
        tertiary=region.hospital,
    )
    assert ok["tertiary"] == region.hospital
    with pytest.raises(DomainError) as error:
        service.sign(region.doctor(), person_id=region.people[1], team="T1", package="GOLD")
    assert _code(error) == "TIERED_INVALID"
    with pytest.raises(DomainError) as error:
        _team(region, "H", region.hospital)
    assert _code(error) == "CONTRACT_TEAM_INVALID"


def test_scope_coverage_and_capitation(region: TieredRegion) -> None:
    service = region.container.tiered.contracts
    _team(region)
    for person in region.people[:5]:
        service.sign(region.doctor(), person_id=person, team="T1", package="BASIC", start=date(2024, 1, 15))
    with pytest.raises(DomainError) as error:
        service.sign(
            region.doctor(region.other_centre), person_id=region.people[9], team="T1", package="BASIC"
        )
    assert _code(error) == "TIERED_NOT_FOUND"
    assert service.list_contracts(region.doctor(region.other_centre)) == []
    mine = service.list_contracts(region.doctor())
    assert len(mine) == 5 and all("*" in c["person"]["citizen_id"] for c in mine)
    areas = service.coverage(region.bureau, by="area")
    assert sum(a["signed"] for a in areas) == 5 and sum(a["residents"] for a in areas) >= 250
    assert all(a["key_signed"] <= a["key_residents"] for a in areas)
    by_team = service.coverage(region.doctor(), by="team")
    assert by_team[0]["key"] == "T1" and by_team[0]["signed"] == 5
    statement = service.capitation(region.doctor(), "T1", date(2024, 1, 1), date(2024, 3, 31), 1000)
    assert [line.signed for line in statement.months] == [0, 5, 5]
    assert statement.gross_fen == 10_000 and statement.net_fen == 10_000


def test_expire_due_and_death(region: TieredRegion) -> None:
    service = region.container.tiered.contracts
    _team(region)
    service.sign(
        region.doctor(), person_id=region.people[0], team="T1", package="BASIC", start=date(2023, 1, 1)
    )
    assert service.expire_due(region.bureau) == 1
    assert service.list_contracts(region.bureau, state="expired")[0]["ended_on"] == "2023-12-31"
