"""Grouping a file: read in chunks, group (optionally in worker processes), write, summarise.

Rows travel to workers in chunks of plain dicts and come back as tuples of strings, so the cost
of crossing processes stays small next to the grouping itself. A bad row becomes a result with its
status; the batch always finishes.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Final

from sanyi.drg.errors import DRG_INVALID_COLUMN_MAP, DRG_MISSING_COLUMNS
from sanyi.drg.model import AMBIGUOUS, FAIL, INPUT_COLUMNS, RESULT_COLUMNS, STATUSES, SUCCESS, GroupResult
from sanyi.drg.scheme import compiled
from sanyi.drg.trail import as_text
from sanyi.infrastructure.tabular import TableWriter, count_rows, read_rows
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

    def add(self, row: int, record: Mapping[str, str], result: ResultRow) -> None:
        status = result[0]
        self.total += 1
        self.by_status[status] += 1
        if status in (SUCCESS, AMBIGUOUS):
            return
        if status == FAIL:
            principal = (record.get("diagnoses") or "").split("|")[0].strip()
            detail = f"未入组，主要诊断 / ungrouped, principal diagnosis {principal}"
        else:
            detail = result[5].split("：", 1)[-1]  # the codes or fields a rejection names
        self.reasons[f"{status}: {detail}"] += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(Problem(row, record.get("id", ""), status, detail))

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


def _group_chunk(job: tuple[str, list[dict[str, str]]]) -> list[ResultRow]:
    scheme_name, rows = job
    group_row = compiled(scheme_name).group_row
    out = []
    for row in rows:
        try:
            out.append(result_row(group_row(row)))
        except Exception as error:  # a defect must not lose the rest of the file
            out.append(("INVALID", "0000", "00", "0000", "", f"字段缺失或格式有误：{error}"))
    return out


def _chunks(
    rows: Iterator[tuple[int, dict[str, str], dict[str, str]]],
) -> Iterator[list[tuple[int, dict[str, str], dict[str, str]]]]:
    while chunk := list(islice(rows, CHUNK)):
        yield chunk


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
    import time

    started = time.perf_counter()
    compiled(scheme)  # compile before forking, so workers inherit the indexes
    header, rows = read_rows(source)
    mapping = dict(columns or {})
    renamed = [mapping.get(name, name) for name in header]
    missing = [name for name in REQUIRED if name not in renamed]
    if missing:
        raise DomainError(DRG_MISSING_COLUMNS, path=str(source), columns=", ".join(missing))
    pairs = [(name, mapping.get(name, name)) for name in header]

    def inputs() -> Iterator[tuple[int, dict[str, str], dict[str, str]]]:
        for row in rows:
            values = row.values
            yield row.number, values, {target_name: values[name] for name, target_name in pairs}

    summary = BatchSummary(scheme)
    with TableWriter(target, [*header, *RESULT_COLUMNS]) as writer:
        for chunk, results in _run(scheme, _chunks(inputs()), workers):
            out = []
            for (number, original, record), result in zip(chunk, results, strict=True):
                summary.add(number, record, result)
                out.append([*(original[name] for name in header), *result])
            writer.write(out)
            if progress is not None:
                progress(len(chunk))
    summary.seconds = time.perf_counter() - started
    return summary


def _run(
    scheme: str, chunks: Iterable[list[tuple[int, dict[str, str], dict[str, str]]]], workers: int
) -> Iterator[tuple[list[tuple[int, dict[str, str], dict[str, str]]], list[ResultRow]]]:
    if workers <= 1:
        for chunk in chunks:
            yield chunk, _group_chunk((scheme, [record for _, _, record in chunk]))
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with context.Pool(workers) as pool:
        held: list[list[tuple[int, dict[str, str], dict[str, str]]]] = []

        def jobs() -> Iterator[tuple[str, list[dict[str, str]]]]:
            for chunk in chunks:
                held.append(chunk)
                yield scheme, [record for _, _, record in chunk]

        for results in pool.imap(_group_chunk, jobs()):
            yield held.pop(0), results


def total_rows(source: Path) -> int:
    return count_rows(source)
