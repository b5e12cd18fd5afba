"""A supervision run over one source: claims read from JSON Lines, a Parquet region or the database.

Bad records of a JSON Lines file are collected (line, code, message, path) and the good ones are
checked; the findings come from the set-based face, which the property tests hold equal to the
per-claim face on the same claims.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO, Final

import duckdb
import pyarrow as pa
from sqlalchemy import Engine

from sanyi.analytics.api import AnalyticsBackend, Keyed
from sanyi.kernel.errors import DomainError
from sanyi.supervision.claims import parse_claim
from sanyi.supervision.errors import SUPERVISION_INVALID_JSON
from sanyi.supervision.frames import connect_claims, connect_parquet, connect_tables, restrict_period
from sanyi.supervision.model import ClaimFacts, Finding, Rule
from sanyi.supervision.rules import select_rules
from sanyi.supervision.sets import run_rules
from sanyi.supervision.sources import stored_tables


@dataclass
class Run:
    findings: list[Finding]
    claims: int
    rejected: list[tuple[int, DomainError]] = field(default_factory=list)


def read_jsonl(handle: IO[str]) -> tuple[list[ClaimFacts], list[tuple[int, DomainError]]]:
    claims: list[ClaimFacts] = []
    rejected: list[tuple[int, DomainError]] = []
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            rejected.append((number, DomainError(SUPERVISION_INVALID_JSON, line=number, reason=error.msg)))
            continue
        try:
            claims.append(parse_claim(record))
        except DomainError as error:
            rejected.append((number, error))
    return claims, rejected


def _count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM claims").fetchall()[0][0])


def _run(con: duckdb.DuckDBPyConnection, rules: Iterable[Rule], start: date | None, end: date | None) -> Run:
    restrict_period(con, start, end)
    return Run(run_rules(con, rules), _count(con))


def supervise_jsonl(
    path: Path, rules: Iterable[Rule], start: date | None = None, end: date | None = None
) -> Run:
    with path.open(encoding="utf-8") as handle:
        claims, rejected = read_jsonl(handle)
    run = _run(connect_claims(claims), rules, start, end)
    run.rejected = rejected
    return run


def supervise_parquet(
    directory: Path, rules: Iterable[Rule], start: date | None = None, end: date | None = None
) -> Run:
    return _run(connect_parquet(directory), rules, start, end)


def supervise_database(
    engine: Engine, rules: Iterable[Rule], start: date | None = None, end: date | None = None
) -> Run:
    tables = stored_tables(engine, start, end)
    if tables["encounters"].num_rows == 0:
        return Run([], 0)
    return _run(connect_tables(tables), rules, start, end)


FINDINGS_SCHEMA: Final = pa.schema(
    [
        ("claim_id", pa.string()),
        ("line_no", pa.int32()),
        ("rule_id", pa.string()),
        ("result", pa.string()),
        ("evidence", pa.string()),  # JSON with sorted keys, so two runs compare as text
        ("message_zh", pa.string()),
        ("message_en", pa.string()),
    ]
)


def findings_table(findings: Iterable[Finding]) -> pa.Table:
    rows = [
        f.record() | {"evidence": json.dumps(f.evidence, ensure_ascii=False, sort_keys=True)}
        for f in findings
    ]
    return pa.Table.from_pylist(rows, schema=FINDINGS_SCHEMA)


def supervise_tables(
    rule_ids: tuple[str, ...] | None,
    start: date | None,
    end: date | None,
    tables: Mapping[str, pa.Table],
) -> pa.Table:
    """The findings over raw region tables (encounters, residents, institutions, fee_lines) of some
    whole persons: the group function of a backend run. Every rule family joins claims only on the
    claim or the person, so persons apart give the findings of persons together."""
    con = connect_tables(dict(tables))
    try:
        return findings_table(_run(con, select_rules(rule_ids), start, end).findings)
    finally:
        con.close()


def region_tables(directory: Path) -> dict[str, Keyed]:
    """A synthetic region's Parquet (``sanyi synth --parquet``) keyed by person."""
    return {
        "encounters": Keyed(directory / "encounters", key="person_id"),
        "residents": Keyed(directory / "residents", key="person_id"),
        "fee_lines": Keyed(directory / "fee_lines", via=("encounter_id", "encounters", "id")),
        "institutions": Keyed(directory / "institutions"),
    }


def supervise_region(
    directory: Path,
    target: Path,
    backend: AnalyticsBackend,
    rule_ids: tuple[str, ...] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """Every finding over a region's Parquet on ``backend``, written to ``target``; returns the count."""
    select_rules(rule_ids)  # an unknown rule fails here, before any worker starts
    job = partial(supervise_tables, rule_ids, start, end)
    return backend.map_groups(region_tables(directory), job, FINDINGS_SCHEMA, target)
