"""``sanyi drg``: group a file of cases (or a Parquet region's stays on an engine), list schemes,
explain a group."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sanyi.cli.common import JsonOption, console, print_json, run
from sanyi.cli.engines import (
    RegionEngineOption,
    RegionOption,
    backend_for,
    one_input,
    output_directory,
    refuse_with_region,
    region_engine,
)
from sanyi.drg import api
from sanyi.infrastructure.tabular import count_rows
from sanyi.synth.api import run_job

app = typer.Typer(help="DRG 分组 · DRG grouping", no_args_is_help=True)

PROGRESS_FROM = 10_000  # rows; smaller files finish before a bar is worth drawing


@app.command("group")
def group(
    scheme: Annotated[str, typer.Option("--scheme", "-s", help="Grouping scheme (see: sanyi drg schemes)")],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Results: .csv, .xlsx or .parquet (with --parquet: a directory)"),
    ],
    source: Annotated[
        Path | None, typer.Argument(help="Cases: .csv, .xlsx or .parquet", exists=True, dir_okay=False)
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes grouping in parallel (Spark: local cores)")
    ] = 1,
    columns: Annotated[
        str | None,
        typer.Option(help="Other headers to input columns, e.g. '性别=sex,年龄=age,诊断编码=diagnoses'"),
    ] = None,
    parquet: RegionOption = None,
    engine: RegionEngineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Group every case of a file, or the inpatient stays of a Parquet region (--parquet) on an
    engine (--engine local|spark).

    The output repeats the input columns and adds status, mdc, adrg, drg, drg_name and trail. With
    --parquet, OUTPUT is a directory: OUTPUT/stays (the stays as DRG input) and OUTPUT/drg (grouped),
    as sanyi batch run --jobs drg writes them.
    """
    chosen = region_engine(parquet, engine, "病案文件", "a file of cases")
    one_input((source is not None) + (parquet is not None), "INPUT (a file of cases) | --parquet DIR")
    if chosen is not None and parquet is not None:
        refuse_with_region("--columns", columns, "a region's stays have the input columns already")
        _group_region(parquet, scheme, output_directory(output), chosen, workers, as_json)
        return
    assert source is not None
    mapping = run(lambda: api.parse_column_map(columns))
    total = run(lambda: count_rows(source))
    if total > PROGRESS_FROM and not as_json:
        with Progress(
            TextColumn("分组 / grouping"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("group", total=total)
            summary = run(
                lambda: api.group_file(
                    source,
                    output,
                    scheme,
                    workers=workers,
                    columns=mapping,
                    progress=lambda n: progress.advance(task, n),
                )
            )
    else:
        summary = run(lambda: api.group_file(source, output, scheme, workers=workers, columns=mapping))
    if as_json:
        print_json(
            {
                "scheme": summary.scheme,
                "total": summary.total,
                "by_status": summary.counts(),
                "top_reasons": summary.top_reasons(),
                "problems": [vars_of(p) for p in summary.problems],
                "seconds": round(summary.seconds, 3),
                "output": str(output),
            }
        )
        return
    _print_summary(summary, output)


def _group_region(region: Path, scheme: str, output: Path, engine: str, workers: int, as_json: bool) -> None:
    """The drg job of ``sanyi batch run`` (stays from the region, then grouped) on ``engine``."""
    with backend_for(engine, workers) as backend:
        done = run(lambda: run_job("drg", region, output, backend, scheme=scheme))
        found = run(
            lambda: backend.sql(
                "SELECT status, count(*) AS n FROM g GROUP BY status ORDER BY status", {"g": output / "drg"}
            )
        )
    by_status = {
        str(s): int(n) for s, n in zip(found["status"].to_pylist(), found["n"].to_pylist(), strict=True)
    }
    if as_json:
        print_json(
            {
                "scheme": scheme,
                "engine": done.engine,
                "total": done.written,
                "by_status": by_status,
                "seconds": round(done.seconds, 3),
                "output": str(output / "drg"),
            }
        )
        return
    console.print(
        f"[green]已分组 / grouped[/green] {done.written:,} 份住院病案 / stays with {scheme} on {done.engine} "
        f"in {done.seconds:.1f} s → {output / 'drg'}"
    )
    counts = Table("状态 / status", "份数 / cases", title="按状态 / by status")
    for status, count in by_status.items():
        counts.add_row(status, f"{count:,}")
    console.print(counts)


def vars_of(problem: api.Problem) -> dict[str, object]:
    return {"row": problem.row, "id": problem.id, "status": problem.status, "detail": problem.detail}


def _print_summary(summary: api.BatchSummary, output: Path) -> None:
    rate = summary.total / summary.seconds if summary.seconds else 0.0
    console.print(
        f"[green]已分组 / grouped[/green] {summary.total:,} 份病案 / cases with {summary.scheme} "
        f"in {summary.seconds:.1f} s ({rate:,.0f}/s) → {output}"
    )
    counts = Table("状态 / status", "份数 / cases", title="按状态 / by status")
    for status, count in summary.counts().items():
        counts.add_row(status, f"{count:,}")
    console.print(counts)
    if summary.reasons:
        reasons = Table("原因 / reason", "份数 / cases", title="主要失败原因 / top failure reasons")
        for reason, count in summary.top_reasons():
            reasons.add_row(reason, f"{count:,}")
        console.print(reasons)
        shown = summary.problems[:20]
        bad = Table(
            "行 / row", "id", "状态 / status", "说明 / detail", title="未入组的病案 / cases not grouped"
        )
        for problem in shown:
            bad.add_row(str(problem.row), problem.id, problem.status, problem.detail)
        console.print(bad)
        hidden = sum(summary.reasons.values()) - len(shown)
        if hidden > 0:
            console.print(
                f"… 另有 {hidden:,} 份，见输出文件的 status 列 / {hidden:,} more: see the status column"
            )


@app.command("schemes")
def schemes(as_json: JsonOption = False) -> None:
    """List the grouping schemes with their group counts."""
    found = api.schemes()
    if as_json:
        print_json([vars_of_scheme(info) for info in found])
        return
    table = Table("方案 / scheme", "DRG", "ADRG", "MDC", "歧义组 / ambiguous")
    for info in found:
        table.add_row(
            info.name,
            str(info.drg_count),
            str(info.adrg_count),
            str(info.mdc_count),
            str(info.ambiguous_count),
        )
    console.print(table)


def vars_of_scheme(info: api.SchemeInfo) -> dict[str, object]:
    return {
        "name": info.name,
        "drgs": info.drg_count,
        "adrgs": info.adrg_count,
        "mdcs": info.mdc_count,
        "ambiguous": info.ambiguous_count,
    }


@app.command("explain")
def explain(
    drg: Annotated[str, typer.Argument(help="A DRG code, e.g. VB15")],
    scheme: Annotated[str, typer.Option("--scheme", "-s", help="Grouping scheme")],
) -> None:
    """Show a group's entry conditions in readable Chinese."""
    explanation = run(lambda: api.explain(drg.strip().upper(), scheme))
    for line in explanation.lines():
        console.print(line, highlight=False, markup=False)
