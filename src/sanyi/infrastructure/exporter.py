"""Writing records out in a sheet's columns (.csv, .xlsx, .parquet), with the export audited.

Exports that hold personal data are recorded in the audit log (who, which kind, how many rows,
whether unmasked) in the same transaction as the read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from sanyi.infrastructure.audit import Actor, AuditLog
from sanyi.infrastructure.sheets import SheetSpec
from sanyi.infrastructure.tabular import write_rows
from sanyi.infrastructure.uow import UnitOfWorkFactory

Records = Callable[[Connection, bool], Iterator[dict[str, Any]]]


def run_export(
    uow: UnitOfWorkFactory,
    audit: AuditLog,
    actor: Actor,
    spec: SheetSpec,
    records: Records,
    path: Path,
    *,
    unmasked: bool = False,
    personal: bool = False,
) -> int:
    """Write every record to ``path``; returns the number of rows."""
    with uow(write=personal) as unit:
        rows = (spec.render_row(record) for record in records(unit.connection, unmasked))
        count = write_rows(path, spec.headers, rows, sheet=spec.title_zh)
        if personal:
            audit.record(
                unit.connection,
                actor,
                "export_unmasked" if unmasked else "export",
                spec.kind,
                None,
                {"file": path.name, "rows": count, "unmasked": unmasked},
            )
            unit.commit()
    return count
