"""Streaming import of a header-mapped file in one transaction, reporting every bad row.

The file is read row by row; each row is parsed by the kind's :class:`SheetSpec`, then checked by
the kind's :class:`Loader` (references, duplicates, cross-field rules), which buffers good records
and writes them in batches (upserts by natural key, so re-importing a file changes nothing). The
whole import is one transaction: with ``reject`` a single bad row rolls everything back, with
``skip`` the good records are committed and the bad rows reported.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection

from sanyi.infrastructure.audit import Actor, AuditLog
from sanyi.infrastructure.sheets import DATA_SHEET, IMPORT_REJECTED, SheetSpec
from sanyi.infrastructure.tabular import read_rows, sheet_names
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.errors import DomainError, Issue

BATCH = 2_000

Progress = Callable[[int, int | None], None]


class OnError(enum.StrEnum):
    REJECT = "reject"  # nothing is written if any row is bad
    SKIP = "skip"  # good records are written, bad rows reported


class Loader(Protocol):
    """What a context provides to import one kind of record."""

    spec: SheetSpec

    def begin(self, connection: Connection) -> None:
        """Load what the checks need (known codes, existing keys)."""

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        """References and cross-field rules of a row whose cells all parsed."""

    def add(self, row: int, values: dict[str, Any], good: bool) -> None:
        """Take a row (a bad one too, so a multi-row record knows to drop itself)."""

    def pending(self) -> int:
        """Records buffered and ready to write."""

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        """Write the buffered records; returns (inserted, updated)."""

    def skipped(self) -> int:
        """Records left out because one of their rows was bad."""

    def discard(self) -> None:
        """Drop the buffered records (under reject, once a row is bad nothing will be written)."""


class BufferedLoader:
    """The buffer most loaders keep: each good row is one record, and no record is left out."""

    def __init__(self) -> None:
        self.buffer: list[Any] = []

    def add(self, row: int, values: dict[str, Any], good: bool) -> None:
        if good:
            self.buffer.append(values)

    def pending(self) -> int:
        return len(self.buffer)

    def take(self) -> list[Any]:
        """The buffered records, leaving the buffer empty (what ``flush`` writes)."""
        batch, self.buffer = self.buffer, []
        return batch

    def skipped(self) -> int:
        return 0

    def discard(self) -> None:
        self.buffer.clear()


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    bad_rows: int = 0
    inserted: int = 0
    updated: int = 0
    skipped_records: int = 0
    committed: bool = False
    issues: list[Issue] = field(default_factory=list)

    def by_code(self) -> list[tuple[str, int]]:
        return Counter(item.code for item in self.issues).most_common()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "bad_rows": self.bad_rows,
            "inserted": self.inserted,
            "updated": self.updated,
            "skipped_records": self.skipped_records,
            "committed": self.committed,
            "issues": [item.to_dict() for item in self.issues],
        }

    def rejection(self) -> DomainError:
        return DomainError(IMPORT_REJECTED, bad=self.bad_rows)


def estimate_rows(path: Path) -> int | None:
    """Data rows in the file, for the progress bar (None if it cannot be known cheaply)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("rb") as handle:
            return max(sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1, 0)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True)
        try:
            rows = workbook.worksheets[0].max_row
            return None if rows is None else max(int(rows) - 1, 0)
        finally:
            workbook.close()
    return None


def run_import(
    uow: UnitOfWorkFactory,
    audit: AuditLog,
    actor: Actor,
    loader: Loader,
    path: Path,
    on_error: OnError = OnError.REJECT,
    progress: Progress | None = None,
) -> ImportResult:
    spec = loader.spec
    sheet = DATA_SHEET if DATA_SHEET in sheet_names(path) else None
    header, rows = read_rows(path, sheet)
    spec.check_header(header)
    total = estimate_rows(path) if progress is not None else None
    result = ImportResult(spec.kind)
    parse = spec.parser()
    with uow(write=True) as unit:
        connection = unit.connection
        loader.begin(connection)
        for row in rows:
            result.rows += 1
            values, issues = parse(row)
            if not issues:
                issues = loader.check(row.number, values)
            if issues:
                result.bad_rows += 1
                result.issues.extend(issues)
            loader.add(row.number, values, not issues)
            # Under reject, once a row is bad nothing will be kept: validate the rest without writing.
            writing = on_error is OnError.SKIP or not result.issues
            if loader.pending() >= BATCH:
                if writing:
                    _count(result, loader.flush(connection, final=False))
                else:
                    loader.discard()
            if progress is not None and result.rows % 500 == 0:
                progress(result.rows, total)
        if on_error is OnError.SKIP or not result.issues:
            _count(result, loader.flush(connection, final=True))
        result.skipped_records = loader.skipped()
        if result.issues and on_error is OnError.REJECT:
            result.inserted = result.updated = 0
            return result  # leaving the unit uncommitted rolls back every batch written so far
        audit.record(
            connection,
            actor,
            "import",
            spec.kind,
            None,
            {
                "file": path.name,
                "rows": result.rows,
                "bad_rows": result.bad_rows,
                "inserted": result.inserted,
                "updated": result.updated,
            },
        )
        unit.commit()
        result.committed = True
    if progress is not None:
        progress(result.rows, result.rows)
    return result


def _count(result: ImportResult, written: tuple[int, int]) -> None:
    result.inserted += written[0]
    result.updated += written[1]
