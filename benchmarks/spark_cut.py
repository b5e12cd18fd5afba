"""The cut of a Spark grouped run, without Spark: rows → one IPC blob per bucket → tables again.

    .venv/bin/python benchmarks/spark_cut.py [--rows 2000000] [--buckets 530] [--batch 10000]

A grouped run (``SparkBackend.map_groups``) cuts each keyed table's rows by bucket into Arrow IPC
blobs (``_blobs``, in the Python workers), shuffles them, and each bucket puts its blobs back into
one table (``_grouped``). This times both halves on fee-line-like rows spread over ``--buckets``
buckets (530 is a 5 M-resident region's count), arriving in ``--batch``-row batches as Spark hands
them over, for two ways of cutting: every batch on its own (``gather`` = the batch size, what the
backend did before) and rows gathered to ``CUT_ROWS`` first. It prints CPU seconds, blob count and
blob bytes (≈ the shuffle's size) for each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--buckets", type=int, default=530)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()

    import numpy as np
    import pyarrow as pa

    from sanyi.analytics.spark import CUT_ROWS, KEY, _blobs

    rng = np.random.default_rng(7)
    n = args.rows
    table = pa.table(
        {
            "encounter_id": pa.array([f"E{i // 5:012d}" for i in range(n)]),
            "line_no": pa.array(np.arange(n, dtype=np.int32) % 5 + 1),
            "code": pa.array([f"XB01AC{i % 997:04d}" for i in range(n)]),
            "quantity": pa.array(rng.integers(1, 30, n).astype(np.float64)),
            "amount": pa.array(rng.integers(100, 100_000, n)),
            KEY: pa.array(rng.integers(0, args.buckets, n).astype(np.int32)),
        }
    )
    batches = table.to_batches(max_chunksize=args.batch)
    print(f"{n:,} rows in {len(batches):,} batches of {args.batch:,}, {args.buckets} buckets")
    print(f"{'gather':>9} {'blobs':>10} {'blob MB':>9} {'cut CPU s':>10} {'rebuild CPU s':>14}")
    for gather in (args.batch, CUT_ROWS):
        started = time.process_time()
        out = list(_blobs("fee_lines", gather)(iter(batches)))
        cut = time.process_time() - started
        blobs: dict[int, list[bytes]] = {}
        for batch in out:
            for row in batch.to_pylist():
                blobs.setdefault(row["bucket"], []).append(row["data"])
        started = time.process_time()
        rebuilt = sum(
            pa.concat_tables([pa.ipc.open_stream(data).read_all() for data in found]).num_rows
            for found in blobs.values()
        )
        rebuild = time.process_time() - started
        assert rebuilt == n
        count = sum(len(found) for found in blobs.values())
        size = sum(len(data) for found in blobs.values() for data in found) / 1e6
        print(f"{gather:>9,} {count:>10,} {size:>9,.1f} {cut:>10.2f} {rebuild:>14.2f}")


if __name__ == "__main__":
    main()
