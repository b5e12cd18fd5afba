"""A group's entry conditions in readable Chinese (``sanyi drg explain``)."""

from __future__ import annotations

from dataclasses import dataclass

from sanyi.drg.conditions import describe
from sanyi.drg.errors import DRG_UNKNOWN_GROUP
from sanyi.drg.scheme import CompiledScheme
from sanyi.kernel.errors import DomainError


@dataclass(frozen=True, slots=True)
class GroupExplanation:
    scheme: str
    drg: str
    name: str
    mdc: str
    mdc_entry: str
    trauma: str
    adrg: str
    adrg_entry: str
    condition: str
    earlier: tuple[tuple[str, str], ...]  # DRGs of the same ADRG tested first, with their conditions

    def lines(self) -> list[str]:
        out = [f"{self.drg} {self.name}（方案 {self.scheme}）", f"1. 进入 MDC{self.mdc}：{self.mdc_entry}"]
        if self.trauma:
            out.append(f"   且 {self.trauma}")
        if self.adrg:
            out.append(f"2. 进入 ADRG {self.adrg}：{self.adrg_entry}")
        out.append(f"3. 病组条件：{self.condition}")
        if self.earlier:
            out.append("   且先于它检查的病组条件都不成立：")
            out += [f"   - {code}：{text}" for code, text in self.earlier]
        out.append("按 MDC 顺序和 MDC 内步骤顺序，先成立者优先。")
        return out


def explain_group(scheme: CompiledScheme, drg: str) -> GroupExplanation:
    names = scheme.tables.drg_names
    for step in scheme.steps:
        mdc = step.mdc
        trauma = ""
        if mdc.trauma_sites:
            sites = "、".join(site for site, _ in mdc.trauma_sites)
            trauma = f"诊断至少涉及 {mdc.min_trauma_sites} 个创伤部位（{sites}）"
        if step.adrg is None:
            if step.outcome is not None and step.outcome[3] == drg and step.condition is not None:
                return GroupExplanation(
                    scheme.name,
                    drg,
                    step.outcome[4],
                    mdc.code,
                    describe(mdc.entry),
                    trauma,
                    "",
                    "",
                    "歧义组规则：" + describe(step.condition),
                    (),
                )
            continue
        adrg = step.adrg
        earlier: list[tuple[str, str]] = []
        for code, node in adrg.drgs:
            if code == drg:
                return GroupExplanation(
                    scheme.name,
                    drg,
                    names.get(drg, ""),
                    mdc.code,
                    describe(mdc.entry),
                    trauma,
                    adrg.code,
                    describe(adrg.entry),
                    describe(node),
                    tuple(earlier),
                )
            earlier.append((code, describe(node)))
        if adrg.fallback == drg:
            return GroupExplanation(
                scheme.name,
                drg,
                names.get(drg, ""),
                mdc.code,
                describe(mdc.entry),
                trauma,
                adrg.code,
                describe(adrg.entry),
                "兜底：本 ADRG 下没有病组条件成立",
                tuple(earlier),
            )
    raise DomainError(DRG_UNKNOWN_GROUP, scheme=scheme.name, drg=drg)
