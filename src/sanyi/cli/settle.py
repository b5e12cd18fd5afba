"""``sanyi settle``: settle a JSON Lines file of claims (contracts/claim.md) by one policy package.

Claims are settled in file order with accumulators starting from zero for the run; every bad line
is reported (in the output as a rejected result, and on the terminal) and changes nothing, and the
good ones finish.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Any, Final

import typer
from rich.table import Table

from sanyi.cli.common import console, errors, open_container, run
from sanyi.infrastructure.tabular import write_rows
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import PolicyPackage, load_package
from sanyi.settlement.api import (
    SETTLEMENT_INVALID_JSON,
    SPLIT_FIELDS,
    AccumulatorBook,
    StoredAccumulators,
    rejection_record,
    result_record,
    settle_records,
)

_SHOWN_REJECTIONS = 20


class _BadLine:
    """A line that is not JSON; the batch reports it like any other rejection."""

    def __init__(self, number: int, reason: str) -> None:
        self.error = DomainError(SETTLEMENT_INVALID_JSON, path=f"line {number}", line=number, reason=reason)


def _records(handle: IO[str]) -> Iterator[Any]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            yield json.loads(text)
        except json.JSONDecodeError as error:
            yield _BadLine(number, error.msg)


def settle_command(
    input_file: Annotated[
        Path, typer.Argument(help="Claims, one JSON object per line (claim.md)", exists=True, dir_okay=False)
    ],
    policy: Annotated[str, typer.Option("--policy", "-p", help="Policy package, e.g. hangzhou-2020")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Results, one JSON object per line ('-' for stdout)")
    ],
    explain: Annotated[bool, typer.Option("--explain", help="Include each settlement's trail")] = False,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Start each person's accumulators from this database (read only)"),
    ] = None,
    table: Annotated[
        Path | None,
        typer.Option("--table", help="Also write one row per claim to .xlsx, .csv or .parquet"),
    ] = None,
) -> None:
    """Settle every claim of INPUT in file order and write one result per claim."""
    package = run(lambda: load_package(policy))
    with ExitStack() as stack:
        book: AccumulatorBook | None = None
        if db is not None:
            book = StoredAccumulators(stack.enter_context(open_container(db)).settlement)
        rows = _settle_file(input_file, package, output, explain, book)
    if table is not None:
        written = run(lambda: write_rows(table, TABLE_HEADER, rows, sheet="结算结果"))
        console.print(f"表格 table {table} · {written:,} rows")


# The flat table a clerk opens in Excel: one row per claim, the 2304 money fields, or the rejection.
TABLE_HEADER: Final = (
    "claim_id",
    "status",
    "policy",
    *SPLIT_FIELDS,
    "error_code",
    "error_path",
    "error_message_zh",
)


def _table_row(result: dict[str, Any]) -> list[Any]:
    split = result.get("split", {})
    error = result.get("error") or {}
    return [
        result.get("claim_id"),
        result["status"],
        result.get("policy"),
        *[split.get(name) for name in SPLIT_FIELDS],
        error.get("code"),
        error.get("path"),
        error.get("message_zh"),
    ]


def _settle_file(
    input_file: Path, package: PolicyPackage, output: Path, explain: bool, book: AccumulatorBook | None
) -> list[list[Any]]:
    settled = rejected = 0
    shown: list[tuple[int, Any, DomainError]] = []
    table_rows: list[list[Any]] = []
    out = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8")
    try:
        with input_file.open(encoding="utf-8") as handle:
            records = list(_records(handle))
        good = [r for r in records if not isinstance(r, _BadLine)]
        outcomes = iter(settle_records(good, package, book))
        for record in records:
            if isinstance(record, _BadLine):
                result, error, row, claim_id = rejection_record(None, record.error), record.error, None, None
            else:
                outcome = next(outcomes)
                row, claim_id = outcome.row, outcome.claim_id
                if outcome.settlement is not None:
                    result, error = result_record(outcome.settlement, explain=explain), None
                else:
                    assert outcome.error is not None
                    result, error = rejection_record(outcome.claim_id, outcome.error), outcome.error
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            table_rows.append(_table_row(result))
            if error is None:
                settled += 1
            else:
                rejected += 1
                if len(shown) < _SHOWN_REJECTIONS:
                    shown.append((row or 0, claim_id, error))
    finally:
        if out is not sys.stdout:
            out.close()
    report = errors if str(output) == "-" else console
    if shown:
        table = Table(
            "序号 claim #",
            "单据 claim_id",
            "代码 code",
            "字段 path",
            "说明 message",
            title="拒付 · rejected claims",
        )
        for row, claim_id, error in shown:
            table.add_row(
                str(row) if row else "—", str(claim_id), error.code, error.path or "", error.message_zh
            )
        report.print(table)
    report.print(f"结算 settled {settled:,} · 拒付 rejected {rejected:,} · 政策包 policy {package.name}")
    return table_rows
