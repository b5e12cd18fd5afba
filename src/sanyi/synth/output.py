"""Where a generated region goes: a Parquet directory and/or the operational database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, Table, func, select

from sanyi.care.api import encounters, fee_lines
from sanyi.indicators.api import institution_finance, reported_values
from sanyi.infrastructure.bulk import bulk_insert
from sanyi.infrastructure.db import is_sqlite
from sanyi.kernel.errors import DomainError
from sanyi.pricing.api import PRICING_TABLES
from sanyi.registry.api import (
    areas,
    institution_bed_changes,
    institution_departments,
    institutions,
    medical_group_members,
    medical_groups,
    practice_sites,
    practitioners,
    residents,
)
from sanyi.synth.errors import SYNTH_NO_RUN
from sanyi.synth.finance_parquet import write_parquet_finance
from sanyi.synth.procurement import PROCUREMENT_TABLES
from sanyi.synth.tables import synth_irregularities, synth_runs
from sanyi.tiered.api import TIERED_TABLES
from sanyi.trace.api import TRACE_TABLES

# Load order respects foreign keys.
STATIC_TABLES: dict[str, Table] = {
    "areas": areas,
    "institutions": institutions,
    "institution_departments": institution_departments,
    "medical_groups": medical_groups,
    "medical_group_members": medical_group_members,
    "practitioners": practitioners,
    "practice_sites": practice_sites,
}
CHUNK_TABLES: dict[str, Table] = {
    "residents": residents,
    "encounters": encounters,
    "fee_lines": fee_lines,
    "synth_irregularities": synth_irregularities,
}
RUN_FILE = "synth_run.json"


class Sink(Protocol):
    def start(self, metadata: dict[str, Any], static: dict[str, pa.Table]) -> None: ...

    def chunk(self, number: int, tables: dict[str, pa.Table]) -> None: ...

    def finish(self) -> None: ...


class ParquetSink:
    """One directory per table with a part file per chunk (a dataset DuckDB and Spark read as one)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._metadata: dict[str, Any] = {}

    def start(self, metadata: dict[str, Any], static: dict[str, pa.Table]) -> None:
        self._metadata = metadata
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / RUN_FILE).write_text(
            json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        for name, table in static.items():
            self.chunk(0, {name: table})

    def chunk(self, number: int, tables: dict[str, pa.Table]) -> None:
        for name, table in tables.items():
            folder = self.directory / name
            folder.mkdir(exist_ok=True)
            pq.write_table(table, folder / f"part-{number:05d}.parquet", compression="zstd")

    def finish(self) -> None:
        # The finance returns sum every person's care, so they follow the last chunk (ADR 0018).
        write_parquet_finance(self.directory, int(self._metadata["year"]), int(self._metadata["seed"]))


class DatabaseSink:
    """Bulk-loads the region, one transaction per chunk; the run row is written last."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._metadata: dict[str, Any] = {}

    def start(self, metadata: dict[str, Any], static: dict[str, pa.Table]) -> None:
        self._metadata = metadata
        with self.engine.begin() as connection:
            for name, table in STATIC_TABLES.items():
                bulk_insert(connection, table, static[name])

    def chunk(self, number: int, tables: dict[str, pa.Table]) -> None:
        with self.engine.begin() as connection:
            for name, table in CHUNK_TABLES.items():
                bulk_insert(connection, table, tables[name])

    def finish(self) -> None:
        from datetime import UTC, datetime

        meta = self._metadata
        with self.engine.begin() as connection:
            connection.execute(
                synth_runs.insert().values(
                    profile=meta["profile"],
                    residents=meta["residents"],
                    year=meta["year"],
                    seed=meta["seed"],
                    created_at=datetime.now(UTC),
                    parameters=meta,
                )
            )
        if is_sqlite(self.engine):
            with self.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")


def parquet_run(directory: Path) -> dict[str, Any]:
    """The run metadata of a region written by ``ParquetSink``; raises if there is none."""
    run_file = directory / RUN_FILE
    if not run_file.is_file():
        raise DomainError(SYNTH_NO_RUN, where=str(directory))
    metadata: dict[str, Any] = json.loads(run_file.read_text(encoding="utf-8"))
    return metadata


def replay_parquet(directory: Path, sinks: list[Sink]) -> dict[str, int]:
    """Feed a region written by ``ParquetSink`` into other sinks, chunk by chunk; returns row counts."""
    metadata = parquet_run(directory)
    static = {name: pq.read_table(directory / name) for name in STATIC_TABLES}
    for sink in sinks:
        sink.start(metadata, static)
    counts = {name: table.num_rows for name, table in static.items()}
    parts = sorted(path.name for path in (directory / "residents").glob("part-*.parquet"))
    for part in parts:
        tables = {name: pq.read_table(directory / name / part) for name in CHUNK_TABLES}
        for sink in sinks:
            sink.chunk(int(part[5:10]), tables)
        for name, table in tables.items():
            counts[name] = counts.get(name, 0) + table.num_rows
    for sink in sinks:
        sink.finish()
    return counts


def database_is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        return (
            int(connection.execute(select(func.count()).select_from(residents)).scalar_one()) == 0
            and int(connection.execute(select(func.count()).select_from(institutions)).scalar_one()) == 0
        )


def clear_region(engine: Engine) -> None:
    """Delete the registry, care, tiered-care, finance, procurement, traceability, pricing and synthetic data
    (accounts and the audit log stay)."""
    tables = [
        *STATIC_TABLES.values(),
        institution_bed_changes,
        *CHUNK_TABLES.values(),
        synth_runs,
        *TIERED_TABLES,
    ]
    tables += [institution_finance, reported_values, *PROCUREMENT_TABLES, *TRACE_TABLES, *PRICING_TABLES]
    ordered = [table for table in reversed(tables[0].metadata.sorted_tables) if table in tables]
    with engine.begin() as connection:
        for table in ordered:
            connection.execute(table.delete())


def latest_run(engine: Engine) -> dict[str, Any] | None:
    with engine.connect() as connection:
        row = connection.execute(
            select(synth_runs.c.parameters).order_by(synth_runs.c.id.desc()).limit(1)
        ).first()
    return None if row is None else dict(row.parameters)
