"""The trail in words: one template per decision kind, Chinese and English."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from sanyi.drg.model import TrailStep

Names = Callable[[str], str | None]

_TEMPLATES: Final[dict[str, tuple[str, str]]] = {
    "translated": ("编码转换 {0} → {1}", "code translated {0} → {1}"),
    "unknown_dx": ("未知诊断编码：{0}", "unknown diagnosis codes: {0}"),
    "unknown_proc": ("未知手术操作编码：{0}", "unknown procedure codes: {0}"),
    "invalid": ("字段缺失或格式有误：{0}", "missing or malformed fields: {0}"),
    "mdc_entered": ("进入 MDC{0}", "entered MDC{0}"),
    "trauma": ("多发创伤部位：{0}（至少 {1} 个）", "trauma sites hit: {0} (at least {1})"),
    "mdc_left": ("MDC{0} 内没有 ADRG 给出结果，继续下一个 MDC", "no ADRG of MDC{0} gave a result; next MDC"),
    "adrg_entered": ("进入 ADRG {0}", "entered ADRG {0}"),
    "adrg_no_drg": ("ADRG {0} 下没有成立的病组条件，继续查找", "no DRG condition of ADRG {0} held; going on"),
    "adrg_fallback": (
        "ADRG {0} 下没有成立的病组条件，按兜底组 {1} 入组",
        "no DRG of ADRG {0} held; fallback {1}",
    ),
    "cc_found": (
        "{1} {0}（排除表 {2}，主要诊断排除表 {3}）：{4}",
        "{1} {0} (exclusion table {2}, principal's table {3}): {4}",
    ),
    "drg_condition": ("病组 {0} 的条件成立", "the condition of DRG {0} held"),
    "ambiguous": ("符合歧义组规则，入 {0}", "ambiguous-group rule held: {0}"),
    "retry": ("以其他手术操作 {0} 单独重新分组", "regrouped with procedure {0} alone"),
    "result": ("结果 {0}：{1} {2}", "result {0}: {1} {2}"),
    "no_mdc": (
        "主要诊断 {0}（主要手术操作 {1}）不满足任何 MDC 的入组条件",
        "principal diagnosis {0} (principal procedure {1}) meets no MDC's entry condition",
    ),
    "no_group": ("没有 MDC 给出结果：未入组（0000）", "no MDC yields a result: ungrouped (0000)"),
    "cond_main_dx": ("主要诊断 {0} 属于列表 {1}", "principal diagnosis {0} is in list {1}"),
    "cond_main_proc": ("主要手术操作 {0} 属于列表 {1}", "principal procedure {0} is in list {1}"),
    "cond_any_dx_in": ("诊断 {0} 属于列表 {1}", "diagnosis {0} is in list {1}"),
    "cond_any_secondary_dx_in": ("其他诊断 {0} 属于列表 {1}", "secondary diagnosis {0} is in list {1}"),
    "cond_any_proc_in": ("手术操作 {0} 属于列表 {1}", "procedure {0} is in list {1}"),
    "cond_proc_class_matched": ("手术操作 {0} 属于第 {1} 类", "procedure {0} is of class {1}"),
    "cond_leaf": ("{0}", "{0}"),
    "cond_not": ("并非{0}", "not: {0}"),
}
_VERDICTS: Final = {
    "excluded": ("被主要诊断排除，不计", "excluded by the principal diagnosis"),
    "counted": ("有效", "counts"),
}


def render(step: TrailStep, lang: str = "zh") -> str:
    english = lang != "zh"
    template = _TEMPLATES[step.kind][english]
    if step.kind == "cc_found":
        args = list(step.args)
        args[4] = _VERDICTS[args[4]][english]
        text = template.format(*args)
    else:
        text = template.format(*step.args)
    if text[-1] == " ":  # a DRG without a name
        text = text.rstrip()
    if step.because:
        reasons = "；".join([render(reason, lang) for reason in step.because])
        text += f" ({reasons})" if english else f"（{reasons}）"
    return text


def render_all(trail: Iterable[TrailStep], lang: str = "zh") -> list[str]:
    return [render(step, lang) for step in trail]


def as_text(trail: Iterable[TrailStep], lang: str = "zh") -> str:
    """The trail on one line, as written into the output file."""
    return " → ".join(render(step, lang) for step in trail)
