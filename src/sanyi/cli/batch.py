"""``sanyi batch``: the year's batch jobs over a region's partitioned Parquet, on the local engine
(a process pool and DuckDB) or on Spark (``--engine spark``, extra ``sanyi[spark]``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sanyi.analytics.api import ANALYTICS_INVALID_OPTION, ANALYTICS_UNKNOWN_ENGINE, ENGINES, open_backend
from sanyi.cli.common import JsonOption, console, print_json, run
from sanyi.kernel.errors import DomainError
from sanyi.synth.api import JOBS, JobRun, run_job

app = typer.Typer(help="批处理 · batch jobs over a region's Parquet", no_args_is_help=True)

EngineOption = Annotated[
    str, typer.Option("--engine", help=f"Where the jobs run: {', '.join(ENGINES)}", show_default=True)
]
WorkersOption = Annotated[int, typer.Option("--workers", min=1, help="Local processes, or Spark local cores")]


def _engine(name: str) -> str:
    if name not in ENGINES:
        raise DomainError(ANALYTICS_UNKNOWN_ENGINE, engine=name, engines=", ".join(ENGINES))
    return name


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DomainError(
            ANALYTICS_INVALID_OPTION, option=option, value=value, reason="YYYY-MM-DD", path=option
        ) from None


@app.command("run")
def run_command(
    region: Annotated[
        Path, typer.Argument(help="A region written by sanyi synth --parquet", exists=True, file_okay=False)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory for each job's Parquet output")],
    jobs: Annotated[str, typer.Option("--jobs", help=f"Comma-separated: {', '.join(JOBS)}")] = ",".join(JOBS),
    engine: EngineOption = "local",
    workers: WorkersOption = 2,
    scheme: Annotated[str, typer.Option("--scheme", help="DRG grouping scheme")] = "zhejiang_2022",
    rules: Annotated[str | None, typer.Option("--rules", help="Supervision rule ids (default: all)")] = None,
    start: Annotated[str | None, typer.Option("--from", help="Supervise encounters from, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Supervise encounters to, YYYY-MM-DD")] = None,
    as_json: JsonOption = False,
) -> None:
    """Group the stays (drg), settle every claim per person in time order (settle), run the
    set-based supervision rules (supervise); outputs go to OUTPUT/<job>/ as Parquet."""
    chosen = run(lambda: _jobs(jobs))
    low, high = run(lambda: (_day(start, "--from"), _day(end, "--to")))
    rule_ids = tuple(rules.split(",")) if rules else None
    backend = run(lambda: open_backend(_engine(engine), workers))
    try:
        done: list[JobRun] = run(
            lambda: [
                run_job(name, region, output, backend, scheme=scheme, rules=rule_ids, start=low, end=high)
                for name in chosen
            ]
        )
    finally:
        backend.close()
    if as_json:
        print_json([_record(r) for r in done])
        return
    table = Table("作业 job", "引擎 engine", "输入 records", "输出 written", "秒 s", "条/秒 records/s")
    for r in done:
        table.add_row(
            r.job, r.engine, f"{r.records:,}", f"{r.written:,}", f"{r.seconds:.1f}", f"{r.rate():,.0f}"
        )
    console.print(table)


def _jobs(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    for name in chosen:
        if name not in JOBS:
            raise DomainError(
                ANALYTICS_INVALID_OPTION, option="--jobs", value=name, reason=", ".join(JOBS), path="--jobs"
            )
    return chosen


def _record(r: JobRun) -> dict[str, Any]:
    return {
        "job": r.job,
        "engine": r.engine,
        "records": r.records,
        "written": r.written,
        "seconds": r.seconds,
    }


@app.command("sql")
def sql_command(
    query: Annotated[str, typer.Argument(help="A DuckDB-dialect query (translated for Spark)")],
    tables: Annotated[
        list[str], typer.Option("--table", help="NAME=PATH of a Parquet file or directory; repeatable")
    ],
    engine: EngineOption = "local",
    workers: WorkersOption = 2,
) -> None:
    """Run a query over Parquet tables on the chosen engine and print the rows as JSON."""
    named = run(lambda: dict(_named(text) for text in tables))
    backend = run(lambda: open_backend(_engine(engine), workers))
    try:
        result = run(lambda: backend.sql(query, named))
    finally:
        backend.close()
    print_json(result.to_pylist())


def _named(text: str) -> tuple[str, Path]:
    name, sep, path = text.partition("=")
    if not sep or not name.strip() or not path.strip():
        raise DomainError(
            ANALYTICS_INVALID_OPTION, option="--table", value=text, reason="NAME=PATH", path="--table"
        )
    return name.strip(), Path(path.strip())
