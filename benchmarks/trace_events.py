"""Drug traceability throughput: event ingestion (order rules + storage) and duplicate detection.

    .venv/bin/python -m benchmarks.trace_events [--codes 20000] [--duplicates 200] [--db URL]

Each code walks six events (produced, shipped to a distributor, received, shipped to one of 50
institutions, received, dispensed); ``--duplicates`` codes are dispensed a second time at another
institution. Printed, each as events (or codes) per second of wall-clock and of this process's CPU:
- the order rules alone (``chain.apply`` over the events in memory);
- an upload of the JSONL file through ``TraceService.upload`` (parse with the template, state read in
  chunks, rules, insert events, upsert code states; then the on-upload hand-over of the repeats to
  supervision) into a fresh SQLite file, or into the database of ``--db`` (emptied first);
- ``duplicates_to_supervision`` over the whole store (every repeat paired, findings already kept).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete

from sanyi.bootstrap import build_container
from sanyi.infrastructure import migrate
from sanyi.infrastructure.settings import Settings
from sanyi.registry.api import Viewer
from sanyi.supervision.api import supervision_findings
from sanyi.trace.api import trace_codes, trace_events, trace_parties, trace_public_queries
from sanyi.trace.chain import apply
from sanyi.trace.ingest import event_of
from sanyi.trace.reading import records_rows
from sanyi.trace.templates import EVENTS

T0 = datetime(2023, 1, 2, 1, 0, tzinfo=UTC)
MAKER, DISTRIBUTOR = "91330300SY00000011", "91330300SY00000066"
REGION = Viewer("benchmark", "insurance_bureau", None, regional=True)


def events(codes: int, duplicates: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(codes):
        code = f"8123456{n:09d}0000"
        hospital = f"3303020{n % 50:02d}"
        start = T0 + timedelta(minutes=n)

        def at(days: int, start: datetime = start) -> str:
            return (start + timedelta(days=days)).isoformat()

        out += [
            {
                "code": code,
                "event": "produced",
                "at": at(0),
                "party": MAKER,
                "drug_code": "XJ01CAA040A001010101234",
                "generic_name": "阿莫西林胶囊",
                "spec": "0.25g×24粒/盒",
                "batch": f"B{n % 97:03d}",
                "production_date": at(0)[:10],
                "expiry_date": "2026-01-01",
            },
            {"code": code, "event": "shipped", "at": at(1), "party": MAKER, "counterpart": DISTRIBUTOR},
            {"code": code, "event": "received", "at": at(2), "party": DISTRIBUTOR},
            {"code": code, "event": "shipped", "at": at(3), "party": DISTRIBUTOR, "counterpart": hospital},
            {"code": code, "event": "received", "at": at(4), "party": hospital},
            {
                "code": code,
                "event": "dispensed",
                "at": at(10),
                "party": hospital,
                "person_id": f"P{n:08d}",
                "encounter_id": f"E{n:08d}",
                "line_no": 1,
            },
        ]
    step = max(1, codes // max(duplicates, 1))
    for n in range(0, codes, step)[:duplicates]:
        out.append(
            {
                "code": f"8123456{n:09d}0000",
                "event": "dispensed",
                "at": (T0 + timedelta(days=30)).isoformat(),
                "party": f"3303020{(n + 1) % 50:02d}",
                "person_id": "P99999999",
            }
        )
    return out


def timed(label: str, count: int, unit: str, action: Any) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{label:<44} {count:>9,} {unit} in {wall:6.2f} s: "
        f"{count / wall:>9,.0f}/s wall, {count / cpu:>9,.0f}/s CPU"
    )
    return result


def rules_only(records: list[dict[str, Any]]) -> int:
    parse = EVENTS.parser()
    parsed = [parse(row)[0] for row in records_rows(records)]
    states: dict[str, Any] = {}
    start = time.perf_counter(), time.process_time()
    for index, values in enumerate(parsed, start=1):
        event = event_of(values)
        states[event.code] = apply(states.get(event.code), event, index).state
    wall, cpu = time.perf_counter() - start[0], time.process_time() - start[1]
    print(
        f"{'order rules only (parsed events in memory)':<44} {len(parsed):>9,} events in {wall:6.2f} s: "
        f"{len(parsed) / wall:>9,.0f}/s wall, {len(parsed) / cpu:>9,.0f}/s CPU"
    )
    return len(states)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--codes", type=int, default=20_000)
    parser.add_argument("--duplicates", type=int, default=200)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    records = events(args.codes, args.duplicates)
    rules_only(records)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'trace.db'}"
        container = build_container(Settings(database_url=url, env="demo", data_dir=Path(folder)))
        migrate.upgrade(container.engine)
        with container.engine.begin() as connection:
            for table in (trace_events, trace_codes, trace_parties, trace_public_queries):
                connection.execute(delete(table))
            connection.execute(
                delete(supervision_findings).where(
                    supervision_findings.c.rule_id == "TRACE_DUPLICATE_DISPENSE"
                )
            )
        path = Path(folder) / "events.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        print(
            f"backend: {container.engine.dialect.name}; {len(records):,} events, {args.codes:,} codes, "
            f"{args.duplicates:,} repeat dispensings"
        )
        result = timed(
            "upload JSONL (rules + store + hand-over)",
            len(records),
            "events",
            lambda: container.trace.upload(REGION, path),
        )
        assert result.bad_rows == 0, result.issues[:3]
        assert len(result.repeated) == args.duplicates
        repeats, added = timed(
            "duplicates-to-supervision (whole store)",
            args.duplicates,
            "repeats",
            lambda: container.trace.duplicates_to_supervision(REGION),
        )
        print(f"repeat dispensings {repeats:,}, new findings on rerun {added:,} (raised on upload)")
        container.dispose()


if __name__ == "__main__":
    main()
