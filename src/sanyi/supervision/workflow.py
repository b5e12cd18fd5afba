"""The case workflow (初审 → 复审 → 申诉 → 调查核实 → 处理) and practitioner scoring, as data.

Read from knowledge/supervision/workflow.yaml and checked at load; pure functions decide the next
stage, a deadline, the points of an outcome and a practitioner's standing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.supervision.errors import SUPERVISION_RULES_INVALID

WORKFLOW_FILE: Final = KNOWLEDGE_ROOT / "supervision" / "workflow.yaml"
CLOSED: Final = "结案"


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    name_en: str
    days: int


@dataclass(frozen=True, slots=True)
class Scoring:
    basis: str
    severities: dict[str, tuple[int, int]]
    responsibilities: dict[str, Decimal]
    interview_at: int
    suspension_at: int
    termination_at: int
    suspension_months: dict[int, int]


@dataclass(frozen=True, slots=True)
class Workflow:
    stages: tuple[Stage, ...]
    scoring: Scoring

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(name)

    def next_stage(self, name: str) -> str:
        names = [s.name for s in self.stages]
        position = names.index(name)
        return names[position + 1] if position + 1 < len(names) else CLOSED

    def due(self, name: str, entered: date) -> date:
        return entered + timedelta(days=self.stage(name).days)


def _bad(field: str, reason: str) -> DomainError:
    return DomainError(
        SUPERVISION_RULES_INVALID,
        file=WORKFLOW_FILE.name,
        path=field,
        field=field,
        reason=reason,
        reason_zh=reason,
    )


def parse_workflow(document: Any) -> Workflow:
    try:
        stages = tuple(Stage(str(s["name"]), str(s["name_en"]), int(s["days"])) for s in document["stages"])
        raw = document["scoring"]
        scoring = Scoring(
            basis=str(raw["basis"]),
            severities={str(k): (int(v[0]), int(v[1])) for k, v in raw["severities"].items()},
            responsibilities={str(k): Decimal(str(v)) for k, v in raw["responsibilities"].items()},
            interview_at=int(raw["interview_at"]),
            suspension_at=int(raw["suspension_at"]),
            termination_at=int(raw["termination_at"]),
            suspension_months={int(k): int(v) for k, v in raw["suspension_months"].items()},
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise _bad("stages/scoring", f"missing or malformed: {error}") from None
    if [s.name for s in stages] != ["初审", "复审", "申诉", "调查核实", "处理"]:
        raise _bad("stages", "the stages are 初审, 复审, 申诉, 调查核实, 处理 in this order")
    if any(s.days <= 0 for s in stages):
        raise _bad("stages.days", "a deadline is a positive number of days")
    if not scoring.interview_at <= scoring.suspension_at < scoring.termination_at:
        raise _bad("scoring", "interview ≤ suspension < termination")
    return Workflow(stages, scoring)


@cache
def load_workflow(path: Path = WORKFLOW_FILE) -> Workflow:
    with path.open(encoding="utf-8") as handle:
        return parse_workflow(yaml.safe_load(handle))


def outcome_points(scoring: Scoring, severity: str, base: int, responsibility: str) -> int:
    """Points of one event: the base within the severity's range, times the responsibility share,
    rounded up (a share of a point still counts), at least 1."""
    low, high = scoring.severities[severity]
    if not low <= base <= high:
        raise ValueError(f"{base} outside {severity} {low}-{high}")
    return max(1, math.ceil(base * scoring.responsibilities[responsibility]))


@dataclass(frozen=True, slots=True)
class Standing:
    points: int
    status: str  # 正常, 约谈, 暂停, 终止
    status_en: str
    suspension_months: int


def standing(scoring: Scoring, points: int) -> Standing:
    if points >= scoring.termination_at:
        return Standing(points, "终止", "terminated", 0)
    if points >= scoring.suspension_at:
        months = max(m for p, m in scoring.suspension_months.items() if p <= points)
        return Standing(points, "暂停", "suspended", months)
    if points >= scoring.interview_at:
        return Standing(points, "约谈", "interview", 0)
    return Standing(points, "正常", "in good standing", 0)
