"""``sanyi drg weights | pay | evaluate``: DRG point-method payment over the stored care records.

Registered on the ``drg`` Typer app by ``register``. Stays are read from the database, grouped by the
policy's DRG scheme, settled for the patients' self-burden, then paid by points (drg-payment.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sanyi.cli.common import DbOption, JsonOption, console, errors, open_container, print_json, run
from sanyi.drgpay import api
from sanyi.infrastructure.audit import Actor
from sanyi.kernel.errors import DomainError, Issue
from sanyi.kernel.money import Money

PolicyOption = Annotated[
    str, typer.Option("--policy", "-p", help="Policy package with a drg_payment section")
]
SHOWN_ISSUES = 10
SaveOption = Annotated[bool, typer.Option("--save", help="Keep the result in the database (audited)")]
SYSTEM = Actor.system("sanyi drg")


def _years(text: str) -> list[int]:
    try:
        years = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise DomainError(
            api.DRGPAY_INVALID_YEARS, years=text, reason="not a comma-separated list of years"
        ) from None
    if not years:
        raise DomainError(api.DRGPAY_INVALID_YEARS, years=text, reason="no year given")
    return years


def _load(db: str | None, policy: str, years: list[int]) -> api.Loaded:
    rules = api.payment_rules(policy)
    with open_container(db) as container, container.uow() as uow:
        return api.load_stays(uow.connection, set(years), rules.scheme)


def _report(issues: list[Issue]) -> None:
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue.code] = counts.get(issue.code, 0) + 1
    for code, count in sorted(counts.items()):
        first = next(i for i in issues if i.code == code)
        errors.print(f"[yellow]{code}[/yellow] × {count:,}: {first.message_zh}")


def weights(
    years: Annotated[str, typer.Option(help="History years, e.g. 2021,2022,2023 (weighted oldest first)")],
    policy: PolicyOption = "hangzhou-2020",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the table (.xlsx)")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    save: SaveOption = False,
) -> None:
    """Base points per DRG from the stays discharged in the history years (a versioned table)."""
    chosen = run(lambda: _years(years))
    loaded = run(lambda: _load(db, policy, chosen))
    missing = [y for y in chosen if not loaded.years.get(y)]
    for year in missing:
        errors.print(
            f"[yellow]{year} 年没有出院病例 / no stays discharged in {year}[/yellow]: "
            "权重在有数据的年度间重新归一 / weights renormalised over the years with data"
        )
    rules = api.payment_rules(policy)
    table, issues = run(lambda: api.build_base_points(loaded.history(), chosen, rules))
    if output is not None:
        output.write_bytes(api.table_xlsx(table))
    if save:
        with open_container(db) as container:
            kept = container.drgpay.save_table(SYSTEM, table, policy)
        errors.print(f"{'已保存 saved' if kept else '已存在 already kept'}: {table.version}")
    priced = sum(1 for g in table.groups.values() if g.base_points is not None)
    if as_json:
        print_json(
            {
                "version": table.version,
                "years": table.years,
                "groups": len(table.groups),
                "priced": priced,
                "review": len(table.groups) - priced,
                "rows": table.rows(),
            }
        )
        return
    _report(loaded.issues + issues)
    console.print(
        f"基准点数 base points {table.version}: {len(table.groups):,} 组 groups, {priced:,} 定点 priced, "
        f"{len(table.groups) - priced:,} 特病单议 to review; 全部病例均费 region mean "
        f"{api.yuan(table.region_mean_fen)}"
    )


def pay(
    year: Annotated[int, typer.Option(help="The payment year")],
    month: Annotated[
        int | None, typer.Option(min=1, max=12, help="Only this month's interim payment")
    ] = None,
    budget: Annotated[
        str | None, typer.Option(help="Annual inpatient fund budget in yuan (default: fund cost)")
    ] = None,
    history: Annotated[
        str | None, typer.Option(help="History years for base points (default: the year)")
    ] = None,
    policy: PolicyOption = "hangzhou-2020",
    hospital: Annotated[str | None, typer.Option(help="Write this hospital's statement")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The statement workbook (.xlsx)")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    save: SaveOption = False,
) -> None:
    """Pay a year (or one month) by points: monthly prepayments, point value, year-end settlement."""
    history_years = run(lambda: _years(history or str(year)))
    loaded = run(lambda: _load(db, policy, sorted({*history_years, year})))
    rules = api.payment_rules(policy)
    in_year = [s for s in loaded.stays if s.discharged.year == year]
    fund_cost = sum(s.cost_fen - s.self_burden_fen for s in in_year)
    budget_fen = run(lambda: Money.parse(budget, path="budget").fen) if budget is not None else fund_cost
    with open_container(db) as container:  # approved 特病单议 points replace the computed ones
        reviews = {
            r.stay_id: api.Review(r.stay_id, r.points, r.reason)
            for r in container.drgpay.reviews(year)
            if r.status == "approved" and r.points is not None
        }
    result = run(
        lambda: api.pay(
            loaded.history(),
            history_years,
            loaded.stays,
            loaded.levels,
            rules,
            year=year,
            budget_fen=budget_fen,
            month=month,
            reviews=reviews,
        )
    )
    if save:
        with open_container(db) as container:
            run_id = container.drgpay.save_run(SYSTEM, result, policy)
        errors.print(f"已保存 saved run {run_id}")
    if hospital is not None and output is not None:
        output.write_bytes(run(lambda: api.statement_xlsx(result, hospital)))
    hospitals = result.settlement.hospitals
    if as_json:
        print_json(
            {
                "period": result.settlement.pool.period,
                "point_value": str(result.settlement.pool.point_value),
                "pool": {
                    k: getattr(result.settlement.pool, k)
                    for k in (
                        "budget_fen",
                        "reserve_fen",
                        "fund_cost_fen",
                        "distributable_fen",
                        "self_burden_fen",
                    )
                },
                "hospitals": {
                    h: {
                        "points": str(s.points),
                        "fund_due_fen": s.fund_due_fen,
                        "prepaid_fen": s.prepaid_fen,
                        "settlement_fen": s.settlement_fen,
                    }
                    for h, s in hospitals.items()
                },
                "issues": [i.to_dict() for i in (loaded.issues + result.issues)[:SHOWN_ISSUES]],
            }
        )
        return
    _report(loaded.issues + result.issues)
    for step in result.settlement.pool.steps_zh:
        console.print(step)
    table = Table(
        "医院",
        "病例",
        "点数",
        "应付基金",
        "预拨",
        "清算",
        title=f"DRG 点数法付费 · {result.settlement.pool.period}",
    )
    for code, s in sorted(hospitals.items(), key=lambda item: -item[1].points):
        table.add_row(
            f"{loaded.names.get(code, code)} {code}",
            f"{s.cases:,}",
            str(s.points),
            str(api.yuan(s.fund_due_fen)),
            str(api.yuan(s.prepaid_fen)),
            str(api.yuan(s.settlement_fen)),
        )
    console.print(table)


BY = {
    "hospital": lambda c: c.hospital,
    "department": lambda c: f"{c.hospital}/{c.department}",
    "doctor": lambda c: f"{c.hospital}/{c.doctor}",
}


def evaluate(
    year: Annotated[int, typer.Option(help="The year evaluated")],
    by: Annotated[str, typer.Option(help="hospital, department or doctor")] = "hospital",
    policy: PolicyOption = "hangzhou-2020",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the indicators (.xlsx)")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """DRG组数, 总权重, CMI, cost and time indices, low-risk mortality and 入组率 with the region's."""
    if by not in BY:
        raise typer.BadParameter("hospital, department or doctor", param_hint="--by")
    loaded = run(lambda: _load(db, policy, [year]))
    units, region = api.evaluate(loaded.evaluation(), BY[by])
    rows = [u.row() for u in [*units.values(), region]]
    if output is not None:
        header = list(rows[0])
        output.write_bytes(api.xlsx_bytes({"DRG评价": (header, [list(r.values()) for r in rows])}))
    if as_json:
        print_json(rows)
        return
    table = Table(
        by,
        "病例",
        "入组率",
        "组数",
        "总权重",
        "CMI",
        "费用指数",
        "时间指数",
        "低风险死亡率",
        title=f"DRG 评价 · {year}",
    )
    for item in [*units.values(), region]:
        table.add_row(
            item.unit,
            f"{item.records:,}",
            str(item.grouping_rate or "—"),
            str(item.drg_count),
            str(item.total_weight),
            str(item.cmi or "—"),
            str(item.cost_index or "—"),
            str(item.time_index or "—"),
            str(item.low_risk_mortality if item.low_risk_mortality is not None else "—"),
        )
    console.print(table)


def tables(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The base-point tables kept with ``sanyi drg weights --save``."""
    with open_container(db) as container:
        kept = container.drgpay.saved_tables()
    if as_json:
        print_json([{**row, "saved_at": row["saved_at"].isoformat()} for row in kept])
        return
    table = Table("版本 version", "方案 scheme", "政策 policy", "年度 years", "保存 saved", "由 by")
    for row in kept:
        years = ",".join(str(year) for year in row["years"])
        table.add_row(
            row["version"], row["scheme"], row["policy"], years, str(row["saved_at"]), row["saved_by"]
        )
    console.print(table)


def compare_tables(
    old: Annotated[str, typer.Argument(help="Version of the earlier table")],
    new: Annotated[str, typer.Argument(help="Version of the later table")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Groups whose base points differ between two kept tables, with the change."""
    with open_container(db) as container:
        rows = run(
            lambda: api.compare_rows(container.drgpay.table_lines(old), container.drgpay.table_lines(new))
        )
    if as_json:
        print_json(rows)
        return
    table = Table("DRG", f"{old}", f"{new}", "变化 change", title="基准点数对比 / base points compared")
    for row in rows:
        table.add_row(row["drg"], row["old"] or "—", row["new"] or "—", row["change"] or "—")
    console.print(table)
    console.print(f"{len(rows):,} 组不同 / groups differ")


def register(app: typer.Typer) -> None:
    app.command("weights")(weights)
    app.command("tables")(tables)
    app.command("compare")(compare_tables)
    app.command("pay")(pay)
    app.command("evaluate")(evaluate)
