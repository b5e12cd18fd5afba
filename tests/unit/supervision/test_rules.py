"""One violating and one compliant case per rule, with codes drawn from the knowledge tables; every
case runs through both faces (per-claim and set-based), which must agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from sanyi.knowledge import supervision as kb
from sanyi.supervision.api import ClaimFacts, load_rules
from tests.unit.supervision.conftest import BASE, both_faces, claim, line

DAY = timedelta(days=1)


def first(table: str, value: str | None = None) -> str:
    for row in kb.rows(table):
        if value is None or value in row:
            return row[0]
    raise LookupError(table)


DRUG_MALE = first("drug_sex_limit", "男")
ITEM_MALE = first("item_sex_limit", "男")
DRUG_CHILD = first("drug_age_limit", "儿童")
ITEM_CHILD = first("item_age_limit", "儿童")
WORKING = first("item_working_age_limit")
INJURY = first("drug_insurance_type_limit", "工伤")
INPATIENT_ONLY = first("drug_visit_type_limit", "住院")
LEVEL_2 = first("drug_institution_level_limit", "二级")
COURSE_14 = next(x.code for x in kb.code_limits("drug_course_limit") if x.value == "14")
HAND = first("item_course_limit")  # 总时间不超过90天
MAIN, INCLUDED = next((p.main_code, p.included_code) for p in kb.included_items() if p.window == "单日")
HOUR_MAIN, HOUR_INCLUDED = next(
    (p.main_code, p.included_code) for p in kb.included_items() if p.window == "同一小时"
)
DAILY = next(x.code for x in kb.frequency_limits() if x.max_quantity == 1 and x.per == "日")
HBA1C = next(x.code for x in kb.cycle_limits() if x.max_times == 1 and x.cycle_days == 15)
SURGERY_A, SURGERY_B = [r[0] for r in kb.rows("item_primary_secondary") if r[2] == "胃肠手术组"][:2]
LAB = "002503020010300"

Case = Callable[[bool], list[ClaimFacts]]

CASES: dict[str, tuple[Case, set[tuple[str, int | None]]]] = {
    "DRUG_SEX_LIMIT": (lambda bad: [claim("C1", [line(1, DRUG_MALE)], sex="2" if bad else "1")], {("C1", 1)}),
    "ITEM_SEX_LIMIT": (lambda bad: [claim("C1", [line(1, ITEM_MALE)], sex="2" if bad else "1")], {("C1", 1)}),
    "DRUG_AGE_LIMIT": (
        lambda bad: [claim("C1", [line(1, DRUG_CHILD)], birth=date(1990, 1, 1) if bad else date(2015, 1, 1))],
        {("C1", 1)},
    ),
    "ITEM_AGE_LIMIT": (
        # 18 years old on the day is no longer a child; the day before the birthday still is.
        lambda bad: [claim("C1", [line(1, ITEM_CHILD)], birth=date(2005, 3, 1) if bad else date(2005, 3, 2))],
        {("C1", 1)},
    ),
    "ITEM_WORKING_AGE_LIMIT": (
        lambda bad: [
            claim("C1", [line(1, WORKING)], sex="2", birth=date(1960, 1, 1) if bad else date(1970, 1, 1))
        ],
        {("C1", 1)},
    ),
    "DRUG_INSURANCE_TYPE": (
        lambda bad: [claim("C1", [line(1, INJURY)], insurance="basic" if bad else "work_injury")],
        {("C1", 1)},
    ),
    "DRUG_VISIT_TYPE": (
        lambda bad: [
            claim("C1", [line(1, INPATIENT_ONLY)], kind="outpatient" if bad else "inpatient", stay_days=3)
        ],
        {("C1", 1)},
    ),
    "DRUG_INSTITUTION_LEVEL": (
        lambda bad: [claim("C1", [line(1, LEVEL_2)], level=1 if bad else 2)],
        {("C1", 1)},
    ),
    "DRUG_COURSE_LIMIT": (
        # Ten days billed day by day, then a supply of five (bad: 15 > 14) or four (good: 14).
        lambda bad: [
            claim(
                "C1",
                [line(n + 1, COURSE_14, at=BASE + n * DAY) for n in range(10)]
                + [line(11, COURSE_14, at=BASE + 10 * DAY, days=5 if bad else 4)],
                kind="inpatient",
                stay_days=12,
            )
        ],
        {("C1", 11)},
    ),
    "ITEM_COURSE_LIMIT": (
        lambda bad: [
            claim("C1", [line(1, HAND)]),
            claim("C2", [line(1, HAND, at=BASE + 60 * DAY)], start=BASE + 60 * DAY),
            claim(
                "C3",
                [line(1, HAND, at=BASE + (90 if bad else 89) * DAY)],
                start=BASE + (90 if bad else 89) * DAY,
            ),
        ],
        {("C3", 1)},
    ),
    "DUPLICATE_CHARGE": (
        lambda bad: [
            claim(
                "C1",
                [line(1, MAIN), line(2, INCLUDED, at=BASE + (0 if bad else 1) * DAY)],
                kind="inpatient",
                stay_days=3,
            )
        ],
        {("C1", 2)},
    ),
    "ITEM_FREQUENCY_LIMIT": (
        lambda bad: [
            claim(
                "C1",
                [line(1, DAILY), line(2, DAILY, at=BASE + (timedelta(hours=3) if bad else DAY))],
                kind="inpatient",
                stay_days=3,
            )
        ],
        {("C1", 2)},
    ),
    "ITEM_CYCLE_LIMIT": (
        lambda bad: [
            claim("C1", [line(1, HBA1C)]),
            claim(
                "C2",
                [line(1, HBA1C, at=BASE + (14 if bad else 15) * DAY)],
                start=BASE + (14 if bad else 15) * DAY,
                institution="H2",
            ),
        ],
        {("C2", 1)},
    ),
    "PRIMARY_SECONDARY_SURGERY": (
        lambda bad: [
            claim(
                "C1",
                [
                    line(1, SURGERY_A, price="3000.00"),
                    line(2, SURGERY_B, price="2000.00", quantity="1" if bad else "0.5"),
                ],
                kind="inpatient",
                stay_days=7,
            )
        ],
        {("C1", 2)},
    ),
    "SPLIT_ADMISSION": (
        lambda bad: [
            claim("C1", kind="inpatient", stay_days=5, diagnoses=("I63.900",)),
            claim(
                "C2",
                kind="inpatient",
                start=BASE + (5 + (15 if bad else 16)) * DAY,
                stay_days=4,
                diagnoses=("I63.800",),
            ),
        ],
        {("C2", None)},
    ),
    "OVERLAPPING_STAY": (
        lambda bad: [
            claim("C1", kind="inpatient", stay_days=5),
            claim("C2", start=BASE + (2 if bad else 5) * DAY, institution="H2"),
        ],
        {("C2", None)},
    ),
    "EXCESS_SUPPLY": (
        lambda bad: [claim("C1", [line(1, DRUG_MALE, days=8 if bad else 7)])],
        {("C1", 1)},
    ),
    "OVER_PRICE": (
        lambda bad: [claim("C1", [line(1, DRUG_MALE, price="12.01" if bad else "12.00", ceiling="12.00")])],
        {("C1", 1)},
    ),
    "REPEAT_TEST": (
        lambda bad: [
            claim("C1", [line(1, LAB)], institution="H1"),
            claim(
                "C2",
                [line(1, LAB, at=BASE + 3 * DAY)],
                start=BASE + 3 * DAY,
                institution="H2" if bad else "H1",
            ),
        ],
        {("C2", 1)},
    ),
}


def test_every_rule_has_a_case() -> None:
    assert {rule.id for rule in load_rules()} == set(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_violating_case_is_found(rule_id: str) -> None:
    make, expected = CASES[rule_id]
    found = both_faces(make(True), [rule_id])
    assert {(f.claim_id, f.line_no) for f in found} == expected
    assert all(f.message_zh and f.message_en and f.evidence["code"] for f in found)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_compliant_case_is_clean(rule_id: str) -> None:
    make, _ = CASES[rule_id]
    assert both_faces(make(False), [rule_id]) == []


def test_same_hour_window_of_a_duplicate() -> None:
    def rows(minutes: int) -> list[ClaimFacts]:
        return [
            claim("C1", [line(1, HOUR_MAIN), line(2, HOUR_INCLUDED, at=BASE + timedelta(minutes=minutes))])
        ]

    assert [f.line_no for f in both_faces(rows(59), ["DUPLICATE_CHARGE"])] == [2]
    assert both_faces(rows(60), ["DUPLICATE_CHARGE"]) == []


def test_evidence_and_messages() -> None:
    (found,) = both_faces(CASES["OVER_PRICE"][0](True), ["OVER_PRICE"])
    assert found.evidence == {"code": DRUG_MALE, "observed": "12.01", "limit": "12"}
    assert found.result == "violation"
    assert "12.01" in found.message_zh and "12.01" in found.message_en
    assert found.record()["line_no"] == 1


def test_planned_cycles_are_not_split_admissions() -> None:
    claims = [
        claim("C1", kind="inpatient", stay_days=2, diagnoses=("Z51.100",)),
        claim("C2", kind="inpatient", start=BASE + 10 * DAY, stay_days=2, diagnoses=("Z51.100",)),
    ]
    assert both_faces(claims, ["SPLIT_ADMISSION"]) == []
