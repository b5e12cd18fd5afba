"""The cut of a grouped Spark run, without Spark: rows gathered over batches, one blob per bucket."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from sanyi.analytics.spark import CUT_ROWS, KEY, _blobs


def _batches(buckets: list[int], size: int) -> list[pa.RecordBatch]:
    table = pa.table({"id": list(range(len(buckets))), KEY: pa.array(buckets, pa.int32())})
    batches: list[pa.RecordBatch] = table.to_batches(max_chunksize=size)
    return batches


def _blob_rows(out: list[pa.RecordBatch]) -> list[tuple[int, str, list[Any]]]:
    return [
        (row["bucket"], row["name"], pa.ipc.open_stream(row["data"]).read_all().column("id").to_pylist())
        for batch in out
        for row in batch.to_pylist()
    ]


def test_batches_are_gathered_and_each_bucket_is_one_blob_of_its_rows_in_order() -> None:
    buckets = [3, 1, 3, 0, 1, 3, 0, 2]
    out = list(_blobs("fee_lines")(iter(_batches(buckets, size=3))))
    assert _blob_rows(out) == [
        (0, "fee_lines", [3, 6]),
        (1, "fee_lines", [1, 4]),
        (2, "fee_lines", [7]),
        (3, "fee_lines", [0, 2, 5]),
    ]


def test_a_long_partition_is_cut_every_cut_rows_and_loses_no_row() -> None:
    count = CUT_ROWS * 2 + 7
    buckets = [i % 5 for i in range(count)]
    out = list(_blobs("encounters")(iter(_batches(buckets, size=10_000))))
    assert len(out) == 3  # two full cuts and the rest
    found = _blob_rows(out)
    assert sorted(i for _, _, ids in found for i in ids) == list(range(count))
    assert all(all(i % 5 == bucket for i in ids) for bucket, _, ids in found)


def test_no_rows_give_no_blobs() -> None:
    assert list(_blobs("residents")(iter(_batches([], size=10)))) == []
