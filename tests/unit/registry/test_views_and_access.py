"""A resident leaves the registry masked unless revealed; a viewer's scope follows its role flags."""

from datetime import date

from sanyi.registry.api import (
    NO_INSTITUTION,
    Enrollment,
    KeyGroup,
    PopulationGroup,
    Resident,
    ResidentView,
    Scheme,
    Viewer,
)

PERSON = Resident(
    person_id="P1",
    citizen_id="33030219580101123X",
    name="张三丰",
    sex="1",
    birth_date=date(1958, 1, 1),
    household_area="330302001",
    residence_area="330302002",
    flags=frozenset({KeyGroup.DIABETES}),
    enrollment=Enrollment(Scheme.EMPLOYEE, PopulationGroup.RETIRED, "330302"),
    phone="13812345678",
)


def test_a_resident_view_is_masked_by_default() -> None:
    view = ResidentView.of(PERSON, date(2024, 3, 1))
    assert (view.citizen_id, view.name, view.phone) == ("330302********123X", "张**", "138****5678")
    assert view.age == 66 and view.birth_year == 1958 and not view.revealed
    assert view.key_groups == (KeyGroup.DIABETES, KeyGroup.ELDERLY)


def test_a_revealed_view_shows_the_record() -> None:
    view = ResidentView.of(PERSON, date(2024, 3, 1), reveal=True)
    assert (view.citizen_id, view.name, view.phone, view.revealed) == (
        PERSON.citizen_id,
        "张三丰",
        "13812345678",
        True,
    )


def test_scope_of_regional_and_institution_viewers() -> None:
    regional = Viewer("a", "health_commission", None, regional=True)
    staff = Viewer("b", "institution_staff", "H33030200001", regional=False)
    orphan = Viewer("c", "family_doctor", None, regional=False)
    assert regional.scope is None and regional.sees_institution("H1")
    assert staff.scope == "H33030200001" and not staff.sees_institution("H1")
    assert orphan.scope == NO_INSTITUTION and not orphan.sees_institution(NO_INSTITUTION)
    assert staff.actor.name == "b" and staff.actor.role == "institution_staff"
