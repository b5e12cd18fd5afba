"""The rule file's schema check names the rule and the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from sanyi.kernel.errors import DomainError
from sanyi.supervision.rules import RULES_FILE, parse_rules, select_rules


def _document() -> dict[str, Any]:
    with RULES_FILE.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def test_the_shipped_file_is_valid_and_lists_every_rule_of_the_issue() -> None:
    ids = {rule.id for rule in parse_rules(_document())}
    assert ids == {
        "DRUG_SEX_LIMIT", "ITEM_SEX_LIMIT", "DRUG_AGE_LIMIT", "ITEM_AGE_LIMIT", "ITEM_WORKING_AGE_LIMIT",
        "DRUG_INSURANCE_TYPE", "DRUG_VISIT_TYPE", "DRUG_INSTITUTION_LEVEL", "DRUG_COURSE_LIMIT",
        "ITEM_COURSE_LIMIT", "DUPLICATE_CHARGE", "ITEM_FREQUENCY_LIMIT", "ITEM_CYCLE_LIMIT",
        "PRIMARY_SECONDARY_SURGERY", "SPLIT_ADMISSION", "OVERLAPPING_STAY", "EXCESS_SUPPLY", "OVER_PRICE",
        "REPEAT_TEST",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.update(result="maybe"), "rules.OVER_PRICE.result"),
        (lambda r: r.update(family="nope"), "rules.OVER_PRICE.family"),
        (lambda r: r.update(scenes=["spa"]), "rules.OVER_PRICE.scenes"),
        (lambda r: r.update(levels=[4]), "rules.OVER_PRICE.levels"),
        (lambda r: r.update(parameters={"x": 1}), "rules.OVER_PRICE.parameters"),
        (lambda r: r.update(knowledge="no_table"), "rules.OVER_PRICE.knowledge"),
        (lambda r: r.update(message_zh="{amount}"), "rules.OVER_PRICE.message_zh"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(change: Any, field: str) -> None:
    document = copy.deepcopy(_document())
    rule = next(r for r in document["rules"] if r["id"] == "OVER_PRICE")
    change(rule)
    with pytest.raises(DomainError) as caught:
        parse_rules(document)
    assert caught.value.code == "SUPERVISION_RULES_INVALID"
    assert field in caught.value.message_en


def test_a_wrong_parameter_type_and_a_duplicate_id_are_refused() -> None:
    document = copy.deepcopy(_document())
    next(r for r in document["rules"] if r["id"] == "EXCESS_SUPPLY")["parameters"]["outpatient_days"] = "7"
    with pytest.raises(DomainError):
        parse_rules(document)
    document = copy.deepcopy(_document())
    document["rules"].append(copy.deepcopy(document["rules"][0]))
    with pytest.raises(DomainError):
        parse_rules(document)


def test_unknown_rule_id_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        select_rules(["OVER_PRICE", "NOPE"])
    assert caught.value.code == "SUPERVISION_UNKNOWN_RULE"
    assert [r.id for r in select_rules(["OVER_PRICE"])] == ["OVER_PRICE"]
