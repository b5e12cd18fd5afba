"""绩效考核 as a workbook: the ranking, every component with its numerator and denominator, and the
scheme itself (the page's Excel export and ``sanyi indicators appraisal -o``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from sanyi.indicators.appraisal import Appraisal
from sanyi.knowledge.appraisal import Scheme

RANKING_HEADER: Final = (
    "排名 rank",
    "机构代码 code",
    "机构 institution",
    "期间 period",
    "总分 score",
    "等级 grade",
    "得分合计 points",
    "已评分权重 weight scored",
    "未评分指标 not scored",
)
COMPONENT_HEADER: Final = (
    "机构代码 code",
    "机构 institution",
    "维度 dimension",
    "指标代码 indicator",
    "指标 name",
    "值 value",
    "单位 unit",
    "分子 numerator",
    "分母 denominator",
    "上年同期分子 previous numerator",
    "上年同期分母 previous denominator",
    "权重 weight",
    "满分线 full",
    "零分线 zero",
    "得分 points",
    "计算过程 steps",
)
SCHEME_HEADER: Final = (
    "维度 dimension",
    "指标 indicator",
    "权重 weight",
    "满分线 full",
    "零分线 zero",
    "国家指标 national",
    "依据 basis",
)


def dimension_names(scheme: Scheme) -> dict[str, tuple[str, str]]:
    return {d.id: (d.name_zh, d.name_en) for d in scheme.dimensions}


def appraisal_sheets(
    scheme: Scheme, found: Sequence[Appraisal]
) -> dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]:
    """Ranking, every component with numerator and denominator, and the scheme itself."""
    names = dimension_names(scheme)
    ranking = [
        [
            a.rank,
            a.key,
            a.key_name,
            a.span,
            a.score,
            f"{a.grade.grade} {a.grade.name_zh}" if a.grade else "",
            a.points,
            a.weight_scored,
            "、".join(c.indicator for c in a.missing),
        ]
        for a in found
    ]
    components = [
        [
            a.key,
            a.key_name,
            names[c.component.dimension][0],
            c.indicator,
            c.value.name_zh if c.value else "",
            c.value.value if c.value else None,
            c.value.unit if c.value else "",
            c.value.numerator if c.value else None,
            c.value.denominator if c.value else None,
            c.value.previous_numerator if c.value else None,
            c.value.previous_denominator if c.value else None,
            c.weight,
            c.component.rule.full,
            c.component.rule.zero,
            c.points,
            c.step.text_zh,
        ]
        for a in found
        for c in a.components
    ]
    definition = [
        [names[c.dimension][0], c.indicator, c.weight, c.rule.full, c.rule.zero, c.national, c.basis]
        for c in scheme.components
    ]
    definition.append([f"{scheme.name_zh}：{scheme.document} {scheme.clause}", "", "", "", "", "", ""])
    return {
        "排名 ranking": (RANKING_HEADER, ranking),
        "指标得分 components": (COMPONENT_HEADER, components),
        "考核方案 scheme": (SCHEME_HEADER, definition),
    }
