"""The local backend: batches in order through the pool, groups by aligned part files, DuckDB SQL."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanyi.analytics.api import (
    ANALYTICS_INVALID_QUERY,
    ANALYTICS_NO_DATA,
    ANALYTICS_UNKNOWN_ENGINE,
    Keyed,
    LocalBackend,
    open_backend,
    read_output,
)
from sanyi.analytics.local import aligned_parts
from sanyi.kernel.errors import DomainError

DOUBLED = pa.schema([("id", pa.int64()), ("twice", pa.int64())])
SUMS = pa.schema(
    [("person", pa.string()), ("visits", pa.int64()), ("lines", pa.int64()), ("names", pa.int64())]
)


def double(batch: pa.RecordBatch) -> pa.RecordBatch:
    ids = batch.column("id").to_pylist()
    return pa.RecordBatch.from_pydict({"id": ids, "twice": [2 * i for i in ids]})


def per_person(tables: Mapping[str, pa.Table]) -> pa.Table:
    """Visits and lines of each person in the call, and how many broadcast rows it saw."""
    visits: dict[str, int] = {}
    owner = dict(zip(tables["visits"]["id"].to_pylist(), tables["visits"]["person"].to_pylist(), strict=True))
    for person in owner.values():
        visits[person] = visits.get(person, 0) + 1
    lines: dict[str, int] = {}
    for visit in tables["lines"]["visit"].to_pylist():
        lines[owner[visit]] = lines.get(owner[visit], 0) + 1
    people = sorted(visits)
    names = tables["names"].num_rows
    return pa.table(
        [people, [visits[p] for p in people], [lines.get(p, 0) for p in people], [names] * len(people)],
        schema=SUMS,
    )


def _write(folder: Path, part: str, table: pa.Table) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / part)


@pytest.fixture
def region(tmp_path: Path) -> dict[str, Keyed]:
    """Two parts, each holding whole persons in both keyed tables, and a broadcast table."""
    parts = {
        "part-00000.parquet": (["v1", "v2", "v3"], ["p1", "p1", "p2"], ["v1", "v1", "v2", "v3"]),
        "part-00001.parquet": (["v4"], ["p3"], ["v4", "v4", "v4"]),
    }
    for part, (ids, people, line_visits) in parts.items():
        _write(tmp_path / "visits", part, pa.table({"id": ids, "person": people}))
        _write(tmp_path / "lines", part, pa.table({"visit": line_visits}))
    _write(tmp_path / "names", "part-00000.parquet", pa.table({"code": ["a", "b"]}))
    return {
        "visits": Keyed(tmp_path / "visits", key="person"),
        "lines": Keyed(tmp_path / "lines", via=("visit", "visits", "id")),
        "names": Keyed(tmp_path / "names"),
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_map_batches_keeps_every_row_in_order(tmp_path: Path, workers: int) -> None:
    pq.write_table(pa.table({"id": list(range(12_001))}), tmp_path / "in.parquet")
    written = LocalBackend(workers).map_batches(tmp_path / "in.parquet", double, DOUBLED, tmp_path / "out")
    out = read_output(tmp_path / "out")
    assert written == out.num_rows == 12_001
    assert out["twice"].to_pylist() == [2 * i for i in range(12_001)]


@pytest.mark.parametrize("workers", [1, 2])
def test_map_groups_hands_whole_persons_and_broadcast_tables(
    region: dict[str, Keyed], tmp_path: Path, workers: int
) -> None:
    target = tmp_path / "sums"
    assert LocalBackend(workers).map_groups(region, per_person, SUMS, target) == 3
    rows = sorted(read_output(target).to_pylist(), key=lambda r: r["person"])
    assert rows == [
        {"person": "p1", "visits": 2, "lines": 3, "names": 2},
        {"person": "p2", "visits": 1, "lines": 1, "names": 2},
        {"person": "p3", "visits": 1, "lines": 3, "names": 2},
    ]
    # A rerun replaces the output rather than adding to it.
    LocalBackend(workers).map_groups(region, per_person, SUMS, target)
    assert read_output(target).num_rows == 3


def test_parts_not_shared_by_every_table_make_one_group(region: dict[str, Keyed]) -> None:
    assert len(aligned_parts(region)) == 2
    (region["lines"].path / "part-00001.parquet").rename(region["lines"].path / "part-00009.parquet")
    (only,) = aligned_parts(region)
    assert {name: len(files) for name, files in only.items()} == {"visits": 2, "lines": 2}


def test_sql_runs_duckdb_over_parquet_tables(region: dict[str, Keyed]) -> None:
    result = LocalBackend().sql(
        "SELECT v.person, count(*) AS n FROM visits v JOIN lines l ON l.visit = v.id GROUP BY ALL ORDER BY 1",
        {"visits": region["visits"].path, "lines": region["lines"].path},
    )
    assert result.to_pylist() == [
        {"person": "p1", "n": 3},
        {"person": "p2", "n": 1},
        {"person": "p3", "n": 3},
    ]


def test_bad_query_and_missing_data_have_codes(region: dict[str, Keyed], tmp_path: Path) -> None:
    with pytest.raises(DomainError) as bad:
        LocalBackend().sql("SELECT nothing FROM visits", {"visits": region["visits"].path})
    assert bad.value.code == ANALYTICS_INVALID_QUERY.code
    assert "nothing" in bad.value.message_en
    (tmp_path / "empty").mkdir()
    with pytest.raises(DomainError) as missing:
        LocalBackend().sql("SELECT 1", {"t": tmp_path / "empty"})
    assert missing.value.code == ANALYTICS_NO_DATA.code


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        open_backend("hadoop")
    assert refused.value.code == ANALYTICS_UNKNOWN_ENGINE.code
    assert "local, spark" in refused.value.message_en
