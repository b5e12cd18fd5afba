"""NHSA smart-review knowledge tables (医疗保障基金智能审核和监控知识库), one loader per table.

Each table is declared once in ``TABLES`` with its schema; ``rows(name)`` reads it (cached) and
``records(name)`` gives typed records. Day counts written as ``14天`` are read as integers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.errors import KNOWLEDGE_UNKNOWN
from sanyi.knowledge.tables import Column, TableSchema, positive_int, read_table

SUPERVISION_DIR: Final = KNOWLEDGE_ROOT / "supervision"

# 国家医保药品代码: 西药 X + 22, 中成药 Z + 19 characters. 医疗服务项目代码: 15 digits.
DRUG_CODE: Final = re.compile(r"X[A-Z0-9]{22}|Z[A-Z0-9]{19}")
ITEM_CODE: Final = re.compile(r"[0-9]{15}")
DAYS: Final = re.compile(r"[1-9][0-9]*天")

SEXES: Final = frozenset({"男", "女"})
POPULATIONS: Final = frozenset({"新生儿", "婴幼儿", "儿童"})
LEVELS: Final = frozenset({"一级", "二级", "三级"})


def _drug(*rest: Column) -> tuple[Column, ...]:
    return (Column("drug_code", DRUG_CODE), Column("generic_name"), *rest)


def _item(*rest: Column) -> tuple[Column, ...]:
    return (Column("item_code", ITEM_CODE), Column("item_name"), *rest)


_NOTE: Final = Column("note", required=False)

TABLES: Final[dict[str, TableSchema]] = {
    "drug_sex_limit": TableSchema(
        _drug(Column("sex", choices=SEXES), _NOTE),
        unique=("drug_code",),
        description="drug limited to one sex",
    ),
    "drug_age_limit": TableSchema(
        _drug(Column("population", choices=POPULATIONS), _NOTE),
        unique=("drug_code",),
        description="drug limited to a population by age",
    ),
    "drug_insurance_type_limit": TableSchema(
        _drug(Column("insurance_type", choices=frozenset({"工伤", "生育"})), _NOTE),
        unique=("drug_code",),
        description="drug paid only by work-injury or maternity insurance",
    ),
    "drug_visit_type_limit": TableSchema(
        _drug(Column("visit_type", choices=frozenset({"住院", "门诊"})), _NOTE),
        unique=("drug_code",),
        description="drug paid only in one visit type",
    ),
    "drug_institution_level_limit": TableSchema(
        _drug(Column("min_level", choices=LEVELS), _NOTE),
        unique=("drug_code",),
        description="drug paid only from an institution level up",
    ),
    "drug_course_limit": TableSchema(
        _drug(Column("max_days", DAYS), _NOTE),
        unique=("drug_code",),
        description="drug paid for at most N days",
    ),
    "item_sex_limit": TableSchema(
        _item(Column("sex", choices=SEXES), _NOTE),
        unique=("item_code",),
        description="item limited to one sex",
    ),
    "item_age_limit": TableSchema(
        _item(Column("population", choices=POPULATIONS)),
        unique=("item_code",),
        description="item limited to a population by age",
    ),
    "item_working_age_limit": TableSchema(
        _item(_NOTE), unique=("item_code",), description="item limited to the legal working age"
    ),
    "item_course_limit": TableSchema(
        _item(_NOTE), unique=("item_code",), description="item with a limited course (rule text in note)"
    ),
    "item_cycle_limit": TableSchema(
        _item(Column("max_times", check=positive_int), Column("cycle_days", check=positive_int), _NOTE),
        unique=("item_code",),
        description="item at most N times within a cycle of days",
    ),
    "item_frequency_limit": TableSchema(
        _item(
            Column("max_quantity", check=positive_int), Column("per", choices=frozenset({"日", "天", "小时"}))
        ),
        unique=("item_code",),
        description="item at most N per day",
    ),
    "item_duplicate_charge": TableSchema(
        (
            Column("window", re.compile(r"单日|单次就诊|同一小时|[1-9][0-9]*小时")),
            Column("main_code", ITEM_CODE),
            Column("main_name"),
            Column("included_code", ITEM_CODE),
            Column("included_name"),
            _NOTE,
        ),
        unique=("window", "main_code", "included_code"),
        description="item included in a main item, not billable with it in the window",
    ),
    "item_primary_secondary": TableSchema(
        _item(Column("surgery_group"), _NOTE),
        unique=("item_code", "surgery_group"),
        description="surgery whose second and later instances in one group are discounted",
    ),
}


def table_names() -> list[str]:
    return sorted(TABLES)


@cache
def rows(name: str) -> list[tuple[str, ...]]:
    """The validated rows of one table, in file order (cached)."""
    schema = TABLES.get(name)
    if schema is None:
        raise DomainError(
            KNOWLEDGE_UNKNOWN,
            kind_zh="监管知识表",
            kind_en="supervision table",
            name=name,
            available=", ".join(TABLES),
        )
    return read_table(SUPERVISION_DIR / f"{name}.tsv", schema)


@dataclass(frozen=True, slots=True)
class CodeLimit:
    """A code with one limiting value (a sex, a population, a level, a visit type, …)."""

    code: str
    name: str
    value: str
    note: str


@dataclass(frozen=True, slots=True)
class CycleLimit:
    code: str
    name: str
    max_times: int
    cycle_days: int
    note: str


@dataclass(frozen=True, slots=True)
class FrequencyLimit:
    code: str
    name: str
    max_quantity: int
    per: str


@dataclass(frozen=True, slots=True)
class IncludedItem:
    window: str
    main_code: str
    main_name: str
    included_code: str
    included_name: str
    note: str


# Tables of the shape (code, name, limiting value, note).
VALUE_LIMIT_TABLES: Final = frozenset(
    {
        "drug_sex_limit",
        "drug_age_limit",
        "drug_insurance_type_limit",
        "drug_visit_type_limit",
        "drug_institution_level_limit",
        "drug_course_limit",
        "item_sex_limit",
        "item_age_limit",
    }
)


def code_limits(name: str) -> list[CodeLimit]:
    """A (code, name, value[, note]) table as records; a course of ``14天`` has the value ``14``."""
    if name not in VALUE_LIMIT_TABLES:
        raise DomainError(
            KNOWLEDGE_UNKNOWN,
            kind_zh="限定类知识表",
            kind_en="code-limit table",
            name=name,
            available=", ".join(sorted(VALUE_LIMIT_TABLES)),
        )
    return [
        CodeLimit(code, label, value.removesuffix("天"), rest[0] if rest else "")
        for code, label, value, *rest in rows(name)
    ]


def noted_items(name: str) -> list[CodeLimit]:
    """Tables that list items with only a note (working-age and course limits)."""
    return [CodeLimit(code, label, "", note) for code, label, note in rows(name)]


def cycle_limits() -> list[CycleLimit]:
    return [CycleLimit(c, n, int(t), int(d), note) for c, n, t, d, note in rows("item_cycle_limit")]


def frequency_limits() -> list[FrequencyLimit]:
    return [FrequencyLimit(c, n, int(q), per) for c, n, q, per in rows("item_frequency_limit")]


def included_items() -> list[IncludedItem]:
    return [IncludedItem(*row) for row in rows("item_duplicate_charge")]
