"""A supervision run over one source: claims read from JSON Lines, a Parquet region or the database.

Bad records of a JSON Lines file are collected (line, code, message, path) and the good ones are
checked; the findings come from the set-based face, which the property tests hold equal to the
per-claim face on the same claims.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO

import duckdb
from sqlalchemy import Engine

from sanyi.kernel.errors import DomainError
from sanyi.supervision.claims import parse_claim
from sanyi.supervision.errors import SUPERVISION_INVALID_JSON
from sanyi.supervision.frames import connect_claims, connect_parquet, connect_tables, restrict_period
from sanyi.supervision.model import ClaimFacts, Finding, Rule
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
