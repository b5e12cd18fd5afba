"""Import and export throughput on a synthetic region.

Generates a region into a source database, exports every kind to CSV, then loads the files into an
empty database (inserts), loads them again (the idempotent re-import: updates) and exports again,
printing rows per second for each step. Run:

    .venv/bin/python -m benchmarks.import_export --residents 20000 [--postgres URL]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from sanyi.bootstrap import build_container
from sanyi.care.api import export_kinds, import_loader
from sanyi.infrastructure import migrate
from sanyi.infrastructure.audit import Actor
from sanyi.infrastructure.exporter import run_export
from sanyi.infrastructure.importer import OnError, run_import
from sanyi.infrastructure.settings import Environment, Settings
from sanyi.synth.api import DatabaseSink, RegionRequest, generate

KINDS = ("areas", "institutions", "practitioners", "residents", "encounters")
ACTOR = Actor("benchmark", "cli")


def _container(url: str, data_dir: Path):  # type: ignore[no-untyped-def]
    settings = Settings(env=Environment.TEST, database_url=url, secret_key="b" * 40, data_dir=data_dir)
    container = build_container(settings)
    migrate.upgrade(container.engine)
    return container


def _export_all(container, folder: Path, label: str) -> None:  # type: ignore[no-untyped-def]
    for kind in (*KINDS, "fee-lines"):
        chosen = export_kinds()[kind]
        started = time.perf_counter()
        rows = run_export(
            container.uow,
            container.audit,
            ACTOR,
            chosen.spec,
            chosen.records,
            folder / f"{kind}.csv",
            unmasked=True,
            personal=chosen.personal,
        )
        elapsed = time.perf_counter() - started
        print(
            f"{label:<10} export {kind:<14} {rows:>10,} rows {elapsed:>8.2f} s "
            f"{rows / elapsed:>10,.0f} rows/s"
        )


def _import_all(container, folder: Path, label: str) -> None:  # type: ignore[no-untyped-def]
    for kind in KINDS:
        started = time.perf_counter()
        # The synthetic year plants a few invalid codes on purpose: skip them, count them.
        result = run_import(
            container.uow, container.audit, ACTOR, import_loader(kind), folder / f"{kind}.csv", OnError.SKIP
        )
        elapsed = time.perf_counter() - started
        print(
            f"{label:<10} import {kind:<14} {result.rows:>10,} rows {elapsed:>8.2f} s "
            f"{result.rows / elapsed:>10,.0f} rows/s  (+{result.inserted:,} / ~{result.updated:,}, "
            f"{result.bad_rows:,} bad)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", help="also load into this (empty) PostgreSQL database URL")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sanyi-import-bench-"))
    source = _container(f"sqlite:///{work / 'source.db'}", work)
    started = time.perf_counter()
    generate(RegionRequest("wenzhou", args.residents, 2023, args.seed), [DatabaseSink(source.engine)])
    print(f"region of {args.residents:,} residents generated in {time.perf_counter() - started:.1f} s")
    _export_all(source, work, "source")
    targets = [("sqlite", f"sqlite:///{work / 'target.db'}")]
    if args.postgres:
        targets.append(("postgresql", args.postgres))
    for label, url in targets:
        target = _container(url, work)
        _import_all(target, work, f"{label}")
        _import_all(target, work, f"{label}/again")
        target.dispose()
    source.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MiB; files in {work}")


if __name__ == "__main__":
    main()
