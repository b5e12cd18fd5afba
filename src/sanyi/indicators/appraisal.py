"""绩效考核得分: an institution's score under the appraisal scheme, from its indicator values.

Pure: the scheme (``knowledge/indicators/appraisal.yaml``) and the :class:`IndicatorValue` records
the engine gave for one institution and span go in; the :class:`Appraisal` comes out with every
component's value, numerator, denominator, fraction, points and weight, and the steps in Chinese and
English. Points are to the cent (2 places, half up); a component with no value is not scored and the
total is rescaled to the weight that was scored (ADR 0022).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from sanyi.indicators.model import IndicatorValue
from sanyi.knowledge.appraisal import FULL_SCORE, Component, Grade, Rule, Scheme

CENT: Final = Decimal("0.01")
FRACTION: Final = Decimal("0.0001")  # shown; the points use the unrounded fraction


@dataclass(frozen=True, slots=True)
class Step:
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Scored:
    """One component of one institution's appraisal."""

    component: Component
    value: IndicatorValue | None
    fraction: Decimal | None  # None: not scored (no value)
    points: Decimal | None
    step: Step

    @property
    def indicator(self) -> str:
        return self.component.indicator

    @property
    def weight(self) -> Decimal:
        return self.component.weight

    @property
    def scored(self) -> bool:
        return self.points is not None


@dataclass(frozen=True, slots=True)
class Appraisal:
    """The score of one institution (``key``) over one span."""

    scheme: str
    key: str
    key_name: str
    span: str
    components: tuple[Scored, ...]
    points: Decimal  # Σ points of the scored components
    weight_scored: Decimal
    score: Decimal | None  # points rescaled to 100; None under the scheme's minimum coverage
    grade: Grade | None
    steps: tuple[Step, ...]
    rank: int | None = None

    @property
    def missing(self) -> tuple[Scored, ...]:
        return tuple(c for c in self.components if not c.scored)

    def row(self) -> dict[str, object]:
        """A JSON-ready mapping (decimals as strings)."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "scheme": self.scheme,
            "key": self.key,
            "key_name": self.key_name,
            "period": self.span,
            "score": text(self.score),
            "grade": None if self.grade is None else self.grade.grade,
            "grade_zh": None if self.grade is None else self.grade.name_zh,
            "rank": self.rank,
            "points": text(self.points),
            "weight_scored": text(self.weight_scored),
            "components": [
                {
                    "indicator": c.indicator,
                    "dimension": c.component.dimension,
                    "name_zh": c.value.name_zh if c.value else "",
                    "value": text(c.value.value) if c.value else None,
                    "unit": c.value.unit if c.value else "",
                    "numerator": text(c.value.numerator) if c.value else None,
                    "denominator": text(c.value.denominator) if c.value else None,
                    "weight": text(c.weight),
                    "full": text(c.component.rule.full),
                    "zero": text(c.component.rule.zero),
                    "fraction": text(None if c.fraction is None else c.fraction.quantize(FRACTION)),
                    "points": text(c.points),
                    "scored": c.scored,
                    "step_zh": c.step.text_zh,
                    "step_en": c.step.text_en,
                }
                for c in self.components
            ],
            "steps": [{"zh": s.text_zh, "en": s.text_en} for s in self.steps],
        }


def fraction(rule: Rule, direction: str, value: Decimal) -> Decimal:
    """Share of the weight earned: 1 at or beyond ``full``, 0 at or beyond ``zero``, linear between."""
    full, zero = rule.full, rule.zero
    if direction == "up":
        if value >= full:
            return Decimal(1)
        if value <= zero:
            return Decimal(0)
        return (value - zero) / (full - zero)
    if value <= full:
        return Decimal(1)
    if value >= zero:
        return Decimal(0)
    return (zero - value) / (zero - full)


def _score_component(component: Component, value: IndicatorValue | None) -> Scored:
    rule = component.rule
    if value is None or value.value is None:
        step = Step(
            f"{component.indicator}：本期无值（分母为零或缺上年同期），不计分，"
            f"权重 {component.weight} 按比例分摊",
            f"{component.indicator}: no value this period (zero denominator or no base), not scored; "
            f"its weight {component.weight} is redistributed pro rata",
        )
        return Scored(component, value, None, None, step)
    share = fraction(rule, value.direction, value.value)
    points = (component.weight * share).quantize(CENT, ROUND_HALF_UP)
    arrow = "↑" if value.direction == "up" else "↓"
    fraction_text = {
        Decimal(1): "1",
        Decimal(0): "0",
    }.get(share, f"{share.quantize(FRACTION, ROUND_HALF_UP)}")
    between = (
        f"({value.value} − {rule.zero}) ÷ ({rule.full} − {rule.zero})"
        if value.direction == "up"
        else f"({rule.zero} − {value.value}) ÷ ({rule.zero} − {rule.full})"
    )
    how_zh = between if share not in (0, 1) else ("达到满分线" if share == 1 else "达到零分线")
    how_en = (
        between if share not in (0, 1) else ("at or beyond full marks" if share == 1 else "at or beyond zero")
    )
    part_zh, part_en = _fraction_text(value)
    step = Step(
        f"{component.indicator} {value.name_zh} = {part_zh} = {value.value}{value.unit}（{arrow}）；"
        f"满分线 {rule.full}、零分线 {rule.zero}；得分率 = {how_zh} = {fraction_text}；"
        f"得分 = {component.weight} × {fraction_text} = {points}",
        f"{component.indicator} {value.name_en} = {part_en} = {value.value}{value.unit} ({arrow}); "
        f"full at {rule.full}, zero at {rule.zero}; fraction = {how_en} = {fraction_text}; "
        f"points = {component.weight} × {fraction_text} = {points}",
    )
    return Scored(component, value, share, points, step)


def _fraction_text(value: IndicatorValue) -> tuple[str, str]:
    """How the value came about, zh and en: the sums divided (and last year's for a growth)."""
    if value.previous_span is not None:
        now = f"{value.numerator}/{value.denominator or 1}"
        before = f"{value.previous_numerator}/{value.previous_denominator or 1}"
        return f"本期 {now} 对上年同期 {before}", f"{now} against {before} a year earlier"
    if value.denominator is None:
        text = f"{value.factor} × {value.numerator}"
    else:
        text = f"{value.factor} × {value.numerator} ÷ {value.denominator}"
    return text, text


def appraise(
    scheme: Scheme, values: Mapping[str, IndicatorValue], key: str, key_name: str, span: str
) -> Appraisal:
    """Score one institution from its values (indicator → value; an absent indicator is unscored)."""
    scored = tuple(_score_component(c, values.get(c.indicator)) for c in scheme.components)
    points = sum((s.points for s in scored if s.points is not None), Decimal(0))
    weight = sum((s.weight for s in scored if s.scored), Decimal(0))
    steps = [
        Step(
            f"已评分权重 = {weight}（满分权重 100）；得分合计 = {points}",
            f"weight scored = {weight} (of 100); points = {points}",
        )
    ]
    score: Decimal | None = None
    if weight < scheme.minimum_coverage:
        steps.append(
            Step(
                f"已评分权重 {weight} 低于方案要求的 {scheme.minimum_coverage}，不计总分与等级",
                f"weight scored {weight} is below the scheme's minimum {scheme.minimum_coverage}: "
                "no score or grade",
            )
        )
    else:
        score = (points * FULL_SCORE / weight).quantize(CENT, ROUND_HALF_UP)
        steps.append(
            Step(
                f"总分 = {points} × 100 ÷ {weight} = {score}",
                f"score = {points} × 100 ÷ {weight} = {score}",
            )
        )
    grade = scheme.grade_of(score)
    if grade is not None:
        steps.append(
            Step(
                f"等级 {grade.grade}（{grade.name_zh}）：{grade.low} ≤ {score}"
                f"{' ≤ ' if grade.high == FULL_SCORE else ' < '}{grade.high}",
                f"grade {grade.grade} ({grade.name_en}): {grade.low} ≤ {score}"
                f"{' ≤ ' if grade.high == FULL_SCORE else ' < '}{grade.high}",
            )
        )
    return Appraisal(scheme.id, key, key_name, span, scored, points, weight, score, grade, tuple(steps))


def ranked(appraisals: Sequence[Appraisal]) -> list[Appraisal]:
    """Highest score first, equal scores sharing a rank (1, 2, 2, 4); unscored last, without a rank."""
    with_score = sorted(
        (a for a in appraisals if a.score is not None), key=lambda a: (-(a.score or 0), a.key)
    )
    out: list[Appraisal] = []
    for position, found in enumerate(with_score, start=1):
        rank = out[-1].rank if out and out[-1].score == found.score else position
        out.append(replace(found, rank=rank))
    out += sorted((a for a in appraisals if a.score is None), key=lambda a: a.key)
    return out
