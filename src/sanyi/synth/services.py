"""Generating a region into its sinks, in parallel chunks, with progress."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pyarrow as pa

from sanyi.synth.generator import RegionRequest, SyntheticRegion, run_metadata
from sanyi.synth.output import Sink

Progress = Callable[[str, int, int], None]  # (stage, done, total)

# A forked worker inherits the region built by the parent (world, residents, calibration).
_REGION: SyntheticRegion | None = None


def _chunk_in_worker(number: int) -> dict[str, pa.Table]:
    assert _REGION is not None
    return _REGION.chunk_tables(number)


@dataclass(frozen=True)
class GenerationSummary:
    residents: int
    encounters: int
    fee_lines: int
    irregularities: int
    institutions: int
    practitioners: int


def generate(
    request: RegionRequest, sinks: list[Sink], workers: int = 1, progress: Progress | None = None
) -> GenerationSummary:
    global _REGION  # noqa: PLW0603 - shared with forked workers, set only here
    report = progress or (lambda stage, done, total: None)
    report("calibrate", 0, 1)
    region = SyntheticRegion(request)
    report("calibrate", 1, 1)
    static = region.static_tables()
    metadata = run_metadata(region)
    for sink in sinks:
        sink.start(metadata, static)
    totals = {"residents": 0, "encounters": 0, "fee_lines": 0, "synth_irregularities": 0}
    total = region.chunk_count
    report("generate", 0, total)
    for done, (number, tables) in enumerate(_chunks(region, workers), start=1):
        for sink in sinks:
            sink.chunk(number, tables)
        for name in totals:
            totals[name] += tables[name].num_rows
        report("generate", done, total)
    for sink in sinks:
        sink.finish()
    _REGION = None
    return GenerationSummary(
        residents=totals["residents"],
        encounters=totals["encounters"],
        fee_lines=totals["fee_lines"],
        irregularities=totals["synth_irregularities"],
        institutions=static["institutions"].num_rows,
        practitioners=static["practitioners"].num_rows,
    )


def _chunks(region: SyntheticRegion, workers: int) -> Iterator[tuple[int, dict[str, pa.Table]]]:
    global _REGION  # noqa: PLW0603
    numbers = range(region.chunk_count)
    if workers <= 1 or region.chunk_count == 1:
        for number in numbers:
            yield number, region.chunk_tables(number)
        return
    _REGION = region
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from zip(numbers, pool.map(_chunk_in_worker, numbers), strict=True)
