"""Registry records in the columns of their import templates, so that an export re-imports.

Personal data is masked (citizen ID, name, phone) unless the caller asks for it unmasked, which the
caller audits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, select

from sanyi.kernel.masking import mask_citizen_id, mask_name, mask_phone
from sanyi.registry.model import (
    AreaLevel,
    Assistance,
    Grade,
    InstitutionKind,
    LicenceType,
    Ownership,
    PopulationGroup,
    Scheme,
    Tier,
)
from sanyi.registry.tables import (
    areas,
    institution_bed_changes,
    institution_departments,
    institutions,
    practice_sites,
    practitioners,
    residents,
)
from sanyi.registry.templates import FLAG_COLUMNS

STREAM = 5_000


def area_records(connection: Connection, unmasked: bool = False) -> Iterator[dict[str, Any]]:
    """Divisions parents first (province, city, county, township), so the file re-imports in order."""
    rows = connection.execute(select(areas)).all()
    for row in sorted(rows, key=lambda row: (len(row.code), len(row.code.rstrip("0")), row.code)):
        yield {
            "code": row.code,
            "name": row.name,
            "level": AreaLevel(row.level),
            "parent_code": row.parent_code,
            "urban": row.urban,
        }


def institution_records(connection: Connection, unmasked: bool = False) -> Iterator[dict[str, Any]]:
    offered: dict[str, list[str]] = {}
    for code, department in connection.execute(
        select(institution_departments).order_by(institution_departments.c.department_code)
    ):
        offered.setdefault(code, []).append(department)
    # The latest change's date, so that re-importing the file finds the count unchanged.
    changes = institution_bed_changes.c
    changed_on = dict(
        connection.execute(
            select(changes.institution_code, func.max(changes.changed_on)).group_by(changes.institution_code)
        ).all()
    )
    query = select(institutions).order_by(institutions.c.code).execution_options(yield_per=STREAM)
    for row in connection.execute(query):
        yield {
            "code": row.code,
            "name": row.name,
            "area_code": row.area_code,
            "kind": InstitutionKind(row.kind),
            "tier": Tier(row.tier),
            "grade": Grade(row.grade) if row.grade else None,
            "ownership": Ownership(row.ownership),
            "for_profit": bool(row.for_profit),
            "beds": row.beds,
            "beds_changed_on": changed_on.get(row.code),
            "opened_on": row.opened_on,
            "named_provincial": bool(row.named_provincial),
            "departments": tuple(offered.get(row.code, ())),
        }


def practitioner_records(connection: Connection, unmasked: bool = False) -> Iterator[dict[str, Any]]:
    main: dict[str, tuple[str, str | None]] = {}
    others: dict[str, list[str]] = {}
    for site in connection.execute(select(practice_sites).order_by(practice_sites.c.institution_code)):
        if site.main and site.practitioner_code not in main:
            main[site.practitioner_code] = (site.institution_code, site.department_code)
        else:
            others.setdefault(site.practitioner_code, []).append(site.institution_code)
    query = select(practitioners).order_by(practitioners.c.code).execution_options(yield_per=STREAM)
    for row in connection.execute(query):
        sites = others.get(row.code, [])
        first = main.get(row.code) or ((sites.pop(0), None) if sites else (None, None))
        yield {
            "code": row.code,
            "name": row.name,
            "sex": row.sex,
            "licence_type": LicenceType(row.licence_type),
            "specialty": row.specialty,
            "general_practitioner": bool(row.general_practitioner),
            "main_institution": first[0],
            "main_department": first[1],
            "other_institutions": tuple(sites),
        }


def resident_records(connection: Connection, unmasked: bool = False) -> Iterator[dict[str, Any]]:
    query = select(residents).order_by(residents.c.citizen_id).execution_options(yield_per=STREAM)
    for row in connection.execute(query):
        record: dict[str, Any] = {
            "citizen_id": row.citizen_id if unmasked else mask_citizen_id(row.citizen_id),
            "name": row.name if unmasked else mask_name(row.name),
            "sex": row.sex,
            "birth_date": row.birth_date,
            "household_area": row.household_area,
            "residence_area": row.residence_area,
            "phone": (row.phone if unmasked else mask_phone(row.phone)) if row.phone else None,
            "death_date": row.death_date,
            "scheme": Scheme(row.scheme) if row.scheme else None,
            "population_group": PopulationGroup(row.population_group) if row.population_group else None,
            "home_region": row.home_region,
            "assistance": Assistance(row.assistance) if row.assistance else None,
        }
        record.update({key: bool(getattr(row, key)) for key, _, _ in FLAG_COLUMNS})
        yield record
