"""Reading care records: an encounter with its lines, lists by institution or person, scoped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import BigInteger, Connection, Row, and_, func, select, type_coerce

from sanyi.care.model import Encounter, EncounterType, FeeLine, OffsiteCategory, PayClass
from sanyi.care.tables import encounters, fee_lines
from sanyi.infrastructure.columns import MoneyType
from sanyi.kernel.money import Money
from sanyi.registry.api import Page


@dataclass(frozen=True)
class EncounterSummary:
    id: str
    institution_code: str
    person_id: str
    type: EncounterType
    start: datetime
    end: datetime | None
    principal_diagnosis: str | None
    total: Money


@dataclass(frozen=True)
class EncounterFilter:
    institution: str | None = None
    person_id: str | None = None
    type: EncounterType | None = None
    start_from: datetime | None = None
    start_to: datetime | None = None


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(code for code in (text or "").split("|") if code)


# Looking a member up by value through the enum's call costs more than building the rest of a line.
_PAY_CLASSES: Final = {member.value: member for member in PayClass}
_ENCOUNTER_TYPES: Final = {member.value: member for member in EncounterType}


def to_line(row: Row[Any]) -> FeeLine:
    return FeeLine(
        no=int(row.line_no),
        code=row.code,
        name=row.name,
        category=row.category,
        pay_class=_PAY_CLASSES.get(row.pay_class) or PayClass(row.pay_class),
        selfpay_prop=row.selfpay_prop,
        quantity=row.quantity,
        unit_price=row.unit_price,
        time=row.time,
        days_supply=row.days_supply,
        doctor_code=row.doctor_code,
        price_ceiling=row.price_ceiling,
    )


def to_encounter(row: Row[Any], lines: tuple[FeeLine, ...] = ()) -> Encounter:
    return Encounter(
        id=row.id,
        institution_code=row.institution_code,
        encounter_no=row.encounter_no,
        person_id=row.person_id,
        type=_ENCOUNTER_TYPES.get(row.type) or EncounterType(row.type),
        start=row.start_at,
        end=row.end_at,
        department_code=row.department_code,
        doctor_code=row.doctor_code,
        diagnoses=_split(row.diagnoses),
        procedures=_split(row.procedures),
        discharge_type=row.discharge_type,
        emergency=bool(row.emergency),
        offsite=OffsiteCategory(row.offsite) if row.offsite else None,
        referral_id=row.referral_id,
        lines=lines,
    )


def get_encounter(connection: Connection, encounter_id: str) -> Encounter | None:
    row = connection.execute(select(encounters).where(encounters.c.id == encounter_id)).first()
    if row is None:
        return None
    lines = connection.execute(
        select(fee_lines).where(fee_lines.c.encounter_id == encounter_id).order_by(fee_lines.c.line_no)
    ).all()
    return to_encounter(row, tuple(to_line(line) for line in lines))


def search_encounters(
    connection: Connection, where: EncounterFilter, offset: int = 0, limit: int = 50
) -> Page[EncounterSummary]:
    # Sum the raw fen, then read the result back as Money.
    total_amount = (
        select(
            type_coerce(func.coalesce(func.sum(type_coerce(fee_lines.c.amount, BigInteger)), 0), MoneyType())
        )
        .where(fee_lines.c.encounter_id == encounters.c.id)
        .scalar_subquery()
    )
    query = select(encounters, total_amount.label("total")).order_by(
        encounters.c.start_at.desc(), encounters.c.id
    )
    conditions = []
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
    if conditions:
        query = query.where(and_(*conditions))
    count_query = select(func.count()).select_from(encounters)
    if conditions:
        count_query = count_query.where(and_(*conditions))
    total = int(connection.execute(count_query).scalar_one())
    rows = connection.execute(query.offset(max(offset, 0)).limit(max(1, min(limit, 500)))).all()
    items = [
        EncounterSummary(
            row.id,
            row.institution_code,
            row.person_id,
            EncounterType(row.type),
            row.start_at,
            row.end_at,
            _split(row.diagnoses)[0] if row.diagnoses else None,
            row.total,
        )
        for row in rows
    ]
    return Page(items, total, offset, limit)


def persons_seen_at(connection: Connection, institution: str) -> Any:
    """A subquery of the persons with an encounter at the institution (the scope of its staff)."""
    return select(encounters.c.person_id).where(encounters.c.institution_code == institution).distinct()


def iter_stays(connection: Connection, batch: int = 5000) -> Iterator[Encounter]:
    """Every inpatient stay with its lines, in id order (for DRG export)."""
    last = ""
    while True:
        rows = connection.execute(
            select(encounters)
            .where(encounters.c.type == EncounterType.INPATIENT.value, encounters.c.id > last)
            .order_by(encounters.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield to_encounter(row)
        last = rows[-1].id
