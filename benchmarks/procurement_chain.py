"""Two-invoice check throughput on a synthetic year of procurement.

    .venv/bin/python benchmarks/procurement_chain.py [--residents 20000] [--work /tmp/sanyi-proc-bench]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/sanyi_proc_bench]

Generates a Wenzhou region of ``--residents`` into SQLite (kept in ``--work`` between runs) and its
year of procurement (orders, deliveries, invoice chains with the planted violations), then times:
reading every delivery with its invoices from the database, the pure check of every chain in memory,
and the whole service run (read, check, replace the stored findings, audit) — on SQLite and, with
``--postgres``, on a PostgreSQL copy loaded from the same SQLite region. Prints comparable figures.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sanyi.bootstrap import all_metadata, build_container
from sanyi.infrastructure import migrate
from sanyi.infrastructure.db import create_db_engine
from sanyi.infrastructure.settings import Settings
from sanyi.knowledge.procurement import parameters
from sanyi.procurement.api import (
    ChainChecker,
    Delivery,
    iter_deliveries,
    platform_prices,
    remote_institutions,
    roles,
)
from sanyi.registry.api import Viewer
from sanyi.synth.api import DatabaseSink, RegionRequest, database_is_empty, generate, generate_procurement

VIEWER = Viewer("bench", "admin", None, regional=True)
SERIAL_TABLES = frozenset({"audit_log", "procurement_findings"})


def prepare(url: str, residents: int) -> None:
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    if database_is_empty(engine):
        started = time.perf_counter()
        generate(RegionRequest("wenzhou", residents, 2023, 7), [DatabaseSink(engine)])
        summary = generate_procurement(engine, 2023, 7)
        print(
            f"generated region and procurement in {time.perf_counter() - started:.1f} s: "
            f"{summary.deliveries:,} deliveries, {summary.invoices:,} invoices, "
            f"planted {len(summary.planted)}"
        )
    engine.dispose()


def measure(url: str, label: str) -> None:
    container = build_container(Settings(database_url=url, secret_key="b" * 40))
    engine: Engine = container.engine
    with engine.connect() as connection:
        started = time.perf_counter()
        deliveries = list(iter_deliveries(connection))
        read = time.perf_counter() - started
        remote = remote_institutions(connection, parameters())
        prices = platform_prices(connection)
        checker = ChainChecker(parameters(), roles(connection), prices, remote, _as_of(deliveries))
    started = time.perf_counter()
    found = sum(len(checker.check(delivery)) for delivery in deliveries)
    pure = time.perf_counter() - started
    started = time.perf_counter()
    counts = container.procurement.check_chain(VIEWER)
    service = time.perf_counter() - started
    invoices = sum(len(d.invoices) for d in deliveries)
    print(
        f"{label}: {len(deliveries):,} deliveries ({invoices:,} invoices) · read {read:.2f} s "
        f"({len(deliveries) / read:,.0f}/s) · pure check {pure:.2f} s ({len(deliveries) / pure:,.0f}/s, "
        f"{found} findings) · service run {service:.2f} s ({len(deliveries) / service:,.0f}/s, "
        f"{counts['findings']} findings)"
    )
    container.dispose()


def _as_of(deliveries: list[Delivery]) -> date:
    return max(d.delivered_on for d in deliveries)


def copy_to_postgres(sqlite_url: str, postgres_url: str) -> None:
    """Load the SQLite region into PostgreSQL (every table, parents first), unless it is there already."""
    source = create_db_engine(sqlite_url)
    with source.connect() as reading:
        wanted = reading.execute(text("SELECT count(*) FROM procurement_deliveries")).scalar_one()
    base, name = postgres_url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
    if exists:
        target = create_db_engine(postgres_url)
        with target.connect() as connection:
            present = connection.execute(text("SELECT count(*) FROM procurement_deliveries")).scalar_one()
        target.dispose()
        if present == wanted:
            admin.dispose()
            source.dispose()
            return
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    target = create_db_engine(postgres_url)
    migrate.upgrade(target)
    with source.connect() as reading, target.begin() as writing:
        for table in all_metadata().sorted_tables:
            if table.name in SERIAL_TABLES:
                continue  # outputs with generated ids; the run writes its own
            rows = [dict(row._mapping) for row in reading.execute(table.select())]
            for offset in range(0, len(rows), 10_000):
                writing.execute(table.insert(), rows[offset : offset + 10_000])
    source.dispose()
    target.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--work", type=Path, default=Path("/tmp/sanyi-proc-bench"))
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    sqlite_url = f"sqlite:///{args.work / f'region-{args.residents}.db'}"
    prepare(sqlite_url, args.residents)
    measure(sqlite_url, "SQLite")
    if args.postgres:
        copy_to_postgres(sqlite_url, args.postgres)
        measure(args.postgres, "PostgreSQL")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
