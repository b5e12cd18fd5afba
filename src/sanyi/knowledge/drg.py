"""DRG grouping schemes: one folder per scheme under ``drg/``, read as data.

A scheme folder holds ``rules.json`` (the decision structure, checked against
``rules.schema.json`` and for dangling references), the CC/MCC tables, the exclusion tables, the
list of operating-room procedures, the DRG names and the conformance cases. Adding a scheme means
adding a folder; nothing here names a scheme.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.codes import DIAGNOSIS_CODE, PROCEDURE_CODE
from sanyi.knowledge.errors import KNOWLEDGE_UNKNOWN
from sanyi.knowledge.tables import Column, TableSchema, fail, positive_int, read_pairs, read_table

DRG_DIR: Final = KNOWLEDGE_ROOT / "drg"
RULES_SCHEMA_FILE: Final = DRG_DIR / "rules.schema.json"
VALID_PROCEDURES_LIST: Final = "@valid_procedures"

DRG_CODE: Final = re.compile(r"[A-Z][A-Z0-9]{2,3}[0-9A-Z_]*")

CC_SCHEMA: Final = TableSchema(
    (Column("code", DIAGNOSIS_CODE), Column("exclusion_table", check=positive_int)),
    unique=("code",),
    description="complications/comorbidities and their exclusion table",
)
CC_EXCLUSION_SCHEMA: Final = TableSchema(
    (Column("principal_code", DIAGNOSIS_CODE), Column("exclusion_table", check=positive_int)),
    unique=("principal_code",),
    description="exclusion table of a principal diagnosis",
)
# The source lists a few procedures twice under two names; the code set is what matters.
OR_PROCEDURES_SCHEMA: Final = TableSchema(
    (Column("code", PROCEDURE_CODE), Column("name")),
    description="operating-room (valid) procedures",
)
DRG_NAMES_SCHEMA: Final = TableSchema(
    (Column("drg", DRG_CODE), Column("name")),
    unique=("drg",),
    description="DRG names",
)
CONFORMANCE_SCHEMA: Final = TableSchema(
    (
        Column("id"),
        Column("sex", required=False),
        Column("age", required=False),
        Column("age_days", required=False),
        Column("weight_g", required=False),
        Column("dept", required=False),
        Column("los_days", required=False),
        Column("discharge_type", required=False),
        Column("diagnoses", required=False),
        Column("procedures", required=False),
        Column(
            "status",
            choices=frozenset(
                {"SUCCESS", "QY", "FAIL", "INVALID", "UNKNOWN_DIAGNOSIS_CODE", "UNKNOWN_PROCEDURE_CODE"}
            ),
        ),
        Column("mdc"),
        Column("adrg"),
        Column("drg"),
    ),
    unique=("id",),
    description="conformance cases with expected results",
)


TABLES: Final[dict[str, TableSchema]] = {
    "mcc.tsv": TableSchema(CC_SCHEMA.columns, CC_SCHEMA.unique, "major complications/comorbidities (MCC)"),
    "cc.tsv": CC_SCHEMA,
    "cc_exclusion.tsv": CC_EXCLUSION_SCHEMA,
    "or_procedures.tsv": OR_PROCEDURES_SCHEMA,
    "drg_names.tsv": DRG_NAMES_SCHEMA,
}


@dataclass(frozen=True, slots=True)
class DrgSchemeTables:
    """Everything a grouper needs to know about one scheme, as loaded from its folder."""

    name: str
    rules: Mapping[str, Any]
    mcc: Mapping[str, str]
    cc: Mapping[str, str]
    cc_exclusion: Mapping[str, str]
    valid_procedures: frozenset[str]
    drg_names: Mapping[str, str]

    @property
    def drg_count(self) -> int:
        return len(self.drg_names)

    @property
    def adrg_count(self) -> int:
        return len(self.rules["adrgs"])


def scheme_names() -> list[str]:
    """Every folder under ``drg/`` that holds a ``rules.json``, sorted."""
    return sorted(path.parent.name for path in DRG_DIR.glob("*/rules.json"))


def scheme_dir(name: str) -> Path:
    if name not in scheme_names():
        raise DomainError(
            KNOWLEDGE_UNKNOWN,
            kind_zh="DRG 分组方案",
            kind_en="DRG scheme",
            name=name,
            available=", ".join(scheme_names()),
        )
    return DRG_DIR / name


@cache
def _rules_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(RULES_SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _load_rules(path: Path) -> dict[str, Any]:
    try:
        rules: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(path, 0, "file is missing") from None
    except json.JSONDecodeError as error:
        raise fail(path, error.lineno, f"not valid JSON: {error.msg}") from None
    errors = sorted(_rules_validator().iter_errors(rules), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        pointer = "/" + "/".join(str(part) for part in first.absolute_path)
        raise fail(path, _line_of_pointer(path, first.absolute_path), f"at {pointer}: {first.message}")
    _check_references(path, rules)
    return rules


def _line_of_pointer(path: Path, parts: Any) -> int:
    """The line of the last named key of a JSON pointer (rules.json is written one key per line)."""
    keys = [part for part in parts if isinstance(part, str)]
    if not keys:
        return 1
    needle = json.dumps(keys[-1], ensure_ascii=False) + ":"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith(needle):
            return number
    return 1


def _list_references(condition: Any) -> Iterator[str]:
    if isinstance(condition, dict):
        for key, value in condition.items():
            if key.endswith("_in") and isinstance(value, str):
                yield value
            else:
                yield from _list_references(value)
    elif isinstance(condition, list):
        for item in condition:
            yield from _list_references(item)


def _check_references(path: Path, rules: Mapping[str, Any]) -> None:
    """Every list, ADRG and MDC a rule names must exist: a dangling reference is a broken scheme."""
    lists = rules["lists"]
    for reference in _list_references([rules["mdcs"], rules["adrgs"]]):
        if reference != VALID_PROCEDURES_LIST and reference not in lists:
            raise fail(path, _line_of_pointer(path, []), f"condition names unknown list {reference!r}")
    for adrg_code, adrg in rules["adrgs"].items():
        classes = adrg.get("proc_classes")
        if classes is None:
            continue
        codes, labels = lists.get(classes["codes"]), lists.get(classes["labels"])
        if codes is None or labels is None or len(codes) != len(labels):
            raise fail(
                path,
                _line_of_pointer(path, ["adrgs", adrg_code]),
                f"ADRG {adrg_code}: proc_classes must name two lists of equal length",
            )
    for mdc_code in rules["mdc_order"]:
        if mdc_code not in rules["mdcs"]:
            raise fail(
                path, _line_of_pointer(path, ["mdc_order"]), f"mdc_order names unknown MDC {mdc_code!r}"
            )
    for mdc_code, mdc in rules["mdcs"].items():
        for step in mdc["steps"]:
            if "adrg" in step and step["adrg"] not in rules["adrgs"]:
                raise fail(
                    path,
                    _line_of_pointer(path, ["mdcs", mdc_code]),
                    f"MDC {mdc_code} names unknown ADRG {step['adrg']!r}",
                )


def _code_table(path: Path, schema: TableSchema) -> dict[str, str]:
    return read_pairs(path, schema)


@cache
def load_scheme(name: str) -> DrgSchemeTables:
    """Load and check one scheme (cached)."""
    folder = scheme_dir(name)
    rules = _load_rules(folder / "rules.json")
    return DrgSchemeTables(
        name=name,
        rules=rules,
        mcc=_code_table(folder / "mcc.tsv", CC_SCHEMA),
        cc=_code_table(folder / "cc.tsv", CC_SCHEMA),
        cc_exclusion=_code_table(folder / "cc_exclusion.tsv", CC_EXCLUSION_SCHEMA),
        valid_procedures=frozenset(
            code for code, _ in read_table(folder / "or_procedures.tsv", OR_PROCEDURES_SCHEMA)
        ),
        drg_names=_code_table(folder / "drg_names.tsv", DRG_NAMES_SCHEMA),
    )


def count_rules(path: Path) -> int:
    """Check a rules.json and count its DRGs."""
    rules = _load_rules(path)
    return sum(len(adrg["drgs"]) for adrg in rules["adrgs"].values())


def count_cases(path: Path) -> int:
    return len(_read_cases(path))


@cache
def conformance_cases(name: str) -> list[dict[str, str]]:
    """The scheme's conformance cases as rows of strings (what csv.DictReader would give)."""
    return _read_cases(scheme_dir(name) / "conformance_cases.csv")


def _read_cases(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    if not records:
        raise fail(path, 1, "file is empty")
    header = records[0]
    if tuple(header) != CONFORMANCE_SCHEMA.names:
        raise fail(path, 1, f"header is {header}, expected {list(CONFORMANCE_SCHEMA.names)}")
    rows = []
    for number, values in enumerate(records[1:], start=2):
        if len(values) != len(header):
            raise fail(path, number, f"{len(values)} fields, expected {len(header)}")
        for column, value in zip(CONFORMANCE_SCHEMA.columns, values, strict=True):
            problem = column.problem(value)
            if problem is not None:
                raise fail(path, number, problem)
        rows.append(dict(zip(header, values, strict=True)))
    return rows
