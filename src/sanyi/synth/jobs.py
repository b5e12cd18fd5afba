"""The batch jobs of a year over a region's partitioned Parquet (``sanyi synth --parquet``), on any
analytics backend: DRG grouping of the stays, settlement of every claim, set-based supervision.

Each job hands the backend a pure function of whole persons' rows; the rows become the same
records the stored path builds (registry and care row mappers, ``claim_record``, ``drg_record``),
so the engines see a Parquet region as they see a stored one.
"""

from __future__ import annotations

import time
from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc

from sanyi.analytics.api import AnalyticsBackend, Keyed
from sanyi.care.api import (
    DRG_COLUMNS,
    Encounter,
    EncounterType,
    claim_record,
    drg_record,
    to_encounter,
    to_line,
)
from sanyi.drg.api import group_dataset
from sanyi.knowledge.policies import load_package, package_names
from sanyi.registry.api import Institution, Resident, to_institution, to_resident
from sanyi.settlement.api import OUTCOME_SCHEMA, outcome_table, settle_records
from sanyi.supervision.api import region_tables, supervise_region

JOBS: Final = ("drg", "settle", "supervise")
STAYS_SCHEMA: Final = pa.schema([(name, pa.string()) for name in DRG_COLUMNS])
# Persons whose rows are Python records at once in a settle call: a part of 25,000 residents held
# ≈ 1 GB of row objects per worker when built whole; a slice keeps that to a few tens of MB.
SLICE_PERSONS: Final = 1_000


_UTC: Final = ZoneInfo("UTC")


def _values(column: pa.ChunkedArray) -> list[Any]:
    """A column as Python values, as ``to_pylist`` gives them. Arrow builds each zone-aware datetime
    slowly (most of a fee-line table's conversion); NumPy gives the naive ones at once."""
    kind = column.type
    if pa.types.is_timestamp(kind) and kind.unit == "us" and kind.tz == "UTC":
        naive = column.combine_chunks().to_numpy(zero_copy_only=False).tolist()
        return [None if value is None else value.replace(tzinfo=_UTC) for value in naive]
    return column.to_pylist()


def _rows(table: pa.Table) -> list[Any]:
    # The row mappers read attributes, as they do on database rows; a named tuple built from the
    # columns is the cheapest such row.
    row_type = namedtuple("Row", table.column_names)  # type: ignore[misc]
    return list(map(row_type._make, zip(*(_values(column) for column in table.columns), strict=True)))


def person_encounters(tables: Mapping[str, pa.Table]) -> Iterator[tuple[Encounter, Resident, Institution]]:
    """Each encounter with its lines, person and institution, by person and then in time order
    (the order a person's accumulators need). An encounter whose person or institution is not in the
    region is left out, as ``sanyi settle-encounters`` leaves it out."""
    residents = {row.person_id: to_resident(row) for row in _rows(tables["residents"])}
    institutions = {row.code: to_institution(row) for row in _rows(tables["institutions"])}
    lines_of: dict[str, list[Any]] = defaultdict(list)
    if "fee_lines" in tables:
        for row in _rows(tables["fee_lines"]):
            lines_of[row.encounter_id].append(row)
    for row in sorted(_rows(tables["encounters"]), key=lambda e: (e.person_id, e.start_at, e.id)):
        person, institution = residents.get(row.person_id), institutions.get(row.institution_code)
        if person is None or institution is None:
            continue
        lines = tuple(to_line(line) for line in sorted(lines_of.pop(row.id, ()), key=lambda x: x.line_no))
        yield to_encounter(row, lines), person, institution


def person_slices(tables: Mapping[str, pa.Table], size: int) -> Iterator[dict[str, pa.Table]]:
    """The tables cut into slices of ``size`` whole persons, in person order: each slice's rows become
    Python records on their own, so a call holds the records of one slice, not of its whole part."""
    encounters = tables["encounters"]
    persons = pc.unique(encounters["person_id"]).sort()
    for first in range(0, len(persons), size):
        chosen = persons[first : first + size]
        part = encounters.filter(pc.is_in(encounters["person_id"], value_set=chosen))
        cut = {**tables, "encounters": part}
        residents = tables["residents"]
        cut["residents"] = residents.filter(pc.is_in(residents["person_id"], value_set=chosen))
        if "fee_lines" in tables:
            lines = tables["fee_lines"]
            cut["fee_lines"] = lines.filter(
                pc.is_in(lines["encounter_id"], value_set=part["id"].combine_chunks())
            )
        yield cut


def settle_tables(tables: Mapping[str, pa.Table], slice_persons: int = SLICE_PERSONS) -> pa.Table:
    """Every claim of some whole persons, settled in time order per person by the package of the
    person's home region, one row per claim (or its rejection), in person order."""
    packages = [load_package(name) for name in package_names()]
    done = [
        outcome_table(settle_records((claim_record(e, p, i) for e, p, i in person_encounters(cut)), packages))
        for cut in person_slices(tables, slice_persons)
    ]
    return pa.concat_tables(done) if done else outcome_table(())


def stays_tables(tables: Mapping[str, pa.Table]) -> pa.Table:
    """The inpatient stays of some whole persons as DRG input rows (the conformance columns)."""
    encounters = tables["encounters"]
    # Only stays become records: filtering first spares building every visit.
    stays = encounters.filter(pc.equal(encounters["type"], EncounterType.INPATIENT.value))
    rows = [drg_record(e, p) for e, p, _ in person_encounters({**tables, "encounters": stays})]
    return pa.Table.from_pylist(rows, schema=STAYS_SCHEMA)


def _person_tables(directory: Path, with_lines: bool) -> dict[str, Keyed]:
    tables = region_tables(directory)
    return tables if with_lines else {k: v for k, v in tables.items() if k != "fee_lines"}


@dataclass(frozen=True, slots=True)
class JobRun:
    job: str
    engine: str
    records: int  # what the job read: stays for drg, claims for settle and supervise
    written: int  # rows written: groups, settlements (or rejections), findings
    seconds: float

    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def _encounter_count(directory: Path, inpatient: bool = False) -> int:
    import pyarrow.dataset as ds

    dataset = ds.dataset(directory / "encounters", format="parquet")
    if not inpatient:
        return int(dataset.count_rows())
    return int(dataset.count_rows(filter=ds.field("type") == "inpatient"))


def run_job(
    job: str,
    directory: Path,
    target: Path,
    backend: AnalyticsBackend,
    *,
    scheme: str = "zhejiang_2022",
    rules: tuple[str, ...] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> JobRun:
    """Run one job of JOBS over the region in ``directory``; its output goes under ``target/<job>``."""
    started = time.perf_counter()
    steps: dict[str, Callable[[], tuple[int, int]]] = {
        "drg": lambda: _drg(directory, target, scheme, backend),
        "settle": lambda: (
            _encounter_count(directory),
            backend.map_groups(
                _person_tables(directory, True), settle_tables, OUTCOME_SCHEMA, target / "settle"
            ),
        ),
        "supervise": lambda: (
            _encounter_count(directory),
            supervise_region(directory, target / "supervise", backend, rules, start, end),
        ),
    }
    records, written = steps[job]()
    return JobRun(job, backend.name, records, written, time.perf_counter() - started)


def _drg(directory: Path, target: Path, scheme: str, backend: AnalyticsBackend) -> tuple[int, int]:
    stays = backend.map_groups(_person_tables(directory, False), stays_tables, STAYS_SCHEMA, target / "stays")
    return stays, group_dataset(target / "stays", target / "drg", scheme, backend)
