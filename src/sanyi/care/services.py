"""Scoped use cases of care records: search, open and export encounters as a viewer may.

Institution roles see only encounters at their own institution; regional roles see all. Opening an
encounter or exporting a list (both name a person) writes an audit entry in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any, Final

from sqlalchemy import BigInteger, Connection, and_, func, select, type_coerce

from sanyi.care.model import EncounterType
from sanyi.care.queries import EncounterFilter, get_encounter, search_encounters
from sanyi.care.tables import encounters, fee_lines
from sanyi.care.views import CategoryTotal, CodedItem, EncounterDetail, EncounterRow, Volume
from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.columns import MoneyType
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock, today
from sanyi.kernel.errors import DomainError
from sanyi.kernel.masking import mask_name
from sanyi.kernel.money import Money
from sanyi.knowledge import codes
from sanyi.registry.api import (
    RECORD_NOT_FOUND,
    Page,
    ResidentView,
    Viewer,
    get_resident,
    institutions,
    practitioners,
    residents,
)

EXPORT_BATCH: Final = 2000


class CareService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, audit: AuditLog) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit

    def encounters(
        self, viewer: Viewer, where: EncounterFilter, offset: int = 0, limit: int = 50
    ) -> Page[EncounterRow]:
        scoped = _scoped(viewer, where)
        if scoped is None:
            return Page([], 0, offset, limit)
        with self._uow() as uow:
            connection = uow.connection
            page = search_encounters(connection, scoped, offset, limit)
            names = _institution_names(connection, {item.institution_code for item in page.items})
            people = _masked_names(connection, {item.person_id for item in page.items})
        diagnoses = codes.diagnoses()
        rows = [
            EncounterRow(
                id=item.id,
                encounter_no=None,
                institution_code=item.institution_code,
                institution_name=names.get(item.institution_code, item.institution_code),
                person_id=item.person_id,
                person_name=people.get(item.person_id, ""),
                type=item.type,
                start=item.start,
                end=item.end,
                principal_diagnosis=item.principal_diagnosis,
                diagnosis_name=diagnoses.name(item.principal_diagnosis) if item.principal_diagnosis else None,
                total=item.total,
            )
            for item in page.items
        ]
        return Page(rows, page.total, page.offset, page.limit)

    def encounter(self, viewer: Viewer, encounter_id: str) -> EncounterDetail:
        """One encounter with its lines; opening it is written to the audit log (it names a person)."""
        with self._uow(write=True) as uow:
            connection = uow.connection
            found = get_encounter(connection, encounter_id)
            if found is None or not viewer.sees_institution(found.institution_code):
                raise DomainError(RECORD_NOT_FOUND, kind_zh="就诊记录", kind="encounter", id=encounter_id)
            person = get_resident(connection, found.person_id)
            if person is None:  # a foreign key makes this impossible; fail loudly rather than show half
                raise DomainError(RECORD_NOT_FOUND, kind_zh="居民", kind="resident", id=found.person_id)
            institution_name = _institution_names(connection, {found.institution_code})
            doctor = None
            if found.doctor_code:
                doctor = connection.execute(
                    select(practitioners.c.name).where(practitioners.c.code == found.doctor_code)
                ).scalar_one_or_none()
            self._audit.record(
                connection,
                viewer.actor,
                "encounter.view",
                "encounter",
                encounter_id,
                {"person_id": found.person_id},
            )
            uow.commit()
        diagnoses, procedures = codes.diagnoses(), codes.procedures()
        sums: dict[str, int] = {}
        for line in found.lines:
            sums[line.category] = sums.get(line.category, 0) + line.amount.fen
        return EncounterDetail(
            encounter=found,
            institution_name=institution_name.get(found.institution_code, found.institution_code),
            department_name=codes.departments().get(found.department_code or "", found.department_code),
            doctor_name=doctor,
            person=ResidentView.of(person, today(self._clock)),
            diagnoses=[CodedItem(code, diagnoses.name(code)) for code in found.diagnoses],
            procedures=[CodedItem(code, procedures.name(code)) for code in found.procedures],
            by_category=[CategoryTotal(category, Money(fen)) for category, fen in sorted(sums.items())],
        )

    def volumes(self, viewer: Viewer, institution: str) -> list[Volume]:
        """Encounters and their fees by type at one institution."""
        if not viewer.sees_institution(institution):
            raise DomainError(RECORD_NOT_FOUND, kind_zh="机构", kind="institution", id=institution)
        with self._uow() as uow:
            counts = uow.connection.execute(
                select(encounters.c.type, func.count())
                .where(encounters.c.institution_code == institution)
                .group_by(encounters.c.type)
            ).all()
            amounts = uow.connection.execute(
                select(encounters.c.type, func.sum(type_coerce(fee_lines.c.amount, BigInteger)))
                .join(fee_lines, fee_lines.c.encounter_id == encounters.c.id)
                .where(encounters.c.institution_code == institution)
                .group_by(encounters.c.type)
            ).all()
        fen = {kind: int(total or 0) for kind, total in amounts}
        found = {EncounterType(kind): int(n) for kind, n in counts}
        return [
            Volume(kind, n, Money(fen.get(kind.value, 0)))
            for kind, n in sorted(found.items(), key=lambda pair: list(EncounterType).index(pair[0]))
        ]

    def export_encounters(self, viewer: Viewer, where: EncounterFilter) -> Iterator[EncounterRow]:
        """Every encounter the filter finds (persons masked); audited before any row leaves."""
        scoped = _scoped(viewer, where)
        with self._uow(write=True) as uow:
            total = 0 if scoped is None else search_encounters(uow.connection, scoped, 0, 1).total
            self._audit.record(
                uow.connection,
                viewer.actor,
                "encounter.export",
                "encounter",
                None,
                {"rows": total, "filter": _filter_detail(where)},
            )
            uow.commit()
        return self._iter_encounters(scoped) if scoped is not None else iter(())

    def _iter_encounters(self, where: EncounterFilter) -> Iterator[EncounterRow]:
        diagnoses = codes.diagnoses()
        total_amount = (
            select(
                type_coerce(
                    func.coalesce(func.sum(type_coerce(fee_lines.c.amount, BigInteger)), 0), MoneyType()
                )
            )
            .where(fee_lines.c.encounter_id == encounters.c.id)
            .scalar_subquery()
        )
        last = ""
        while True:
            with self._uow() as uow:
                connection = uow.connection
                query = (
                    select(encounters, total_amount.label("total"))
                    .where(and_(encounters.c.id > last, *_conditions(where)))
                    .order_by(encounters.c.id)
                    .limit(EXPORT_BATCH)
                )
                rows = connection.execute(query).all()
                names = _institution_names(connection, {row.institution_code for row in rows})
                people = _masked_names(connection, {row.person_id for row in rows})
            if not rows:
                return
            for row in rows:
                principal = row.diagnoses.split("|")[0] if row.diagnoses else None
                yield EncounterRow(
                    id=row.id,
                    encounter_no=row.encounter_no,
                    institution_code=row.institution_code,
                    institution_name=names.get(row.institution_code, row.institution_code),
                    person_id=row.person_id,
                    person_name=people.get(row.person_id, ""),
                    type=EncounterType(row.type),
                    start=row.start_at,
                    end=row.end_at,
                    principal_diagnosis=principal,
                    diagnosis_name=diagnoses.name(principal) if principal else None,
                    total=row.total,
                )
            last = rows[-1].id


def _scoped(viewer: Viewer, where: EncounterFilter) -> EncounterFilter | None:
    """The filter narrowed to the viewer's institution; None when it can match nothing."""
    if viewer.scope is None:
        return where
    if where.institution and where.institution != viewer.scope:
        return None
    return replace(where, institution=viewer.scope)


def _conditions(where: EncounterFilter) -> list[Any]:
    conditions: list[Any] = []
    if where.institution:
        conditions.append(encounters.c.institution_code == where.institution)
    if where.person_id:
        conditions.append(encounters.c.person_id == where.person_id)
    if where.type is not None:
        conditions.append(encounters.c.type == where.type.value)
    if where.start_from is not None:
        conditions.append(encounters.c.start_at >= where.start_from)
    if where.start_to is not None:
        conditions.append(encounters.c.start_at < where.start_to)
    return conditions


def _institution_names(connection: Connection, wanted: set[str]) -> dict[str, str]:
    if not wanted:
        return {}
    rows = connection.execute(
        select(institutions.c.code, institutions.c.name).where(institutions.c.code.in_(wanted))
    )
    return {row.code: row.name for row in rows}


def _masked_names(connection: Connection, wanted: set[str]) -> dict[str, str]:
    if not wanted:
        return {}
    rows = connection.execute(
        select(residents.c.person_id, residents.c.name).where(residents.c.person_id.in_(wanted))
    )
    return {row.person_id: mask_name(row.name) for row in rows}


def _filter_detail(where: EncounterFilter) -> dict[str, str]:
    values = {
        "institution": where.institution,
        "person_id": where.person_id,
        "type": where.type.value if where.type else None,
        "start_from": where.start_from.isoformat() if where.start_from else None,
        "start_to": where.start_to.isoformat() if where.start_to else None,
    }
    return {key: value for key, value in values.items() if value}
