"""What can be billed: national drug and service codes with their restrictions and synthetic prices.

Every drug and most items come from the NHSA knowledge tables, so each carries the restrictions those
tables state (sex, age, inpatient-only, minimum institution level, course, work-injury/maternity fund,
frequency, cycle, included-in-another-item). Clean encounters draw only from codes whose restrictions
the patient and institution satisfy; the planted irregularities break them on purpose.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

import numpy as np

from sanyi.knowledge import quality, supervision
from sanyi.knowledge.synth import Catalogue, load_catalogue

# Fixed service items (national codes).
REGISTRATION = "001101000010000"  # 挂号费
OUTPATIENT_CONSULTATION = "001102000010000"  # 普通门诊诊查费
EMERGENCY_CONSULTATION = "001102000030000"  # 急诊诊查费
INPATIENT_CONSULTATION = "001102000050000"  # 住院诊查费 (once a day)
WARD_BED = "001109000010000"  # 普通病房床位费 (once a day)
NURSING_II = "001201000040000"  # Ⅱ级护理 (once a day)
NURSING_I = "001201000030000"  # Ⅰ级护理 (once a day)
GENERAL_FEE = "L00120000000001"  # 一般诊疗费 (primary care)
PHARMACY_SERVICE = "L00140000000001"  # 药事服务费

SEX_CODES = {"男": 1, "女": 2}
POPULATION_CODES = {"新生儿": 1, "婴幼儿": 2, "儿童": 3}
LEVEL_CODES = {"一级": 1, "二级": 2, "三级": 3}


@dataclass
class Codes:
    """Parallel arrays describing billable codes of one kind (drugs or items)."""

    code: np.ndarray
    name: np.ndarray
    category: np.ndarray
    pay_class: np.ndarray
    price: np.ndarray  # yuan, 4 decimals, float64 only for sampling; lines keep Decimal text
    sex: np.ndarray  # 0 any, 1 male only, 2 female only
    population: np.ndarray  # 0 any, 1 newborn, 2 infant, 3 child
    inpatient_only: np.ndarray
    min_level: np.ndarray
    excluded: np.ndarray  # never billed on a clean encounter
    course_days: np.ndarray  # 0 = no course limit
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {code: i for i, code in enumerate(self.code.tolist())}


def stable_unit(code: str, salt: str) -> float:
    """A number in [0, 1) fixed by the code, so a code has the same price in every run and region."""
    return zlib.crc32(f"{salt}:{code}".encode()) / 2**32


def _price(code: str, low: Decimal, high: Decimal) -> float:
    # Log-uniform within the range, rounded to the fen.
    value = float(low) * (float(high) / float(low)) ** stable_unit(code, "price")
    return round(value, 2)


def _pay_class(code: str, shares: dict[str, float]) -> str:
    draw = stable_unit(code, "class")
    cumulative = 0.0
    for name in ("A", "B", "C"):
        cumulative += shares[name]
        if draw < cumulative:
            return name
    return "A"


def _category_of_item(code: str, rules: dict[str, str]) -> str | None:
    body = code[2:6]
    for length in (4, 2, 1):
        category = rules.get(body[:length])
        if category is not None:
            return category
    return None


@cache
def drugs() -> Codes:
    catalogue = load_catalogue()
    names: dict[str, str] = {}
    sex: dict[str, int] = {}
    population: dict[str, int] = {}
    inpatient: set[str] = set()
    level: dict[str, int] = {}
    excluded: set[str] = set()
    course: dict[str, int] = {}
    for limit in supervision.code_limits("drug_sex_limit"):
        names[limit.code], sex[limit.code] = limit.name, SEX_CODES[limit.value]
    for limit in supervision.code_limits("drug_age_limit"):
        names[limit.code], population[limit.code] = limit.name, POPULATION_CODES[limit.value]
    for limit in supervision.code_limits("drug_visit_type_limit"):
        names[limit.code] = limit.name
        inpatient.add(limit.code)
    for limit in supervision.code_limits("drug_institution_level_limit"):
        names[limit.code], level[limit.code] = limit.name, LEVEL_CODES[limit.value]
    for limit in supervision.code_limits("drug_insurance_type_limit"):
        names[limit.code] = limit.name
        excluded.add(limit.code)
    for limit in supervision.code_limits("drug_course_limit"):
        names[limit.code], course[limit.code] = limit.name, int(limit.value)
    codes = sorted(names)
    ranges = catalogue.price_ranges
    categories = ["09" if code.startswith("X") else "11" for code in codes]
    return Codes(
        code=np.array(codes, dtype=object),
        name=np.array([names[c] for c in codes], dtype=object),
        category=np.array(categories, dtype=object),
        pay_class=np.array([_pay_class(c, catalogue.drug_pay_class) for c in codes], dtype=object),
        price=np.array([_price(c, *ranges[cat]) for c, cat in zip(codes, categories, strict=True)]),
        sex=np.array([sex.get(c, 0) for c in codes], np.int8),
        population=np.array([population.get(c, 0) for c in codes], np.int8),
        inpatient_only=np.array([c in inpatient for c in codes]),
        min_level=np.array([level.get(c, 0) for c in codes], np.int8),
        excluded=np.array([c in excluded for c in codes]),
        course_days=np.array([course.get(c, 0) for c in codes], np.int16),
    )


@cache
def antibacterials() -> Codes:
    """The antibacterial products of the DDD table (indicators/antibacterial_products.tsv).

    They are never drawn as random drug lines (``excluded``): stays bill them as courses
    (``synth.antibacterials``), so the region's use density comes out where it is planned."""
    products = quality.antibacterial_products()
    catalogue = load_catalogue()
    codes = sorted(products)
    low, high = catalogue.price_ranges["09"]
    n = len(codes)
    return Codes(
        code=np.array(codes, dtype=object),
        name=np.array([products[c].name for c in codes], dtype=object),
        category=np.array(["09"] * n, dtype=object),
        pay_class=np.array([_pay_class(c, catalogue.drug_pay_class) for c in codes], dtype=object),
        price=np.array([_price(c, low, high) for c in codes]),
        sex=np.zeros(n, np.int8),
        population=np.zeros(n, np.int8),
        inpatient_only=np.zeros(n, bool),
        min_level=np.zeros(n, np.int8),
        excluded=np.ones(n, bool),
        course_days=np.zeros(n, np.int16),
    )


@cache
def billed_drugs() -> Codes:
    """Every drug code the region bills: the NHSA codes, then the antibacterial products."""
    first, second = drugs(), antibacterials()

    def both(name: str) -> np.ndarray:
        return np.concatenate([getattr(first, name), getattr(second, name)])

    return Codes(
        code=both("code"),
        name=both("name"),
        category=both("category"),
        pay_class=both("pay_class"),
        price=both("price"),
        sex=both("sex"),
        population=both("population"),
        inpatient_only=both("inpatient_only"),
        min_level=both("min_level"),
        excluded=both("excluded"),
        course_days=both("course_days"),
    )


@cache
def items() -> Codes:
    catalogue = load_catalogue()
    names: dict[str, str] = {}
    sex: dict[str, int] = {}
    population: dict[str, int] = {}
    excluded: set[str] = set()
    for table in ("item_sex_limit", "item_age_limit"):
        for limit in supervision.code_limits(table):
            names[limit.code] = limit.name
            (sex if table == "item_sex_limit" else population)[limit.code] = (
                SEX_CODES[limit.value] if table == "item_sex_limit" else POPULATION_CODES[limit.value]
            )
    for table in ("item_working_age_limit", "item_course_limit"):
        for limit in supervision.noted_items(table):
            names[limit.code] = limit.name
            excluded.add(limit.code)
    for cycle in supervision.cycle_limits():
        names[cycle.code] = cycle.name
        excluded.add(cycle.code)
    for frequency in supervision.frequency_limits():
        names[frequency.code] = frequency.name
    for pair in supervision.included_items():
        names[pair.main_code], names[pair.included_code] = pair.main_name, pair.included_name
        excluded.add(pair.main_code)  # a package item is never billed in clean data
    for code, name, *_ in supervision.rows("item_primary_secondary"):
        names[code] = name
    listed = {entry.code: entry for entry in catalogue.extra_items}
    for code, entry in listed.items():
        names[code] = entry.name
    codes, categories = [], []
    for code in sorted(names):
        category = (
            listed[code].category
            if code in listed
            else _category_of_item(code, catalogue.item_category_by_prefix)
        )
        if category is not None:
            codes.append(code)
            categories.append(category)
    return Codes(
        code=np.array(codes, dtype=object),
        name=np.array([names[c] for c in codes], dtype=object),
        category=np.array(categories, dtype=object),
        pay_class=np.array([_pay_class(c, catalogue.item_pay_class) for c in codes], dtype=object),
        price=np.array(
            [
                float(listed[c].price) if c in listed else _price(c, *catalogue.price_ranges[cat])
                for c, cat in zip(codes, categories, strict=True)
            ]
        ),
        sex=np.array([sex.get(c, 0) for c in codes], np.int8),
        population=np.array([population.get(c, 0) for c in codes], np.int8),
        inpatient_only=np.zeros(len(codes), bool),
        min_level=np.zeros(len(codes), np.int8),
        excluded=np.array([c in excluded for c in codes]),
        course_days=np.zeros(len(codes), np.int16),
    )


def supplies() -> Catalogue:
    return load_catalogue()


def age_class(age_years: np.ndarray, age_days: np.ndarray) -> np.ndarray:
    """0 newborn (≤ 28 days), 1 infant (< 3 years), 2 child (< 18), 3 adult."""
    return np.select([age_days <= 28, age_years < 3, age_years < 18], [0, 1, 2], 3).astype(np.int8)


def eligible(codes: Codes, sex: int, age_group: int, inpatient: bool, level: int) -> np.ndarray:
    """Indices of codes a clean encounter may bill for this patient at this institution level."""
    population_ok = (codes.population == 0) | (
        ((codes.population == 1) & (age_group == 0))
        | ((codes.population == 2) & (age_group <= 1))
        | ((codes.population == 3) & (age_group <= 2))
    )
    mask = (
        ~codes.excluded
        & ((codes.sex == 0) | (codes.sex == sex))
        & population_ok
        & (inpatient | ~codes.inpatient_only)
        & (codes.min_level <= level)
    )
    return np.flatnonzero(mask)
