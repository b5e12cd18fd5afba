"""A scheme compiled once for grouping: conditions as closures, steps indexed by principal codes.

Walking every MDC and ADRG for each record would test hundreds of conditions. Instead each step
(an ADRG or an ambiguous-group rule, inside its MDC) gets a *gate*: the principal diagnoses and
procedures for which it can possibly hold. The steps a record can reach are looked up by its
principal diagnosis, filtered by its principal procedure and remembered per pair of codes, so a
record tests only the few steps that might apply — in the scheme's order, so the result is the
one the rules define.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from sanyi.drg.conditions import CcTables, Gate, Lists, Node, compile_condition, explain, gate
from sanyi.drg.model import (
    AMBIGUOUS,
    FAIL,
    NO_GROUP,
    SUCCESS,
    GroupResult,
    Record,
    TrailStep,
)
from sanyi.drg.parse import Parsed, Rejection, parse
from sanyi.knowledge.codes import diagnosis_map, procedure_map
from sanyi.knowledge.drg import DrgSchemeTables, load_scheme

Outcome = tuple[str, str, str, str, str]  # status, mdc, adrg, drg, drg name
Test = Callable[[Record], bool]

FAIL_OUTCOME: Final[Outcome] = (FAIL, NO_GROUP, "00", NO_GROUP, "")
_PATTERN_CACHE_LIMIT: Final = 200_000


@dataclass(frozen=True, slots=True)
class Mdc:
    code: str
    entry: Node
    trauma_sites: tuple[tuple[str, frozenset[str]], ...]
    min_trauma_sites: int

    def sites_hit(self, r: Record) -> list[str]:
        return [site for site, codes in self.trauma_sites if not codes.isdisjoint(r.dx)]

    def admits(self, r: Record) -> bool:
        if not self.entry.test(r):
            return False
        return not self.trauma_sites or len(self.sites_hit(r)) >= self.min_trauma_sites


@dataclass(frozen=True, slots=True)
class Adrg:
    code: str
    entry: Node
    drgs: tuple[tuple[str, Node], ...]
    fallback: str
    # The same as drgs and fallback, ready for the fast path.
    tests: tuple[tuple[Test, Outcome], ...] = ()
    fallback_outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One step of an MDC: an ADRG, or an ambiguous-group rule (``condition`` and ``result``)."""

    index: int
    mdc: Mdc
    adrg: Adrg | None
    condition: Node | None
    outcome: Outcome | None
    gate: Gate


@dataclass(slots=True)
class CompiledScheme:
    name: str
    tables: DrgSchemeTables
    mdcs: tuple[Mdc, ...]
    adrgs: dict[str, Adrg]
    steps: tuple[Step, ...]
    retry: bool
    dx_map: Mapping[str, str]
    proc_map: Mapping[str, str]
    cc_tables: CcTables
    _dx_index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    _dx_free: tuple[int, ...] = ()
    _by_dx: dict[str, tuple[tuple[Step, frozenset[str] | None], ...]] = field(default_factory=dict)
    _by_pattern: dict[tuple[str, str | None], tuple[Step, ...]] = field(default_factory=dict)

    # -- the fast path ---------------------------------------------------------------------------

    def group_row(self, row: Mapping[str, str], row_id: str = "") -> GroupResult:
        parsed = parse(row, self.dx_map, self.proc_map)
        if isinstance(parsed, Rejection):
            return rejected(parsed, row_id)
        r = parsed.record
        outcome = self.find(r)
        if outcome is None and self.retry and len(r.procs) > 1:
            for code in r.procs[1:]:
                outcome = self.find(r.with_only_procedure(code))
                if outcome is not None:
                    break
        if outcome is None:
            outcome = FAIL_OUTCOME
        status, mdc, adrg, drg, name = outcome
        return GroupResult(status, mdc, adrg, drg, name, row_id, explain=lambda: self.explain(parsed))

    def find(self, r: Record) -> Outcome | None:
        last: Mdc | None = None
        entered = False
        for step in self.candidates(r.main_dx, r.main_proc):
            mdc = step.mdc
            if mdc is not last:
                last = mdc
                entered = mdc.admits(r)
            if not entered:
                continue
            adrg = step.adrg
            if adrg is None:
                if step.condition.test(r):  # type: ignore[union-attr]
                    return step.outcome
            elif adrg.entry.test(r):
                for test, outcome in adrg.tests:
                    if test(r):
                        return outcome
                if adrg.fallback_outcome is not None:
                    return adrg.fallback_outcome
        return None

    def candidates(self, main_dx: str, main_proc: str | None) -> tuple[Step, ...]:
        key = (main_dx, main_proc)
        found = self._by_pattern.get(key)
        if found is None:
            if len(self._by_pattern) >= _PATTERN_CACHE_LIMIT:
                self._by_pattern.clear()
            found = self._by_pattern[key] = tuple(
                [step for step, procs in self._for_dx(main_dx) if procs is None or main_proc in procs]
            )
        return found

    def _for_dx(self, main_dx: str) -> tuple[tuple[Step, frozenset[str] | None], ...]:
        found = self._by_dx.get(main_dx)
        if found is None:
            indexes = sorted({*self._dx_index.get(main_dx, ()), *self._dx_free})
            found = self._by_dx[main_dx] = tuple((self.steps[i], self.steps[i].gate.proc) for i in indexes)
        return found

    # -- the trail -------------------------------------------------------------------------------

    def group_row_traced(self, row: Mapping[str, str], row_id: str = "") -> GroupResult:
        """The same result as :meth:`group_row` with its trail made at once, by the tracing walk
        alone: for callers that always want the trail (file runs), one walk instead of two."""
        parsed = parse(row, self.dx_map, self.proc_map)
        if isinstance(parsed, Rejection):
            return rejected(parsed, row_id)
        outcome, trail = self._traced(parsed)
        status, mdc, adrg, drg, name = outcome or FAIL_OUTCOME
        return GroupResult(status, mdc, adrg, drg, name, row_id, trail=trail)

    def explain(self, parsed: Parsed) -> tuple[TrailStep, ...]:
        """The decisions behind a record's group, in the order the grouper took them."""
        return self._traced(parsed)[1]

    def _traced(self, parsed: Parsed) -> tuple[Outcome | None, tuple[TrailStep, ...]]:
        trail = [TrailStep("translated", pair) for pair in parsed.translations]
        r = parsed.record
        outcome = self._walk(r, trail)
        if outcome is None and self.retry and len(r.procs) > 1:
            for code in r.procs[1:]:
                trail.append(TrailStep("retry", (code,)))
                outcome = self._walk(r.with_only_procedure(code), trail)
                if outcome is not None:
                    break
        if outcome is None:
            if not any(step.kind == "mdc_entered" for step in trail):
                trail.append(TrailStep("no_mdc", (r.main_dx, r.main_proc or "-")))
            trail.append(TrailStep("no_group"))
        else:
            trail.append(TrailStep("result", (outcome[0], outcome[3], outcome[4])))
        return outcome, tuple(trail)

    def _walk(self, r: Record, trail: list[TrailStep]) -> Outcome | None:
        last: Mdc | None = None
        entered = False
        for step in self.candidates(r.main_dx, r.main_proc):
            if step.mdc is not last:
                if entered and last is not None:
                    trail.append(TrailStep("mdc_left", (last.code,)))
                last = step.mdc
                entered = self._enter_mdc(step.mdc, r, trail)
            if entered:
                outcome = self._explain_step(step, r, trail)
                if outcome is not None:
                    return outcome
        if entered and last is not None:
            trail.append(TrailStep("mdc_left", (last.code,)))
        return None

    @staticmethod
    def _enter_mdc(mdc: Mdc, r: Record, trail: list[TrailStep]) -> bool:
        entered, why = explain(mdc.entry, r)
        if entered and mdc.trauma_sites:
            hit = mdc.sites_hit(r)
            entered = len(hit) >= mdc.min_trauma_sites
            why.append(TrailStep("trauma", ("、".join(hit) or "-", str(mdc.min_trauma_sites))))
        if entered:
            trail.append(TrailStep("mdc_entered", (mdc.code,), tuple(why)))
        return entered

    def _explain_step(self, step: Step, r: Record, trail: list[TrailStep]) -> Outcome | None:
        adrg = step.adrg
        if adrg is None:
            assert step.condition is not None and step.outcome is not None
            held, why = explain(step.condition, r)
            if held:
                trail.append(TrailStep("ambiguous", (step.outcome[3],), tuple(why)))
                return step.outcome
            return None
        held, why = explain(adrg.entry, r)
        if not held:
            return None
        trail.append(TrailStep("adrg_entered", (adrg.code,), tuple(why)))
        if not any(done.kind == "cc_found" for done in trail):
            trail.extend(self.cc_findings(r))
        for (code, node), (_, outcome) in zip(adrg.drgs, adrg.tests, strict=True):
            held, why = explain(node, r)
            if held:
                trail.append(TrailStep("drg_condition", (code,), tuple(why)))
                return outcome
        if adrg.fallback_outcome is not None:
            trail.append(TrailStep("adrg_fallback", (adrg.code, adrg.fallback)))
            return adrg.fallback_outcome
        trail.append(TrailStep("adrg_no_drg", (adrg.code,)))
        return None

    def cc_findings(self, r: Record) -> list[TrailStep]:
        """Each secondary diagnosis on the MCC or CC list, and whether the principal excludes it."""
        tables = self.cc_tables
        own = tables.exclusion.get(r.main_dx)
        found = []
        for code in r.secondary:
            for level, table in (("MCC", tables.mcc), ("CC", tables.cc)):
                exclusion = table.get(code)
                if exclusion is not None:
                    verdict = "excluded" if exclusion == own else "counted"
                    found.append(TrailStep("cc_found", (code, level, exclusion, own or "-", verdict)))
        return found


def rejected(rejection: Rejection, row_id: str = "") -> GroupResult:
    kind = {
        "UNKNOWN_DIAGNOSIS_CODE": "unknown_dx",
        "UNKNOWN_PROCEDURE_CODE": "unknown_proc",
    }.get(rejection.status, "invalid")
    trail = (TrailStep(kind, (", ".join(rejection.names),)),)
    return GroupResult(rejection.status, NO_GROUP, "00", NO_GROUP, "", row_id, trail=trail)


def report(result: str, names: Mapping[str, str]) -> Outcome:
    """The reported fields of a result code (rule format, step 5)."""
    name = names.get(result, "")
    if result[1:3] == "QY":
        return (AMBIGUOUS, "MDC" + result[0], "QY", result, name)
    return (SUCCESS, "MDC" + result[0], result[:3], result, name)


def compile_scheme(
    tables: DrgSchemeTables, dx_map: Mapping[str, str], proc_map: Mapping[str, str]
) -> CompiledScheme:
    rules = tables.rules
    names = {**rules.get("drg_names", {}), **tables.drg_names}
    lists = Lists(rules["lists"], tables.valid_procedures)
    cc_tables = CcTables(tables.mcc, tables.cc, tables.cc_exclusion)
    adrgs = {code: _compile_adrg(code, raw, lists, cc_tables, names) for code, raw in rules["adrgs"].items()}
    mdcs: list[Mdc] = []
    steps: list[Step] = []
    for mdc_code in rules["mdc_order"]:
        raw = rules["mdcs"][mdc_code]
        mdc = Mdc(
            mdc_code,
            compile_condition(raw["entry"], lists, cc_tables),
            tuple((site, lists.get(list_id)) for site, list_id in raw.get("trauma_sites", {}).items()),
            int(raw.get("min_trauma_sites", 0)),
        )
        mdcs.append(mdc)
        mdc_gate = gate(mdc.entry)
        for raw_step in raw["steps"]:
            if "adrg" in raw_step:
                adrg = adrgs[raw_step["adrg"]]
                steps.append(Step(len(steps), mdc, adrg, None, None, mdc_gate.both(gate(adrg.entry))))
            else:
                condition = compile_condition(raw_step["ambiguous_if"], lists, cc_tables)
                outcome = report(raw_step["result"], names)
                steps.append(Step(len(steps), mdc, None, condition, outcome, mdc_gate.both(gate(condition))))
    scheme = CompiledScheme(
        tables.name,
        tables,
        tuple(mdcs),
        adrgs,
        tuple(steps),
        bool(rules["retry_each_other_procedure_alone"]),
        dx_map,
        proc_map,
        cc_tables,
    )
    index: defaultdict[str, list[int]] = defaultdict(list)
    free: list[int] = []
    for step in steps:
        if step.gate.dx is None:
            free.append(step.index)
        else:
            for code in step.gate.dx:
                index[code].append(step.index)
    scheme._dx_index = {code: tuple(found) for code, found in index.items()}
    scheme._dx_free = tuple(free)
    return scheme


def _compile_adrg(
    code: str, raw: Mapping[str, Any], lists: Lists, cc_tables: CcTables, names: Mapping[str, str]
) -> Adrg:
    labels: dict[str, str] | None = None
    classes = raw.get("proc_classes")
    if classes is not None:
        labels = {}
        for proc, label in zip(
            lists.ordered(classes["codes"]), lists.ordered(classes["labels"]), strict=True
        ):
            labels.setdefault(proc, str(label))  # a code takes the label of its first position
    drgs = tuple(
        (item["drg"], compile_condition(item["condition"], lists, cc_tables, labels)) for item in raw["drgs"]
    )
    fallback = raw["fallback"]
    return Adrg(
        code,
        compile_condition(raw["entry"], lists, cc_tables, labels),
        drgs,
        fallback,
        tuple((node.test, report(drg, names)) for drg, node in drgs),
        report(fallback, names) if fallback else None,
    )


@cache
def compiled(name: str) -> CompiledScheme:
    """The scheme compiled once per process (an unknown name raises KNOWLEDGE_UNKNOWN)."""
    return compile_scheme(load_scheme(name), diagnosis_map(), procedure_map())
