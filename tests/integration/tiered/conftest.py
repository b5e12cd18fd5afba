"""A small synthetic region for the tiered-care tests: a community centre, hospitals, staff, people."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from sanyi.bootstrap import Container, build_container
from sanyi.identity.api import Role
from sanyi.kernel.clock import FixedClock
from sanyi.registry.api import Viewer, institutions, practice_sites, practitioners, residents
from sanyi.synth.api import DatabaseSink, RegionRequest, generate
from sanyi.tiered.api import (
    bookings,
    contracts,
    referral_events,
    referrals,
    results,
    schedules,
    slots,
    teams,
)
from sanyi.tiered.tables import orders, waitlist
from tests.conftest import _truncate_all, make_settings

TIERED_TABLES = (
    orders,
    results,
    waitlist,
    referral_events,
    bookings,
    slots,
    referrals,
    schedules,
    contracts,
    teams,
)


@dataclass
class TieredRegion:
    container: Container
    clock: FixedClock
    centre: str  # a community health centre (基层)
    other_centre: str
    secondary: str  # a tier-2 hospital
    hospital: str  # a tier-3 hospital
    staff: tuple[str, ...]  # practitioners (GP, nurse, public health, …)
    people: tuple[str, ...]  # living residents

    def doctor(self, institution: str | None = None) -> Viewer:
        return Viewer("dr_wang", Role.FAMILY_DOCTOR.value, institution or self.centre, regional=False)

    def desk(self, institution: str | None = None) -> Viewer:
        return Viewer("desk_li", Role.INSTITUTION_STAFF.value, institution or self.hospital, regional=False)

    @property
    def bureau(self) -> Viewer:
        return Viewer("bureau", Role.HEALTH_COMMISSION.value, None, regional=True)

    def clear(self) -> None:
        with self.container.engine.begin() as connection:
            for table in TIERED_TABLES:
                connection.execute(table.delete())


@pytest.fixture(scope="module")
def tiered_region(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TieredRegion]:
    clock = FixedClock(datetime(2024, 3, 1, 1, 0, tzinfo=UTC))
    data_dir: Path = tmp_path_factory.mktemp("tiered")
    container = build_container(make_settings(database_url, data_dir), clock=clock)
    _truncate_all(container.engine)
    generate(RegionRequest("wenzhou", 400, 2023, 5), [DatabaseSink(container.engine)])
    with container.engine.connect() as connection:
        centres = (
            connection.execute(
                select(institutions.c.code)
                .where(institutions.c.kind == "community_centre")
                .order_by(institutions.c.code)
            )
            .scalars()
            .all()
        )
        secondary = connection.execute(
            select(institutions.c.code).where(institutions.c.tier == 2).order_by(institutions.c.code)
        ).scalar()
        hospital = connection.execute(
            select(institutions.c.code).where(institutions.c.tier == 3).order_by(institutions.c.code)
        ).scalar()
        staff = (
            connection.execute(
                select(practitioners.c.code)
                .join(practice_sites, practice_sites.c.practitioner_code == practitioners.c.code)
                .order_by(practitioners.c.code)
                .limit(8)
            )
            .scalars()
            .all()
        )
        people = (
            connection.execute(
                select(residents.c.person_id)
                .where(residents.c.death_date.is_(None))
                .order_by(residents.c.person_id)
            )
            .scalars()
            .all()
        )
    assert len(centres) >= 2 and secondary and hospital and len(staff) >= 6 and len(people) >= 250
    region = TieredRegion(
        container, clock, centres[0], centres[1], str(secondary), str(hospital), tuple(staff), tuple(people)
    )
    try:
        yield region
    finally:
        _truncate_all(container.engine)
        container.dispose()


@pytest.fixture
def region(tiered_region: TieredRegion) -> Iterator[TieredRegion]:
    tiered_region.clock.set(datetime(2024, 3, 1, 1, 0, tzinfo=UTC))
    try:
        yield tiered_region
    finally:
        tiered_region.clear()
