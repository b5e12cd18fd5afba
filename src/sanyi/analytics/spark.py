"""The Spark backend: the same pure functions, run by Spark (``mapInArrow``, grouped Arrow, Spark SQL).

pyspark is imported here only, and only when this backend is built (extra ``sanyi[spark]``). The
session is local (``local[N]``) unless a master URL is given; it never opens its UI or reaches the
network, and keeps time in UTC so timestamps reach the functions as they do from Parquet locally.

A grouped run sends each keyed table's rows, cut by key bucket into Arrow IPC blobs, through one
shuffle; each bucket's blobs are put back into tables and handed to the function with the broadcast
tables. Buckets hold many keys (persons), so the function runs once per bucket, not once per key.
"""

from __future__ import annotations

import math
import os
import signal
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from sanyi.analytics.backend import BatchFn, GroupFn, Keyed
from sanyi.analytics.errors import ANALYTICS_INVALID_QUERY, ANALYTICS_SPARK_MISSING
from sanyi.analytics.files import data_bytes
from sanyi.kernel.errors import DomainError

BUCKET_BYTES: Final = 8 * 1024 * 1024  # compressed Parquet per bucket: a few thousand persons
BLOB_SCHEMA: Final = pa.schema([("bucket", pa.int32()), ("name", pa.string()), ("data", pa.binary())])
KEY: Final = "__sanyi_key"
CUT_ROWS: Final = 250_000  # rows gathered before cutting them by bucket (≈ 50 MB of fee lines in Arrow)


def _session(master: str, partitions: int) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise DomainError(ANALYTICS_SPARK_MISSING) from error
    # Workers must run this interpreter (with pyarrow and sanyi), not whatever python3 is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # loopback only, whatever the host name says
    builder = (
        SparkSession.builder.master(master)
        .appName("sanyi")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.default.parallelism", str(partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _blobs(name: str, gather: int = CUT_ROWS) -> Any:
    """A ``mapInArrow`` function: the rows, cut by bucket, as (bucket, table name, IPC).

    Rows are gathered over batches before cutting: cut batch by batch, a 10,000-row batch of a
    region with hundreds of buckets became hundreds of blobs of a few rows, each with its own IPC
    header, and the number of blobs grew with rows × buckets (39 GB of shuffle for a 4.2 GB region).
    """

    def cut(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        gathered: list[pa.RecordBatch] = []
        rows = 0
        for batch in batches:
            gathered.append(batch)
            rows += batch.num_rows
            if rows >= gather:
                yield _cut_by_bucket(name, pa.Table.from_batches(gathered))
                gathered, rows = [], 0
        if rows:
            yield _cut_by_bucket(name, pa.Table.from_batches(gathered))

    return cut


def _cut_by_bucket(name: str, table: pa.Table) -> pa.RecordBatch:
    """One blob per bucket present: sort by bucket once, then slice each run of equal buckets."""
    ordered = table.take(pc.sort_indices(table.column(KEY)))
    keys = ordered.column(KEY).to_numpy()
    rows = ordered.drop_columns([KEY])
    starts = [0, *(np.flatnonzero(np.diff(keys)) + 1).tolist()]
    ends = [*starts[1:], len(keys)]
    return pa.RecordBatch.from_pydict(
        {
            "bucket": [int(keys[start]) for start in starts],
            "name": [name] * len(starts),
            "data": [_ipc(rows.slice(start, end - start)) for start, end in zip(starts, ends, strict=True)],
        },
        schema=BLOB_SCHEMA,
    )


def _grouped(
    fn: GroupFn, empty: dict[str, pa.Schema], broadcast: dict[str, pa.Table], schema: pa.Schema
) -> Any:
    """A grouped-Arrow function: a bucket's blobs back into tables, then ``fn``."""

    def run(blobs: pa.Table) -> pa.Table:
        parts: dict[str, list[pa.Table]] = {name: [] for name in empty}
        for name, data in zip(
            blobs.column("name").to_pylist(), blobs.column("data").to_pylist(), strict=True
        ):
            parts[name].append(pa.ipc.open_stream(data).read_all())
        tables = {
            name: pa.concat_tables(found) if found else empty[name].empty_table()
            for name, found in parts.items()
        }
        return fn(tables | broadcast).cast(schema)

    return run


class SparkBackend:
    name = "spark"

    def __init__(self, master: str = "local[2]", partitions: int = 4, session: Any = None) -> None:
        self.partitions = partitions
        self._owned = session is None
        self._interrupt = signal.getsignal(signal.SIGINT)
        self.session = _session(master, partitions) if session is None else session

    def _schema(self, schema: pa.Schema) -> Any:
        from pyspark.sql.pandas.types import from_arrow_schema

        return from_arrow_schema(schema)

    def _write(self, frame: Any, target: Path) -> int:
        frame.write.mode("overwrite").parquet(str(target))
        return int(ds.dataset(target, format="parquet").count_rows())

    def map_batches(self, source: Path, fn: BatchFn, schema: pa.Schema, target: Path) -> int:
        def each(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                yield pa.Table.from_batches([fn(batch)]).cast(schema).combine_chunks().to_batches()[0]

        frame = self.session.read.parquet(str(source))
        return self._write(frame.mapInArrow(each, self._schema(schema)), target)

    def _keyed(self, tables: Mapping[str, Keyed], buckets: int) -> tuple[Any, dict[str, pa.Schema]]:
        from pyspark.sql import functions as f
        from pyspark.sql.pandas.types import to_arrow_schema

        frames = {name: self.session.read.parquet(str(t.path)) for name, t in tables.items()}
        blobs = None
        empty: dict[str, pa.Schema] = {}
        for name, t in tables.items():
            frame = frames[name]
            empty[name] = to_arrow_schema(frame.schema)  # from the plan: no Spark job
            if t.via is not None:
                column, parent, parent_column = t.via
                key_of = tables[parent].key
                if key_of is None:
                    raise ValueError(f"{name} is keyed through {parent}, which has no key column")
                lookup = frames[parent].select(
                    f.col(parent_column).alias("__parent"), f.col(key_of).alias(KEY)
                )
                keyed = frame.join(lookup, frame[column] == lookup["__parent"]).drop("__parent")
            elif t.key is not None:
                keyed = frame.withColumn(KEY, f.col(t.key))
            else:
                continue
            keyed = keyed.withColumn(KEY, f.pmod(f.xxhash64(KEY), f.lit(buckets)).cast("int"))
            cut = keyed.mapInArrow(_blobs(name), self._schema(BLOB_SCHEMA))
            blobs = cut if blobs is None else blobs.unionByName(cut)
        return blobs, {name: schema for name, schema in empty.items() if not tables[name].broadcast}

    def map_groups(self, tables: Mapping[str, Keyed], fn: GroupFn, schema: pa.Schema, target: Path) -> int:
        size = sum(data_bytes(t.path) for t in tables.values() if not t.broadcast)
        buckets = max(self.partitions, math.ceil(size / BUCKET_BYTES))
        broadcast = {
            name: self.session.read.parquet(str(t.path)).toArrow()
            for name, t in tables.items()
            if t.broadcast
        }
        # The joins and the grouping shuffle the whole region: with the session's few partitions one
        # sort held a quarter of a 5 M region's fee lines and ran the heap out reading its spills. One
        # shuffle partition per bucket keeps each to a bucket's rows.
        shuffle = self.session.conf.get("spark.sql.shuffle.partitions")
        self.session.conf.set("spark.sql.shuffle.partitions", str(buckets))
        try:
            blobs, empty = self._keyed(tables, buckets)
            result = blobs.groupBy("bucket").applyInArrow(
                _grouped(fn, empty, broadcast, schema), self._schema(schema)
            )
            return self._write(result, target)
        finally:
            self.session.conf.set("spark.sql.shuffle.partitions", shuffle)

    def sql(self, query: str, tables: Mapping[str, Path]) -> pa.Table:
        import sqlglot
        from pyspark.errors import PySparkException

        for name, path in tables.items():
            self.session.read.parquet(str(path)).createOrReplaceTempView(name)
        try:
            spark_sql = sqlglot.transpile(query, read="duckdb", write="spark")[0]
            return self.session.sql(spark_sql).toArrow()
        except (sqlglot.errors.SqlglotError, PySparkException) as error:
            raise DomainError(ANALYTICS_INVALID_QUERY, engine="spark", reason=str(error)) from error

    def close(self) -> None:
        if self._owned:
            self.session.stop()
            # The SparkContext took over Ctrl-C to cancel its jobs; give it back once there are none.
            signal.signal(signal.SIGINT, self._interrupt)
