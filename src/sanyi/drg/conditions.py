"""Conditions of a scheme compiled once into trees of closures.

Each node keeps the closure that tests it (used on the fast path), its children (used to explain
which part held, for the trail) and what it means (used to describe a group in words). Leaves are
built in one place, so the fast test and the explanation cannot disagree.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sanyi.drg.model import Record, TrailStep

Test = Callable[[Record], bool]

_COMPARE: Final[dict[str, Callable[[int, int], bool]]] = {
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
    "eq": operator.eq,
}
_COMPARE_ZH: Final = {"lt": "小于", "le": "不大于", "gt": "大于", "ge": "不小于", "eq": "等于"}


@dataclass(frozen=True, slots=True)
class Node:
    """One compiled condition: ``key`` is its JSON key, ``arg`` its value (a list id, a number…)."""

    key: str
    arg: Any
    test: Test
    children: tuple[Node, ...] = ()
    codes: frozenset[str] | None = None  # the list a ``*_in`` leaf reads


@dataclass(frozen=True, slots=True)
class Gate:
    """What a condition needs of the principal diagnosis and procedure: ``None`` means anything.

    A record whose principal codes fall outside a gate cannot satisfy the condition, so the grouper
    skips it without testing it.
    """

    dx: frozenset[str] | None = None
    proc: frozenset[str] | None = None

    def admits(self, main_dx: str, main_proc: str | None) -> bool:
        return (self.dx is None or main_dx in self.dx) and (self.proc is None or main_proc in self.proc)

    def both(self, other: Gate) -> Gate:
        return Gate(_meet(self.dx, other.dx), _meet(self.proc, other.proc))


def _meet(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _join(parts: Sequence[frozenset[str] | None]) -> frozenset[str] | None:
    if not parts or any(part is None for part in parts):
        return None
    return frozenset().union(*(part for part in parts if part is not None))


class Lists:
    """The scheme's code lists as frozensets, built once each."""

    def __init__(self, raw: Mapping[str, Sequence[str]], valid_procedures: frozenset[str]) -> None:
        self._raw = raw
        self._sets: dict[str, frozenset[str]] = {"@valid_procedures": valid_procedures}

    def get(self, name: str) -> frozenset[str]:
        found = self._sets.get(name)
        if found is None:
            found = self._sets[name] = frozenset(self._raw[name])
        return found

    def ordered(self, name: str) -> Sequence[str]:
        return self._raw[name]


@dataclass(frozen=True, slots=True)
class CcTables:
    mcc: Mapping[str, str]
    cc: Mapping[str, str]
    exclusion: Mapping[str, str]


def compile_condition(
    condition: Mapping[str, Any],
    lists: Lists,
    cc_tables: CcTables,
    proc_labels: Mapping[str, str] | None = None,
) -> Node:
    ((key, arg),) = condition.items()
    if key in ("and", "or"):
        children = tuple(compile_condition(c, lists, cc_tables, proc_labels) for c in arg)
        return Node(key, None, _all(children) if key == "and" else _any(children), children)
    if key == "not":
        inner = compile_condition(arg, lists, cc_tables, proc_labels)
        test = inner.test
        return Node(key, None, lambda r: not test(r), (inner,))
    if key.endswith("_in"):
        codes = lists.get(arg)
        return Node(key, arg, _membership(key, codes), codes=codes)
    if key == "proc_class_matched":
        label = str(arg)
        if proc_labels is None:
            raise ValueError("proc_class_matched outside an ADRG with proc_classes")
        codes = frozenset(code for code, found in proc_labels.items() if found == label)
        return Node(key, label, lambda r: not codes.isdisjoint(r.procs), codes=codes)
    return Node(key, arg, _leaf(key, arg, cc_tables))


def _all(children: tuple[Node, ...]) -> Test:
    tests = tuple(child.test for child in children)
    if len(tests) == 2:
        first, second = tests
        return lambda r: first(r) and second(r)

    def test(r: Record) -> bool:
        for one in tests:  # noqa: SIM110 - a plain loop beats all() with a generator here
            if not one(r):
                return False
        return True

    return test


def _any(children: tuple[Node, ...]) -> Test:
    tests = tuple(child.test for child in children)
    if len(tests) == 2:
        first, second = tests
        return lambda r: first(r) or second(r)

    def test(r: Record) -> bool:
        for one in tests:  # noqa: SIM110 - a plain loop beats any() with a generator here
            if one(r):
                return True
        return False

    return test


def _membership(key: str, codes: frozenset[str]) -> Test:
    if key == "main_dx_in":
        return lambda r: r.main_dx in codes
    if key == "main_proc_in":
        return lambda r: r.main_proc in codes
    if key == "any_dx_in":
        return lambda r: not codes.isdisjoint(r.dx)
    if key == "any_secondary_dx_in":
        return lambda r: not codes.isdisjoint(r.secondary)
    if key == "any_proc_in":
        return lambda r: not codes.isdisjoint(r.procs)
    raise ValueError(f"unknown condition {key!r}")


def _fixed_leaf(key: str, cc_tables: CcTables) -> Test | None:
    """Leaves whose value is always ``true``."""
    fixed: dict[str, Callable[[], Test]] = {
        "true": lambda: lambda r: True,
        "has_procedures": lambda: lambda r: bool(r.procs),
        "has_mcc": lambda: mcc_test(cc_tables),
        "has_cc": lambda: cc_test(cc_tables),
        "has_age_days": lambda: lambda r: r.age_days is not None,
        "has_weight": lambda: lambda r: bool(r.weight),
    }
    factory = fixed.get(key)
    return factory() if factory is not None else None


def _leaf(key: str, arg: Any, cc_tables: CcTables) -> Test:
    fixed = _fixed_leaf(key, cc_tables)
    if fixed is not None:
        return fixed
    if key in ("sex_eq", "dept_eq"):
        return _text_equals(key, arg)
    if key == "dx_count_gt":
        limit = int(arg)
        return lambda r: len(r.dx) > limit
    field, _, comparator = key.rpartition("_")
    compare, limit = _COMPARE[comparator], int(arg)
    if field == "age_years":
        return lambda r: compare(r.age, limit)
    if field == "age_days":
        return lambda r: r.age_days is not None and compare(r.age_days, limit)
    if field == "weight_g":
        return lambda r: bool(r.weight) and compare(r.weight, limit)  # type: ignore[arg-type]
    raise ValueError(f"unknown condition {key!r}")


def _text_equals(key: str, arg: Any) -> Test:
    if not isinstance(arg, str):
        # String equality, as the format defines it: a rule written with a number never equals
        # the text of a field. CHS-DRG 1.1 writes its MDC M/N sex tests so, and its reference
        # results show those MDCs are never entered.
        return lambda r: False
    if key == "sex_eq":
        return lambda r: r.sex == arg
    return lambda r: r.dept == arg


def mcc_test(tables: CcTables) -> Test:
    mcc, exclusion = tables.mcc, tables.exclusion

    def has_mcc(r: Record) -> bool:
        found = r.mcc
        if found is None:
            own = exclusion.get(r.main_dx)
            found = any(mcc.get(d, own) != own for d in r.secondary)
            r.mcc = found
        return found

    return has_mcc


def cc_test(tables: CcTables) -> Test:
    cc, exclusion = tables.cc, tables.exclusion

    def has_cc(r: Record) -> bool:
        found = r.cc
        if found is None:
            own = exclusion.get(r.main_dx)
            found = any(cc.get(d, own) != own for d in r.secondary)
            r.cc = found
        return found

    return has_cc


def gate(node: Node) -> Gate:
    """The principal codes a condition can possibly hold for (conservative: never too narrow)."""
    if node.key == "main_dx_in":
        return Gate(dx=node.codes)
    if node.key == "main_proc_in":
        return Gate(proc=node.codes)
    if node.key == "and":
        result = Gate()
        for child in node.children:
            result = result.both(gate(child))
        return result
    if node.key == "or":
        gates = [gate(child) for child in node.children]
        return Gate(_join([g.dx for g in gates]), _join([g.proc for g in gates]))
    return Gate()


def explain(node: Node, r: Record) -> tuple[bool, list[TrailStep]]:
    """Whether the condition holds, and the leaves that made it hold."""
    if not node.test(r):  # the compiled test first: most conditions a trail meets do not hold
        return False, []
    return True, _reasons(node, r)


def _reasons(node: Node, r: Record) -> list[TrailStep]:
    held, why = _explain(node, r)
    if not held:  # the tracing walk must agree with the compiled test
        raise AssertionError(f"condition {node.key} held when tested but not when explained")
    return why


def _explain(node: Node, r: Record) -> tuple[bool, list[TrailStep]]:
    if node.key == "and":
        reasons: list[TrailStep] = []
        for child in node.children:
            held, why = _explain(child, r)
            if not held:
                return False, []
            reasons += why
        return True, reasons
    if node.key == "or":
        for child in node.children:
            held, why = _explain(child, r)
            if held:
                return True, why
        return False, []
    if node.key == "not":
        held = node.test(r)
        return held, [TrailStep("cond_not", (describe(node.children[0]),))] if held else []
    held = node.test(r)
    return held, [_fact(node, r)] if held else []


def _fact(node: Node, r: Record) -> TrailStep:
    """A leaf that held, with the record's value that satisfied it."""
    key, codes = node.key, node.codes
    if key == "main_dx_in":
        return TrailStep("cond_main_dx", (r.main_dx, str(node.arg)))
    if key == "main_proc_in":
        return TrailStep("cond_main_proc", (r.main_proc or "", str(node.arg)))
    if codes is not None:
        pool = r.procs if key in ("any_proc_in", "proc_class_matched") else r.dx
        if key == "any_secondary_dx_in":
            pool = r.secondary
        hit = next(code for code in pool if code in codes)
        return TrailStep("cond_" + key, (hit, str(node.arg)))
    return TrailStep("cond_leaf", (describe(node),))


def _never_if_number(arg: Any) -> str:
    return "" if isinstance(arg, str) else f"（规则值写作数字 {arg}，与文本字段永不相等）"


# Keyed by identity; the node is kept with its text so its id can never be reused by another.
_DESCRIBED: dict[int, tuple[Node, str]] = {}


def describe(node: Node) -> str:
    """The condition in readable Chinese (remembered per node: the same leaves are described for
    many records)."""
    found = _DESCRIBED.get(id(node))
    if found is None:
        found = _DESCRIBED[id(node)] = (node, _describe(node))
    return found[1]


def _describe(node: Node) -> str:
    key, arg = node.key, node.arg
    if key == "and":
        return "（" + " 且 ".join(describe(child) for child in node.children) + "）"
    if key == "or":
        return "（" + " 或 ".join(describe(child) for child in node.children) + "）"
    if key == "not":
        return "并非" + describe(node.children[0])
    size = len(node.codes) if node.codes is not None else 0
    texts = {
        "true": "无条件",
        "main_dx_in": f"主要诊断属于列表 {arg}（{size} 个编码）",
        "main_proc_in": f"主要手术操作属于列表 {arg}（{size} 个编码）",
        "any_dx_in": f"任一诊断属于列表 {arg}（{size} 个编码）",
        "any_secondary_dx_in": f"任一其他诊断属于列表 {arg}（{size} 个编码）",
        "any_proc_in": f"任一手术操作属于列表 {arg}（{size} 个编码）",
        "proc_class_matched": f"手术操作属于第 {arg} 类（{size} 个编码）",
        "has_procedures": "有手术操作",
        "has_mcc": "伴严重并发症或合并症（MCC，且未被主要诊断排除）",
        "has_cc": "伴一般并发症或合并症（CC，且未被主要诊断排除）",
        "dx_count_gt": f"诊断总数大于 {arg}",
        "has_age_days": "填写了年龄（天）",
        "has_weight": "填写了出生体重",
        "sex_eq": "性别为" + ("男" if str(arg) == "1" else "女") + _never_if_number(arg),
        "dept_eq": f"科室为 {arg}" + _never_if_number(arg),
    }
    if key in texts:
        return texts[key]
    field, _, comparator = key.rpartition("_")
    label = {"age_years": "年龄（岁）", "age_days": "年龄（天）", "weight_g": "出生体重（克）"}[field]
    return f"{label}{_COMPARE_ZH[comparator]} {arg}"
