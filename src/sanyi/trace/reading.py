"""Event files as template rows: Excel/CSV through the tabular reader, JSONL line by line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sanyi.infrastructure.sheets import DATA_SHEET
from sanyi.infrastructure.tabular import SheetRow, read_rows, sheet_names
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.errors import DomainError, Issue
from sanyi.trace.errors import TRACE_INVALID_JSON, TRACE_UNSUPPORTED_FILE
from sanyi.trace.templates import EVENTS

_HEADERS = {column.key: column.header for column in EVENTS.columns}


def _text(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if key == "at" and isinstance(value, str) and ("+" in value[10:] or value.endswith("Z")):
        # An ISO instant with its offset, written as the template's Beijing wall-clock time.
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    return str(value).strip()


def record_row(number: int, record: Mapping[str, Any]) -> SheetRow:
    """A record with the template's column keys (a JSONL line, a generated event) as a sheet row."""
    return SheetRow(
        number, {_HEADERS[key]: _text(key, value) for key, value in record.items() if key in _HEADERS}
    )


def jsonl_rows(path: Path, rejected: list[Issue]) -> Iterator[SheetRow]:
    """The lines of a JSONL file as rows; a line that is not a JSON object goes to ``rejected``."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not an object")
                yield record_row(number, record)
            except ValueError as error:
                problem = DomainError(TRACE_INVALID_JSON, line=number, reason=str(error))
                rejected.append(problem.as_issue(row=number))


def records_rows(records: Iterable[Mapping[str, Any]]) -> Iterator[SheetRow]:
    for number, record in enumerate(records, start=1):
        yield record_row(number, record)


def table_rows(path: Path) -> Iterator[SheetRow]:
    """The rows of an Excel (its 数据 sheet when present) or CSV file, header checked first."""
    sheet = DATA_SHEET if path.suffix.lower() == ".xlsx" and DATA_SHEET in sheet_names(path) else None
    header, rows = read_rows(path, sheet)
    EVENTS.check_header(header)
    return rows


def file_rows(path: Path, rejected: list[Issue]) -> Iterator[SheetRow]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return jsonl_rows(path, rejected)
    if suffix in (".xlsx", ".csv"):
        return table_rows(path)
    raise DomainError(TRACE_UNSUPPORTED_FILE, suffix=suffix or path.name)
