"""Reading the registry: filters, paging, scoping to an institution, rows → model objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Row, Select, and_, func, or_, select

from sanyi.registry.model import (
    Area,
    AreaLevel,
    Assistance,
    BedChange,
    Enrollment,
    Grade,
    GroupKind,
    Institution,
    InstitutionKind,
    KeyGroup,
    LicenceType,
    MedicalGroup,
    Ownership,
    PopulationGroup,
    PracticeSite,
    Practitioner,
    Resident,
    Scheme,
    Tier,
)
from sanyi.registry.tables import (
    areas,
    institution_bed_changes,
    institution_departments,
    institutions,
    medical_group_members,
    medical_groups,
    practice_sites,
    practitioners,
    residents,
)

T = TypeVar("T")

FLAG_COLUMNS = {
    KeyGroup.PREGNANT: "pregnant",
    KeyGroup.DISABLED: "disabled",
    KeyGroup.SEVERE_MENTAL: "severe_mental",
    KeyGroup.HYPERTENSION: "hypertension",
    KeyGroup.DIABETES: "diabetes",
    KeyGroup.TUBERCULOSIS: "tuberculosis",
}
MAX_PAGE = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        following = self.offset + self.limit
        return following if following < self.total else None


@dataclass(frozen=True)
class InstitutionFilter:
    text: str | None = None  # part of the name or the code
    area: str | None = None  # any area code: matches institutions in it or below it
    kind: InstitutionKind | None = None
    tier: Tier | None = None
    ownership: Ownership | None = None
    primary_care: bool | None = None
    only: str | None = None  # scope: one institution's own record


@dataclass(frozen=True)
class ResidentFilter:
    text: str | None = None  # name prefix, full citizen ID or person id
    area: str | None = None
    key_group: KeyGroup | None = None
    scheme: Scheme | None = None
    seen_at: Any = None  # scope: a subquery of the person ids an institution has records of


def page_of(
    connection: Connection, query: Select[Any], offset: int, limit: int
) -> tuple[list[Row[Any]], int]:
    limit = max(1, min(limit, MAX_PAGE))
    total = int(connection.execute(select(func.count()).select_from(query.subquery())).scalar_one())
    rows = connection.execute(query.offset(max(offset, 0)).limit(limit)).all()
    return list(rows), total


def _under(column: Any, area: str) -> Any:
    """An area code and everything below it (codes nest by prefix: 33 → 3303 → 330302 → 330302001)."""
    prefix = area.rstrip("0") or area
    if len(prefix) % 2:
        prefix += "0"
    return column.like(f"{prefix}%")


# -- areas -------------------------------------------------------------------------------------------
def to_area(row: Row[Any]) -> Area:
    return Area(row.code, row.name, AreaLevel(row.level), row.parent_code, row.urban)


def list_areas(
    connection: Connection, parent: str | None = None, level: AreaLevel | None = None
) -> list[Area]:
    query = select(areas).order_by(areas.c.code)
    if parent is not None:
        query = query.where(areas.c.parent_code == parent)
    if level is not None:
        query = query.where(areas.c.level == level.value)
    return [to_area(row) for row in connection.execute(query)]


def area_names(connection: Connection) -> dict[str, str]:
    return {row.code: row.name for row in connection.execute(select(areas.c.code, areas.c.name))}


# -- institutions ------------------------------------------------------------------------------------
def to_institution(row: Row[Any], departments: tuple[str, ...] = ()) -> Institution:
    return Institution(
        code=row.code,
        name=row.name,
        area_code=row.area_code,
        kind=InstitutionKind(row.kind),
        tier=Tier(row.tier),
        grade=Grade(row.grade) if row.grade else None,
        ownership=Ownership(row.ownership),
        for_profit=bool(row.for_profit),
        beds=int(row.beds),
        departments=departments,
        opened_on=row.opened_on,
        named_provincial=bool(row.named_provincial),
    )


def search_institutions(
    connection: Connection, where: InstitutionFilter, offset: int = 0, limit: int = 50
) -> Page[Institution]:
    query = select(institutions).order_by(institutions.c.tier.desc(), institutions.c.code)
    conditions = []
    if where.text:
        like = f"%{where.text.strip()}%"
        conditions.append(or_(institutions.c.name.like(like), institutions.c.code.like(like)))
    if where.area:
        conditions.append(_under(institutions.c.area_code, where.area))
    if where.kind is not None:
        conditions.append(institutions.c.kind == where.kind.value)
    if where.tier is not None:
        conditions.append(institutions.c.tier == int(where.tier))
    if where.ownership is not None:
        conditions.append(institutions.c.ownership == where.ownership.value)
    if where.primary_care is not None:
        primary = institutions.c.kind.in_([kind.value for kind in InstitutionKind if kind.primary_care])
        conditions.append(primary if where.primary_care else ~primary)
    if where.only is not None:
        conditions.append(institutions.c.code == where.only)
    if conditions:
        query = query.where(and_(*conditions))
    rows, total = page_of(connection, query, offset, limit)
    return Page([to_institution(row) for row in rows], total, offset, limit)


def get_institution(connection: Connection, code: str) -> Institution | None:
    row = connection.execute(select(institutions).where(institutions.c.code == code)).first()
    if row is None:
        return None
    departments = connection.execute(
        select(institution_departments.c.department_code)
        .where(institution_departments.c.institution_code == code)
        .order_by(institution_departments.c.department_code)
    ).scalars()
    return to_institution(row, tuple(departments))


def bed_changes(connection: Connection, code: str | None = None) -> dict[str, list[BedChange]]:
    """Each institution's bed changes, oldest first (only one institution's when ``code`` is given)."""
    c = institution_bed_changes.c
    query = select(c.institution_code, c.changed_on, c.beds_before, c.beds_after).order_by(c.changed_on)
    if code is not None:
        query = query.where(c.institution_code == code)
    found: dict[str, list[BedChange]] = {}
    for institution, changed_on, before, after in connection.execute(query):
        found.setdefault(institution, []).append(BedChange(changed_on, int(before), int(after)))
    return found


def first_institution(connection: Connection, kind: str) -> str | None:
    """The code of the highest-tier institution of a kind (used to seat demo accounts)."""
    return connection.execute(
        select(institutions.c.code)
        .where(institutions.c.kind == kind)
        .order_by(institutions.c.tier.desc(), institutions.c.code)
        .limit(1)
    ).scalar_one_or_none()


def groups_of(connection: Connection, code: str) -> list[MedicalGroup]:
    group_codes = select(medical_group_members.c.group_code).where(
        medical_group_members.c.institution_code == code
    )
    return list_groups(connection, group_codes)


def list_groups(connection: Connection, only: Any = None) -> list[MedicalGroup]:
    query = select(medical_groups).order_by(medical_groups.c.code)
    if only is not None:
        query = query.where(medical_groups.c.code.in_(only))
    heads = connection.execute(query).all()
    members: dict[str, list[str]] = {}
    for row in connection.execute(
        select(medical_group_members).order_by(medical_group_members.c.institution_code)
    ):
        members.setdefault(row.group_code, []).append(row.institution_code)
    return [
        MedicalGroup(
            h.code, h.name, GroupKind(h.kind), h.area_code, h.lead_institution, tuple(members.get(h.code, []))
        )
        for h in heads
    ]


# -- practitioners -----------------------------------------------------------------------------------
def _sites(connection: Connection, codes: list[str]) -> dict[str, tuple[PracticeSite, ...]]:
    result: dict[str, list[PracticeSite]] = {}
    if codes:
        query = select(practice_sites).where(practice_sites.c.practitioner_code.in_(codes))
        for row in connection.execute(
            query.order_by(practice_sites.c.main.desc(), practice_sites.c.institution_code)
        ):
            result.setdefault(row.practitioner_code, []).append(
                PracticeSite(row.institution_code, row.department_code, bool(row.main))
            )
    return {code: tuple(sites) for code, sites in result.items()}


def search_practitioners(
    connection: Connection,
    text: str | None = None,
    institution: str | None = None,
    licence: LicenceType | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[Practitioner]:
    query = select(practitioners).order_by(practitioners.c.code)
    if text:
        like = f"%{text.strip()}%"
        query = query.where(or_(practitioners.c.name.like(like), practitioners.c.code.like(like)))
    if institution:
        at = select(practice_sites.c.practitioner_code).where(
            practice_sites.c.institution_code == institution
        )
        query = query.where(practitioners.c.code.in_(at))
    if licence is not None:
        query = query.where(practitioners.c.licence_type == licence.value)
    rows, total = page_of(connection, query, offset, limit)
    sites = _sites(connection, [row.code for row in rows])
    return Page([_to_practitioner(row, sites.get(row.code, ())) for row in rows], total, offset, limit)


def get_practitioner(connection: Connection, code: str) -> Practitioner | None:
    row = connection.execute(select(practitioners).where(practitioners.c.code == code)).first()
    return None if row is None else _to_practitioner(row, _sites(connection, [code]).get(code, ()))


def _to_practitioner(row: Row[Any], sites: tuple[PracticeSite, ...]) -> Practitioner:
    return Practitioner(
        row.code,
        row.name,
        row.sex,
        LicenceType(row.licence_type),
        row.specialty,
        bool(row.general_practitioner),
        sites,
    )


# -- residents ---------------------------------------------------------------------------------------
def to_resident(row: Row[Any]) -> Resident:
    flags = frozenset(group for group, column in FLAG_COLUMNS.items() if getattr(row, column))
    enrollment = None
    if row.scheme:
        enrollment = Enrollment(
            Scheme(row.scheme),
            PopulationGroup(row.population_group),
            row.home_region,
            Assistance(row.assistance) if row.assistance else None,
        )
    return Resident(
        person_id=row.person_id,
        citizen_id=row.citizen_id,
        name=row.name,
        sex=row.sex,
        birth_date=row.birth_date,
        household_area=row.household_area,
        residence_area=row.residence_area,
        flags=flags,
        enrollment=enrollment,
        death_date=row.death_date,
        phone=row.phone,
    )


def search_residents(
    connection: Connection, where: ResidentFilter, offset: int = 0, limit: int = 50
) -> Page[Resident]:
    query = select(residents).order_by(residents.c.person_id)
    if where.text:
        text = where.text.strip()
        query = query.where(
            or_(
                residents.c.name.like(f"{text}%"),
                residents.c.citizen_id == text.upper(),
                residents.c.person_id == text,
            )
        )
    if where.area:
        query = query.where(_under(residents.c.residence_area, where.area))
    if where.key_group is not None and where.key_group in FLAG_COLUMNS:
        query = query.where(residents.c[FLAG_COLUMNS[where.key_group]].is_(True))
    if where.scheme is not None:
        query = query.where(residents.c.scheme == where.scheme.value)
    if where.seen_at is not None:
        query = query.where(residents.c.person_id.in_(where.seen_at))
    rows, total = page_of(connection, query, offset, limit)
    return Page([to_resident(row) for row in rows], total, offset, limit)


def get_resident(connection: Connection, person_id: str) -> Resident | None:
    row = connection.execute(select(residents).where(residents.c.person_id == person_id)).first()
    return None if row is None else to_resident(row)


def counts(connection: Connection) -> dict[str, int]:
    def count(table: Any) -> int:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

    return {
        "areas": count(areas),
        "institutions": count(institutions),
        "medical_groups": count(medical_groups),
        "practitioners": count(practitioners),
        "residents": count(residents),
    }
