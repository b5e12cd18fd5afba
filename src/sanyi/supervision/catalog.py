"""Lookups the rule families read, built once from the knowledge tables a rule names.

Both faces read the same lookups: the per-claim check as dicts, the set-based query as small tables
made from these same rows, so the two cannot drift apart on what a table says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from sanyi.knowledge import supervision as kb

SEX_CODES: Final = {"男": "1", "女": "2"}
SEX_NAMES: Final = {"1": "男", "2": "女"}
LEVEL_NUMBERS: Final = {"一级": 1, "二级": 2, "三级": 3}
INSURANCE_CODES: Final = {"工伤": "work_injury", "生育": "maternity"}
INSURANCE_NAMES: Final = {"basic": "基本医疗保险", "work_injury": "工伤保险", "maternity": "生育保险"}
VISIT_NAMES: Final = {"inpatient": "住院", "outpatient": "门诊", "emergency": "急诊", "pharmacy": "药店购药"}
_MAX_DAYS: Final = re.compile(r"不超过([0-9]+)天")


def course_days(note: str) -> int | None:
    """The payable length of an item course from its note (``不超过90天``, ``不超过一年``)."""
    match = _MAX_DAYS.search(note)
    if match:
        return int(match.group(1))
    if "不超过一年" in note:
        return 365
    return None


@dataclass(frozen=True, slots=True)
class Pair:
    window: str
    main_code: str
    included_code: str


@dataclass(frozen=True, slots=True)
class Catalog:
    """Every knowledge lookup by the name the rules use (``rules.yaml`` ``knowledge``)."""

    values: dict[str, dict[str, str]]  # table → code → limiting value
    working_age: frozenset[str]
    item_course: dict[str, int]
    frequency: dict[str, tuple[int, str]]  # code → (max quantity, 日/天/小时)
    cycle: dict[str, tuple[int, int]]  # code → (max times, cycle days)
    included: dict[str, tuple[Pair, ...]]  # included code → pairs naming it
    surgery_groups: dict[str, tuple[str, ...]]  # code → its groups


@cache
def catalog() -> Catalog:
    values = {name: {x.code: x.value for x in kb.code_limits(name)} for name in sorted(kb.VALUE_LIMIT_TABLES)}
    included: dict[str, list[Pair]] = {}
    for p in kb.included_items():
        included.setdefault(p.included_code, []).append(Pair(p.window, p.main_code, p.included_code))
    groups: dict[str, list[str]] = {}
    for code, _name, group, _note in kb.rows("item_primary_secondary"):
        groups.setdefault(code, []).append(group)
    course = {}
    for limit in kb.noted_items("item_course_limit"):
        days = course_days(limit.note)
        if days is not None:
            course[limit.code] = days
    return Catalog(
        values=values,
        working_age=frozenset(x.code for x in kb.noted_items("item_working_age_limit")),
        item_course=course,
        frequency={x.code: (x.max_quantity, x.per) for x in kb.frequency_limits()},
        cycle={x.code: (x.max_times, x.cycle_days) for x in kb.cycle_limits()},
        included={code: tuple(pairs) for code, pairs in included.items()},
        surgery_groups={code: tuple(sorted(g)) for code, g in groups.items()},
    )
