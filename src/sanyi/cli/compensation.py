"""``sanyi compensation calc``: the drug mark-up removal compensation of one hospital and year."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final

import typer
from rich.table import Table

from sanyi.cli.common import DbOption, JsonOption, console, open_container, print_json, run
from sanyi.compensation.api import Compensation
from sanyi.kernel.money import Money
from sanyi.knowledge.compensation import CompensationRules
from sanyi.registry.api import Viewer

app = typer.Typer(help="药品加成补偿测算 · mark-up compensation", no_args_is_help=True)
CLI_VIEWER: Final = Viewer("cli", "system", None, regional=True)


@app.command("calc")
def calc(
    institution: Annotated[str, typer.Option(help="Institution code")],
    year: Annotated[int, typer.Option(min=2000, max=2100, help="The year compensated")],
    drug_cost: Annotated[
        str | None, typer.Option(help="Previous year's drug cost in yuan (default: from the fee lines)")
    ] = None,
    adjusted_on: Annotated[
        str | None, typer.Option(help="Date the service prices were adjusted (YYYY-MM-DD)")
    ] = None,
    rules: Annotated[str, typer.Option(help="Parameters file under knowledge/compensation")] = "harbin-2017",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lost mark-up income split 80/15/5 with the government's top-up, step by step."""

    def work() -> tuple[str, CompensationRules, Compensation]:
        cost = Money.parse(drug_cost, path="drug_cost") if drug_cost is not None else None
        adjusted = date.fromisoformat(adjusted_on) if adjusted_on else None
        with open_container(db) as container:
            return container.compensation.calculate(
                CLI_VIEWER, institution, year, drug_cost=cost, adjusted_on=adjusted, rules_name=rules
            )

    try:
        name, _, result = run(work)
    except ValueError:
        raise typer.BadParameter("--adjusted-on must be YYYY-MM-DD") from None
    steps = result.steps
    if as_json:
        print_json(
            {
                "institution": institution,
                "name": name,
                "year": year,
                "steps": [
                    {"key": s.key, "formula": s.formula, "value": s.value, "source": s.source} for s in steps
                ],
            }
        )
        return
    table = Table(
        "步骤 step", "算式 formula", "结果 value", "依据 source", title=f"{name}（{institution}）{year} 年"
    )
    for step in steps:
        table.add_row(step.label_zh, step.formula, step.value, step.source or "")
    console.print(table)
