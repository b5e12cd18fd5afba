"""DRG grouping throughput: records/s per scheme, one process and with workers, and a 1,000,000-row
Parquet file end to end (read, group, write with the trail).

    .venv/bin/python -m benchmarks.drg_throughput [--rows 200000] [--workers 2] [--file-rows 1000000]

Workloads, made deterministically from each scheme's conformance cases (codes the schemes know):
- ``replayed``: the 3,000 conformance cases repeated — many records share their principal codes, as
  a hospital's cases do;
- ``recombined`` (also the 1,000,000-row file, where no row repeats): every record a fresh draw
  of principal diagnosis, secondary diagnoses, procedures,
  sex and age from the cases' pools — principal pairs rarely repeat, so the per-pattern step cache
  helps little. This is the harder figure.
The reference is OpenDRG's Python grouper at about 2,700 records/s for zhejiang_2022 on this
machine class (issue 4).
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sanyi.drg import api
from sanyi.drg.batch import _group_chunk
from sanyi.drg.scheme import compile_scheme
from sanyi.infrastructure.tabular import TableWriter
from sanyi.knowledge.codes import diagnosis_map, procedure_map
from sanyi.knowledge.drg import load_scheme

OPENDRG_RECORDS_PER_SECOND = 2_700
KNOWN = ("SUCCESS", "QY", "FAIL")


def replayed(scheme: str, rows: int) -> list[dict[str, str]]:
    cases = [{k: row[k] for k in api.INPUT_COLUMNS} for row in api.conformance_cases(scheme)]
    return [dict(cases[i % len(cases)], id=str(i)) for i in range(rows)]


def recombined(scheme: str, rows: int, seed: int = 4) -> list[dict[str, str]]:
    cases = [row for row in api.conformance_cases(scheme) if row["status"] in KNOWN]
    draw = random.Random(seed)
    principals = [row["diagnoses"].split("|")[0] for row in cases]
    secondaries = [code for row in cases for code in row["diagnoses"].split("|")[1:]]
    procedures = [code for row in cases for code in row["procedures"].split("|") if code]
    people = [(row["sex"], row["age"], row["age_days"], row["weight_g"], row["dept"]) for row in cases]
    out = []
    for i in range(rows):
        sex, age, age_days, weight, dept = draw.choice(people)
        dx = [draw.choice(principals), *draw.sample(secondaries, draw.randint(0, 5))]
        procs = draw.sample(procedures, draw.choice((0, 0, 1, 1, 2, 3)))
        out.append(
            {
                "id": str(i),
                "sex": sex,
                "age": age,
                "age_days": age_days,
                "weight_g": weight,
                "dept": dept,
                "los_days": str(draw.randint(1, 30)),
                "discharge_type": "1",
                "diagnoses": "|".join(dx),
                "procedures": "|".join(procs),
            }
        )
    return out


def rate(work: Callable[[], Any], count: int) -> float:
    """Records per second of wall time."""
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def cpu_rate(work: Callable[[], Any], count: int) -> float:
    """Records per CPU-second of this process: what one core does, whatever else the machine runs."""
    started = time.process_time()
    work()
    return count / (time.process_time() - started)


def _cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def group_only(scheme: str, rows: Sequence[dict[str, str]]) -> float:
    """The fast path: parse, translate, group; the trail is not asked for. A freshly compiled
    scheme, so the pattern cache starts empty."""
    compiled = compile_scheme(load_scheme(scheme), diagnosis_map(), procedure_map())
    group_row = compiled.group_row

    def work() -> None:
        for row in rows:
            group_row(row).status  # noqa: B018 - the result is what is timed

    return cpu_rate(work, len(rows))


def chunks(rows: Sequence[dict[str, str]], size: int = 5_000) -> list[list[dict[str, str]]]:
    return [list(rows[i : i + size]) for i in range(0, len(rows), size)]


def with_trail(scheme: str, rows: Sequence[dict[str, str]], workers: int) -> float:
    """Group and write out the trail as text (what a file run does), in 1 or N processes."""
    names = tuple(api.INPUT_COLUMNS)
    jobs = [(scheme, names, [[row[name] for row in chunk] for name in names]) for chunk in chunks(rows)]
    if workers == 1:
        return cpu_rate(lambda: [_group_chunk(job) for job in jobs], len(rows))
    api.compiled(scheme)  # compiled before forking: workers inherit it
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        pool.map(_group_chunk, jobs[:workers])  # warm the workers
        return rate(lambda: list(pool.imap(_group_chunk, jobs)), len(rows))


def file_end_to_end(scheme: str, rows: int, workers: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "cases.parquet", Path(folder) / "groups.parquet"
        with TableWriter(source, list(api.INPUT_COLUMNS)) as writer:
            for number, start in enumerate(range(0, rows, 100_000)):  # every row a fresh draw
                block = recombined(scheme, min(100_000, rows - start), seed=11 + number)
                writer.write([list(row.values()) for row in block])
        print(f"\n{rows:,}-row Parquet file, {scheme}, --workers {workers} (read, group, write with trail):")
        before = _cpu()
        started = time.perf_counter()
        summary = api.group_file(source, target, scheme, workers=workers)
        seconds = time.perf_counter() - started
        parent, children = (after - first for after, first in zip(_cpu(), before, strict=True))
        print(f"  {seconds:.1f} s end to end, {summary.total / seconds:,.0f} records/s")
        print(f"  CPU: {parent:.1f} s reading, writing and coordinating; {children:.1f} s in the workers")
        print(f"  by status {summary.counts()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000, help="records per workload")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--file-rows", type=int, default=1_000_000, help="0 skips the file run")
    parser.add_argument("--schemes", nargs="*", default=api.scheme_names())
    args = parser.parse_args(argv)
    print(
        f"Python {sys.version.split()[0]}, {multiprocessing.cpu_count()} cores, load {load()}, "
        f"{args.rows:,} records per run"
    )
    print("single-process figures per CPU-second of the process; worker figures per wall-clock second")
    print(
        f"{'scheme':<15}{'workload':<12}{'group only':>14}{'× OpenDRG':>11}{'+ trail, 1 proc':>18}"
        f"{f'+ trail, {args.workers} proc':>18}"
    )
    for scheme in args.schemes:
        api.compiled(scheme)
        for name, make in (("replayed", replayed), ("recombined", recombined)):
            rows = make(scheme, args.rows)
            fast = group_only(scheme, rows)
            single = with_trail(scheme, rows, 1)
            parallel = with_trail(scheme, rows, args.workers)
            print(
                f"{scheme:<15}{name:<12}{fast:>12,.0f}/s{fast / OPENDRG_RECORDS_PER_SECOND:>10.0f}×"
                f"{single:>16,.0f}/s{parallel:>16,.0f}/s"
            )
    if args.file_rows:
        file_end_to_end("zhejiang_2022", args.file_rows, args.workers)
    print(f"load at the end {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
