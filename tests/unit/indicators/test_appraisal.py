"""绩效考核 scoring: a case worked by hand on the shipped scheme, the missing-value rule, ranking, and
the checks of the scheme file (weights, directions, grade bands)."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from sanyi.indicators.api import (
    Figure,
    IndicatorValue,
    Span,
    appraise,
    catalogue,
    fraction,
    growth,
    judge,
    ranked,
    ratio,
    read_scheme,
    scheme,
)
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.indicators import INDICATORS_DIR

SPAN = Span.parse("2023")
HOSPITAL = "H33030200001"


def _value(
    code: str, numerator: str, denominator: str | None, before: tuple[str, str | None] | None = None
) -> IndicatorValue:
    """The value the engine would give for these sums (a growth compares with ``before``)."""
    definition = catalogue().indicators[code]
    num = Decimal(numerator)
    den = None if denominator is None else Decimal(denominator)
    if before is None:
        figure = Figure(code, HOSPITAL, SPAN, num, den, ratio(num, den, definition.factor))
    else:
        prev = (Decimal(before[0]), None if before[1] is None else Decimal(before[1]))
        value = growth((num, den), prev, definition.factor)
        figure = Figure(code, HOSPITAL, SPAN, num, den, value, prev[0], prev[1], SPAN.shift_years(-1))
    return judge(figure, definition, "医院", None, (), None)


def _hand_case() -> dict[str, IndicatorValue]:
    values = [
        _value("DRG01", "80", "100"),  # CMI 0.8
        _value("DRG04", "1", "1000"),  # 0.1 %
        _value("FJ06", "0", "0"),  # no visits: no value
        _value("XX02", "95", "100"),  # 95 %
        _value("YY02", "300", "1000"),  # 30 %
        _value("YY06", "380", "1000"),  # 38 %
        _value("YY01", "330", "1000"),  # 33 %
        _value("YY05", "112", None, ("100", None)),  # +12 %
        _value("YY03", "10150", "100", ("10000", "100")),  # 101.5 per visit against 100: +1.5 %
        _value("YY04", "116000", "10", ("100000", "10")),  # +16 %
        _value("DRG02", "120", "100"),  # cost index 1.2
        _value("XX01", "1", "1"),  # meets the smart-hospital standard: 100 %
    ]
    return {v.indicator: v for v in values}


def test_a_hospital_scored_by_hand() -> None:
    """Lines from appraisal.yaml; fraction = (value − zero) ÷ (full − zero), or the mirror for ↓.

    DRG01 (0.8 − 0.6) ÷ 0.4 = 0.5 → 10 × 0.5 = 5.00
    DRG04 (0.5 − 0.1) ÷ 0.5 = 0.8 → 15 × 0.8 = 12.00
    FJ06 no value → not scored (weight 5 redistributed)
    XX02 95 ≥ 90 → 10.00
    YY02 (30 − 20) ÷ 15 = 0.6667 → 10 × 2/3 = 6.67
    YY06 (38 − 25) ÷ 17 = 0.7647 → 8 × 0.7647 = 6.12
    YY01 (45 − 33) ÷ 15 = 0.8 → 5 × 0.8 = 4.00
    YY05 (20 − 12) ÷ 10 = 0.8 → 6 × 0.8 = 4.80
    YY03 1.5 ≤ 5 → 8.00
    YY04 16 ≥ 15 → 0.00
    DRG02 (1.5 − 1.2) ÷ 0.5 = 0.6 → 5 × 0.6 = 3.00
    XX01 100 → 10.00
    Σ = 69.59 over weight 95 → 69.59 × 100 ÷ 95 = 73.2526… → 73.25, grade C (60 ≤ 73.25 < 75)."""
    values = _hand_case()
    assert values["YY03"].value == Decimal("1.5000") and values["YY05"].value == Decimal("12.0000")
    result = appraise(scheme(), values, HOSPITAL, "医院", "2023")
    points = {c.indicator: c.points for c in result.components}
    assert points == {
        "DRG01": Decimal("5.00"),
        "DRG04": Decimal("12.00"),
        "FJ06": None,
        "XX02": Decimal("10.00"),
        "YY02": Decimal("6.67"),
        "YY06": Decimal("6.12"),
        "YY01": Decimal("4.00"),
        "YY05": Decimal("4.80"),
        "YY03": Decimal("8.00"),
        "YY04": Decimal("0.00"),
        "DRG02": Decimal("3.00"),
        "XX01": Decimal("10.00"),
    }
    assert result.points == Decimal("69.59") and result.weight_scored == Decimal(95)
    assert result.score == Decimal("73.25")
    assert result.grade is not None and result.grade.grade == "C"
    assert [c.indicator for c in result.missing] == ["FJ06"]
    yy02 = next(c for c in result.components if c.indicator == "YY02")
    assert yy02.value is not None and (yy02.value.numerator, yy02.value.denominator) == (
        Decimal(300),
        Decimal(1000),
    )
    assert "得分 = 10 × 0.6667 = 6.67" in yy02.step.text_zh and "100 × 300 ÷ 1000" in yy02.step.text_zh
    assert "73.25" in result.steps[1].text_zh and "69.59 × 100 ÷ 95" in result.steps[1].text_zh
    row = result.row()
    assert row["score"] == "73.25" and row["grade"] == "C"
    assert len(row["components"]) == 12  # type: ignore[arg-type]


def test_every_value_present_scores_out_of_100_without_rescaling() -> None:
    values = _hand_case() | {"FJ06": _value("FJ06", "35", "100")}
    result = appraise(scheme(), values, HOSPITAL, "医院", "2023")
    assert result.weight_scored == 100 and result.score == result.points == Decimal("74.59")
    assert result.grade is not None and result.grade.grade == "C"


def test_too_little_scored_gives_no_score_or_grade() -> None:
    values = {code: v for code, v in _hand_case().items() if code in ("YY01", "YY02", "YY03")}
    result = appraise(scheme(), values, HOSPITAL, "医院", "2023")
    assert result.weight_scored == Decimal(23) and result.points == Decimal("18.67")
    assert result.score is None and result.grade is None
    assert "低于方案要求的 60" in result.steps[-1].text_zh


def test_fraction_is_linear_between_the_lines_and_flat_beyond() -> None:
    rule = scheme().components[4].rule  # YY02: full 35, zero 20, up
    assert (rule.full, rule.zero) == (Decimal(35), Decimal(20))
    assert fraction(rule, "up", Decimal(35)) == 1 and fraction(rule, "up", Decimal(50)) == 1
    assert fraction(rule, "up", Decimal(20)) == 0 and fraction(rule, "up", Decimal(-1)) == 0
    assert fraction(rule, "up", Decimal("27.5")) == Decimal("0.5")
    down = scheme().components[8].rule  # YY03: full 5, zero 15, down
    assert fraction(down, "down", Decimal(-3)) == 1 and fraction(down, "down", Decimal(15)) == 0
    assert fraction(down, "down", Decimal(12)) == Decimal("0.3")


def test_ranking_shares_ranks_on_ties_and_puts_unscored_last() -> None:
    base = appraise(scheme(), _hand_case(), "H1", "甲", "2023")
    low = appraise(scheme(), {"YY01": _hand_case()["YY01"]}, "H0", "乙", "2023")
    full = appraise(scheme(), _hand_case() | {"FJ06": _value("FJ06", "35", "100")}, "H3", "丙", "2023")
    tie = appraise(scheme(), _hand_case(), "H2", "丁", "2023")
    order = ranked([low, base, tie, full])
    assert [(a.key, a.rank) for a in order] == [("H3", 1), ("H1", 2), ("H2", 2), ("H0", None)]


def test_grades_cover_0_to_100_with_100_in_the_top_band() -> None:
    loaded = scheme()
    assert sum(c.weight for c in loaded.components) == 100
    assert {d.id for d in loaded.dimensions} == {"quality", "efficiency", "development", "satisfaction"}
    assert loaded.grade_of(Decimal(100)).grade == "A"  # type: ignore[union-attr]
    assert loaded.grade_of(Decimal("89.99")).grade == "B"  # type: ignore[union-attr]
    assert loaded.grade_of(Decimal(0)).grade == "D"  # type: ignore[union-attr]
    assert loaded.grade_of(None) is None


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "indicators"
    shutil.copytree(INDICATORS_DIR, copy)
    return copy


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ('weight: "15"', 'weight: "16"', "add up to 101, not 100"),
        (
            '{grade: B, name_zh: 良好, name_en: good, from: "75"',
            '{grade: B, name_zh: 良好, name_en: good, from: "74"',
            "overlaps",
        ),
        (
            '{grade: C, name_zh: 合格, name_en: satisfactory, from: "60", to: "75"}',
            '{grade: C, name_zh: 合格, name_en: satisfactory, from: "60", to: "70"}',
            "gap between 70 and 75",
        ),
        (
            '{kind: linear, full: "35", zero: "20"}',
            '{kind: linear, full: "20", zero: "35"}',
            "YY02 points up",
        ),
        ("indicator: XX01", "indicator: XX09", "unknown indicator 'XX09'"),
        ("applies_to: public_hospital", "applies_to: nobody", "unknown institution class"),
        (
            'weight: "5"\n        rule: {kind: linear, full: "35", zero: "0"}',
            'weight: "five"\n        rule: {kind: linear, full: "35", zero: "0"}',
            "does not match",
        ),
    ],
)
def test_a_bad_scheme_fails_with_file_line_and_reason(folder: Path, old: str, new: str, reason: str) -> None:
    path = folder / "appraisal.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        read_scheme(folder)
    assert caught.value.code == "KNOWLEDGE_INVALID_FILE"
    assert reason in caught.value.message_en and "appraisal.yaml" in caught.value.message_en
    assert caught.value.params["line"] > 1
