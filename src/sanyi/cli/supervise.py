"""``sanyi supervise``: run the supervision rules over claims and write one finding per line.

Sources: a JSON Lines file of claims (contracts/claim.md), ``--parquet DIR`` (a synthetic region) or
``--db`` (the stored encounters of a period). Every bad record is reported and the good ones are
checked; ``--table`` also writes the findings to Excel, CSV or Parquet for the clerks.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from rich.table import Table

from sanyi.cli.common import console, errors, open_container, run
from sanyi.infrastructure.tabular import write_rows
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer
from sanyi.supervision.api import (
    SUPERVISION_INVALID_FIELD,
    SUPERVISION_NO_SOURCE,
    Finding,
    Run,
    select_rules,
    supervise_database,
    supervise_jsonl,
    supervise_parquet,
)

TABLE_HEADER: Final = (
    "claim_id",
    "line_no",
    "rule_id",
    "result",
    "code",
    "observed",
    "limit",
    "message_zh",
    "message_en",
)
_SHOWN_REJECTIONS: Final = 20
# The command line acts for the region as the system (audited under this name).
CLI_VIEWER: Final = Viewer("cli", "system", None, regional=True)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(SUPERVISION_INVALID_FIELD, field=option, value=value, path=option) from None


def _no_source() -> None:
    raise DomainError(SUPERVISION_NO_SOURCE)


def _row(finding: Finding) -> list[Any]:
    e = finding.evidence
    return [
        finding.claim_id,
        finding.line_no,
        finding.rule_id,
        finding.result,
        e.get("code"),
        e.get("observed"),
        e.get("limit"),
        finding.message_zh,
        finding.message_en,
    ]


def supervise_command(
    input_file: Annotated[
        Path | None,
        typer.Argument(help="Claims, one JSON object per line (claim.md)", exists=True, dir_okay=False),
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Findings, one JSON object per line ('-' for stdout)")
    ] = Path("-"),
    rules: Annotated[
        str | None, typer.Option("--rules", help="Rule ids, comma-separated (default: all)")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First encounter date, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last encounter date, YYYY-MM-DD")] = None,
    db: Annotated[bool, typer.Option("--db", help="Check the stored encounters of the period")] = False,
    url: Annotated[
        str | None, typer.Option("--url", help="Database URL for --db (default: $SANYI_DATABASE_URL)")
    ] = None,
    parquet: Annotated[
        Path | None, typer.Option("--parquet", help="A synthetic region's Parquet directory", file_okay=False)
    ] = None,
    table: Annotated[
        Path | None, typer.Option("--table", help="Also write the findings to .xlsx, .csv or .parquet")
    ] = None,
    store: Annotated[
        bool, typer.Option("--store", help="With --db: keep the new findings for the case workflow")
    ] = False,
) -> None:
    """Check claims against the supervision rules (rules.yaml) and write the findings."""
    chosen = run(lambda: select_rules(rules.split(",") if rules else None))
    low, high = run(lambda: (_day(start, "--from"), _day(end, "--to")))
    sources = sum(x for x in (input_file is not None, db, parquet is not None))
    if sources != 1:
        run(_no_source)
    result: Run
    if input_file is not None:
        result = run(lambda: supervise_jsonl(input_file, chosen, low, high))
    elif parquet is not None:
        result = run(lambda: supervise_parquet(parquet, chosen, low, high))
    else:
        with open_container(url) as container:
            result = run(lambda: supervise_database(container.engine, chosen, low, high))
            if store:
                ids = [rule.id for rule in chosen]
                stored = run(lambda: container.supervision.run_stored(CLI_VIEWER, low, high, ids))
                console.print(f"已保存 stored {stored:,} new findings")
    out = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8")
    try:
        for finding in result.findings:
            out.write(json.dumps(finding.record(), ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    if table is not None:
        written = run(
            lambda: write_rows(table, TABLE_HEADER, [_row(f) for f in result.findings], sheet="监管发现")
        )
        console.print(f"表格 table {table} · {written:,} rows")
    _summary(result, to_stderr=str(output) == "-")


def _summary(result: Run, *, to_stderr: bool) -> None:
    by_rule = Counter((f.rule_id, f.result) for f in result.findings)
    summary = Table(title=f"监管发现 findings · {result.claims:,} claims checked")
    summary.add_column("rule")
    summary.add_column("result")
    summary.add_column("findings", justify="right")
    for (rule_id, kind), count in sorted(by_rule.items()):
        summary.add_row(rule_id, kind, f"{count:,}")
    # The summary goes to stderr when the findings themselves go to stdout.
    (errors if to_stderr else console).print(summary)
    for number, error in result.rejected[:_SHOWN_REJECTIONS]:
        errors.print(f"[red]line {number}[/red] {error.code} {error.message_zh} · {error.message_en}")
    if result.rejected:
        errors.print(f"{len(result.rejected):,} records rejected, {result.claims:,} checked")
