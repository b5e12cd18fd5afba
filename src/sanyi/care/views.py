"""What scoped care services hand out: encounters with names looked up and the person masked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sanyi.care.model import FEE_CATEGORIES, Encounter, EncounterType
from sanyi.kernel.money import Money
from sanyi.registry.api import ResidentView


@dataclass(frozen=True, slots=True)
class EncounterRow:
    id: str
    encounter_no: str | None  # filled in exports; lists link by id
    institution_code: str
    institution_name: str
    person_id: str
    person_name: str  # masked
    type: EncounterType
    start: datetime
    end: datetime | None
    principal_diagnosis: str | None
    diagnosis_name: str | None
    total: Money


@dataclass(frozen=True, slots=True)
class CodedItem:
    code: str
    name: str | None  # None: the code is not in the dictionary (shown as such, never guessed)


@dataclass(frozen=True, slots=True)
class CategoryTotal:
    category: str
    total: Money

    @property
    def name(self) -> str:
        return FEE_CATEGORIES.get(self.category, self.category)


@dataclass(frozen=True, slots=True)
class EncounterDetail:
    encounter: Encounter
    institution_name: str
    department_name: str | None
    doctor_name: str | None
    person: ResidentView
    diagnoses: list[CodedItem]
    procedures: list[CodedItem]
    by_category: list[CategoryTotal]

    @property
    def total(self) -> Money:
        return self.encounter.total


@dataclass(frozen=True, slots=True)
class Volume:
    type: EncounterType
    encounters: int
    total: Money
