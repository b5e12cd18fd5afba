"""What other parts of Sanyi may use of the DRG grouper.

``group(record, scheme)`` and ``group_rows(rows, scheme)`` take mappings of strings with the columns
of ``conformance_cases.csv`` (lists joined by ``|``; a JSON list is accepted too). Bad records come
back as results with status ``UNKNOWN_DIAGNOSIS_CODE``, ``UNKNOWN_PROCEDURE_CODE`` or ``INVALID``;
nothing a record holds makes these functions raise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sanyi.drg.batch import (
    BatchSummary,
    ColumnMap,
    Problem,
    group_arrow,
    group_dataset,
    group_file,
    parse_column_map,
    result_schema,
)
from sanyi.drg.errors import (
    DRG_INVALID_COLUMN_MAP,
    DRG_INVALID_RECORD,
    DRG_MISSING_COLUMNS,
    DRG_TOO_MANY_RECORDS,
    DRG_UNKNOWN_GROUP,
    UNKNOWN_DIAGNOSIS_CODE,
    UNKNOWN_PROCEDURE_CODE,
)
from sanyi.drg.explain import GroupExplanation, explain_group
from sanyi.drg.model import INPUT_COLUMNS, INVALID, RESULT_COLUMNS, STATUSES, GroupResult, TrailStep
from sanyi.drg.parse import Rejection
from sanyi.drg.scheme import CompiledScheme, compiled, rejected
from sanyi.drg.trail import as_text, render, render_all
from sanyi.kernel.errors import DomainError, Issue
from sanyi.knowledge import drg as drg_knowledge
from sanyi.knowledge.codes import diagnoses, procedures


@dataclass(frozen=True, slots=True)
class SchemeInfo:
    name: str
    drg_count: int
    adrg_count: int
    mdc_count: int
    ambiguous_count: int  # ambiguous groups (xQY) besides the DRGs


def schemes() -> list[SchemeInfo]:
    """Every scheme under knowledge/drg, with its counts."""
    found = []
    for name in drg_knowledge.scheme_names():
        rules = drg_knowledge.load_scheme(name).rules
        drgs = {item["drg"] for adrg in rules["adrgs"].values() for item in adrg["drgs"]}
        steps = [step for mdc in rules["mdcs"].values() for step in mdc["steps"]]
        ambiguous = {step["result"] for step in steps if "result" in step}
        found.append(SchemeInfo(name, len(drgs), len(rules["adrgs"]), len(rules["mdcs"]), len(ambiguous)))
    return found


def scheme_names() -> list[str]:
    return drg_knowledge.scheme_names()


def _as_row(record: Mapping[str, Any]) -> dict[str, str]:
    """Values as strings; lists (from JSON) joined with ``|``."""
    row = {}
    for key, value in record.items():
        if value is None:
            row[key] = ""
        elif isinstance(value, list | tuple):
            row[key] = "|".join(str(item) for item in value)
        else:
            row[key] = str(value)
    return row


def group(record: Mapping[str, Any], scheme: str) -> GroupResult:
    """The group of one record, with its trail."""
    return compiled(scheme).group_row(_as_row(record), str(record.get("id") or ""))


def group_rows(rows: Iterable[Mapping[str, Any]], scheme: str) -> Iterator[GroupResult]:
    """The group of each row, in order. Rows of strings take the fast path; anything else is
    cleaned first, and a row that is not a mapping at all comes back INVALID."""
    group_row = compiled(scheme).group_row
    for row in rows:
        try:
            yield group_row(row, row.get("id") or "")
        except (AttributeError, TypeError):  # values that are not strings, or not a mapping
            if not isinstance(row, Mapping):
                yield rejected(Rejection(INVALID, ("record",)))
                continue
            clean = _as_row(row)
            yield group_row(clean, clean.get("id", ""))


_PROBLEMS = {
    "UNKNOWN_DIAGNOSIS_CODE": (UNKNOWN_DIAGNOSIS_CODE, "diagnoses"),
    "UNKNOWN_PROCEDURE_CODE": (UNKNOWN_PROCEDURE_CODE, "procedures"),
    "INVALID": (DRG_INVALID_RECORD, None),
}


def problem(result: GroupResult) -> Issue | None:
    """Why a record was not grouped, as a coded bilingual issue (``None`` for grouped and FAIL)."""
    found = _PROBLEMS.get(result.status)
    if found is None or not result.trail:
        return None
    spec, field_name = found
    named = result.trail[0].args[0]
    key = "fields" if field_name is None else "codes"
    error = DomainError(spec, **{key: named})
    return error.as_issue(field_name=field_name or named)


def diagnosis_name(code: str) -> str:
    return diagnoses().name(code) or ""


def procedure_name(code: str) -> str:
    return procedures().name(code) or ""


def explain(drg: str, scheme: str) -> GroupExplanation:
    return explain_group(compiled(scheme), drg)


def conformance_cases(scheme: str) -> list[dict[str, str]]:
    return drg_knowledge.conformance_cases(scheme)


__all__ = [
    "DRG_INVALID_COLUMN_MAP",
    "DRG_INVALID_RECORD",
    "DRG_MISSING_COLUMNS",
    "DRG_TOO_MANY_RECORDS",
    "DRG_UNKNOWN_GROUP",
    "INPUT_COLUMNS",
    "RESULT_COLUMNS",
    "STATUSES",
    "UNKNOWN_DIAGNOSIS_CODE",
    "UNKNOWN_PROCEDURE_CODE",
    "BatchSummary",
    "ColumnMap",
    "CompiledScheme",
    "GroupExplanation",
    "GroupResult",
    "Problem",
    "SchemeInfo",
    "TrailStep",
    "as_text",
    "compiled",
    "conformance_cases",
    "diagnosis_name",
    "explain",
    "group",
    "group_arrow",
    "group_dataset",
    "group_file",
    "group_rows",
    "parse_column_map",
    "problem",
    "procedure_name",
    "render",
    "render_all",
    "result_schema",
    "schemes",
]
