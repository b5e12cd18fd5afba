"""``sanyi export KIND -o FILE``: registry and care records in their import templates' columns."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sanyi.care.api import export_kinds
from sanyi.cli.common import DbOption, console, errors, open_container, run
from sanyi.cli.importing import cli_actor
from sanyi.infrastructure.exporter import run_export


def export(
    kind: Annotated[str, typer.Argument(help=f"One of: {', '.join(export_kinds())}")],
    output: Annotated[Path, typer.Option("-o", "--output", help="A .csv, .xlsx or .parquet file")],
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="Write citizen IDs, names and phones in full (audited)")
    ] = False,
    db: DbOption = None,
) -> None:
    """Export records (institutions, practitioners, residents, encounters, fee-lines)."""
    kinds = export_kinds()
    if kind not in kinds:
        errors.print(f"[red]未知的导出类型 / unknown kind[/red] {kind}: {', '.join(kinds)}")
        raise typer.Exit(2)
    chosen = kinds[kind]
    with open_container(db) as container:
        count = run(
            lambda: run_export(
                container.uow,
                container.audit,
                cli_actor(),
                chosen.spec,
                chosen.records,
                output,
                unmasked=unmasked,
                personal=chosen.personal,
            )
        )
    masked = "" if unmasked or not chosen.personal else "（个人信息已脱敏 / personal data masked）"
    console.print(f"已导出 / exported {count:,} 行 rows → {output}{masked}")
