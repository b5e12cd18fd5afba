"""Reference tables of the quality-and-safety indicators (``knowledge/indicators/*.tsv``).

``antibacterials``: WHO ATC J01 substances with their defined daily dose (DDD) per route;
``antibacterial_products``: the drug codes a region bills, each with its substance, route and active
amount per billed unit, so a fee line's quantity converts to DDDs; ``complications``: the ICD-10
categories counted as complications of surgery. Products are checked against the DDD table (a product
whose substance and route has no DDD, or whose unit differs, fails naming its line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Final

from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.tables import Column, TableSchema, fail, read_table

QUALITY_DIR: Final = KNOWLEDGE_ROOT / "indicators"
# DDDs per unit are kept to 10 places: exact for the usual strengths, and a 1/3 is off by < 1e-10.
DDD_PLACES: Final = Decimal("1e-10")
_AMOUNT: Final = re.compile(r"[0-9]+(\.[0-9]+)?")
_ROUTES: Final = frozenset({"O", "P"})  # WHO: oral, parenteral
_UNITS: Final = frozenset({"g", "mg"})


def _positive(value: str) -> str | None:
    return None if Decimal(value) > 0 else f"{value!r} is not positive"


TABLES: Final[dict[str, TableSchema]] = {
    "antibacterials": TableSchema(
        (
            Column("atc", re.compile(r"J01[A-Z]{2}[0-9]{2}")),
            Column("route", choices=_ROUTES),
            Column("inn_zh"),
            Column("inn_en"),
            Column("ddd", _AMOUNT, check=_positive),
            Column("unit", choices=_UNITS),
        ),
        unique=("atc", "route"),
        description="全身用抗菌药物 DDD (WHO ATC/DDD Index, J01)",
    ),
    "antibacterial_products": TableSchema(
        (
            Column("code", re.compile(r"X[A-Z0-9]{22}")),
            Column("name"),
            Column("atc", re.compile(r"J01[A-Z]{2}[0-9]{2}")),
            Column("route", choices=_ROUTES),
            Column("form"),
            Column("strength", _AMOUNT, check=_positive),
            Column("unit", choices=_UNITS),
        ),
        unique=("code",),
        description="抗菌药物品规: billed drug codes with substance, route and strength",
    ),
    "complications": TableSchema(
        (
            Column("icd_prefix", re.compile(r"[A-Z][0-9]{2}(\.[0-9]+)?")),
            Column("name_zh"),
            Column("name_en"),
        ),
        unique=("icd_prefix",),
        description="手术患者并发症 ICD-10 类目: complications of surgical care",
    ),
}


@dataclass(frozen=True, slots=True)
class Antibacterial:
    atc: str
    route: str
    inn_zh: str
    inn_en: str
    ddd: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class Product:
    code: str
    name: str
    substance: Antibacterial
    form: str
    strength: Decimal

    @property
    def ddd_per_unit(self) -> Decimal:
        """DDDs in one billed unit: strength ÷ DDD (same unit), to 10 places."""
        return (self.strength / self.substance.ddd).quantize(DDD_PLACES)


def _path(name: str, root: Path) -> Path:
    return root / f"{name}.tsv"


def read_antibacterials(root: Path = QUALITY_DIR) -> dict[tuple[str, str], Antibacterial]:
    rows = read_table(_path("antibacterials", root), TABLES["antibacterials"])
    return {
        (atc, route): Antibacterial(atc, route, zh, en, Decimal(ddd), unit)
        for atc, route, zh, en, ddd, unit in rows
    }


def read_products(root: Path = QUALITY_DIR) -> dict[str, Product]:
    """The products, each joined to its substance's DDD; a dangling reference fails with its line."""
    substances = read_antibacterials(root)
    path = _path("antibacterial_products", root)
    out = {}
    for line, (code, name, atc, route, form, strength, unit) in enumerate(
        read_table(path, TABLES["antibacterial_products"]), start=2
    ):
        substance = substances.get((atc, route))
        if substance is None:
            raise fail(path, line, f"no DDD for {atc} route {route} in antibacterials.tsv")
        if substance.unit != unit:
            raise fail(path, line, f"unit {unit!r} differs from the DDD's unit {substance.unit!r}")
        out[code] = Product(code, name, substance, form, Decimal(strength))
    return out


def read_complications(root: Path = QUALITY_DIR) -> tuple[str, ...]:
    rows = read_table(_path("complications", root), TABLES["complications"])
    return tuple(row[0] for row in rows)


@cache
def antibacterial_products() -> dict[str, Product]:
    return read_products()


@cache
def complication_prefixes() -> tuple[str, ...]:
    return read_complications()


def count_products(path: Path) -> int:
    return len(read_products(path.parent))
