"""The two relations the set-based face queries, ``claims`` and ``lines``, and their sources.

Sources: claims already read (JSON Lines), a synthetic region's Parquet directory (ParquetSink layout)
and the operational database's registry and care tables; the last two are mapped by one SQL text
so a stored region and its Parquet copy give the same relations.
"""

# SQL text here is built from constants and a directory path (quoted); S608 does not apply.
# ruff: noqa: S608
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import duckdb
import pyarrow as pa

from sanyi.supervision.model import ClaimFacts, LineFacts

DEC: Final = pa.decimal128(18, 4)
CLAIMS_SCHEMA: Final = pa.schema(
    [
        ("claim_id", pa.string()),
        ("person_id", pa.string()),
        ("sex", pa.string()),
        ("birth_date", pa.date32()),
        ("insurance_type", pa.string()),
        ("type", pa.string()),
        ("level", pa.int32()),
        ("institution_id", pa.string()),
        ("emergency", pa.bool_()),
        ("start", pa.int64()),
        ("start_day", pa.date32()),
        ("end_day", pa.date32()),
        ("diagnoses", pa.list_(pa.string())),
        ("principal", pa.string()),
        ("doctor_id", pa.string()),
    ]
)
LINES_SCHEMA: Final = pa.schema(
    [
        ("claim_id", pa.string()),
        ("no", pa.int32()),
        ("code", pa.string()),
        ("quantity", DEC),
        ("unit_price", DEC),
        ("price_ceiling", DEC),
        ("time", pa.int64()),
        ("day", pa.date32()),
        ("days_supply", pa.int32()),
        ("doctor_id", pa.string()),
    ]
)
PRIMARY_KINDS: Final = (
    "township_centre",
    "community_centre",
    "community_station",
    "village_clinic",
    "clinic",
)
_Q: Final = Decimal("0.0001")


def _day_sql(column: str) -> str:
    # Shanghai has kept UTC+8 without daylight saving since 1991: the local day is a fixed shift.
    return f"CAST(make_timestamp(epoch_us({column}) + 28800000000) AS DATE)"


# Raw registry/care tables (as the synthetic region writes them) → the two relations.
RAW_CLAIMS_SQL: Final = f"""
SELECT e.id AS claim_id, e.person_id, r.sex, r.birth_date, 'basic' AS insurance_type, e.type,
       CAST(CASE WHEN i.kind IN {PRIMARY_KINDS} OR i.tier <= 1 THEN 1 ELSE i.tier END AS INTEGER) AS level,
       e.institution_code AS institution_id, coalesce(e.emergency, false) AS emergency,
       epoch_us(e.start_at) // 1000000 AS start, {_day_sql("e.start_at")} AS start_day,
       {_day_sql("coalesce(e.end_at, e.start_at)")} AS end_day,
       CASE WHEN coalesce(e.diagnoses, '') = '' THEN []::VARCHAR[] ELSE string_split(e.diagnoses, '|') END
         AS diagnoses,
       CASE WHEN coalesce(e.diagnoses, '') = '' THEN NULL ELSE string_split(e.diagnoses, '|')[1] END
         AS principal,
       e.doctor_code AS doctor_id
FROM raw_encounters e JOIN raw_residents r ON r.person_id = e.person_id
JOIN raw_institutions i ON i.code = e.institution_code
"""
RAW_LINES_SQL: Final = f"""
SELECT f.encounter_id AS claim_id, CAST(f.line_no AS INTEGER) AS no, f.code,
       CAST(f.quantity AS DECIMAL(18,4)) AS quantity, CAST(f.unit_price AS DECIMAL(18,4)) AS unit_price,
       CAST(f.price_ceiling AS DECIMAL(18,4)) AS price_ceiling,
       epoch_us(f.time) // 1000000 AS time, {_day_sql("f.time")} AS day,
       CAST(f.days_supply AS INTEGER) AS days_supply, f.doctor_code AS doctor_id
FROM raw_fee_lines f
"""


def _dec(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_Q)


def to_arrow(claims: Iterable[ClaimFacts]) -> tuple[pa.Table, pa.Table]:
    claim_rows: dict[str, list[Any]] = defaultdict(list)
    line_rows: dict[str, list[Any]] = defaultdict(list)
    for c in claims:
        claim_values: tuple[tuple[str, Any], ...] = (
            ("claim_id", c.claim_id),
            ("person_id", c.person_id),
            ("sex", c.sex),
            ("birth_date", c.birth_date),
            ("insurance_type", c.insurance_type),
            ("type", c.type),
            ("level", c.level),
            ("institution_id", c.institution_id),
            ("emergency", c.emergency),
            ("start", c.start),
            ("start_day", c.start_day),
            ("end_day", c.end_day),
            ("diagnoses", list(c.diagnoses)),
            ("principal", c.diagnoses[0] if c.diagnoses else None),
            ("doctor_id", c.doctor_id),
        )
        for name, value in claim_values:
            claim_rows[name].append(value)
        for line in c.lines:
            line_values: tuple[tuple[str, Any], ...] = (
                ("claim_id", c.claim_id),
                ("no", line.no),
                ("code", line.code),
                ("quantity", _dec(line.quantity)),
                ("unit_price", _dec(line.unit_price)),
                ("price_ceiling", _dec(line.price_ceiling)),
                ("time", line.time),
                ("day", line.day),
                ("days_supply", line.days_supply),
                ("doctor_id", line.doctor_id),
            )
            for name, value in line_values:
                line_rows[name].append(value)
    return (
        pa.Table.from_pydict({f.name: claim_rows[f.name] for f in CLAIMS_SCHEMA}, schema=CLAIMS_SCHEMA),
        pa.Table.from_pydict({f.name: line_rows[f.name] for f in LINES_SCHEMA}, schema=LINES_SCHEMA),
    )


def connect_claims(claims: Iterable[ClaimFacts]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding ``claims`` and ``lines`` made from parsed claims."""
    claim_table, line_table = to_arrow(claims)
    con = duckdb.connect()
    con.register("claim_arrow", claim_table)
    con.register("line_arrow", line_table)
    con.execute("CREATE TABLE claims AS SELECT * FROM claim_arrow")
    con.execute("CREATE TABLE lines AS SELECT * FROM line_arrow")
    return con


def _map_raw(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TABLE claims AS {RAW_CLAIMS_SQL}")
    con.execute(f"CREATE TABLE lines AS {RAW_LINES_SQL}")


def connect_parquet(directory: Path, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """``claims`` and ``lines`` of a region written by the synthetic ParquetSink."""
    con = duckdb.connect()
    if threads is not None:
        con.execute(f"SET threads = {int(threads)}")
    for name in ("encounters", "residents", "institutions", "fee_lines"):
        pattern = str(directory / name / "*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW raw_{name} AS SELECT * FROM read_parquet('{pattern}')")
    _map_raw(con)
    return con


def connect_tables(tables: dict[str, pa.Table]) -> duckdb.DuckDBPyConnection:
    """``claims`` and ``lines`` of raw tables held as Arrow (read from the database, or generated)."""
    con = duckdb.connect()
    for name in ("encounters", "residents", "institutions", "fee_lines"):
        con.register(f"raw_{name}", tables[name])
    _map_raw(con)
    return con


def restrict_period(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None) -> None:
    """Keep only claims starting within [start, end] (both optional) and their lines."""
    if start is None and end is None:
        return
    low = start or date.min
    high = end or date.max
    con.execute("DELETE FROM claims WHERE start_day < ? OR start_day > ?", [low, high])
    con.execute("DELETE FROM lines WHERE claim_id NOT IN (SELECT claim_id FROM claims)")


def read_claims(con: duckdb.DuckDBPyConnection) -> list[ClaimFacts]:
    """The relations back as :class:`ClaimFacts` (for the per-claim face over the same claims)."""
    lines_of: dict[str, list[LineFacts]] = defaultdict(list)
    for row in con.execute(
        "SELECT claim_id, no, code, quantity, unit_price, price_ceiling, time, day, days_supply, doctor_id "
        "FROM lines ORDER BY claim_id, no"
    ).fetchall():
        lines_of[row[0]].append(LineFacts(*row[1:]))
    names = (
        "claim_id", "person_id", "sex", "birth_date", "insurance_type", "type", "level", "institution_id",
        "emergency", "start", "start_day", "end_day", "diagnoses", "doctor_id",
    )  # fmt: skip
    result = []
    for row in con.execute(f"SELECT {', '.join(names)} FROM claims ORDER BY claim_id").fetchall():
        values: dict[str, Any] = dict(zip(names, row, strict=True))
        values["diagnoses"] = tuple(values["diagnoses"])
        result.append(ClaimFacts(**values, lines=tuple(lines_of.get(row[0], ()))))
    return result
