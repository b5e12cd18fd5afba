"""The synthetic finance returns and reported values of a region written as Parquet, by the same
arithmetic as the database's (``finance.py``): ``ParquetSink`` writes them once the care is written,
so a Parquet region gives the finance indicators as a generated database does.

Income comes from the fee lines part file by part file (a part holds whole persons, so an encounter
and its lines share a part): sums by institution, encounter type, Shanghai month and fee category,
added across parts. Amounts are written in fen (int64), as the database stores them.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Final

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sanyi.indicators.api import FINANCE_AMOUNTS
from sanyi.kernel.money import Money
from sanyi.synth.finance import (
    FinanceSummary,
    count_cells,
    finance_returns,
    income_cells,
    parameters,
    reported_rows,
)

FINANCE_DIR: Final = "institution_finance"
REPORTED_DIR: Final = "reported_values"
FINANCE_SCHEMA: Final = pa.schema(
    [
        ("institution_code", pa.string()),
        ("month", pa.string()),
        *((name, pa.int64()) for name in FINANCE_AMOUNTS),
        ("source", pa.string()),
    ]
)
REPORTED_SCHEMA: Final = pa.schema(
    [
        ("unit_code", pa.string()),
        ("month", pa.string()),
        ("element", pa.string()),
        ("value", pa.decimal128(18, 4)),
        ("source", pa.string()),
    ]
)
# Fee-line sums of one part; months formatted after adding 8 hours in a UTC session (no DST).
_PART_SUMS: Final = """
SELECT e.institution_code, e.type, strftime(e.start_at + INTERVAL 8 HOUR, '%Y-%m') AS month,
       f.category, CAST(sum(f.amount) AS BIGINT) AS fen
FROM read_parquet(?) e JOIN read_parquet(?) f ON f.encounter_id = e.id
GROUP BY ALL
"""


# Encounters by institution, type and the Shanghai months of their start and end (the visit counts).
_PART_COUNTS: Final = """
SELECT institution_code, type, strftime(start_at + INTERVAL 8 HOUR, '%Y-%m') AS start_month,
       strftime(end_at + INTERVAL 8 HOUR, '%Y-%m') AS end_month
FROM read_parquet(?)
"""


def _part_counts(directory: Path) -> Iterator[tuple[str, str, str | None, str | None]]:
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        for part in sorted((directory / "encounters").glob("part-*.parquet")):
            yield from connection.execute(_PART_COUNTS, [str(part)]).fetchall()
    finally:
        connection.close()


def _part_sums(directory: Path) -> Iterator[tuple[str, str, str, str, int]]:
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")
        for part in sorted((directory / "encounters").glob("part-*.parquet")):
            lines = directory / "fee_lines" / part.name
            if not lines.is_file():
                continue
            yield from connection.execute(_PART_SUMS, [str(part), str(lines)]).fetchall()
    finally:
        connection.close()


def write_parquet_finance(directory: Path, year: int, seed: int) -> FinanceSummary:
    """Write (replacing) ``institution_finance`` and ``reported_values`` of the region in ``directory``."""
    params = parameters()
    listed = [SimpleNamespace(**row) for row in pq.read_table(directory / "institutions").to_pylist()]
    listed.sort(key=lambda row: row.code)
    returns, counted = finance_returns(
        {row.code: row for row in listed},
        income_cells(_part_sums(directory), year),
        count_cells(_part_counts(directory), year),
        params,
        year,
    )
    reported = reported_rows(listed, year, params, np.random.default_rng([seed, 909])) + counted
    _write(directory / FINANCE_DIR, [_in_fen(row) for row in returns], FINANCE_SCHEMA)
    _write(directory / REPORTED_DIR, reported, REPORTED_SCHEMA)
    total = sum(row["income_medical"].fen for row in returns if row["month"].startswith(f"{year:04d}-"))
    return FinanceSummary(len(returns), len(reported), Money(total))


def _in_fen(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value.fen if isinstance(value, Money) else value for name, value in row.items()}


def _write(folder: Path, rows: list[dict[str, Any]], schema: pa.Schema) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    table = pa.Table.from_pylist(
        [{**row, "value": Decimal(row["value"])} if "value" in row else row for row in rows], schema=schema
    )
    pq.write_table(table, folder / "part-00000.parquet", compression="zstd")
