"""The gated index never changes a result: it is compared with a plain walk over every step, on
records drawn afresh from the schemes' code pools (far beyond the conformance cases)."""

import random

import pytest

from sanyi.drg.api import compiled, conformance_cases, scheme_names
from sanyi.drg.model import Record
from sanyi.drg.parse import Parsed, parse
from sanyi.drg.scheme import CompiledScheme, Outcome


def plain_walk(scheme: CompiledScheme, r: Record) -> Outcome | None:
    """The format's step 3 read literally: every MDC in order, every step, no index."""
    for mdc in scheme.mdcs:
        if not mdc.admits(r):
            continue
        for step in (s for s in scheme.steps if s.mdc is mdc):
            if step.adrg is None:
                assert step.condition is not None
                if step.condition.test(r):
                    return step.outcome
                continue
            if step.adrg.entry.test(r):
                for test, outcome in step.adrg.tests:
                    if test(r):
                        return outcome
                if step.adrg.fallback_outcome is not None:
                    return step.adrg.fallback_outcome
    return None


def draws(scheme: str, count: int, seed: int) -> list[dict[str, str]]:
    cases = [row for row in conformance_cases(scheme) if row["status"] in ("SUCCESS", "QY", "FAIL")]
    rng = random.Random(seed)
    dx = [code for row in cases for code in row["diagnoses"].split("|")]
    procs = [code for row in cases for code in row["procedures"].split("|") if code]
    rows = []
    for _ in range(count):
        person = rng.choice(cases)
        rows.append(
            person
            | {
                "diagnoses": "|".join(rng.sample(dx, rng.randint(1, 6))),
                "procedures": "|".join(rng.sample(procs, rng.choice((0, 1, 1, 2)))),
            }
        )
    return rows


@pytest.mark.parametrize("scheme", scheme_names())
def test_index_agrees_with_a_plain_walk(scheme: str) -> None:
    grouper = compiled(scheme)
    checked = 0
    for row in draws(scheme, 1500, seed=len(scheme)):
        parsed = parse(row, grouper.dx_map, grouper.proc_map)
        if not isinstance(parsed, Parsed):
            continue
        assert grouper.find(parsed.record) == plain_walk(grouper, parsed.record), row
        checked += 1
    assert checked > 1200
