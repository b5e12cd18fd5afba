"""The rule file (knowledge/supervision/rules.yaml): read, schema-checked, selected by id.

Every field of every rule is checked; a bad file fails at load naming the rule and the field, so a
typo in a parameter never turns into a silently disabled rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.supervision import TABLES
from sanyi.supervision.errors import SUPERVISION_RULES_INVALID, SUPERVISION_UNKNOWN_RULE
from sanyi.supervision.model import RESULTS, SCENES, STAGES, Rule

RULES_FILE: Final = KNOWLEDGE_ROOT / "supervision" / "rules.yaml"

# Each family and the parameters its function reads (name → type).
FAMILIES: Final[dict[str, dict[str, type]]] = {
    "code_sex": {},
    "code_population": {"newborn_days": int, "infant_years": int, "child_years": int},
    "working_age": {"min_age": int, "max_age_male": int, "max_age_female": int},
    "insurance_type": {},
    "visit_type": {},
    "institution_level": {},
    "drug_course": {},
    "item_course": {"restart_days": int},
    "duplicate_charge": {},
    "frequency": {},
    "cycle": {},
    "primary_secondary": {"discount": str},
    "split_admission": {"days": int, "exempt_diagnoses": list},
    "overlapping_stay": {},
    "excess_supply": {
        "outpatient_days": int,
        "emergency_days": int,
        "chronic_days": int,
        "chronic_diagnoses": list,
    },
    "over_price": {},
    "repeat_test": {"code_prefixes": list, "window_days": int},
}
_TEXT_FIELDS: Final = ("id", "family", "title_zh", "title_en", "basis", "result", "window")
_MESSAGE_FIELDS: Final = frozenset({"code", "observed", "limit"})


def _bad(path: Path, field: str, reason: str, reason_zh: str) -> DomainError:
    return DomainError(
        SUPERVISION_RULES_INVALID, file=path.name, path=field, field=field, reason=reason, reason_zh=reason_zh
    )


def _rule(path: Path, index: int, raw: Any, version: str, region: str) -> Rule:  # noqa: PLR0912
    where = f"rules[{index}]"
    if not isinstance(raw, dict):
        raise _bad(path, where, "not a mapping", "不是映射")
    for name in (*_TEXT_FIELDS, "message_zh", "message_en"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            raise _bad(path, f"{where}.{name}", "missing or empty", "缺失或为空")
    where = f"rules.{raw['id']}"
    family = raw["family"]
    if family not in FAMILIES:
        raise _bad(path, f"{where}.family", f"unknown family {family}", f"未知规则族 {family}")
    if raw["result"] not in RESULTS:
        raise _bad(path, f"{where}.result", "must be violation or suspect", "须为 violation 或 suspect")
    scenes, stage, levels = raw.get("scenes"), raw.get("stage"), raw.get("levels")
    if not isinstance(scenes, list) or not scenes or not set(scenes) <= SCENES:
        raise _bad(path, f"{where}.scenes", f"must be a list of {sorted(SCENES)}", "就诊类型列表无效")
    if not isinstance(stage, list) or not stage or not set(stage) <= STAGES:
        raise _bad(path, f"{where}.stage", "must be a list of 事前/事中/事后", "阶段列表无效")
    if not isinstance(levels, list) or not levels or not set(levels) <= {1, 2, 3}:
        raise _bad(path, f"{where}.levels", "must be a list of 1, 2, 3", "机构级别列表无效")
    knowledge = raw.get("knowledge")
    if knowledge is not None and knowledge not in TABLES:
        raise _bad(path, f"{where}.knowledge", f"unknown table {knowledge}", f"未知知识表 {knowledge}")
    parameters = raw.get("parameters")
    if not isinstance(parameters, dict):
        raise _bad(path, f"{where}.parameters", "must be a mapping", "须为映射")
    expected = FAMILIES[family]
    if set(parameters) != set(expected):
        raise _bad(
            path,
            f"{where}.parameters",
            f"family {family} takes exactly {sorted(expected)}",
            f"规则族 {family} 的参数须为 {sorted(expected)}",
        )
    for name, kind in expected.items():
        value = parameters[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise _bad(path, f"{where}.parameters.{name}", f"must be {kind.__name__}", "类型错误")
    for name in ("message_zh", "message_en"):
        fields = {part.split("}")[0] for part in raw[name].split("{")[1:]}
        if not fields <= _MESSAGE_FIELDS:
            raise _bad(path, f"{where}.{name}", f"unknown placeholder in {fields}", "消息模板占位符无效")
    return Rule(
        id=raw["id"],
        family=family,
        title_zh=raw["title_zh"],
        title_en=raw["title_en"],
        basis=raw["basis"],
        result=raw["result"],
        window=raw["window"],
        scenes=tuple(scenes),
        stage=tuple(stage),
        levels=tuple(levels),
        knowledge=knowledge,
        parameters=dict(parameters),
        message_zh=raw["message_zh"],
        message_en=raw["message_en"],
        version=str(raw.get("version", version)),
        region=str(raw.get("region", region)),
    )


def parse_rules(document: Any, path: Path = RULES_FILE) -> tuple[Rule, ...]:
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise _bad(path, "rules", "the file must hold a list under 'rules'", "文件须在 rules 下给出列表")
    version, region = str(document.get("version", "")), str(document.get("region", ""))
    if not version or not region:
        raise _bad(path, "version/region", "both are required", "版本和地区均为必填")
    rules = tuple(_rule(path, i, raw, version, region) for i, raw in enumerate(document["rules"]))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise _bad(path, f"rules.{rule.id}", "duplicate id", "规则编号重复")
        seen.add(rule.id)
    return rules


@cache
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    with path.open(encoding="utf-8") as handle:
        return parse_rules(yaml.safe_load(handle), path)


def select_rules(ids: Iterable[str] | None = None, rules: tuple[Rule, ...] | None = None) -> tuple[Rule, ...]:
    """The rules with these ids (all when ``ids`` is None), in file order; an unknown id is an error."""
    every = load_rules() if rules is None else rules
    if ids is None:
        return every
    wanted = {i.strip() for i in ids if i.strip()}
    known = {rule.id for rule in every}
    for rule_id in sorted(wanted - known):
        raise DomainError(SUPERVISION_UNKNOWN_RULE, rule=rule_id, available=", ".join(sorted(known)))
    return tuple(rule for rule in every if rule.id in wanted)
