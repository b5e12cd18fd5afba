"""All reform indicators × all institutions × 12 months of a synthetic region (ADR 0014).

    .venv/bin/python -m benchmarks.indicators_compute [--residents 20000] [--db URL]

Generates a Wenzhou region (seed 7) with tiered care and finance returns into a fresh SQLite file
(or the empty database at --db), then times, each on the warm store:
  - reading the facts of every source (encounters, finance, settlements, recognition, residents at 12
    month ends, registry, reported values, DRG evaluation sums via drgpay) into Arrow,
  - the DuckDB engine over those facts: 26 indicators × every institution × 12 months,
  - the same by county and for the city, and the whole service call (facts + engine + targets).
Prints the counts and seconds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sanyi.bootstrap import build_container
from sanyi.drgpay.api import Loaded
from sanyi.indicators.api import (
    DRG_POLICY,
    GroupBy,
    Request,
    Span,
    ValuesQuery,
    catalogue,
    compute,
    needed_spans,
    spans,
)
from sanyi.indicators.model import SpanKind
from sanyi.indicators.sources import read_facts, units
from sanyi.infrastructure import migrate
from sanyi.infrastructure.settings import Settings
from sanyi.registry.api import Viewer
from sanyi.synth.api import DatabaseSink, RegionRequest, generate, generate_finance, generate_tiered


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sanyi-indicators-"))
    url = args.db or f"sqlite:///{folder / 'region.db'}"
    container = build_container(Settings(database_url=url, env="demo", data_dir=folder))
    migrate.upgrade(container.engine)
    started = time.perf_counter()
    summary = generate(RegionRequest("wenzhou", args.residents, 2023, 7), [DatabaseSink(container.engine)])
    generate_tiered(container.engine, 2023, 7)
    generate_finance(container.engine, 2023, 7)
    print(
        f"region: {summary.residents:,} residents, {summary.institutions:,} institutions, "
        f"{summary.encounters:,} encounters, {summary.fee_lines:,} fee lines "
        f"(generated with tiered care and finance in {time.perf_counter() - started:.1f} s)"
    )
    loaded = catalogue()
    months = tuple(spans(SpanKind.MONTH, 2023))
    region = Viewer("bench", "reform_office", None, regional=True)
    codes = tuple(loaded.indicators)
    with container.uow() as uow:
        listed = units(uow.connection)
        request = Request(codes, months, "330300", "institution")
        wanted = {loaded.elements[e].source for c in codes for e in loaded.indicators[c].elements}
        needed = needed_spans(loaded, request)
        ends = sorted({s.end for s in needed})

        def drg(year: int) -> Loaded:
            return container.drgpay.stays(year, DRG_POLICY)

        t = time.perf_counter()
        drg(2023)  # drgpay groups and settles the year's stays once (cached for the service too)
        drg_seconds = time.perf_counter() - t
        t = time.perf_counter()
        facts = read_facts(
            uow.connection, wanted, min(s.first for s in needed), max(s.last for s in needed), ends, drg
        )
        read_seconds = time.perf_counter() - t
    print(
        f"facts: {facts.num_rows:,} rows from {len(wanted)} sources in {read_seconds:.2f} s "
        f"(drgpay grouping + settling the year's stays, cached for the service: {drg_seconds:.2f} s)"
    )
    groupings: tuple[GroupBy, ...] = ("institution", "county", "area")
    for by in groupings:
        request = Request(codes, months, "330300", by)
        t = time.perf_counter()
        figures = compute(loaded, facts, listed, request)
        seconds = time.perf_counter() - t
        keys = len(figures) // len(codes) // 12
        shape = f"{len(codes)} × {keys:,} keys × 12 months"
        print(f"engine by {by}: {len(figures):,} values ({shape}), {seconds:.2f} s")
    t = time.perf_counter()
    values = container.indicators.values(region, ValuesQuery((), months, "330300", "institution"))
    seconds = time.perf_counter() - t
    print(f"service (facts, engine, targets) by institution × 12 months: {len(values):,}, {seconds:.2f} s")
    t = time.perf_counter()
    container.indicators.values(region, ValuesQuery((), (Span.parse("2023"),), "330300", "county"))
    print(f"service, by county for the year: {time.perf_counter() - t:.2f} s")
    container.dispose()


if __name__ == "__main__":
    main()
