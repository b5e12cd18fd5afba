"""``sanyi supervise``: run the supervision rules over claims and write one finding per line.

Sources: a JSON Lines file of claims (contracts/claim.md), ``--parquet DIR`` (a synthetic region) or
``--db`` (the stored encounters of a period). Every bad record is reported and the good ones are
checked; ``--table`` also writes the findings to Excel, CSV or Parquet for the clerks. With
``--parquet DIR --engine local|spark`` the region is checked by the supervise job of ``sanyi batch
run`` (per person on a pool or on Spark) and the findings are written as Parquet under ``-o``.
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

from sanyi.analytics.api import read_output
from sanyi.cli.common import console, errors, open_container, run
from sanyi.cli.engines import RegionEngineOption, backend_for, output_directory, region_engine
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
from sanyi.synth.api import run_job

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
    engine: RegionEngineOption = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Local processes, or Spark local cores")
    ] = 2,
) -> None:
    """Check claims against the supervision rules (rules.yaml) and write the findings.

    With --parquet DIR --engine local|spark, OUTPUT is a directory: the findings go to
    OUTPUT/supervise as Parquet (one row per finding, evidence as JSON), as sanyi batch run writes
    them."""
    chosen = run(lambda: select_rules(rules.split(",") if rules else None))
    low, high = run(lambda: (_day(start, "--from"), _day(end, "--to")))
    sources = sum(x for x in (input_file is not None, db, parquet is not None))
    if sources != 1:
        run(_no_source)
    region_engine(parquet, engine, "理赔文件或数据库", "a file of claims or the database")
    if engine is not None and parquet is not None:
        picked = tuple(rule.id for rule in chosen) if rules else None
        _supervise_region(parquet, output_directory(output), engine, workers, picked, low, high, table)
        return
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


_BY_RULE: Final = (
    "SELECT rule_id, result, count(*) AS n FROM f GROUP BY rule_id, result ORDER BY rule_id, result"
)


def _supervise_region(
    region: Path,
    output: Path,
    engine: str,
    workers: int,
    rules: tuple[str, ...] | None,
    low: date | None,
    high: date | None,
    table: Path | None,
) -> None:
    """The supervise job of ``sanyi batch run`` on ``engine``, its summary counted on the same engine."""
    with backend_for(engine, workers) as backend:
        done = run(lambda: run_job("supervise", region, output, backend, rules=rules, start=low, end=high))
        by_rule = run(lambda: backend.sql(_BY_RULE, {"f": output / "supervise"})).to_pylist()
    if table is not None:
        found = read_output(output / "supervise").to_pylist()
        rows = [_evidence_row(r) for r in found]
        written = run(lambda: write_rows(table, TABLE_HEADER, rows, sheet="监管发现"))
        console.print(f"表格 table {table} · {written:,} rows")
    summary = Table(
        title=f"监管发现 findings · {done.records:,} claims checked on {done.engine} "
        f"in {done.seconds:.1f} s → {output / 'supervise'}"
    )
    summary.add_column("rule")
    summary.add_column("result")
    summary.add_column("findings", justify="right")
    for r in by_rule:
        summary.add_row(r["rule_id"], r["result"], f"{int(r['n']):,}")
    console.print(summary)


def _evidence_row(row: dict[str, Any]) -> list[Any]:
    """A finding row of the job's Parquet (evidence as JSON) as a row of TABLE_HEADER."""
    e = json.loads(row["evidence"] or "{}")
    return [
        row["claim_id"],
        row["line_no"],
        row["rule_id"],
        row["result"],
        e.get("code"),
        e.get("observed"),
        e.get("limit"),
        row["message_zh"],
        row["message_en"],
    ]


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
