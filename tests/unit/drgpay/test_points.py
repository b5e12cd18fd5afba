"""Every case type, readmission, 特病单议 and the bad-input rules."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from sanyi.drgpay.api import Review, build_base_points, coefficients, price_stays
from sanyi.drgpay.model import HIGH_COST, LOW_COST, NORMAL, REVIEW, BasePointTable
from tests.unit.drgpay.helpers import Y, rules, stay, worked_history

LEVELS: dict[str, str | None] = {"A": "tertiary", "B": "secondary"}


@pytest.fixture(scope="module")
def table() -> BasePointTable:
    return build_base_points(worked_history(), [2023], rules())[0]


def _price(table: BasePointTable, *stays, levels=LEVELS, reviews=None):  # type: ignore[no-untyped-def]
    coefs = coefficients(worked_history(), [2023], table, LEVELS, rules())
    return price_stays(list(stays), table, coefs, levels, rules(), reviews)


def test_low_cost_is_pro_rated(table: BasePointTable) -> None:
    (case,), _ = _price(table, stay("low", cost_yuan=8_000))
    assert case.kind == LOW_COST
    assert case.points == Decimal("84")  # 250 × 1.05 × 0.32


def test_threshold_depends_on_the_level(table: BasePointTable) -> None:
    # 2.5 × the mean: high at a secondary hospital (threshold 2), normal at a tertiary one (3).
    (tertiary, secondary), _ = _price(
        table, stay("t", cost_yuan=62_500), stay("s", cost_yuan=62_500, hospital="B")
    )
    assert (tertiary.kind, tertiary.points) == (NORMAL, Decimal("262.5"))
    coef_b = Decimal("0.9667")  # 72,500 ÷ 3 ÷ 25,000
    assert secondary.kind == HIGH_COST
    assert secondary.points == Decimal(250) * coef_b + Decimal("0.5") * 250


def test_new_group_gets_coefficient_one(table: BasePointTable) -> None:
    (case,), _ = _price(table, stay("y", Y, 3_500))
    assert case.coefficient == 1
    assert case.points == Decimal(35)
    assert "新开病组，系数 1" in case.reason_zh


def test_readmission_halves_the_earlier_stay(table: BasePointTable) -> None:
    first = stay("first", admitted=date(2023, 3, 1))
    second = stay("second", admitted=first.discharged + timedelta(days=15))
    late = stay("late", admitted=second.discharged + timedelta(days=16))
    cases, _ = _price(table, first, second, late)
    assert [c.points for c in cases] == [Decimal("131.25"), Decimal("262.5"), Decimal("262.5")]
    assert cases[0].readmission_of == "second"
    assert "15 天内同病组再入院" in cases[0].reason_zh


def test_chemotherapy_readmission_is_exempt(table: BasePointTable) -> None:
    first = stay("first", diagnosis="Z51.1")
    second = stay("second", admitted=first.discharged + timedelta(days=3), diagnosis="Z51.1")
    cases, _ = _price(table, first, second)
    assert cases[0].points == Decimal("262.5")
    assert "豁免" in cases[0].reason_zh


def test_other_person_or_group_is_no_readmission(table: BasePointTable) -> None:
    first = stay("first")
    cases, _ = _price(
        table,
        first,
        stay("other", person="p2", admitted=first.discharged),
        stay("y", Y, 3_500, admitted=first.discharged),
    )
    assert cases[0].points == Decimal("262.5")


def test_ungrouped_and_unpriced_stays_go_to_review_and_are_reported(table: BasePointTable) -> None:
    cases, issues = _price(table, stay("bad", ""), stay("unknown", "BB11"))
    assert [c.kind for c in cases] == [REVIEW, REVIEW]
    assert all(c.pending_review and c.points == 0 for c in cases)
    assert [i.code for i in issues] == ["DRGPAY_UNGROUPED", "DRGPAY_NO_BASE_POINTS"]
    assert [i.row for i in issues] == [0, 1]


def test_review_sets_the_points_with_its_reason(table: BasePointTable) -> None:
    reviews = {"bad": Review("bad", Decimal("500"), "新技术 ECMO")}
    (case,), _ = _price(table, stay("bad", ""), reviews=reviews)
    assert (case.kind, case.points, case.pending_review) == (REVIEW, Decimal(500), False)
    assert "新技术 ECMO" in case.reason_zh


def test_hospital_without_level_is_paid_as_unrated_and_reported(table: BasePointTable) -> None:
    (case,), issues = _price(table, stay("c", cost_yuan=62_500, hospital="C"), levels={})
    assert case.kind == HIGH_COST  # unrated threshold 2
    assert [i.code for i in issues] == ["DRGPAY_HOSPITAL_WITHOUT_LEVEL"]
