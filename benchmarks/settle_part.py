"""The settle job's function on one part of a region, in one process: CPU seconds per claim.

    .venv/bin/python benchmarks/settle_part.py [--residents 10000] [--repeat 3] [--work DIR]

Generates a Wenzhou region of ``--residents`` (seed 7, one part) as Parquet once, reads its tables,
then calls ``settle_tables`` (what each worker of ``sanyi batch run``'s settle job calls on a part:
Arrow rows → records → claims → settlements → the flat table) ``--repeat`` times and prints the best
CPU time, claims per CPU-second and a digest of the output table, so that two checkouts can be
compared on the same rows: run the script of one checkout with ``PYTHONPATH=<other>/src``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", default="/tmp/sanyi-settle-part")
    args = parser.parse_args()

    import pyarrow.parquet as pq

    from sanyi.synth.api import ParquetSink, RegionRequest, generate
    from sanyi.synth.jobs import settle_tables

    region = Path(args.work) / f"region-{args.residents}"
    if not (region / "synth_run.json").is_file():
        generate(RegionRequest("wenzhou", args.residents, 2023, 7), [ParquetSink(region)], workers=1)
    names = ("encounters", "residents", "fee_lines", "institutions")
    tables = {name: pq.read_table(region / name) for name in names}
    settle_tables({name: table.slice(0, 10) for name, table in tables.items()})  # packages loaded once
    best = float("inf")
    for _ in range(args.repeat):
        started = time.process_time()
        out = settle_tables(tables)
        best = min(best, time.process_time() - started)
    digest = hashlib.sha256(str(out.to_pylist()).encode()).hexdigest()[:16]
    claims = tables["encounters"].num_rows
    print(
        f"{claims:,} claims, {tables['fee_lines'].num_rows:,} fee lines: best of {args.repeat} "
        f"{best:.2f} CPU s, {claims / best:,.0f} claims per CPU-second, output {digest}, "
        f"load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
