"""Scoped use cases of the registry: what a viewer may list, open, reveal and export.

Every method takes a :class:`Viewer` and narrows the query to what the viewer may see before it
runs, so scope never depends on a page remembering to filter. Opening, revealing or exporting a
person's record writes an audit entry in the same transaction as the read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

from sqlalchemy import Connection, and_, false, func, or_, select

from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock, today
from sanyi.kernel.errors import DomainError
from sanyi.knowledge import codes
from sanyi.registry.access import RECORD_NOT_FOUND, REVEAL_FORBIDDEN, Viewer
from sanyi.registry.model import (
    Area,
    AreaLevel,
    KeyGroup,
    LicenceType,
    MedicalGroup,
    Practitioner,
    Scheme,
    Tier,
)
from sanyi.registry.queries import (
    FLAG_COLUMNS,
    InstitutionFilter,
    Page,
    _under,
    area_names,
    bed_changes,
    get_institution,
    get_practitioner,
    get_resident,
    groups_of,
    list_areas,
    list_groups,
    page_of,
    search_institutions,
    search_practitioners,
    to_resident,
)
from sanyi.registry.tables import (
    institutions,
    practice_sites,
    practitioners,
    residents,
)
from sanyi.registry.views import InstitutionDetail, Overview, ResidentView

# Given a connection and an institution code: a subquery of the person ids it has records of.
PersonsSeenAt = Callable[[Connection, str], Any]
EXPORT_BATCH: Final = 2000
MIN_ID_SUFFIX: Final = 4


@dataclass(frozen=True)
class ResidentSearch:
    text: str | None = None  # name prefix, the last 4+ characters of the ID, a full ID or a person id
    area: str | None = None  # residence area, this code or below
    key_group: KeyGroup | None = None  # flags and the age groups (≥65, 0–6) on today's date
    scheme: Scheme | None = None


class RegistryService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, audit: AuditLog, persons_seen_at: PersonsSeenAt
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        # Injected because care sits above the registry: the composition root hands the care query in.
        self._persons_seen_at = persons_seen_at

    # -- overview and reference lists ------------------------------------------------------------
    def overview(self, viewer: Viewer) -> Overview:
        with self._uow() as uow:
            connection = uow.connection
            scoped = self._institution_condition(viewer)
            tier_rows = connection.execute(
                select(institutions.c.tier, func.count()).where(scoped).group_by(institutions.c.tier)
            ).all()
            kind_rows = connection.execute(
                select(institutions.c.kind, func.count()).where(scoped).group_by(institutions.c.kind)
            ).all()
            totals = {
                "institutions": sum(int(n) for _, n in tier_rows),
                "medical_groups": len(self._groups(connection, viewer)),
                "practitioners": search_practitioners(connection, None, viewer.scope, None, 0, 1).total,
                "residents": self._resident_page(connection, viewer, ResidentSearch(), 0, 1).total,
            }
        by_tier = sorted(((Tier(tier), int(n)) for tier, n in tier_rows), key=lambda pair: -pair[0])
        by_kind = sorted(((str(kind), int(n)) for kind, n in kind_rows), key=lambda pair: (-pair[1], pair[0]))
        return Overview(totals, by_tier, by_kind)

    def areas(self, viewer: Viewer) -> list[Area]:
        """Counties and cities, for area filters (the division tree is not personal data)."""
        with self._uow() as uow:
            return [area for area in list_areas(uow.connection) if area.level is not AreaLevel.TOWNSHIP]

    def area_names(self) -> dict[str, str]:
        with self._uow() as uow:
            return area_names(uow.connection)

    def institution_names(self) -> dict[str, str]:
        """Every institution's name by code: names appear in groups, sites and encounters."""
        with self._uow() as uow:
            rows = uow.connection.execute(select(institutions.c.code, institutions.c.name))
            return {row.code: row.name for row in rows}

    # -- institutions and groups -----------------------------------------------------------------
    def institutions(
        self, viewer: Viewer, where: InstitutionFilter, offset: int = 0, limit: int = 50
    ) -> Page[Any]:
        with self._uow() as uow:
            return search_institutions(uow.connection, replace(where, only=viewer.scope), offset, limit)

    def iter_institutions(self, viewer: Viewer, where: InstitutionFilter) -> Iterator[Any]:
        offset = 0
        while True:
            page = self.institutions(viewer, where, offset, EXPORT_BATCH)
            yield from page.items
            if page.next_offset is None:
                return
            offset = page.next_offset

    def institution(self, viewer: Viewer, code: str) -> InstitutionDetail:
        if not viewer.sees_institution(code):
            raise _not_found("机构", "institution", code)
        with self._uow() as uow:
            connection = uow.connection
            found = get_institution(connection, code)
            if found is None:
                raise _not_found("机构", "institution", code)
            department_names = codes.departments()
            staff = connection.execute(
                select(practitioners.c.licence_type, func.count())
                .join(practice_sites, practice_sites.c.practitioner_code == practitioners.c.code)
                .where(practice_sites.c.institution_code == code)
                .group_by(practitioners.c.licence_type)
            ).all()
            return InstitutionDetail(
                institution=found,
                area_name=area_names(connection).get(found.area_code, found.area_code),
                departments=[(dept, department_names.get(dept, dept)) for dept in found.departments],
                groups=groups_of(connection, code),
                staff_by_licence=sorted(
                    ((LicenceType(kind), int(n)) for kind, n in staff), key=lambda pair: pair[0].value
                ),
                staff_total=sum(int(n) for _, n in staff),
                bed_changes=bed_changes(connection, code).get(code, []),
            )

    def groups(self, viewer: Viewer) -> list[MedicalGroup]:
        with self._uow() as uow:
            return self._groups(uow.connection, viewer)

    def _groups(self, connection: Connection, viewer: Viewer) -> list[MedicalGroup]:
        if viewer.scope is None:
            return list_groups(connection)
        return groups_of(connection, viewer.scope)

    # -- practitioners -----------------------------------------------------------------------------
    def practitioners(
        self,
        viewer: Viewer,
        text: str | None = None,
        institution: str | None = None,
        licence: LicenceType | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> Page[Practitioner]:
        if viewer.scope is not None:
            if institution and institution != viewer.scope:
                return Page([], 0, offset, limit)
            institution = viewer.scope
        with self._uow() as uow:
            return search_practitioners(uow.connection, text, institution, licence, offset, limit)

    def iter_practitioners(
        self, viewer: Viewer, text: str | None, institution: str | None, licence: LicenceType | None
    ) -> Iterator[Practitioner]:
        offset = 0
        while True:
            page = self.practitioners(viewer, text, institution, licence, offset, EXPORT_BATCH)
            yield from page.items
            if page.next_offset is None:
                return
            offset = page.next_offset

    def practitioner(self, viewer: Viewer, code: str) -> Practitioner:
        with self._uow() as uow:
            found = get_practitioner(uow.connection, code)
        if found is None or not any(viewer.sees_institution(s.institution_code) for s in found.sites):
            raise _not_found("医务人员", "practitioner", code)
        return found

    # -- residents ---------------------------------------------------------------------------------
    def residents(
        self, viewer: Viewer, where: ResidentSearch, offset: int = 0, limit: int = 50
    ) -> Page[ResidentView]:
        with self._uow() as uow:
            return self._resident_page(uow.connection, viewer, where, offset, limit)

    def resident(self, viewer: Viewer, person_id: str, *, reveal: bool = False) -> ResidentView:
        """One person's record; opening it (and revealing it) is written to the audit log."""
        if reveal and not viewer.may_reveal:
            raise DomainError(REVEAL_FORBIDDEN)
        with self._uow(write=True) as uow:
            connection = uow.connection
            if not self._resident_in_scope(connection, viewer, person_id):
                raise _not_found("居民", "resident", person_id)
            found = get_resident(connection, person_id)
            if found is None:
                raise _not_found("居民", "resident", person_id)
            action = "resident.reveal" if reveal else "resident.view"
            self._audit.record(connection, viewer.actor, action, "resident", person_id)
            uow.commit()
        return ResidentView.of(found, today(self._clock), reveal=reveal)

    def export_residents(self, viewer: Viewer, where: ResidentSearch) -> Iterator[ResidentView]:
        """Every resident the search finds, masked; the export itself is audited before any row leaves."""
        with self._uow(write=True) as uow:
            total = self._resident_page(uow.connection, viewer, where, 0, 1).total
            self._audit.record(
                uow.connection,
                viewer.actor,
                "resident.export",
                "resident",
                None,
                {"rows": total, "filter": _filter_detail(where)},
            )
            uow.commit()
        return self._iter_residents(viewer, where)

    def _iter_residents(self, viewer: Viewer, where: ResidentSearch) -> Iterator[ResidentView]:
        on = today(self._clock)
        last = ""
        while True:
            with self._uow() as uow:
                query = self._resident_query(uow.connection, viewer, where).where(
                    residents.c.person_id > last
                )
                rows = uow.connection.execute(query.limit(EXPORT_BATCH)).all()
            if not rows:
                return
            for row in rows:
                yield ResidentView.of(to_resident(row), on)
            last = rows[-1].person_id

    def _resident_page(
        self, connection: Connection, viewer: Viewer, where: ResidentSearch, offset: int, limit: int
    ) -> Page[ResidentView]:
        rows, total = page_of(connection, self._resident_query(connection, viewer, where), offset, limit)
        on = today(self._clock)
        return Page([ResidentView.of(to_resident(row), on) for row in rows], total, offset, limit)

    def _resident_query(self, connection: Connection, viewer: Viewer, where: ResidentSearch) -> Any:
        query = select(residents).order_by(residents.c.person_id)
        conditions: list[Any] = []
        text = (where.text or "").strip()
        if text:
            conditions.append(_text_condition(text))
        if where.area:
            conditions.append(_under(residents.c.residence_area, where.area))
        if where.key_group is not None:
            conditions.append(_key_group_condition(where.key_group, today(self._clock)))
        if where.scheme is not None:
            conditions.append(residents.c.scheme == where.scheme.value)
        if viewer.scope is not None:
            conditions.append(residents.c.person_id.in_(self._persons_seen_at(connection, viewer.scope)))
        return query.where(and_(*conditions)) if conditions else query

    def _resident_in_scope(self, connection: Connection, viewer: Viewer, person_id: str) -> bool:
        if viewer.scope is None:
            return True
        seen = self._persons_seen_at(connection, viewer.scope).subquery()
        found = connection.execute(select(seen.c.person_id).where(seen.c.person_id == person_id).limit(1))
        return found.first() is not None

    def _institution_condition(self, viewer: Viewer) -> Any:
        return institutions.c.code == viewer.scope if viewer.scope is not None else ~false()


def _text_condition(text: str) -> Any:
    upper = text.upper()
    options = [residents.c.name.like(f"{text}%"), residents.c.person_id == text]
    if len(upper) == 18:
        options.append(residents.c.citizen_id == upper)
    elif len(upper) >= MIN_ID_SUFFIX and upper[:-1].isdigit() and (upper[-1].isdigit() or upper[-1] == "X"):
        # The masked ID shows its last four characters: people search by what they can see.
        options.append(residents.c.citizen_id.like(f"%{upper}"))
    return or_(*options)


def _key_group_condition(group: KeyGroup, on: date) -> Any:
    if group in FLAG_COLUMNS:
        return residents.c[FLAG_COLUMNS[group]].is_(True)
    if group is KeyGroup.ELDERLY:
        return residents.c.birth_date <= _years_before(on, 65)
    # 0–6: not yet 7 years old
    return residents.c.birth_date > _years_before(on, 7)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _filter_detail(where: ResidentSearch) -> dict[str, str]:
    values = {
        "text": where.text,
        "area": where.area,
        "key_group": where.key_group.value if where.key_group else None,
        "scheme": where.scheme.value if where.scheme else None,
    }
    return {key: value for key, value in values.items() if value}


def _not_found(kind_zh: str, kind: str, record_id: str) -> DomainError:
    return DomainError(RECORD_NOT_FOUND, kind_zh=kind_zh, kind=kind, id=record_id)
