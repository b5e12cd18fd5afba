"""How fast booking takes slots under concurrency, and that it never overbooks.

    .venv/bin/python -m benchmarks.tiered_booking [--db URL] [--sessions 20] [--capacity 50] [--threads 32]

Builds a small region (SQLite in a temporary directory unless --db names an empty database), opens
``sessions`` sessions of ``capacity`` public slots at one hospital, then sends twice as many booking
requests as there are slots from ``threads`` threads (distinct persons). Prints bookings per second,
p50/p95 latency per request, and the check that exactly the free slots were booked.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from sanyi.bootstrap import build_container
from sanyi.infrastructure import migrate
from sanyi.infrastructure.settings import Environment, Settings
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer, institutions, residents
from sanyi.synth.api import DatabaseSink, RegionRequest, generate
from sanyi.tiered.api import BookingRequest, Channel, bookings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--capacity", type=int, default=50)
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sanyi-bench-"))
    url = args.db or f"sqlite:///{folder / 'bench.db'}"
    container = build_container(Settings(env=Environment.DEMO, database_url=url, data_dir=folder))
    migrate.upgrade(container.engine)
    slots_total = args.sessions * args.capacity
    generate(RegionRequest("wenzhou", max(2 * slots_total, 200), 2023, 7), [DatabaseSink(container.engine)])
    with container.engine.connect() as connection:
        hospital = (
            connection.execute(select(institutions.c.code).where(institutions.c.tier == 3)).scalars().first()
        )
        people = list(
            connection.execute(select(residents.c.person_id).order_by(residents.c.person_id)).scalars()
        )
    assert hospital is not None
    desk = Viewer("bench", "institution_staff", hospital, regional=False)
    public = Viewer("public", "public", None, regional=False)
    starts = container.clock.now() + timedelta(days=7)
    sessions = [
        container.tiered.booking.create_schedule(
            desk,
            department="03",
            starts_at=starts + timedelta(hours=i),
            capacity=args.capacity,
            reserved_percent=0,
        )["id"]
        for i in range(args.sessions)
    ]
    requests = [
        BookingRequest(sessions[i % args.sessions], people[i], Channel.PUBLIC) for i in range(2 * slots_total)
    ]
    latencies: list[float] = []

    def book(request: BookingRequest) -> bool:
        began = time.perf_counter()
        try:
            container.tiered.booking.book(public, request)
            return True
        except DomainError:
            return False
        finally:
            latencies.append((time.perf_counter() - began) * 1000)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        outcomes = list(pool.map(book, requests))
    elapsed = time.perf_counter() - started
    with container.engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(bookings)).scalar_one()
    quantiles = statistics.quantiles(latencies, n=20)
    backend = url.split(":")[0]
    print(f"backend: {backend}, {args.sessions} sessions × {args.capacity} slots, {len(requests)} requests")
    print(f"booked {sum(outcomes)} (stored {stored}, slots {slots_total}), full {outcomes.count(False)}")
    print(f"requests/s {len(requests) / elapsed:,.0f}; bookings/s {sum(outcomes) / elapsed:,.0f}")
    print(f"latency p50 {statistics.median(latencies):.1f} ms, p95 {quantiles[18]:.1f} ms")
    container.dispose()


if __name__ == "__main__":
    main()
