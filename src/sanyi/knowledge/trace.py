"""Traceability knowledge: the code format, the public query's limits, the duplicate-dispensing rule
(``trace/trace.yaml`` checked by ``trace.schema.json``) and the synthetic enterprises (``enterprises.tsv``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.errors import KNOWLEDGE_INVALID_FILE
from sanyi.knowledge.tables import Column, TableSchema, read_table

TRACE_DIR: Final = KNOWLEDGE_ROOT / "trace"
CONFIG_FILE: Final = "trace.yaml"

TABLES: Final[dict[str, TableSchema]] = {
    "enterprises": TableSchema(
        (
            Column("code", re.compile(r"[0-9A-Z]{18}")),
            Column("name"),
            Column("role", choices=frozenset({"manufacturer", "distributor"})),
            Column("note", required=False),
        ),
        unique=("code",),
        description="追溯企业（合成）: synthetic manufacturers and distributors",
    ),
}


@dataclass(frozen=True, slots=True)
class CodeFormat:
    length: int
    pattern: re.Pattern[str]
    product_prefix_length: int
    check_rule: str
    source: str


@dataclass(frozen=True, slots=True)
class QueryLimits:
    window_minutes: int
    max_queries: int
    max_misses: int


@dataclass(frozen=True, slots=True)
class DuplicateRule:
    id: str
    title_zh: str
    title_en: str
    result: str
    basis: str
    message_zh: str
    message_en: str


@dataclass(frozen=True, slots=True)
class TraceConfig:
    version: str
    code: CodeFormat
    public_query: QueryLimits
    duplicate_rule: DuplicateRule


@dataclass(frozen=True, slots=True)
class Enterprise:
    code: str
    name: str
    role: str


def _fail(path: Path, line: int, reason: str) -> DomainError:
    return DomainError(KNOWLEDGE_INVALID_FILE, file=str(path), line=line, reason=reason)


def read_config(path: Path) -> TraceConfig:
    """Read and schema-check a traceability configuration file."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(path, 0, "file is missing") from None
    except yaml.YAMLError as error:
        raise _fail(path, 0, f"not valid YAML: {error}") from None
    schema = json.loads((path.parent / "trace.schema.json").read_text(encoding="utf-8"))
    problem = next(iter(jsonschema.Draft202012Validator(schema).iter_errors(raw)), None)
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "(top)"
        raise _fail(path, 0, f"{where}: {problem.message}")
    code, query, rule = raw["code"], raw["public_query"], raw["duplicate_rule"]
    try:
        pattern = re.compile(code["pattern"])
    except re.error as error:
        raise _fail(path, 0, f"code/pattern: {error}") from None
    return TraceConfig(
        version=str(raw["version"]),
        code=CodeFormat(
            int(code["length"]),
            pattern,
            int(code["product_prefix_length"]),
            str(code["check_rule"]),
            f"{code['source']['document']} · {code['source']['clause']}",
        ),
        public_query=QueryLimits(
            int(query["window_minutes"]), int(query["max_queries"]), int(query["max_misses"])
        ),
        duplicate_rule=DuplicateRule(
            id=rule["id"],
            title_zh=rule["title_zh"],
            title_en=rule["title_en"],
            result=rule["result"],
            basis=f"{rule['basis']['document']} · {rule['basis']['clause']}",
            message_zh=rule["message_zh"],
            message_en=rule["message_en"],
        ),
    )


@cache
def trace_config() -> TraceConfig:
    return read_config(TRACE_DIR / CONFIG_FILE)


def count_config(path: Path) -> int:
    """For ``sanyi knowledge check``: the file loads; one configuration."""
    read_config(path)
    return 1


@cache
def enterprises() -> tuple[Enterprise, ...]:
    rows = read_table(TRACE_DIR / "enterprises.tsv", TABLES["enterprises"])
    return tuple(Enterprise(row[0], row[1], row[2]) for row in rows)
