"""Registry and care services: scope by role, masking, reveal and the audit trail (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from sanyi.care.api import EncounterFilter, EncounterType, fee_lines, get_encounter
from sanyi.identity.api import Role
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.knowledge import codes
from sanyi.registry.api import (
    InstitutionFilter,
    KeyGroup,
    ResidentSearch,
    Tier,
    get_resident,
    practice_sites,
)
from tests.integration.scoped_region import Region, region, viewer_of

__all__ = ["region"]
pytestmark = pytest.mark.db
MASKED_ID = re.compile(r"^\d{6}\*{8}[0-9X]{4}$")


def _audit(region: Region, action: str, record_id: str | None = None) -> list[str]:
    services = region.container
    with services.uow() as uow:
        entries = services.audit.entries(uow.connection, record_id=record_id, limit=1000)
    return [entry.actor for entry in entries if entry.action == action]


def test_regional_roles_see_the_region_and_staff_their_institution(region: Region) -> None:
    registry = region.container.registry
    everything = registry.institutions(viewer_of(Role.HEALTH_COMMISSION), InstitutionFilter(), limit=500)
    assert everything.total > 100
    staff = viewer_of(Role.INSTITUTION_STAFF, region.hospital)
    own = registry.institutions(staff, InstitutionFilter(), limit=500)
    assert [item.code for item in own.items] == [region.hospital]
    # A filter naming another institution cannot widen the scope.
    other = next(item.code for item in everything.items if item.code != region.hospital)
    assert registry.institutions(staff, InstitutionFilter(text=other)).total == 0
    with pytest.raises(DomainError) as error:
        registry.institution(staff, other)
    assert error.value.code == "RECORD_NOT_FOUND"
    assert registry.institution(staff, region.hospital).institution.code == region.hospital
    # An institution role without an institution sees nothing at all.
    nobody = viewer_of(Role.INSTITUTION_STAFF, None)
    assert registry.institutions(nobody, InstitutionFilter()).total == 0
    assert registry.overview(nobody).totals["residents"] == 0


def test_overview_counts_add_up(region: Region) -> None:
    overview = region.container.registry.overview(viewer_of(Role.REFORM_OFFICE))
    assert sum(n for _, n in overview.by_tier) == overview.totals["institutions"]
    assert sum(n for _, n in overview.by_kind) == overview.totals["institutions"]
    assert overview.totals["residents"] == 300
    assert [tier for tier, _ in overview.by_tier] == sorted(
        (tier for tier, _ in overview.by_tier), reverse=True
    )
    assert Tier.THIRD in dict(overview.by_tier)


def test_staff_see_only_residents_their_institution_treated(region: Region) -> None:
    services = region.container
    staff = viewer_of(Role.INSTITUTION_STAFF, region.hospital)
    page = services.registry.residents(staff, ResidentSearch(), limit=500)
    assert 0 < page.total < 300
    treated = services.care.encounters(staff, EncounterFilter(), limit=500)
    assert treated.total <= 500  # the whole scope fits on one page of this small region
    # Exactly the persons with an encounter at the hospital, no one else.
    assert {row.person_id for row in treated.items} == {person.person_id for person in page.items}
    assert region.outsider not in {person.person_id for person in page.items}
    with pytest.raises(DomainError) as error:
        services.registry.resident(staff, region.outsider)
    assert error.value.code == "RECORD_NOT_FOUND"
    assert services.registry.resident(staff, region.patient).person_id == region.patient
    # The refused look-up left no trace; the permitted one did.
    assert _audit(region, "resident.view", region.outsider) == []
    assert "t_institution_staff" in _audit(region, "resident.view", region.patient)


def test_every_role_sees_masked_ids_and_only_some_may_reveal(region: Region) -> None:
    services = region.container
    with services.uow() as uow:
        person = get_resident(uow.connection, region.patient)
    assert person is not None
    for role in (Role.ADMIN, Role.INSURANCE_BUREAU, Role.HEALTH_COMMISSION):
        page = services.registry.residents(viewer_of(role), ResidentSearch(), limit=20)
        assert all(MASKED_ID.match(item.citizen_id) for item in page.items)
        assert all("*" in item.name for item in page.items)
        shown = services.registry.resident(viewer_of(role), region.patient)
        assert shown.citizen_id != person.citizen_id and shown.citizen_id[-4:] == person.citizen_id[-4:]
    for role in (Role.HEALTH_COMMISSION, Role.REFORM_OFFICE, Role.INSTITUTION_STAFF):
        with pytest.raises(DomainError) as error:
            services.registry.resident(viewer_of(role, region.hospital), region.patient, reveal=True)
        assert error.value.code == "REVEAL_FORBIDDEN"
    assert _audit(region, "resident.reveal", region.patient) == []
    revealed = services.registry.resident(viewer_of(Role.INSURANCE_BUREAU), region.patient, reveal=True)
    assert (revealed.citizen_id, revealed.name, revealed.revealed) == (person.citizen_id, person.name, True)
    assert _audit(region, "resident.reveal", region.patient) == ["t_insurance_bureau"]


def test_residents_are_found_by_masked_id_suffix_name_and_key_group(region: Region) -> None:
    services = region.container
    admin = viewer_of(Role.ADMIN)
    with services.uow() as uow:
        person = get_resident(uow.connection, region.patient)
    assert person is not None
    by_suffix = services.registry.residents(admin, ResidentSearch(text=person.citizen_id[-4:]), limit=500)
    assert region.patient in {item.person_id for item in by_suffix.items}
    assert all(item.citizen_id.endswith(person.citizen_id[-4:]) for item in by_suffix.items)
    by_name = services.registry.residents(admin, ResidentSearch(text=person.name[0]), limit=500)
    assert region.patient in {item.person_id for item in by_name.items}
    assert services.registry.residents(admin, ResidentSearch(text=person.citizen_id)).total == 1
    elderly = services.registry.residents(admin, ResidentSearch(key_group=KeyGroup.ELDERLY), limit=500)
    assert elderly.total > 0 and all(item.age >= 65 for item in elderly.items)
    children = services.registry.residents(admin, ResidentSearch(key_group=KeyGroup.YOUNG_CHILD), limit=500)
    assert all(item.age <= 6 for item in children.items)
    assert elderly.total + children.total < 300
    hypertensive = services.registry.residents(
        admin, ResidentSearch(key_group=KeyGroup.HYPERTENSION), limit=500
    )
    assert hypertensive.total > 0
    assert all(KeyGroup.HYPERTENSION in item.key_groups for item in hypertensive.items)


def test_practitioners_are_scoped_to_their_practice_sites(region: Region) -> None:
    services = region.container
    staff = viewer_of(Role.INSTITUTION_STAFF, region.hospital)
    own = services.registry.practitioners(staff, limit=500)
    assert own.total > 0
    assert all(region.hospital in {site.institution_code for site in p.sites} for p in own.items)
    with services.uow() as uow:
        elsewhere = uow.connection.execute(
            select(practice_sites.c.practitioner_code)
            .where(practice_sites.c.institution_code != region.hospital)
            .where(practice_sites.c.practitioner_code.not_in({p.code for p in own.items}))
            .limit(1)
        ).scalar_one()
    with pytest.raises(DomainError):
        services.registry.practitioner(staff, elsewhere)
    assert services.registry.practitioner(viewer_of(Role.ADMIN), elsewhere).code == elsewhere
    assert services.registry.practitioners(staff, institution=region.centre).total == 0


def test_encounters_are_scoped_named_and_exact(region: Region) -> None:
    services = region.container
    staff = viewer_of(Role.INSTITUTION_STAFF, region.hospital)
    everyone = services.care.encounters(viewer_of(Role.ADMIN), EncounterFilter(), limit=500)
    own = services.care.encounters(staff, EncounterFilter(), limit=500)
    assert 0 < own.total < everyone.total
    assert {row.institution_code for row in own.items} == {region.hospital}
    assert services.care.encounters(staff, EncounterFilter(institution=region.centre)).total == 0
    other = next(row for row in everyone.items if row.institution_code != region.hospital)
    with pytest.raises(DomainError) as error:
        services.care.encounter(staff, other.id)
    assert error.value.code == "RECORD_NOT_FOUND"
    assert _audit(region, "encounter.view", other.id) == []
    stay = services.care.encounters(staff, EncounterFilter(type=EncounterType.INPATIENT), limit=1).items[0]
    detail = services.care.encounter(staff, stay.id)
    assert _audit(region, "encounter.view", stay.id) == ["t_institution_staff"]
    dictionary = codes.diagnoses()
    assert [item.name for item in detail.diagnoses] == [
        dictionary.name(code) for code in detail.encounter.diagnoses
    ]
    assert detail.diagnoses[0].name is not None
    assert "*" in detail.person.name and MASKED_ID.match(detail.person.citizen_id)
    with services.uow() as uow:
        stored = (
            uow.connection.execute(select(fee_lines.c.amount).where(fee_lines.c.encounter_id == stay.id))
            .scalars()
            .all()
        )
        encounter = get_encounter(uow.connection, stay.id)
    assert encounter is not None
    assert detail.total == Money(sum(amount.fen for amount in stored)) == stay.total
    assert sum((item.total for item in detail.by_category), Money(0)) == detail.total


def test_volumes_sum_to_the_institution_encounters(region: Region) -> None:
    services = region.container
    staff = viewer_of(Role.INSTITUTION_STAFF, region.hospital)
    volumes = services.care.volumes(staff, region.hospital)
    assert (
        sum(volume.encounters for volume in volumes)
        == services.care.encounters(staff, EncounterFilter()).total
    )
    with pytest.raises(DomainError):
        services.care.volumes(staff, region.centre)


def test_exports_are_scoped_masked_and_audited(region: Region) -> None:
    services = region.container
    doctor = viewer_of(Role.FAMILY_DOCTOR, region.centre)
    search = ResidentSearch(key_group=KeyGroup.HYPERTENSION)
    before = len(_audit(region, "resident.export"))
    rows = list(services.registry.export_residents(doctor, search))
    assert len(rows) == services.registry.residents(doctor, search, limit=500).total
    assert all(MASKED_ID.match(row.citizen_id) for row in rows)
    assert len(_audit(region, "resident.export")) == before + 1
    exported = list(services.care.export_encounters(doctor, EncounterFilter(type=EncounterType.OUTPATIENT)))
    listed = services.care.encounters(doctor, EncounterFilter(type=EncounterType.OUTPATIENT), limit=500)
    assert len(exported) == listed.total
    assert {row.id for row in exported} == {row.id for row in listed.items}
    assert {row.institution_code for row in exported} == {region.centre}
    assert "t_family_doctor" in _audit(region, "encounter.export")
