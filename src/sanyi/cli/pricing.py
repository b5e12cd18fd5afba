"""``sanyi pricing``: price schedules (医疗服务项目价格, 按病种收费) — import with a bad-row report,
export in the template's columns, list the versions in force, and an institution's drug prices with
the zero mark-up check."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.table import Table

from sanyi.cli.common import DbOption, JsonOption, console, open_container, print_json, run
from sanyi.cli.importing import OnErrorOption, ReportOption, cli_actor, show_import
from sanyi.infrastructure import migrate
from sanyi.infrastructure.importer import OnError
from sanyi.infrastructure.sheets import DATA_SHEET, template_bytes
from sanyi.infrastructure.tabular import write_rows
from sanyi.pricing.api import LEVELS, SPECS, check_kind
from sanyi.registry.api import Viewer

app = typer.Typer(help="价格公示 · price schedules and zero mark-up", no_args_is_help=True)
CLI_VIEWER: Final = Viewer("cli", "system", None, regional=True)
KindArgument = Annotated[str, typer.Argument(help=f"One of: {', '.join(SPECS)}")]
AreaOption = Annotated[str, typer.Option("--area", help="Pricing area code (6 digits); default all")]
OnOption = Annotated[str | None, typer.Option("--on", help="Only versions in force on this day YYYY-MM-DD")]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@app.command("template")
def template(
    kind: KindArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write")],
) -> None:
    """Write the import template of KIND (pricing_service_prices or pricing_case_prices)."""
    spec = SPECS[run(lambda: check_kind(kind))]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(template_bytes(spec))
    console.print(f"已写出模板 / template written: {output}")


@app.command("import")
def import_schedule(
    kind: KindArgument,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or .xlsx file")],
    on_error: OnErrorOption = OnError.REJECT,
    report: ReportOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a schedule; every bad row (and any version overlapping another) goes to the report."""
    run(lambda: check_kind(kind))
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        result = run(lambda: container.pricing.import_schedule(cli_actor(), kind, file, on_error))
    show_import(result, file, report, as_json)


@app.command("export")
def export(
    kind: KindArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx or .csv file to write")],
    area: AreaOption = "",
    on: OnOption = None,
    db: DbOption = None,
) -> None:
    """Write the versions of a schedule in the import template's columns (it imports again)."""
    with open_container(db) as container:
        header, rows = run(lambda: container.pricing.export(check_kind(kind), area, _day(on)))
    output.parent.mkdir(parents=True, exist_ok=True)
    write_rows(output, header, rows, sheet=DATA_SHEET)
    console.print(f"已导出 / exported {len(rows):,} versions: {output}")


@app.command("list")
def list_versions(
    kind: KindArgument,
    area: AreaOption = "",
    on: OnOption = None,
    query: Annotated[str, typer.Option("-q", "--query", help="Code prefix or part of the name")] = "",
    limit: Annotated[int, typer.Option(help="Rows to print")] = 50,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the versions of a schedule (those in force on --on), with the price at each level."""
    with open_container(db) as container:
        items = run(lambda: container.pricing.versions(check_kind(kind), area, _day(on), query))
    if as_json:
        print_json(
            [
                {
                    "area": i.area,
                    "key": i.key,
                    "name": i.name,
                    "prices": {
                        str(lv): None if i.price_at(lv) is None else str(i.price_at(lv)) for lv in LEVELS
                    },
                    "effective_from": i.validity.effective_from.isoformat(),
                    "effective_to": None
                    if i.validity.effective_to is None
                    else i.validity.effective_to.isoformat(),
                    "version": i.version,
                    "source": i.source,
                }
                for i in items
            ]
        )
        return
    table = Table(
        "地区 area",
        "编码 code",
        "名称 name",
        "三级",
        "二级",
        "一级",
        "有效期 in force",
        title=SPECS[kind].title_zh,
    )
    for i in items[:limit]:
        prices = [str(i.price_at(lv) or "—") for lv in LEVELS]
        span = f"{i.validity.effective_from} ～ {i.validity.end_text}"
        table.add_row(i.area, i.key, i.name, *prices, span)
    console.print(table)
    console.print(f"共 {len(items):,} 个版本 versions")


@app.command("drugs")
def drugs(
    institution: Annotated[str, typer.Argument(help="Institution code")],
    start: Annotated[str, typer.Option("--from", help="First day YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="Last day YYYY-MM-DD")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The drugs an institution dispensed with sale and purchase price; mark-ups first."""
    with open_container(db) as container:
        lines = run(
            lambda: container.pricing.drug_prices(
                CLI_VIEWER, institution, date.fromisoformat(start), date.fromisoformat(end)
            )
        )
    if as_json:
        print_json(
            [
                {
                    "code": d.code,
                    "name": d.name,
                    "sale_prices": [str(p) for p in d.sale_prices],
                    "purchase_price": None if d.purchase_price is None else str(d.purchase_price),
                    "purchase_basis": d.purchase_basis,
                    "marked_up": d.marked_up,
                }
                for d in lines
            ]
        )
        return
    table = Table("编码 code", "药品 drug", "销售价 sale", "采购价 purchase", "依据 basis", "加成 mark-up")
    for d in lines:
        table.add_row(
            d.code,
            d.name,
            "、".join(str(p) for p in d.sale_prices),
            str(d.purchase_price or "—"),
            d.purchase_basis or "—",
            str(d.markup) if d.marked_up else "",
        )
    console.print(table)
    console.print(f"{len(lines):,} 种药品 drugs · 加成 marked up {sum(d.marked_up for d in lines):,}")
