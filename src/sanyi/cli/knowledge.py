"""``sanyi knowledge``: check the shipped reference tables."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from sanyi.cli.common import JsonOption, console, print_json, run
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.catalog import check_all

app = typer.Typer(help="知识库 · knowledge tables", no_args_is_help=True)


@app.command("check")
def check(
    root: Annotated[
        Path, typer.Option(help="Check a copy of the knowledge tree instead of the installed one")
    ] = (KNOWLEDGE_ROOT),
    as_json: JsonOption = False,
) -> None:
    """Validate every knowledge file against its schema and print the row count of each table."""
    if as_json:
        summaries = run(lambda: check_all(root))
        print_json([{"kind": s.kind, "table": s.table, "rows": s.rows} for s in summaries])
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("检查 / checking", total=None)
        summaries = run(lambda: check_all(root, lambda name: progress.update(task, description=name)))
    table = Table(
        "类别 kind", "表 table", "行数 rows", "说明 description", title="知识库检查 · knowledge check"
    )
    for summary in summaries:
        table.add_row(summary.kind, summary.table, f"{summary.rows:,}", summary.description)
    console.print(table)
    console.print(f"[green]全部通过 / all {len(summaries)} tables valid[/green]")
