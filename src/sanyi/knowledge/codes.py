"""Code tables: ICD-10 / ICD-9-CM-3 (医保版 2.0) with their maps, divisions (GB/T 2260), departments."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.tables import Column, TableSchema, read_pairs, read_table

CODES_DIR: Final = KNOWLEDGE_ROOT / "codes"

DIAGNOSIS_CODE: Final = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Za-z]+)?(x[0-9]+)?([+*][A-Z0-9.*+]+)?")
# Incoming (clinical-edition and older) codes may carry a morphology code or a dagger/asterisk pair.
SOURCE_DIAGNOSIS_CODE: Final = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Za-z.+*/]*")
PROCEDURE_CODE: Final = re.compile(r"[0-9]{2}\.[0-9A-Za-z]+")

DIAGNOSES_SCHEMA: Final = TableSchema(
    (Column("code", DIAGNOSIS_CODE), Column("name")),
    unique=("code",),
    description="ICD-10 医保版 2.0 diagnoses",
)
PROCEDURES_SCHEMA: Final = TableSchema(
    (Column("code", PROCEDURE_CODE), Column("name")),
    unique=("code",),
    description="ICD-9-CM-3 医保版 2.0 procedures",
)
DIAGNOSIS_MAP_SCHEMA: Final = TableSchema(
    (Column("source_code", SOURCE_DIAGNOSIS_CODE), Column("grouper_code", DIAGNOSIS_CODE)),
    unique=("source_code",),
    description="incoming diagnosis code → grouper code",
)
PROCEDURE_MAP_SCHEMA: Final = TableSchema(
    (Column("source_code", PROCEDURE_CODE), Column("grouper_code", PROCEDURE_CODE)),
    unique=("source_code",),
    description="incoming procedure code → grouper code",
)


@dataclass(frozen=True, slots=True)
class CodeDictionary:
    """Codes with their Chinese names."""

    names: dict[str, str]

    def __contains__(self, code: object) -> bool:
        return code in self.names

    def __len__(self) -> int:
        return len(self.names)

    def name(self, code: str) -> str | None:
        return self.names.get(code)


def _dictionary(path: Path, schema: TableSchema) -> CodeDictionary:
    return CodeDictionary(read_pairs(path, schema))


def _mapping(path: Path, schema: TableSchema) -> dict[str, str]:
    return read_pairs(path, schema)


@cache
def diagnoses() -> CodeDictionary:
    return _dictionary(CODES_DIR / "diagnoses.tsv", DIAGNOSES_SCHEMA)


@cache
def procedures() -> CodeDictionary:
    return _dictionary(CODES_DIR / "procedures.tsv", PROCEDURES_SCHEMA)


@cache
def diagnosis_map() -> dict[str, str]:
    return _mapping(CODES_DIR / "diagnosis_map.tsv", DIAGNOSIS_MAP_SCHEMA)


@cache
def procedure_map() -> dict[str, str]:
    return _mapping(CODES_DIR / "procedure_map.tsv", PROCEDURE_MAP_SCHEMA)


DIVISIONS_SCHEMA: Final = TableSchema(
    (
        Column("code", re.compile(r"[1-9][0-9]{5}")),
        Column("name"),
        Column("level", choices=frozenset({"province", "city", "county"})),
        Column("parent_code", re.compile(r"[1-9][0-9]{5}"), required=False),
    ),
    unique=("code",),
    description="GB/T 2260 administrative divisions used by the regions",
)
DEPARTMENTS_SCHEMA: Final = TableSchema(
    (
        Column("code", re.compile(r"[0-9]{2}([0-9]{2})?|ICU")),
        Column("name"),
        Column("parent_code", required=False),
    ),
    unique=("code",),
    description="departments (医疗机构诊疗科目名录, 1994)",
)


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str | None


@cache
def divisions() -> dict[str, Division]:
    """Provinces, cities and counties (GB/T 2260) by code, parents before children."""
    rows = read_table(CODES_DIR / "divisions.tsv", DIVISIONS_SCHEMA)
    return {code: Division(code, name, level, parent or None) for code, name, level, parent in rows}


@cache
def departments() -> dict[str, str]:
    return {code: name for code, name, _ in read_table(CODES_DIR / "departments.tsv", DEPARTMENTS_SCHEMA)}


TABLES: Final[dict[str, TableSchema]] = {
    "diagnoses.tsv": DIAGNOSES_SCHEMA,
    "procedures.tsv": PROCEDURES_SCHEMA,
    "diagnosis_map.tsv": DIAGNOSIS_MAP_SCHEMA,
    "procedure_map.tsv": PROCEDURE_MAP_SCHEMA,
    "divisions.tsv": DIVISIONS_SCHEMA,
    "departments.tsv": DEPARTMENTS_SCHEMA,
}
