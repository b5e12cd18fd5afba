"""The shared encounter query counts by Shanghai month on both faces of DuckDB: Arrow tables
registered by the database path, and Parquet views read by a backend's SQL (a UTC session)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sanyi.analytics.api import LocalBackend
from sanyi.indicators.engine import FACT_SCHEMA
from sanyi.indicators.fact_queries import ENCOUNTER_SQL, between, reference_inputs, with_inputs
from sanyi.indicators.parquet import with_views
from sanyi.indicators.sources import _query

TEXT = pa.string()


def _encounters() -> pa.Table:
    # 16:30 UTC on 31 January is 00:30 on 1 February in Shanghai; 15:59 UTC is still January.
    starts = [datetime(2023, 1, 31, 16, 30, tzinfo=UTC), datetime(2023, 1, 31, 15, 59, tzinfo=UTC)]
    return pa.table(
        {
            "id": pa.array(["e1", "e2"], TEXT),
            "institution_code": pa.array(["H1", "H1"], TEXT),
            "person_id": pa.array(["p1", "p1"], TEXT),
            "type": pa.array(["outpatient", "outpatient"], TEXT),
            "start_at": pa.array(starts, pa.timestamp("us", tz="UTC")),
            "end_at": pa.array(starts, pa.timestamp("us", tz="UTC")),
            "referral_id": pa.array([None, None], TEXT),
        }
    )


def _no_stay_inputs() -> dict[str, pa.Table]:
    return {
        "stay_codes": pa.table(
            {name: pa.array([], TEXT) for name in ("encounter", "diagnoses", "procedures")}
        ),
        "abx_lines": pa.table(
            {
                "encounter": pa.array([], TEXT),
                "code": pa.array([], TEXT),
                "quantity": pa.array([], pa.decimal128(18, 4)),
            }
        ),
    }


def _visits(facts: pa.Table) -> dict[str, int]:
    return {r["month"]: int(r["value"]) for r in facts.to_pylist() if r["element"] == "visits"}


def test_a_visit_after_shanghai_midnight_counts_in_the_next_month(tmp_path: Path) -> None:
    encounters = _encounters()
    institutions = pa.table(
        {"code": ["H1"], "area_code": ["330302001"], "beds": pa.array([10], pa.int32()), "opened_on": [None]}
    )
    residents = pa.table({"person_id": ["p1"], "residence_area": ["330302001"]})
    sql = between(ENCOUNTER_SQL, "2023-01", "2023-02")
    inputs = reference_inputs("2023-01", "2023-02")
    stored = _query(
        {
            "enc": encounters.select(
                ["id", "institution_code", "person_id", "type", "start_at", "end_at", "referral_id"]
            ).rename_columns(["id", "institution", "person", "type", "start_at", "end_at", "referral"]),
            "people": pa.table({"person": ["p1"], "county": ["330302"]}),
            "inst": pa.table({"code": ["H1"], "county": ["330302"]}),
            "up": pa.table({"id": pa.array([], TEXT)}),
            **_no_stay_inputs(),
        },
        with_inputs(sql, inputs),
    )
    assert _visits(stored) == {"2023-01": 1, "2023-02": 1}
    for name, table in (("encounters", encounters), ("institutions", institutions), ("residents", residents)):
        pq.write_table(table, tmp_path / f"{name}.parquet")
    people = "SELECT person_id AS person, substr(residence_area, 1, 6) AS county FROM residents"
    stays = _no_stay_inputs()
    query = with_views(
        sql,
        ("enc", "up", "inst"),
        {"people": people, **inputs, **{name: _empty_select(table) for name, table in stays.items()}},
    )
    tables = {n: tmp_path / f"{n}.parquet" for n in ("encounters", "institutions", "residents")}
    found = LocalBackend().sql(query, tables)
    assert _visits(found.rename_columns(FACT_SCHEMA.names).cast(FACT_SCHEMA)) == {"2023-01": 1, "2023-02": 1}


def _empty_select(table: pa.Table) -> str:
    """An empty inline table with the columns of ``table`` (strings, or the quantity decimal)."""
    columns = ", ".join(
        f"CAST(NULL AS {'DECIMAL(18, 4)' if pa.types.is_decimal(f.type) else 'VARCHAR'}) AS {f.name}"
        for f in table.schema
    )
    return f"SELECT {columns} WHERE FALSE"
