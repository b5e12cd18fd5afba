"""Grouping a file: read in chunks, group (optionally in worker processes), write, summarise.

Rows travel to workers in chunks of plain dicts and come back as tuples of strings, so the cost
of crossing processes stays small next to the grouping itself. A bad row becomes a result with its
status; the batch always finishes.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Final

import pyarrow as pa

from sanyi.analytics.api import AnalyticsBackend, dataset_schema
from sanyi.drg.errors import DRG_INVALID_COLUMN_MAP, DRG_MISSING_COLUMNS
from sanyi.drg.model import AMBIGUOUS, FAIL, INPUT_COLUMNS, RESULT_COLUMNS, STATUSES, SUCCESS, GroupResult
from sanyi.drg.scheme import compiled
from sanyi.drg.trail import as_text
from sanyi.infrastructure.tabular import ColumnBatch, TableWriter, read_column_batches
from sanyi.kernel.errors import DomainError

CHUNK: Final = 5_000
KEPT_PROBLEMS: Final = 1_000  # bad rows listed in the summary; the counts cover all of them
REQUIRED: Final = ("sex", "age", "diagnoses")

ColumnMap = dict[str, str]  # header in the file → input column
Progress = Callable[[int], None]
ResultRow = tuple[str, str, str, str, str, str]


@dataclass(frozen=True, slots=True)
class Problem:
    row: int
    id: str
    status: str
    detail: str


@dataclass(slots=True)
class BatchSummary:
    scheme: str
    total: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    def add_batch(
        self, batch: ColumnBatch, results: list[list[str]], ids: str | None, diagnoses: str
    ) -> None:
        statuses, trails = results[0], results[5]
        self.total += len(statuses)
        self.by_status.update(statuses)
        for offset, status in enumerate(statuses):
            if status in (SUCCESS, AMBIGUOUS):
                continue
            if status == FAIL:
                principal = batch.columns[diagnoses][offset].split("|")[0].strip()
                detail = f"未入组，主要诊断 / ungrouped, principal diagnosis {principal}"
            else:
                detail = trails[offset].split("：", 1)[-1]  # the codes or fields a rejection names
            self.reasons[f"{status}: {detail}"] += 1
            if len(self.problems) < KEPT_PROBLEMS:
                row_id = batch.columns[ids][offset] if ids is not None else ""
                self.problems.append(Problem(batch.first_row + offset, row_id, status, detail))

    def top_reasons(self, limit: int = 10) -> list[tuple[str, int]]:
        return self.reasons.most_common(limit)

    def counts(self) -> dict[str, int]:
        return {status: self.by_status.get(status, 0) for status in STATUSES}


def parse_column_map(text: str | None) -> ColumnMap:
    """``性别=sex,年龄=age`` → {"性别": "sex", "年龄": "age"}."""
    mapping: ColumnMap = {}
    if not text:
        return mapping
    for part in text.split(","):
        source, sep, target = part.partition("=")
        source, target = source.strip(), target.strip()
        if not sep or not source or not target:
            raise DomainError(DRG_INVALID_COLUMN_MAP, value=part, reason="expected HEADER=column")
        if target not in INPUT_COLUMNS:
            raise DomainError(
                DRG_INVALID_COLUMN_MAP, value=part, reason=f"column must be one of {', '.join(INPUT_COLUMNS)}"
            )
        mapping[source] = target
    return mapping


def result_row(result: GroupResult) -> ResultRow:
    return (result.status, result.mdc, result.adrg, result.drg, result.drg_name, as_text(result.trail))


Job = tuple[str, tuple[str, ...], list[list[str]]]  # scheme, input column names, their values


def _group_chunk(job: Job) -> list[list[str]]:
    """Group a batch given as columns; returns the six result columns."""
    scheme_name, names, columns = job
    group_row = compiled(scheme_name).group_row_traced
    out: list[ResultRow] = []
    for values in zip(*columns, strict=True):
        row = dict(zip(names, values, strict=True))
        try:
            out.append(result_row(group_row(row)))
        except Exception as error:  # a defect must not lose the rest of the file
            out.append(("INVALID", "0000", "00", "0000", "", f"字段缺失或格式有误：{error}"))
    return [list(column) for column in zip(*out, strict=True)] if out else [[] for _ in RESULT_COLUMNS]


def group_file(
    source: Path,
    target: Path,
    scheme: str,
    *,
    workers: int = 1,
    columns: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> BatchSummary:
    """Group every row of ``source`` into ``target``; the output repeats the input columns."""
    started = time.perf_counter()
    compiled(scheme)  # compile before forking, so workers inherit the indexes
    header, batches = read_column_batches(source, CHUNK)
    mapping = dict(columns or {})
    renamed = [mapping.get(name, name) for name in header]
    missing = [name for name in REQUIRED if name not in renamed]
    if missing:
        raise DomainError(DRG_MISSING_COLUMNS, path=str(source), columns=", ".join(missing))
    # The input columns the grouper reads, and which file column feeds each.
    used = [
        (name, target_name)
        for name, target_name in zip(header, renamed, strict=True)
        if target_name in INPUT_COLUMNS
    ]
    names = tuple(target_name for _, target_name in used)

    def jobs() -> Iterator[tuple[ColumnBatch, Job]]:
        for batch in batches:
            yield batch, (scheme, names, [batch.columns[name] for name, _ in used])

    summary = BatchSummary(scheme)
    ids = next((name for name, target_name in used if target_name == "id"), None)
    diagnoses = next(name for name, target_name in used if target_name == "diagnoses")
    with TableWriter(target, [*header, *RESULT_COLUMNS]) as writer:
        for batch, results in _run(jobs(), workers):
            summary.add_batch(batch, results, ids, diagnoses)
            writer.write_columns([*(batch.columns[name] for name in header), *results])
            if progress is not None:
                progress(len(batch))
    summary.seconds = time.perf_counter() - started
    return summary


def _run(
    jobs: Iterator[tuple[ColumnBatch, Job]], workers: int
) -> Iterator[tuple[ColumnBatch, list[list[str]]]]:
    if workers <= 1:
        for batch, job in jobs:
            yield batch, _group_chunk(job)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    gc.freeze()  # children inherit the heap: keep their collector from walking (and copying) it
    try:
        with context.Pool(workers) as pool:
            held: deque[ColumnBatch] = deque()

            def work() -> Iterator[Job]:
                for batch, job in jobs:
                    held.append(batch)
                    yield job

            for results in pool.imap(_group_chunk, work()):
                yield held.popleft(), results
    finally:
        gc.unfreeze()


def result_schema(source: pa.Schema) -> pa.Schema:
    """What ``group_arrow`` returns: the input columns as given, then the six result columns."""
    return pa.schema([*source, *(pa.field(name, pa.string()) for name in RESULT_COLUMNS)])


def group_arrow(scheme: str, batch: pa.RecordBatch) -> pa.RecordBatch:
    """Group one Arrow batch of cases (columns named as INPUT_COLUMNS): the batch function every
    analytics backend runs; the rows go through ``_group_chunk``, as in ``group_file``."""
    names = tuple(name for name in batch.schema.names if name in INPUT_COLUMNS)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise DomainError(DRG_MISSING_COLUMNS, path="batch", columns=", ".join(missing))
    columns = [["" if v is None else str(v) for v in batch.column(name).to_pylist()] for name in names]
    results = _group_chunk((scheme, names, columns))
    arrays = [*batch.columns, *(pa.array(values, pa.string()) for values in results)]
    return pa.RecordBatch.from_arrays(arrays, schema=result_schema(batch.schema))


def group_dataset(source: Path, target: Path, scheme: str, backend: AnalyticsBackend) -> int:
    """Group every case of a Parquet dataset on ``backend`` into the Parquet directory ``target``."""
    compiled(scheme)  # compile (and fail on an unknown scheme) before any worker starts
    schema = result_schema(dataset_schema(source))
    return backend.map_batches(source, partial(group_arrow, scheme), schema, target)
