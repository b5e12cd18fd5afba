"""``sanyi import KIND FILE``: load registry and care records from CSV or Excel; ``sanyi import template``."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sanyi.bootstrap import import_loader, import_specs
from sanyi.cli.common import DbOption, JsonOption, console, errors, open_container, print_json, run
from sanyi.infrastructure import migrate
from sanyi.infrastructure.audit import Actor
from sanyi.infrastructure.importer import ImportResult, OnError, run_import
from sanyi.infrastructure.sheets import IMPORT_UNKNOWN_TEMPLATE, template_bytes, write_report
from sanyi.kernel.errors import DomainError

app = typer.Typer(help="导入 · import records from CSV or Excel (.xlsx)", no_args_is_help=True)

SHOWN_ISSUES = 20

OnErrorOption = Annotated[
    OnError,
    typer.Option(
        "--on-error",
        help="reject: nothing is written if any row is bad (default); skip: good rows written, bad reported",
    ),
]
ReportOption = Annotated[
    Path | None,
    typer.Option("--report", help="Write every bad row to this .xlsx or .csv (default: FILE.report.xlsx)"),
]


def cli_actor() -> Actor:
    return Actor(getpass.getuser(), "cli")


def _summary(result: ImportResult, report: Path | None) -> None:
    console.print(
        f"{result.kind}: 读取 {result.rows:,} 行 rows read · 有误 {result.bad_rows:,} 行 bad · "
        f"新增 {result.inserted:,} inserted · 更新 {result.updated:,} updated"
        + (f" · 跳过 {result.skipped_records:,} 条记录 records skipped" if result.skipped_records else "")
    )
    if not result.issues:
        return
    table = Table("行 row", "列 column", "代码 code", "说明 message", title="问题 · problems")
    for item in result.issues[:SHOWN_ISSUES]:
        table.add_row(str(item.row), item.field or "", item.code, f"{item.message_zh}\n{item.message_en}")
    console.print(table)
    if len(result.issues) > SHOWN_ISSUES:
        console.print(f"… {len(result.issues) - SHOWN_ISSUES:,} more")
    console.print(", ".join(f"{code} × {count}" for code, count in result.by_code()))
    if report is not None:
        console.print(f"报告 report: {report}")


def _import(
    kind: str, file: Path, on_error: OnError, report: Path | None, db: str | None, as_json: bool
) -> None:
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        with Progress(
            TextColumn(f"导入 importing {kind}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=errors,
            transient=True,
            disable=as_json,
        ) as progress:
            task = progress.add_task(kind, total=None)

            def advance(done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=total)

            result = run(
                lambda: run_import(
                    container.uow, container.audit, cli_actor(), import_loader(kind), file, on_error, advance
                )
            )
    show_import(result, file, report, as_json)


def show_import(result: ImportResult, file: Path, report: Path | None, as_json: bool) -> None:
    """Write the report of bad rows (FILE.report.xlsx unless named), print the summary, and fail
    with the rejection when the import committed nothing because of them."""
    target = report
    if target is None and result.issues:
        target = file.with_name(f"{file.stem}.report.xlsx")
    if target is not None:
        write_report(target, result.issues)
    if as_json:
        print_json({**result.to_dict(), "report": str(target) if target else None})
    else:
        _summary(result, target)
    if result.issues and not result.committed:
        run(lambda: (_ for _ in ()).throw(result.rejection()))


def _command(kind: str, title: str) -> None:
    def command(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or .xlsx file")],
        on_error: OnErrorOption = OnError.REJECT,
        report: ReportOption = None,
        db: DbOption = None,
        as_json: JsonOption = False,
    ) -> None:
        _import(kind, file, on_error, report, db, as_json)

    command.__doc__ = f"导入{title} · import {kind} (template: sanyi import template {kind})."
    app.command(kind)(command)


for _kind, _spec in import_specs().items():
    _command(_kind, _spec.title_zh)


@app.command("template")
def template(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(import_specs())}")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write")],
) -> None:
    """Write the import template of KIND: headers, an example row and a 说明 sheet."""
    specs = import_specs()
    if kind not in specs:
        run(
            lambda: (_ for _ in ()).throw(
                DomainError(IMPORT_UNKNOWN_TEMPLATE, kind=kind, allowed=", ".join(specs))
            )
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(template_bytes(specs[kind]))
    console.print(f"已写出模板 / template written: {output}")
