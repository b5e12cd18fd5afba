"""Every package's cases/ folder: claims settled in order from zero, each compared with what it must give."""

from __future__ import annotations

from typing import Any

import pytest

from sanyi.knowledge.policies import PolicyCase, load_package, package_cases, package_names
from sanyi.settlement.api import rejection_record, result_record, settle_records

CASES = [case for name in package_names() for case in package_cases(name)]


def _subset(actual: Any, expected: Any, where: str) -> list[str]:
    """Where ``expected`` (a partial record) disagrees with ``actual``."""
    problems: list[str] = []
    if isinstance(expected, dict):
        for key, value in expected.items():
            if not isinstance(actual, dict) or key not in actual:
                problems.append(f"{where}.{key}: missing")
            else:
                problems.extend(_subset(actual[key], value, f"{where}.{key}"))
    elif isinstance(expected, list) and expected and isinstance(expected[0], dict) and "no" in expected[0]:
        by_no = {item["no"]: item for item in actual}
        for item in expected:
            problems.extend(_subset(by_no.get(item["no"]), item, f"{where}[no={item['no']}]"))
    elif actual != expected:
        problems.append(f"{where}: {actual!r} != expected {expected!r}")
    return problems


def test_every_package_has_cases() -> None:
    # The four regional packages of contracts/policies.md, plus one illustrative package that shows
    # the referral rule on its own (ADR 0014) and is only used when named.
    assert set(package_names()) == {
        "hangzhou-2020",
        "wenzhou-2018",
        "harbin-2017",
        "heilongjiang-example-2020",
        "referral-continuity-example",
    }
    for name in package_names():
        assert package_cases(name), f"{name} has no cases"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.package}/{c.name}" for c in CASES])
def test_package_case(case: PolicyCase) -> None:
    package = load_package(case.package)
    outcomes = list(settle_records(case.claims, package))
    problems: list[str] = []
    for outcome, expected in zip(outcomes, case.expected, strict=True):
        if outcome.settlement is not None:
            actual = result_record(outcome.settlement)
        else:
            assert outcome.error is not None
            actual = rejection_record(outcome.claim_id, outcome.error)
        problems.extend(_subset(actual, expected, str(outcome.claim_id)))
    assert not problems, "\n".join(problems)


def test_the_illustrative_package_is_marked_and_never_chosen_for_a_real_region() -> None:
    package = load_package("referral-continuity-example")
    assert package.illustrative and package.grade == "B" and package.region == "3303"
    rules = package.schemes["resident"].pools["inpatient"].deductible
    assert rules.continuous_on_referral and "国办发〔2015〕70号" in rules.source.document
    assert not any(
        load_package(name).schemes[scheme].pools[pool].deductible.continuous_on_referral
        for name in package_names()
        if name != package.name
        for scheme in load_package(name).schemes
        for pool in load_package(name).schemes[scheme].pools
    )

    wenzhou = load_package("wenzhou-2018")
    assert package.effective_from < wenzhou.effective_from and wenzhou.region == package.region
