"""Supervision speed: the set-based run over ~10,000,000 fee lines, and the per-claim check latency.

    .venv/bin/python benchmarks/supervision_throughput.py [--residents 25000] [--copies 10]
        [--work /tmp/sanyi-supervision-bench] [--threads N]

Generates a Wenzhou region of ``--residents`` (Parquet, ParquetSink layout), then writes ``--copies``
copies of its residents, encounters and fee lines with the ids suffixed (distinct persons and claims,
the same clinical mix and planted-irregularity rate) — a year of a large city's claims. Times: reading
the Parquet into the ``claims`` and ``lines`` relations, running every rule of rules.yaml (DuckDB), and
the per-claim check (事中) of 2,000 claims with their person's other claims as history. Prints figures.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sanyi.supervision.api import check_claim, connect_parquet, load_rules, read_claims, run_rules
from sanyi.synth.api import ParquetSink, RegionRequest, generate

ID_COLUMNS = {
    "residents": ("person_id",),
    "encounters": ("id", "person_id", "encounter_no"),
    "fee_lines": ("encounter_id",),
}


def build(work: Path, residents: int, copies: int) -> Path:
    base, big = work / f"base-{residents}", work / f"x{copies}-{residents}"
    if not (base / "synth_run.json").exists():
        shutil.rmtree(base, ignore_errors=True)
        generate(RegionRequest("wenzhou", residents, 2023, 7), [ParquetSink(base)])
    if (big / "fee_lines").exists():
        return big
    shutil.rmtree(big, ignore_errors=True)
    shutil.copytree(base / "institutions", big / "institutions")
    con = duckdb.connect()
    for name, columns in ID_COLUMNS.items():
        (big / name).mkdir(parents=True)
        for copy in range(copies):
            source = base / name / "*.parquet"
            replaced = ", ".join(f"{c} || '-{copy}' AS {c}" for c in columns)
            target = big / name / f"part-{copy:05d}.parquet"
            con.execute(
                f"COPY (SELECT * REPLACE ({replaced}) FROM read_parquet('{source}')) "
                f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
            )
    return big


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=25000)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--work", type=Path, default=Path("/tmp/sanyi-supervision-bench"))
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    directory = build(args.work, args.residents, args.copies)
    print(f"data ready in {time.perf_counter() - started:.1f} s: {directory}")
    rules = load_rules()

    started = time.perf_counter()
    con = connect_parquet(directory, threads=args.threads)
    loaded = time.perf_counter() - started
    lines = con.execute("SELECT count(*) FROM lines").fetchall()[0][0]
    claims = con.execute("SELECT count(*) FROM claims").fetchall()[0][0]
    started = time.perf_counter()
    findings = run_rules(con, rules)
    checked = time.perf_counter() - started
    per_rule: dict[str, int] = defaultdict(int)
    for f in findings:
        per_rule[f.rule_id] += 1
    print(f"set-based run over {lines:,} fee lines, {claims:,} claims, {len(rules)} rules")
    print(f"  read Parquet into claims/lines: {loaded:.1f} s")
    print(f"  all rules:                      {checked:.1f} s")
    print(
        f"  total:                          {loaded + checked:.1f} s"
        f"  ({lines / (loaded + checked):,.0f} lines/s)"
    )
    print(f"  findings: {len(findings):,}  " + ", ".join(f"{k} {v:,}" for k, v in sorted(per_rule.items())))
    print(f"  peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")

    con.execute("DELETE FROM claims WHERE claim_id NOT LIKE '%-0'")
    con.execute("DELETE FROM lines WHERE claim_id NOT LIKE '%-0'")
    sample = read_claims(con)
    of_person = defaultdict(list)
    for c in sample:
        of_person[c.person_id].append(c)
    picked = sample[:: max(1, len(sample) // 2000)][:2000]
    timings = []
    for claim in picked:
        history = [o for o in of_person[claim.person_id] if o.claim_id != claim.claim_id]
        begin = time.perf_counter()
        check_claim(claim, rules, history)
        timings.append((time.perf_counter() - begin) * 1000)
    timings.sort()
    history_sizes = [len(of_person[c.person_id]) - 1 for c in picked]
    print(
        f"per-claim check (事中), {len(picked):,} claims, "
        f"mean history {statistics.mean(history_sizes):.1f} claims"
    )
    print(
        f"  mean {statistics.mean(timings):.3f} ms, p50 {timings[len(timings) // 2]:.3f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)]:.3f} ms, p99 {timings[int(len(timings) * 0.99)]:.3f} ms, "
        f"lines per claim {statistics.mean(len(c.lines) for c in picked):.1f}"
    )


if __name__ == "__main__":
    main()
