"""``sanyi ledger``: seed the reform task ledger from the documents, list overdue tasks, import
new tasks from Excel and export the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

import typer
from rich.table import Table

from sanyi.cli.common import DbOption, JsonOption, console, errors, open_container, print_json, run
from sanyi.infrastructure.importer import OnError
from sanyi.infrastructure.sheets import write_report
from sanyi.ledger.api import TaskFilter
from sanyi.registry.api import Viewer

app = typer.Typer(help="改革任务台账 · reform task ledger", no_args_is_help=True)
# The command line acts as the system for reading and seeding; writes that need the reform office
# (import) act as it, audited under the name "cli".
CLI_VIEWER: Final = Viewer("cli", "system", None, regional=True)
CLI_REFORM_OFFICE: Final = Viewer("cli", "reform_office", None, regional=True)


@app.command("seed")
def seed(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Add the tasks of the shipped documents (温州 2016, 绍兴 2016, 浙江 2022) not in the ledger yet."""
    with open_container(db) as container:
        result = run(lambda: container.ledger.seed(CLI_VIEWER))
    if as_json:
        print_json({"added": result.added, "existing": result.existing})
        return
    for key, added in result.added.items():
        console.print(f"{key}: 新增 {added} 项 / {added} added")
    console.print(f"已有 {result.existing} 项未变 / {result.existing} already present")


@app.command("overdue")
def overdue(
    db: DbOption = None,
    department: Annotated[str | None, typer.Option(help="Lead department (Chinese name)")] = None,
    region: Annotated[str | None, typer.Option(help="Region code, e.g. 330300")] = None,
    as_json: JsonOption = False,
) -> None:
    """List overdue tasks (deadline passed, not 已销号), most overdue first; exit 1 if there are any."""
    with open_container(db) as container:
        tasks = run(
            lambda: container.ledger.tasks(
                CLI_VIEWER, TaskFilter(status="逾期", department=department, region=region)
            )
        )
    tasks.sort(key=lambda t: (-t["days_overdue"], t["id"]))
    if as_json:
        print_json(
            [
                {k: t[k] for k in ("id", "lead", "deadline", "days_overdue", "status", "supervised")}
                for t in tasks
            ]
        )
    else:
        table = Table("编号 id", "牵头部门 lead", "时限 deadline", "逾期天数 days", "状态 status", "督办")
        for t in tasks:
            table.add_row(
                t["id"],
                t["lead"],
                t["deadline"].isoformat(),
                str(t["days_overdue"]),
                t["status"],
                "是" if t["supervised"] else "",
            )
        console.print(table)
        console.print(f"逾期 {len(tasks)} 项 / {len(tasks)} overdue")
    if tasks:
        raise typer.Exit(1)


@app.command("import")
def import_tasks(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Excel or CSV (改革任务台账 template)")
    ],
    db: DbOption = None,
    on_error: Annotated[
        OnError, typer.Option(help="reject: nothing if any row is bad; skip: keep good rows")
    ] = (OnError.REJECT),
    report: Annotated[Path | None, typer.Option(help="Write the bad rows to this Excel/CSV file")] = None,
) -> None:
    """Import new tasks; every bad row is reported with its row, column and code."""
    with open_container(db) as container:
        result = run(lambda: container.ledger.import_file(CLI_REFORM_OFFICE, file, on_error))
    for item in result.issues[:20]:
        errors.print(f"第 {item.row} 行 {item.field}: [red]{item.code}[/red] {item.message_zh}")
    if report is not None and result.issues:
        write_report(report, result.issues)
    console.print(
        f"{result.rows} 行，新增 {result.inserted} 项，问题行 {result.bad_rows}"
        f"{'' if result.committed else '（未写入 / nothing written）'}"
    )
    if result.issues:
        raise typer.Exit(2)


@app.command("export")
def export(
    out: Annotated[Path, typer.Argument(dir_okay=False, help="The .xlsx file to write")],
    db: DbOption = None,
    department: Annotated[str | None, typer.Option(help="Lead department (Chinese name)")] = None,
    status: Annotated[str | None, typer.Option(help="未启动, 推进中, 待核验, 已销号 or 逾期")] = None,
) -> None:
    """Write the ledger (template columns, then status, 逾期, 督办, verification, 销号) to Excel."""
    with open_container(db) as container:
        data = run(
            lambda: container.ledger.export(CLI_VIEWER, TaskFilter(department=department, status=status))
        )
    out.write_bytes(data)
    console.print(f"已写入 / wrote {out}")
