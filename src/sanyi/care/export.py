"""Encounters in the interchange forms other parts read: the DRG input record and the claim record.

Both are pure functions of the encounter, the person and the institution, so a stored encounter and an
imported one export identically.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sanyi.care.model import Encounter, EncounterType
from sanyi.kernel.clock import SHANGHAI, local_date
from sanyi.registry.api import Institution, Resident

# Institution kinds as the claim record names them (claim.md: institution.kind).
CLAIM_KIND = {
    "general": "general",
    "tcm": "tcm",
    "psychiatric": "psychiatric",
    "tuberculosis": "tuberculosis",
    "maternal_child": "maternal_child",
    "specialist": "specialist",
}
DRG_COLUMNS = (
    "id",
    "sex",
    "age",
    "age_days",
    "weight_g",
    "dept",
    "los_days",
    "discharge_type",
    "diagnoses",
    "procedures",
)


def _age(birth: date, on: date) -> tuple[int, int]:
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return years, (on - birth).days


def drg_record(encounter: Encounter, person: Resident) -> dict[str, str]:
    """The row of a stay in the columns of the DRG conformance cases (lists joined by ``|``)."""
    if encounter.type is not EncounterType.INPATIENT:
        raise ValueError("only an inpatient stay has a DRG record")
    admitted = local_date(encounter.start)
    years, days = _age(person.birth_date, admitted)
    return {
        "id": encounter.id,
        "sex": person.sex,
        "age": str(years),
        "age_days": str(days),
        # Birth weight is recorded only for newborns, which the registry does not carry yet.
        "weight_g": "",
        "dept": encounter.department_code or "",
        "los_days": str(encounter.length_of_stay() or ""),
        "discharge_type": encounter.discharge_type or "",
        "diagnoses": "|".join(encounter.diagnoses),
        "procedures": "|".join(encounter.procedures),
    }


def claim_record(encounter: Encounter, person: Resident, institution: Institution) -> dict[str, Any]:
    """The claim of an encounter in the JSON Lines interchange format (contracts/claim.md)."""
    enrollment = person.enrollment
    return {
        "claim_id": encounter.id,
        "person": {
            "id": person.person_id,
            "sex": person.sex,
            "birth_date": person.birth_date.isoformat(),
            "scheme": enrollment.scheme.value if enrollment else None,
            "group": enrollment.group.value if enrollment else None,
            "home_region": enrollment.home_region if enrollment else None,
            "assistance": enrollment.assistance.value if enrollment and enrollment.assistance else None,
            "insurance_type": "basic",
        },
        "encounter": {
            "type": encounter.type.value,
            "institution": {
                "id": institution.code,
                "tier": int(institution.tier),
                "primary_care": institution.primary_care,
                "region": institution.region_code,
                "kind": CLAIM_KIND.get(institution.kind.value, institution.kind.value),
                "named_provincial": institution.named_provincial,
            },
            "start": encounter.start.astimezone(SHANGHAI).isoformat(),
            "end": encounter.end.astimezone(SHANGHAI).isoformat() if encounter.end else None,
            "diagnoses": list(encounter.diagnoses),
            "procedures": list(encounter.procedures),
            "doctor_id": encounter.doctor_code,
            "referral": None,
            "emergency": encounter.emergency,
            "offsite": encounter.offsite.value if encounter.offsite else None,
            "discharge_type": encounter.discharge_type,
        },
        "lines": [
            {
                "no": line.no,
                "code": line.code,
                "name": line.name,
                "category": line.category,
                "class": line.pay_class.value,
                "selfpay_prop": str(line.selfpay_prop),
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "price_ceiling": None if line.price_ceiling is None else str(line.price_ceiling),
                "time": line.time.astimezone(SHANGHAI).isoformat(),
                "days_supply": line.days_supply,
                "doctor_id": line.doctor_code,
            }
            for line in encounter.lines
        ],
    }
