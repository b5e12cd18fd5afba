"""The workflow file: stages and deadlines, and scoring per 医保发〔2024〕23号."""

from __future__ import annotations

from datetime import date

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.supervision.workflow import CLOSED, load_workflow, outcome_points, parse_workflow, standing


def test_stages_in_order_with_deadlines() -> None:
    flow = load_workflow()
    assert [s.name for s in flow.stages] == ["初审", "复审", "申诉", "调查核实", "处理"]
    assert flow.next_stage("申诉") == "调查核实" and flow.next_stage("处理") == CLOSED
    assert flow.due("调查核实", date(2023, 12, 20)) == date(2024, 1, 19)


@pytest.mark.parametrize(
    ("points", "status", "months"),
    [(0, "正常", 0), (5, "正常", 0), (6, "约谈", 0), (8, "约谈", 0), (9, "暂停", 1), (10, "暂停", 3),
     (11, "暂停", 6), (12, "终止", 0), (15, "终止", 0)],
)  # fmt: skip
def test_standing_by_points(points: int, status: str, months: int) -> None:
    state = standing(load_workflow().scoring, points)
    assert (state.status, state.suspension_months) == (status, months)


def test_points_by_severity_and_responsibility() -> None:
    scoring = load_workflow().scoring
    assert outcome_points(scoring, "一般", 1, "一般责任") == 1
    assert outcome_points(scoring, "特别严重", 12, "主要责任") == 12
    assert outcome_points(scoring, "较重", 5, "重要责任") == 3
    with pytest.raises(ValueError):
        outcome_points(scoring, "一般", 4, "主要责任")


def test_a_malformed_file_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        parse_workflow({"stages": [{"name": "初审", "name_en": "x", "days": 3}], "scoring": {}})
    assert caught.value.code == "SUPERVISION_RULES_INVALID"
