"""Tiered-care knowledge: the regional first-contact list, recognisable items and service packages.

Each list is a region's configuration (edited as a TSV file), read against a schema so a bad row
stops loading with its file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Final

from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.tables import Column, TableSchema, fail, positive_int, read_table

TIERED_DIR: Final = KNOWLEDGE_ROOT / "tiered"
_FEN: Final = re.compile(r"[0-9]+")

TABLES: Final[dict[str, TableSchema]] = {
    "first_contact": TableSchema(
        (
            Column("icd_prefix", re.compile(r"[A-Z][0-9]{2}(\.[0-9]+)?")),
            Column("name"),
            Column("note", required=False),
        ),
        unique=("icd_prefix",),
        description="区域首诊疾病目录: conditions first seen at primary care",
    ),
    "recognisable_items": TableSchema(
        (
            Column("item_code", re.compile(r"(LAB|IMG)[0-9]{3}")),
            Column("item_name"),
            Column("category", choices=frozenset({"lab", "imaging"})),
            Column("validity_days", check=positive_int),
        ),
        unique=("item_code",),
        description="检查检验互认项目: recognisable items and their validity",
    ),
    "service_packages": TableSchema(
        (
            Column("code", re.compile(r"[A-Z_]+")),
            Column("name"),
            Column("kind", choices=frozenset({"basic", "key_group", "personalised"})),
            Column("price_fen", _FEN),
            Column("fund_fen", _FEN),
            Column("public_health_fen", _FEN),
            Column("resident_fen", _FEN),
        ),
        unique=("code",),
        description="家庭医生签约服务包: price and fee split in fen",
    ),
}


@dataclass(frozen=True, slots=True)
class RecognisableItem:
    code: str
    name: str
    category: str
    validity_days: int


@dataclass(frozen=True, slots=True)
class ServicePackage:
    code: str
    name: str
    kind: str
    price_fen: int
    fund_fen: int
    public_health_fen: int
    resident_fen: int


@cache
def first_contact_prefixes() -> tuple[tuple[str, str], ...]:
    """(ICD-10 prefix, name) of every condition on the regional first-contact list."""
    rows = read_table(TIERED_DIR / "first_contact.tsv", TABLES["first_contact"])
    return tuple((row[0], row[1]) for row in rows)


@cache
def recognisable_items() -> dict[str, RecognisableItem]:
    rows = read_table(TIERED_DIR / "recognisable_items.tsv", TABLES["recognisable_items"])
    return {row[0]: RecognisableItem(row[0], row[1], row[2], int(row[3])) for row in rows}


@cache
def service_packages() -> dict[str, ServicePackage]:
    rows = read_table(TIERED_DIR / "service_packages.tsv", TABLES["service_packages"])
    packages = {
        row[0]: ServicePackage(row[0], row[1], row[2], *(int(value) for value in row[3:])) for row in rows
    }
    for line, package in enumerate(packages.values(), start=2):
        # The split must add up to the price, to the fen.
        if package.fund_fen + package.public_health_fen + package.resident_fen != package.price_fen:
            raise fail(TIERED_DIR / "service_packages.tsv", line, "fee split does not add up to the price")
    return packages
