"""How fast the scoped registry and care views answer on a synthetic region.

    .venv/bin/python -m benchmarks.scoped_views --residents 20000 [--db URL]

Builds the region (SQLite in a temporary directory unless --db names an empty database), then times
each service call a page makes, for a regional viewer and for a hospital's staff (median of 5 runs),
and the full Excel exports (rows streamed into a workbook). Prints one line per figure.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from sanyi.bootstrap import build_container
from sanyi.care.api import EncounterFilter, EncounterType, encounters
from sanyi.infrastructure import migrate
from sanyi.infrastructure.settings import Environment, Settings
from sanyi.infrastructure.tabular import xlsx_stream
from sanyi.registry.api import InstitutionFilter, KeyGroup, ResidentSearch, Tier, Viewer
from sanyi.synth.api import DatabaseSink, RegionRequest, generate
from sanyi.web.exports import ENCOUNTER_HEADER, RESIDENT_HEADER, encounter_rows, resident_rows


def _median_ms(call: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sanyi-bench-"))
    url = args.db or f"sqlite:///{folder / 'bench.db'}"
    container = build_container(Settings(env=Environment.DEMO, database_url=url, data_dir=folder))
    migrate.upgrade(container.engine)
    started = time.perf_counter()
    summary = generate(RegionRequest("wenzhou", args.residents, 2023, 7), [DatabaseSink(container.engine)])
    print(
        f"region: {args.residents} residents, {summary.fee_lines} fee lines, "
        f"built in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})"
    )
    with container.uow() as uow:
        hospital = uow.connection.execute(
            select(encounters.c.institution_code)
            .group_by(encounters.c.institution_code)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    regional = Viewer("bench", "health_commission", None, regional=True)
    staff = Viewer("bench", "institution_staff", hospital, regional=False)
    registry, care = container.registry, container.care
    suffix = registry.residents(regional, ResidentSearch(), 0, 1).items[0].citizen_id[-4:]
    stay = care.encounters(staff, EncounterFilter(type=EncounterType.INPATIENT), 0, 1).items[0].id
    person = care.encounters(staff, EncounterFilter(), 0, 1).items[0].person_id
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("overview (regional)", lambda: registry.overview(regional)),
        ("overview (hospital staff)", lambda: registry.overview(staff)),
        (
            "institutions page, tier 3",
            lambda: registry.institutions(regional, InstitutionFilter(tier=Tier.THIRD)),
        ),
        ("residents page (regional)", lambda: registry.residents(regional, ResidentSearch())),
        ("residents page (hospital staff)", lambda: registry.residents(staff, ResidentSearch())),
        ("residents by ID suffix", lambda: registry.residents(regional, ResidentSearch(text=suffix))),
        (
            "residents ≥65 (hospital staff)",
            lambda: registry.residents(staff, ResidentSearch(key_group=KeyGroup.ELDERLY)),
        ),
        ("resident detail + audit (staff)", lambda: registry.resident(staff, person)),
        ("encounters page (regional)", lambda: care.encounters(regional, EncounterFilter())),
        ("encounters page (hospital staff)", lambda: care.encounters(staff, EncounterFilter())),
        ("encounter detail + audit (staff)", lambda: care.encounter(staff, stay)),
        ("institution volumes (staff)", lambda: care.volumes(staff, hospital)),
    ]
    for name, call in calls:
        print(f"{name:36s} {_median_ms(call):8.1f} ms")
    exports: list[tuple[str, tuple[str, ...], Callable[[], Iterator[list[Any]]]]] = [
        (
            "residents.xlsx (regional)",
            RESIDENT_HEADER,
            lambda: resident_rows(
                registry.export_residents(regional, ResidentSearch()), registry.area_names()
            ),
        ),
        (
            "encounters.xlsx (hospital staff)",
            ENCOUNTER_HEADER,
            lambda: encounter_rows(care.export_encounters(staff, EncounterFilter())),
        ),
    ]
    for name, header, rows in exports:
        counted = 0

        def counting(source: Iterator[list[Any]]) -> Iterator[list[Any]]:
            nonlocal counted
            for row in source:
                counted += 1
                yield row

        started = time.perf_counter()
        size = sum(len(chunk) for chunk in xlsx_stream(header, counting(rows())))
        seconds = time.perf_counter() - started
        print(
            f"{name:36s} {counted:8d} rows {seconds:6.1f} s {counted / seconds:8.0f} rows/s "
            f"{size / 1e6:5.1f} MB"
        )
    container.dispose()


if __name__ == "__main__":
    main()
