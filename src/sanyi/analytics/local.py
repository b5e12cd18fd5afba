"""The local backend: this process, or a pool of worker processes on one machine (the default).

Batches stream through the pool in file order. A grouped run relies on the partitioned layout of a
synthetic region (``sanyi synth --parquet``): part files of the same name hold the same persons in
every keyed table, so each part is a set of whole groups and is handed to one call. Tables laid out
otherwise (one file each) are one group.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final, TypeVar

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sanyi.analytics.backend import BatchFn, GroupFn, Keyed
from sanyi.analytics.duckdb import run_sql
from sanyi.analytics.files import parquet_files

BATCH_ROWS: Final = 5_000
T = TypeVar("T")
R = TypeVar("R")

GroupJob = tuple[GroupFn, dict[str, list[Path]], dict[str, pa.Table], pa.Schema, Path]


def _pooled(fn: Callable[[T], R], jobs: Iterable[T], workers: int) -> Iterator[R]:
    """``map(fn, jobs)`` in order, in forked workers when there are several."""
    if workers <= 1:
        yield from map(fn, jobs)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    gc.freeze()  # children inherit the heap: keep their collector from walking (and copying) it
    try:
        with context.Pool(workers) as pool:
            yield from pool.imap(fn, jobs)
    finally:
        gc.unfreeze()


def _apply(job: tuple[BatchFn, pa.RecordBatch]) -> pa.RecordBatch:
    fn, batch = job
    return fn(batch)


def _read(paths: list[Path]) -> pa.Table:
    return pa.concat_tables([pq.read_table(p) for p in paths], promote_options="default")


def _run_group(job: GroupJob) -> int:
    fn, paths, broadcast, schema, target = job
    tables = {name: _read(files) for name, files in paths.items()} | broadcast
    result = fn(tables).cast(schema)
    pq.write_table(result, target, compression="zstd")
    return int(result.num_rows)


def _fresh(target: Path) -> None:
    """An empty output directory, so a rerun leaves no part of an earlier run behind."""
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("part-*.parquet"):
        old.unlink()


def aligned_parts(tables: Mapping[str, Keyed]) -> list[dict[str, list[Path]]]:
    """The calls of a grouped run: one per part name found in every keyed table, else one for all."""
    files = {name: parquet_files(t.path) for name, t in tables.items() if not t.broadcast}
    names = [{f.name for f in found} for found in files.values()]
    shared = set.intersection(*names) if names else set()
    if all(len(n) > 1 and n == shared for n in names):
        return [
            {name: [t.path / part] for name, t in tables.items() if not t.broadcast}
            for part in sorted(shared)
        ]
    return [files]


class LocalBackend:
    name = "local"

    def __init__(self, workers: int = 1) -> None:
        self.workers = max(1, workers)

    def map_batches(self, source: Path, fn: BatchFn, schema: pa.Schema, target: Path) -> int:
        _fresh(target)
        dataset = ds.dataset(parquet_files(source), format="parquet")
        jobs = ((fn, batch) for batch in dataset.to_batches(batch_size=BATCH_ROWS))
        written = 0
        with pq.ParquetWriter(target / "part-00000.parquet", schema, compression="zstd") as writer:
            for result in _pooled(_apply, jobs, self.workers):
                writer.write_table(pa.Table.from_batches([result]).cast(schema))
                written += result.num_rows
        return written

    def map_groups(self, tables: Mapping[str, Keyed], fn: GroupFn, schema: pa.Schema, target: Path) -> int:
        _fresh(target)
        broadcast = {name: _read(parquet_files(t.path)) for name, t in tables.items() if t.broadcast}
        jobs: list[GroupJob] = [
            (fn, paths, broadcast, schema, target / f"part-{number:05d}.parquet")
            for number, paths in enumerate(aligned_parts(tables))
        ]
        return sum(_pooled(_run_group, jobs, self.workers))

    def sql(self, query: str, tables: Mapping[str, Path]) -> pa.Table:
        return run_sql(query, tables)

    def close(self) -> None:
        return None
