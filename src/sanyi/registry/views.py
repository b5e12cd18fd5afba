"""What scoped registry services hand out: records made safe to show (no framework, no storage).

A resident leaves the registry only as a :class:`ResidentView`: citizen ID, name and phone are
masked unless the viewer asked to reveal them and may do so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sanyi.kernel.masking import mask_citizen_id, mask_name, mask_phone
from sanyi.registry.model import (
    BedChange,
    Enrollment,
    Institution,
    KeyGroup,
    LicenceType,
    MedicalGroup,
    Resident,
    Tier,
)


@dataclass(frozen=True, slots=True)
class ResidentView:
    person_id: str
    citizen_id: str  # masked unless revealed
    name: str  # masked unless revealed
    sex: str
    age: int
    birth_year: int
    household_area: str
    residence_area: str
    key_groups: tuple[KeyGroup, ...]
    enrollment: Enrollment | None
    death_date: date | None
    phone: str | None  # masked unless revealed
    revealed: bool = False

    @classmethod
    def of(cls, resident: Resident, on: date, *, reveal: bool = False) -> ResidentView:
        phone = resident.phone
        return cls(
            person_id=resident.person_id,
            citizen_id=resident.citizen_id if reveal else mask_citizen_id(resident.citizen_id),
            name=resident.name if reveal else mask_name(resident.name),
            sex=resident.sex,
            age=resident.age_on(on),
            birth_year=resident.birth_date.year,
            household_area=resident.household_area,
            residence_area=resident.residence_area,
            key_groups=tuple(sorted(resident.key_groups_on(on), key=lambda group: group.value)),
            enrollment=resident.enrollment,
            death_date=resident.death_date,
            phone=(phone if reveal else mask_phone(phone)) if phone else None,
            revealed=reveal,
        )


@dataclass(frozen=True, slots=True)
class Overview:
    totals: dict[str, int]  # institutions, medical_groups, practitioners, residents (in scope)
    by_tier: list[tuple[Tier, int]]
    by_kind: list[tuple[str, int]]  # institution kind value → count, largest first


@dataclass(frozen=True, slots=True)
class InstitutionDetail:
    institution: Institution
    area_name: str
    departments: list[tuple[str, str]]  # code, name
    groups: list[MedicalGroup]
    staff_by_licence: list[tuple[LicenceType, int]]
    staff_total: int
    bed_changes: list[BedChange]  # oldest first
