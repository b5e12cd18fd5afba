from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sanyi.care.api import Encounter, EncounterType, FeeLine, PayClass, claim_record, drg_record
from sanyi.kernel.money import Money
from sanyi.registry.api import (
    Enrollment,
    Institution,
    InstitutionKind,
    Ownership,
    PopulationGroup,
    Resident,
    Scheme,
    Tier,
)

PERSON = Resident(
    person_id="P0000000001",
    citizen_id="330302195805150028",
    name="李四",
    sex="2",
    birth_date=date(1958, 5, 15),
    household_area="330302001",
    residence_area="330302001",
    enrollment=Enrollment(Scheme.EMPLOYEE, PopulationGroup.RETIRED, "330302"),
)
HOSPITAL = Institution(
    code="H33030200001",
    name="温州市第一人民医院",
    area_code="330302",
    kind=InstitutionKind.GENERAL,
    tier=Tier.THIRD,
    grade=None,
    ownership=Ownership.PUBLIC,
    for_profit=False,
    beds=960,
    departments=(),
    opened_on=None,
    named_provincial=True,
)


def _line(no: int, quantity: str, price: str) -> FeeLine:
    return FeeLine(
        no,
        "001109000010000",
        "普通病房床位费",
        "01",
        PayClass.B,
        Decimal("0.1"),
        Decimal(quantity),
        Decimal(price),
        datetime(2023, 3, 1, 2, tzinfo=UTC),
    )


def _stay() -> Encounter:
    # Admitted 23:30 Shanghai on 1 March (15:30 UTC), discharged 8 March: 7 days.
    return Encounter(
        id="E1",
        institution_code=HOSPITAL.code,
        encounter_no="E1",
        person_id=PERSON.person_id,
        type=EncounterType.INPATIENT,
        start=datetime(2023, 3, 1, 15, 30, tzinfo=UTC),
        end=datetime(2023, 3, 8, 2, 0, tzinfo=UTC),
        department_code="0304",
        doctor_code="D330302000001",
        diagnoses=("I10.x00", "E11.900"),
        procedures=(),
        discharge_type="1",
        lines=(_line(1, "7", "20.00"), _line(2, "3", "0.0325")),
    )


def test_amounts_and_length_of_stay() -> None:
    stay = _stay()
    assert stay.lines[1].amount == Money.parse("0.10")  # 0.0975 half up
    assert stay.total == Money.parse("140.10")
    assert stay.length_of_stay() == 7
    assert stay.principal_diagnosis == "I10.x00"


def test_drg_record_has_the_conformance_columns() -> None:
    record = drg_record(_stay(), PERSON)
    assert record == {
        "id": "E1",
        "sex": "2",
        "age": "64",
        "age_days": str((date(2023, 3, 1) - date(1958, 5, 15)).days),
        "weight_g": "",
        "dept": "0304",
        "los_days": "7",
        "discharge_type": "1",
        "diagnoses": "I10.x00|E11.900",
        "procedures": "",
    }
    visit = Encounter(
        "E2",
        HOSPITAL.code,
        "E2",
        PERSON.person_id,
        EncounterType.OUTPATIENT,
        datetime(2023, 3, 1, tzinfo=UTC),
        None,
        None,
        None,
        ("J06.900",),
    )
    with pytest.raises(ValueError, match="inpatient"):
        drg_record(visit, PERSON)


def test_claim_record_follows_the_contract() -> None:
    claim = claim_record(_stay(), PERSON, HOSPITAL)
    assert claim["claim_id"] == "E1"
    assert claim["person"] == {
        "id": "P0000000001",
        "sex": "2",
        "birth_date": "1958-05-15",
        "scheme": "employee",
        "group": "retired",
        "home_region": "330302",
        "assistance": None,
        "insurance_type": "basic",
    }
    institution = claim["encounter"]["institution"]
    assert institution == {
        "id": "H33030200001",
        "tier": 3,
        "primary_care": False,
        "region": "330302",
        "kind": "general",
        "named_provincial": True,
    }
    assert claim["encounter"]["start"] == "2023-03-01T23:30:00+08:00"
    line = claim["lines"][1]
    assert (line["class"], line["selfpay_prop"], line["quantity"], line["unit_price"]) == (
        "B",
        "0.1",
        "3",
        "0.0325",
    )
    assert all(isinstance(value, str) for value in (line["quantity"], line["unit_price"]))
