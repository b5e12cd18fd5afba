"""A small synthetic region with a user of every role, shared by the tests of one module.

Generating the region takes about a second, so a module builds it once per database backend and
clears it at the end (the function-scoped ``container`` fixture would clear it after every test).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sanyi.bootstrap import Container, build_container
from sanyi.care.api import encounters
from sanyi.identity.api import Role
from sanyi.kernel.clock import FixedClock
from sanyi.registry.api import Viewer, institutions, residents
from sanyi.synth.api import DatabaseSink, RegionRequest, generate
from tests.conftest import _truncate_all, make_settings
from tests.integration.web_helpers import add_user


@dataclass
class Region:
    container: Container
    hospital: str  # the institution of the staff user: the one with most encounters
    centre: str  # the family doctor's community centre
    outsider: str  # a person never treated at the hospital
    patient: str  # a person treated at the hospital


def viewer_of(role: Role, institution: str | None = None) -> Viewer:
    regional = role in (Role.ADMIN, Role.INSURANCE_BUREAU, Role.HEALTH_COMMISSION, Role.REFORM_OFFICE)
    return Viewer(
        f"t_{role.value}",
        role.value,
        institution,
        regional=regional,
        may_reveal=role in (Role.ADMIN, Role.INSURANCE_BUREAU),
    )


@pytest.fixture(scope="module")
def region(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Region]:
    clock = FixedClock(datetime(2024, 3, 1, 9, 0, tzinfo=UTC))
    data_dir: Path = tmp_path_factory.mktemp("region")
    container = build_container(make_settings(database_url, data_dir), clock=clock)
    _truncate_all(container.engine)
    generate(RegionRequest("wenzhou", 300, 2023, 3), [DatabaseSink(container.engine)])
    with container.uow() as uow:
        connection = uow.connection
        busiest = (
            select(encounters.c.institution_code, func.count().label("n"))
            .group_by(encounters.c.institution_code)
            .order_by(func.count().desc(), encounters.c.institution_code)
        )
        hospital = connection.execute(busiest.limit(1)).first()
        assert hospital is not None
        centre = connection.execute(
            busiest.join(institutions, institutions.c.code == encounters.c.institution_code)
            .where(institutions.c.kind == "community_centre")
            .limit(1)
        ).first()
        assert centre is not None
        seen = select(encounters.c.person_id).where(
            encounters.c.institution_code == hospital.institution_code
        )
        outsider = connection.execute(
            select(residents.c.person_id).where(residents.c.person_id.not_in(seen)).limit(1)
        ).scalar_one()
        patient = connection.execute(seen.order_by(encounters.c.person_id).limit(1)).scalar_one()
    for role in Role:
        institution = None
        if role is Role.INSTITUTION_STAFF:
            institution = hospital.institution_code
        elif role is Role.FAMILY_DOCTOR:
            institution = centre.institution_code
        add_user(container, f"t_{role.value}", role, institution)
    try:
        yield Region(container, hospital.institution_code, centre.institution_code, outsider, patient)
    finally:
        _truncate_all(container.engine)
        container.dispose()
