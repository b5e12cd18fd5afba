"""The year's batch jobs on the local engine and on Spark local mode: time, records/s, peak memory.

    .venv/bin/python benchmarks/batch_engines.py --residents 1000000 --engine local|spark
        [--jobs drg,settle,supervise,indicators] [--workers 2] [--work /tmp/sanyi-batch-bench]

Generates a Wenzhou region of ``--residents`` (seed 7) as partitioned Parquet once (kept under
``--work`` and reused by later runs of the same size), then runs each job in a fresh process, as
``sanyi batch run`` would: DRG grouping of the stays (making the stays is part of the job), settlement
of every claim per person in time order, every set-based supervision rule, and ``indicators``: every
indicator a Parquet region gives, by institution for each month of the year (facts by the backend's
SQL, then the indicator engine; records = encounters, written = values). For each job it prints
the wall time (the Spark session's start is shown apart), the records it read per second (stays for
drg, claims for settle and supervise), and the peak resident memory of the whole process tree
(driver, pool workers or the JVM and its Python workers), sampled every 0.2 s and summed — pages
shared after fork count once per process, so the sum overstates — and the CPU seconds of that tree
(the step process included: Python start, imports, the Spark session). The load average is printed
with each row: the machine is shared, so wall time follows the load while CPU seconds much less.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its live descendants, summed."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return pages * resource.getpagesize() / 2**20 + sum(_tree_rss_mb(int(child)) for child in children)


def _tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and its live descendants, each with its reaped children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK") + sum(_tree_cpu_s(int(child)) for child in children)


def _region(args: argparse.Namespace) -> Path:
    from sanyi.synth.api import ParquetSink, RegionRequest, generate

    directory = Path(args.work) / f"region-{args.residents}"
    if not (directory / "synth_run.json").is_file():
        started = time.perf_counter()
        generate(
            RegionRequest("wenzhou", args.residents, 2023, 7), [ParquetSink(directory)], workers=args.workers
        )
        print(f"generated {directory} in {time.perf_counter() - started:.1f} s", flush=True)
    return directory


def _indicators(region: Path, backend: Any, out: Path) -> tuple[int, int]:
    import pyarrow.dataset as ds

    from sanyi.indicators.api import Span, ValuesQuery, region_values
    from sanyi.registry.api import Viewer

    months = tuple(Span.parse(f"2023-{month:02d}") for month in range(1, 13))
    viewer = Viewer("bench", "cli", None, regional=True)
    # With the settle and drg jobs' outputs (an earlier run of those jobs) the YB and DRG indicators too.
    query = ValuesQuery((), months, None, "institution")
    values = region_values(backend, region, viewer, query, out if out.is_dir() else None)
    return int(ds.dataset(region / "encounters", format="parquet").count_rows()), len(values)


def _step(args: argparse.Namespace) -> None:
    from sanyi.analytics.api import open_backend
    from sanyi.synth.api import run_job

    started = time.perf_counter()
    backend = open_backend(args.engine, args.workers)
    session = time.perf_counter() - started
    out = Path(args.work) / f"out-{args.residents}-{args.engine}"
    try:
        started = time.perf_counter()
        if args.step == "indicators":
            records, written = _indicators(Path(args.region), backend, out)
        else:
            run = run_job(args.step, Path(args.region), out, backend)
            records, written = run.records, run.written
        seconds = time.perf_counter() - started
    finally:
        backend.close()
    print(json.dumps({"session": session, "records": records, "written": written, "seconds": seconds}))


def _run_step(args: argparse.Namespace, job: str, region: Path) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--step", job, "--region", str(region), "--engine", args.engine,
        "--workers", str(args.workers), "--residents", str(args.residents), "--work", args.work,
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak = cpu = 0.0
    while process.poll() is None:
        peak = max(peak, _tree_rss_mb(process.pid))
        cpu = max(cpu, _tree_cpu_s(process.pid))
        time.sleep(0.2)
    assert process.stdout is not None
    output = process.stdout.read()
    if process.returncode != 0:
        raise SystemExit(f"{job} failed with exit code {process.returncode}")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    result["peak_mb"] = peak
    result["cpu"] = cpu
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--engine", choices=("local", "spark"), default="local")
    parser.add_argument("--jobs", default="drg,settle,supervise")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--work", default="/tmp/sanyi-batch-bench")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--region", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        _step(args)
        return
    region = _region(args)
    print(
        f"{args.residents:,} residents, engine {args.engine}, {args.workers} workers, {os.cpu_count()} cores"
    )
    print(f"{'job':<10} {'records':>12} {'written':>12} {'job s':>8} {'session s':>9} {'records/s':>10} "
          f"{'CPU s':>8} {'peak MB':>8}  load")  # fmt: skip
    for job in args.jobs.split(","):
        r = _run_step(args, job, region)
        rate = r["records"] / r["seconds"] if r["seconds"] else 0.0
        load = os.getloadavg()[0]
        print(
            f"{job:<10} {r['records']:>12,} {r['written']:>12,} {r['seconds']:>8.1f} {r['session']:>9.1f} "
            f"{rate:>10,.0f} {r['cpu']:>8.1f} {r['peak_mb']:>8,.0f}  {load:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
