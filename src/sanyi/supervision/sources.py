"""The stored claims of a period, read from the registry and care tables into Arrow for DuckDB.

Only the columns the rules read are fetched; the mapping to ``claims`` and ``lines`` is the one SQL
text the Parquet source uses (frames.RAW_CLAIMS_SQL), so the two sources cannot disagree.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine, Select, select

from sanyi.care.api import encounters, fee_lines
from sanyi.kernel.clock import SHANGHAI
from sanyi.registry.api import institutions, residents

_SCHEMAS: dict[str, pa.Schema] = {
    "residents": pa.schema([("person_id", pa.string()), ("sex", pa.string()), ("birth_date", pa.date32())]),
    "institutions": pa.schema([("code", pa.string()), ("kind", pa.string()), ("tier", pa.int32())]),
    "encounters": pa.schema(
        [
            ("id", pa.string()),
            ("institution_code", pa.string()),
            ("person_id", pa.string()),
            ("type", pa.string()),
            ("start_at", pa.timestamp("us", tz="UTC")),
            ("end_at", pa.timestamp("us", tz="UTC")),
            ("doctor_code", pa.string()),
            ("diagnoses", pa.string()),
            ("emergency", pa.bool_()),
        ]
    ),
    "fee_lines": pa.schema(
        [
            ("encounter_id", pa.string()),
            ("line_no", pa.int32()),
            ("code", pa.string()),
            ("quantity", pa.string()),
            ("unit_price", pa.string()),
            ("price_ceiling", pa.string()),
            ("time", pa.timestamp("us", tz="UTC")),
            ("days_supply", pa.int32()),
            ("doctor_code", pa.string()),
        ]
    ),
}


def _bounds(start: date | None, end: date | None) -> tuple[datetime, datetime]:
    low = datetime.combine(start or date(1900, 1, 1), time(), SHANGHAI)
    high = datetime.combine((end or date(9998, 12, 31)) + timedelta(days=1), time(), SHANGHAI)
    return low, high


def _fetch(engine: Engine, name: str, query: Select[Any]) -> pa.Table:
    schema = _SCHEMAS[name]
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    columns: dict[str, list[Any]] = {field.name: [] for field in schema}
    for row in rows:
        for field, value in zip(schema, row, strict=True):
            columns[field.name].append(
                str(value) if value is not None and pa.types.is_string(field.type) else value
            )
    return pa.table(columns, schema=schema)


def stored_tables(engine: Engine, start: date | None = None, end: date | None = None) -> dict[str, pa.Table]:
    """The raw tables of the encounters starting within [start, end] (Shanghai dates, both optional)."""
    low, high = _bounds(start, end)
    e, f = encounters, fee_lines
    in_period = (e.c.start_at >= low) & (e.c.start_at < high)
    return {
        "residents": _fetch(
            engine, "residents", select(residents.c.person_id, residents.c.sex, residents.c.birth_date)
        ),
        "institutions": _fetch(
            engine, "institutions", select(institutions.c.code, institutions.c.kind, institutions.c.tier)
        ),
        "encounters": _fetch(
            engine,
            "encounters",
            select(
                e.c.id,
                e.c.institution_code,
                e.c.person_id,
                e.c.type,
                e.c.start_at,
                e.c.end_at,
                e.c.doctor_code,
                e.c.diagnoses,
                e.c.emergency,
            ).where(in_period),
        ),
        "fee_lines": _fetch(
            engine,
            "fee_lines",
            select(
                f.c.encounter_id,
                f.c.line_no,
                f.c.code,
                f.c.quantity,
                f.c.unit_price,
                f.c.price_ceiling,
                f.c.time,
                f.c.days_supply,
                f.c.doctor_code,
            )
            .join(e, e.c.id == f.c.encounter_id)
            .where(in_period),
        ),
    }
