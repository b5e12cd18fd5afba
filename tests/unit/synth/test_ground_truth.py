"""Clean encounters break no rule; each planted irregularity breaks its own rule and is recorded.

The checks here are a small, independent reading of the rules over the generated tables — enough to
trust the ground truth the supervision tests will use.
"""

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any

import pytest

from sanyi.kernel.clock import local_date
from sanyi.knowledge import supervision
from sanyi.knowledge.synth import load_catalogue
from tests.unit.synth.conftest import Generated

LEVEL = {"二级": 2, "三级": 3}
PRIMARY = {"township_centre", "community_centre", "community_station", "village_clinic", "clinic"}

Key = tuple[str, int | None]


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _findings(tables: dict[str, Any]) -> dict[str, set[Key]]:
    residents = {r["person_id"]: r for r in tables["residents"].to_pylist()}
    institutions = {i["code"]: i for i in tables["institutions"].to_pylist()}
    encounters = {e["id"]: e for e in tables["encounters"].to_pylist()}
    lines_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in tables["fee_lines"].to_pylist():
        lines_of[line["encounter_id"]].append(line)
    drug_sex = {x.code: x.value for x in supervision.code_limits("drug_sex_limit")}
    item_sex = {x.code: x.value for x in supervision.code_limits("item_sex_limit")}
    drug_age = {x.code: x.value for x in supervision.code_limits("drug_age_limit")}
    inpatient_only = {x.code for x in supervision.code_limits("drug_visit_type_limit")}
    min_level = {x.code: LEVEL[x.value] for x in supervision.code_limits("drug_institution_level_limit")}
    frequency = {x.code: x.max_quantity for x in supervision.frequency_limits()}
    packages = defaultdict(set)
    for pair in supervision.included_items():
        if pair.window in ("单日", "单次就诊"):
            packages[pair.main_code].add(pair.included_code)
    chronic = set(load_catalogue().chronic_conditions.values())
    found: dict[str, set[Key]] = defaultdict(set)

    for encounter_id, encounter in encounters.items():
        person = residents[encounter["person_id"]]
        institution = institutions[encounter["institution_code"]]
        day = local_date(encounter["start_at"])
        age = _age(person["birth_date"], day)
        sex = "男" if person["sex"] == "1" else "女"
        level = 1 if institution["kind"] in PRIMARY else institution["tier"]
        kind = encounter["type"]
        has_chronic = bool(chronic & set(encounter["diagnoses"].split("|")))
        codes_here = {line["code"] for line in lines_of[encounter_id]}
        per_day: dict[tuple[str, date], int] = defaultdict(int)
        for line in lines_of[encounter_id]:
            key = (encounter_id, line["line_no"])
            code = line["code"]
            if code in drug_sex and drug_sex[code] != sex:
                found["DRUG_SEX_LIMIT"].add(key)
            if code in item_sex and item_sex[code] != sex:
                found["ITEM_SEX_LIMIT"].add(key)
            if code in drug_age and age >= 18:
                found["DRUG_AGE_LIMIT"].add(key)
            if code in inpatient_only and kind != "inpatient":
                found["DRUG_VISIT_TYPE"].add(key)
            if code in min_level and min_level[code] > level:
                found["DRUG_INSTITUTION_LEVEL"].add(key)
            days = line["days_supply"]
            if days is not None and kind != "inpatient":
                limit = 30 if has_chronic else (3 if kind == "emergency" else 7)
                if days > limit:
                    found["EXCESS_SUPPLY"].add(key)
            if line["price_ceiling"] is not None and Decimal(line["unit_price"]) > Decimal(
                line["price_ceiling"]
            ):
                found["OVER_PRICE"].add(key)
            if any(code in included for main, included in packages.items() if main in codes_here):
                found["DUPLICATE_CHARGE"].add(key)
            if code in frequency:
                per_day[(code, local_date(line["time"]))] += int(line["quantity"])
                if per_day[(code, local_date(line["time"]))] > frequency[code]:
                    found["ITEM_FREQUENCY_LIMIT"].add(key)

    stays_of: dict[str, list[tuple[date, date, str]]] = defaultdict(list)
    for encounter_id, encounter in encounters.items():
        if encounter["type"] == "inpatient":
            stays_of[encounter["person_id"]].append(
                (local_date(encounter["start_at"]), local_date(encounter["end_at"]), encounter_id)
            )
    for stays in stays_of.values():
        stays.sort()
        for (_, previous_end, _), (start, _, encounter_id) in pairwise(stays):
            if (start - previous_end).days <= 15:
                found["SPLIT_ADMISSION"].add((encounter_id, None))
    for encounter_id, encounter in encounters.items():
        if encounter["type"] == "inpatient":
            continue
        day = local_date(encounter["start_at"])
        if any(start <= day <= end for start, end, _ in stays_of.get(encounter["person_id"], [])):
            found["OVERLAPPING_STAY"].add((encounter_id, None))
    return found


@pytest.fixture(scope="module")
def findings(small_region: Generated) -> dict[str, set[Key]]:
    return _findings(small_region.tables)


@pytest.fixture(scope="module")
def planted(small_region: Generated) -> dict[str, set[Key]]:
    result: dict[str, set[Key]] = defaultdict(set)
    for row in small_region.tables["synth_irregularities"].to_pylist():
        result[row["rule_id"]].add((row["encounter_id"], row["line_no"]))
    return result


RULES = [
    "DRUG_SEX_LIMIT",
    "ITEM_SEX_LIMIT",
    "DRUG_AGE_LIMIT",
    "DRUG_VISIT_TYPE",
    "DRUG_INSTITUTION_LEVEL",
    "EXCESS_SUPPLY",
    "OVER_PRICE",
    "DUPLICATE_CHARGE",
    "ITEM_FREQUENCY_LIMIT",
    "SPLIT_ADMISSION",
    "OVERLAPPING_STAY",
]


@pytest.mark.parametrize("rule", RULES)
def test_findings_are_exactly_the_planted_irregularities(
    rule: str, findings: dict[str, set[Key]], planted: dict[str, set[Key]]
) -> None:
    assert planted[rule], f"nothing planted for {rule}"
    assert findings[rule] == planted[rule]


def test_nothing_unexpected_is_planted(planted: dict[str, set[Key]]) -> None:
    assert set(planted) <= set(RULES)


def test_timestamps_are_utc(small_region: Generated) -> None:
    first = small_region.tables["encounters"].column("start_at")[0].as_py()
    assert isinstance(first, datetime)
    offset = first.utcoffset()
    assert offset is not None and offset.total_seconds() == 0


def test_no_split_admission_is_planted_on_a_planned_cycle(small_region: Generated) -> None:
    split = {
        row["encounter_id"]
        for row in small_region.tables["synth_irregularities"].to_pylist()
        if row["rule_id"] == "SPLIT_ADMISSION"
    }
    assert split
    principal = {e["id"]: e["diagnoses"].split("|")[0] for e in small_region.tables["encounters"].to_pylist()}
    assert not [encounter for encounter in split if principal[encounter].startswith("Z51")]
