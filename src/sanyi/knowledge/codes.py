"""ICD-10 diagnoses and ICD-9-CM-3 procedures (医保版 2.0) with the maps to grouper codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.tables import Column, TableSchema, read_pairs

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


TABLES: Final[dict[str, TableSchema]] = {
    "diagnoses.tsv": DIAGNOSES_SCHEMA,
    "procedures.tsv": PROCEDURES_SCHEMA,
    "diagnosis_map.tsv": DIAGNOSIS_MAP_SCHEMA,
    "procedure_map.tsv": PROCEDURE_MAP_SCHEMA,
}
