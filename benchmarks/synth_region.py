"""Benchmark: a synthetic region's year of care, generated to Parquet and bulk-loaded into databases.

    .venv/bin/python benchmarks/synth_region.py --residents 1000000 --workers 2

Each step runs in its own process so that its peak memory (the process and its workers) is its own.
Steps: ``generate`` (profile → Parquet directory), then ``load`` into SQLite (a file) and PostgreSQL (a
scratch database created and dropped on $SANYI_BENCH_POSTGRES_URL, default the local ``test`` server).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024  # Linux reports kilobytes


def _generate(args: argparse.Namespace) -> dict[str, Any]:
    from sanyi.synth.api import ParquetSink, RegionRequest, generate

    started = time.perf_counter()
    summary = generate(
        RegionRequest(args.profile, args.residents, args.year, args.seed),
        [ParquetSink(Path(args.parquet))],
        workers=args.workers,
    )
    return {
        "seconds": time.perf_counter() - started,
        "encounters": summary.encounters,
        "fee_lines": summary.fee_lines,
    }


def _load(args: argparse.Namespace) -> dict[str, Any]:
    from sanyi.infrastructure import migrate
    from sanyi.infrastructure.db import create_db_engine
    from sanyi.synth.api import DatabaseSink, replay_parquet

    engine = create_db_engine(args.url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    counts = replay_parquet(Path(args.parquet), [DatabaseSink(engine)])
    seconds = time.perf_counter() - started
    engine.dispose()
    rows = sum(counts.values())
    return {"seconds": seconds, "rows": rows, "rows_per_second": rows / seconds}


def _step(args: argparse.Namespace) -> None:
    result = _generate(args) if args.step == "generate" else _load(args)
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its live descendants, summed (workers run at the same time)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    own = pages * resource.getpagesize() / 2**20
    return own + sum(_tree_rss_mb(int(child)) for child in children)


def _run_step(step: str, *extra: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--step", step, *extra]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak_total = 0.0
    while process.poll() is None:
        peak_total = max(peak_total, _tree_rss_mb(process.pid))
        time.sleep(0.2)
    assert process.stdout is not None
    output = process.stdout.read()
    if process.returncode != 0:
        raise SystemExit(f"step {step} failed with exit code {process.returncode}")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["peak_total_mb"] = peak_total
    return result


def _scratch_postgres(admin_url: str) -> tuple[str, str]:
    name = f"sanyi_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, f"{admin_url.rsplit('/', 1)[0]}/{name}"


def _drop_postgres(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--profile", default="wenzhou")
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated; empty for none")
    parser.add_argument("--postgres-url", default=POSTGRES_ADMIN_URL)
    parser.add_argument("--step", choices=["generate", "load"], help=argparse.SUPPRESS)
    parser.add_argument("--parquet", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _step(args)
        return

    common = ["--profile", args.profile, "--residents", str(args.residents), "--year", str(args.year)]
    common += ["--seed", str(args.seed), "--workers", str(args.workers)]
    with tempfile.TemporaryDirectory(prefix="sanyi-bench-") as scratch:
        parquet = str(Path(scratch) / "region")
        made = _run_step("generate", *common, "--parquet", parquet)
        print(
            f"generate {args.profile} {args.residents:,} residents, {args.workers} worker(s): "
            f"{made['seconds']:.1f} s, {made['encounters']:,} encounters, {made['fee_lines']:,} fee lines, "
            f"{made['encounters'] / made['seconds']:,.0f} encounters/s, "
            f"peak RSS {made['peak_rss_mb']:,.0f} MB (largest process), "
            f"{made['peak_total_mb']:,.0f} MB (all processes at once, sampled every 0.2 s)"
        )
        for database in filter(None, args.databases.split(",")):
            cleanup = None
            if database == "sqlite":
                url = f"sqlite:///{Path(scratch) / 'bench.db'}"
            else:
                cleanup, url = _scratch_postgres(args.postgres_url)
            try:
                loaded = _run_step("load", "--parquet", parquet, "--url", url)
            finally:
                if cleanup:
                    _drop_postgres(args.postgres_url, cleanup)
            print(
                f"load into {database}: {loaded['seconds']:.1f} s, {loaded['rows']:,} rows, "
                f"{loaded['rows_per_second']:,.0f} rows/s, peak RSS {loaded['peak_rss_mb']:,.0f} MB"
            )


if __name__ == "__main__":
    main()
