"""``sanyi trace``: drug traceability — upload events, hand duplicate dispensings to supervision, the
upload template, example codes for the public query."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sanyi.cli.common import DbOption, JsonOption, console, open_container, print_json, run
from sanyi.infrastructure import migrate
from sanyi.infrastructure.sheets import template_bytes, write_report
from sanyi.registry.api import Viewer
from sanyi.trace.api import EVENTS

app = typer.Typer(help="药品追溯 · drug traceability (一物一码)", no_args_is_help=True)

SHOWN_ISSUES = 20


def _system(institution: str | None) -> Viewer:
    return Viewer("sanyi trace", "system", institution, regional=institution is None)


@app.command("upload")
def upload(
    file: Annotated[
        Path, typer.Argument(help="Events as .jsonl, .xlsx or .csv (template: sanyi trace template)")
    ],
    institution: Annotated[
        str | None, typer.Option(help="Upload as this institution: events of other parties are refused")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="Write every bad event to this .xlsx or .csv")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Store the good events of FILE, report every bad one (row, code, error code); a code dispensed
    again is handed to supervision at once. Exits 1 when any event was bad."""
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        result = run(lambda: container.trace.upload(_system(institution), file))
    if report is not None and result.issues:
        write_report(report, result.issues)
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(
            f"事件 / events {result.rows:,} · 已保存 / stored {result.stored:,} · "
            f"有误 / bad {result.bad_rows:,}"
            + (f" · 重复发药 / dispensed again {len(result.repeated):,}" if result.repeated else "")
        )
        table = Table("行 row", "列 column", "代码 code", "说明 message", title="问题 · problems")
        for item in result.issues[:SHOWN_ISSUES]:
            table.add_row(str(item.row), item.field or "", item.code, f"{item.message_zh}\n{item.message_en}")
        if result.issues:
            console.print(table)
    if result.issues:
        raise typer.Exit(1)


@app.command("duplicates-to-supervision")
def duplicates_to_supervision(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Hand every code dispensed more than once (not cancelled) to supervision as a
    TRACE_DUPLICATE_DISPENSE finding; a rerun adds only new ones."""
    with open_container(db) as container:
        repeats, added = run(lambda: container.trace.duplicates_to_supervision(_system(None)))
    if as_json:
        print_json({"repeats": repeats, "new_findings": added})
    else:
        console.print(f"重复发药 / repeat dispensings {repeats:,}; 新增监管发现 / new findings {added:,}")


@app.command("template")
def template(output: Annotated[Path, typer.Argument(help="Where to write the .xlsx template")]) -> None:
    """Write the event upload template: headers, an example row and a 说明 sheet."""
    output.write_bytes(template_bytes(EVENTS))
    console.print(f"已写出模板 / template written: {output}")


@app.command("examples")
def examples(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Print a dispensed code and a repeatedly dispensed one to try at /public/trace."""
    with open_container(db) as container:
        found = container.trace.example_codes()
    if as_json:
        print_json(found)
    else:
        console.print(
            f"已发药 / dispensed: {found['dispensed'] or '—'} · "
            f"重复发药 / repeated: {found['repeated'] or '—'}"
        )
