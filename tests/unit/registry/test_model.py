from datetime import date

from sanyi.registry.api import (
    BedChange,
    BedSpan,
    Enrollment,
    Institution,
    InstitutionKind,
    KeyGroup,
    Ownership,
    PopulationGroup,
    Resident,
    Scheme,
    Tier,
    bed_spans,
)


def _resident(birth: date, flags: frozenset[KeyGroup] = frozenset()) -> Resident:
    return Resident(
        person_id="P1",
        citizen_id="11010519491231002X",
        name="张三",
        sex="2",
        birth_date=birth,
        household_area="330302001",
        residence_area="330302001",
        flags=flags,
        enrollment=Enrollment(Scheme.RESIDENT, PopulationGroup.ADULT, "330302"),
    )


def test_age_and_key_groups_follow_the_date() -> None:
    person = _resident(date(1958, 6, 15), frozenset({KeyGroup.HYPERTENSION}))
    assert person.age_on(date(2023, 6, 14)) == 64
    assert KeyGroup.ELDERLY not in person.key_groups_on(date(2023, 6, 14))
    assert person.key_groups_on(date(2023, 6, 15)) == {KeyGroup.HYPERTENSION, KeyGroup.ELDERLY}
    child = _resident(date(2017, 1, 1))
    assert KeyGroup.YOUNG_CHILD in child.key_groups_on(date(2023, 12, 31))
    assert KeyGroup.YOUNG_CHILD not in child.key_groups_on(date(2024, 1, 1))


def test_institution_classes() -> None:
    centre = Institution(
        code="H33030200001",
        name="卫生院",
        area_code="330302001",
        kind=InstitutionKind.TOWNSHIP_CENTRE,
        tier=Tier.FIRST,
        grade=None,
        ownership=Ownership.PUBLIC,
        for_profit=False,
        beds=20,
        departments=(),
        opened_on=None,
    )
    assert centre.primary_care and centre.region_code == "330302"
    assert not InstitutionKind.GENERAL.primary_care
    assert Tier.THIRD.label_zh == "三级"


def test_bed_spans_give_each_count_its_days_and_end_at_the_registered_count() -> None:
    assert bed_spans(40, []) == [BedSpan(None, None, 40)]
    changes = [BedChange(date(2025, 1, 1), 50, 60), BedChange(date(2024, 7, 1), 40, 50)]  # any order
    assert bed_spans(60, changes) == [
        BedSpan(None, date(2024, 7, 1), 40),
        BedSpan(date(2024, 7, 1), date(2025, 1, 1), 50),
        BedSpan(date(2025, 1, 1), None, 60),
    ]
