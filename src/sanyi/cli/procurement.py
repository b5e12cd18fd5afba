"""``sanyi procurement``: catalogue import, the two-invoice check, volume-based procurement (completion,
warnings, savings, assessments), price alerts, shortages, use and distribution concentration."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from rich.table import Table

from sanyi.cli.common import DbOption, JsonOption, console, open_container, print_json, run
from sanyi.cli.importing import OnErrorOption, ReportOption, cli_actor, show_import
from sanyi.infrastructure import migrate
from sanyi.infrastructure.importer import OnError
from sanyi.infrastructure.sheets import IMPORT_UNKNOWN_TEMPLATE, template_bytes
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.procurement import parameters as load_parameters
from sanyi.procurement.api import RULES, SPECS, USE_GROUPS, completion_dict
from sanyi.registry.api import Viewer

app = typer.Typer(help="药品耗材采购 · drug and consumable procurement", no_args_is_help=True)
CLI_VIEWER: Final = Viewer("cli", "system", None, regional=True)
FromOption = Annotated[str | None, typer.Option("--from", help="First day YYYY-MM-DD")]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day YYYY-MM-DD")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Day YYYY-MM-DD (default: the last day with procurement activity)"),
]
KindArgument = Annotated[str, typer.Argument(help=f"One of: {', '.join(SPECS)}")]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _table(title: str, headers: list[str], rows: list[list[Any]], as_json: bool, records: list[Any]) -> None:
    if as_json:
        print_json(_plain(records))
        return
    table = Table(*headers, title=title)
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    console.print(table)


def _kind(kind: str) -> str:
    if kind not in SPECS:
        run(
            lambda: (_ for _ in ()).throw(
                DomainError(IMPORT_UNKNOWN_TEMPLATE, kind=kind, allowed=", ".join(SPECS))
            )
        )
    return kind


@app.command("template")
def template(
    kind: KindArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .xlsx file to write")],
) -> None:
    """Write the catalogue import template of KIND (procurement_enterprises or procurement_products)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(template_bytes(SPECS[_kind(kind)]))
    console.print(f"已写出模板 / template written: {output}")


@app.command("import")
def import_catalogue(
    kind: KindArgument,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or .xlsx file")],
    on_error: OnErrorOption = OnError.REJECT,
    report: ReportOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import enterprises or catalogue products; every bad row goes to the report (FILE.report.xlsx)."""
    _kind(kind)
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        result = run(lambda: container.procurement.import_catalogue(cli_actor(), kind, file, on_error))
    show_import(result, file, report, as_json)


@app.command("check-chain")
def check_chain(
    start: FromOption = None, end: ToOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Run the two-invoice check (两票制) over the deliveries of a period and store the findings."""
    with open_container(db) as container:
        counts = run(lambda: container.procurement.check_chain(CLI_VIEWER, _day(start), _day(end)))
        _, rows = container.procurement.findings(CLI_VIEWER, limit=100_000)
    if as_json:
        print_json(_plain({"counts": counts, "findings": rows}))
        return
    console.print(
        f"核查送货单 deliveries checked {counts['deliveries']:,} · 问题 findings {counts['findings']:,}"
    )
    _table(
        "两票制核查发现 · chain findings",
        ["送货单 delivery", "机构 institution", "规则 rule", "日期 day", "金额 amount", "说明 message"],
        [
            [
                r["delivery_id"],
                r["institution_code"],
                RULES[r["rule"]].title_zh,
                r["day"],
                r["amount"],
                r["message_zh"],
            ]
            for r in rows
        ],
        False,
        rows,
    )


@app.command("completion")
def completion(
    as_of: AsOfOption = None,
    monthly: Annotated[bool, typer.Option(help="One row per month end up to the day")] = False,
    warnings_only: Annotated[bool, typer.Option("--warnings", help="Only institutions that lag")] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Completion of agreed volumes (pro-rated by elapsed time) with early warnings."""
    with open_container(db) as container:
        items = container.procurement.completion(CLI_VIEWER, _day(as_of), monthly=monthly)
    items = [item for item in items if item.warning or not warnings_only]
    _table(
        "带量采购完成进度 · completion",
        ["协议", "机构", "截至", "约定量", "应完成", "已采购", "完成率", "未中选", "可替代", "预警"],
        [
            [
                c.agreement_id,
                c.institution,
                c.as_of,
                c.agreed,
                c.expected,
                c.purchased,
                f"{c.rate:.2%}",
                c.non_winning,
                c.substitutes,
                "⚠" if c.warning else "",
            ]
            for c in items
        ],
        as_json,
        [completion_dict(c) for c in items],
    )


@app.command("savings")
def savings(as_of: AsOfOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """结余留用: savings and the retained share per agreement and institution, with the arithmetic."""
    with open_container(db) as container:
        items = container.procurement.savings(CLI_VIEWER, _day(as_of))
    _table(
        "集采结余留用 · savings retained",
        ["协议", "机构", "采购量", "价差", "节约", "完成", "考核", "留用"],
        [
            [
                s.agreement_id,
                s.institution,
                s.purchased,
                s.price_drop,
                s.savings,
                s.completed,
                s.passed,
                s.retained,
            ]
            for s in items
        ],
        as_json,
        [asdict(s) for s in items],
    )


@app.command("assess")
def assess(
    agreement: Annotated[str, typer.Argument(help="Agreement id")],
    institution: Annotated[str, typer.Argument(help="Institution code")],
    passed: Annotated[bool, typer.Option("--passed/--failed", help="The assessment result")],
    db: DbOption = None,
) -> None:
    """Record the bureau's assessment (考核) of an institution under an agreement."""
    with open_container(db) as container:
        run(lambda: container.procurement.record_assessment(CLI_VIEWER, agreement, institution, passed))
    console.print(
        f"已登记 / recorded: {agreement} {institution} {'通过 passed' if passed else '未通过 failed'}"
    )


@app.command("price-alerts")
def price_alerts(
    start: FromOption = None, end: ToOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Price alerts: above the platform price, monthly rises, institutions or areas above the median."""
    with open_container(db) as container:
        alerts = container.procurement.price_alerts(CLI_VIEWER, _day(start), _day(end))
    _table(
        "价格预警 · price alerts",
        [
            "类型 kind",
            "产品 product",
            "月份 month",
            "范围 scope",
            "价格 price",
            "参照 reference",
            "变化 change",
        ],
        [
            [a.kind, a.product_code, a.month, a.scope, a.price, a.reference, f"{a.change:+.2%}"]
            for a in alerts
        ],
        as_json,
        [asdict(a) for a in alerts],
    )


@app.command("shortages")
def shortages(as_of: AsOfOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Shortage signals: orders unfilled beyond N days, stock days below the floor."""
    with open_container(db) as container:
        signals = container.procurement.shortages(CLI_VIEWER, _day(as_of))
    _table(
        "短缺信号 · shortage signals",
        [
            "类型 kind",
            "机构 institution",
            "产品 product",
            "日期 day",
            "依据 reference",
            "观测 observed",
            "限值 limit",
        ],
        [[s.kind, s.institution, s.product_code, s.day, s.reference, s.observed, s.limit] for s in signals],
        as_json,
        [asdict(s) for s in signals],
    )


@app.command("use")
def use(
    by: Annotated[str, typer.Option(help=f"Group by: {', '.join(USE_GROUPS)}")] = "institution",
    start: FromOption = None,
    end: ToOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """药占比 (without 中药饮片) and consumables per 100 yuan of medical income, from care's fee lines."""
    with open_container(db) as container:
        rows = run(lambda: container.procurement.use(CLI_VIEWER, by, _day(start), _day(end)))
    _table(
        "合理用药监测 · use monitoring",
        ["机构", by, "名称", "医疗收入", "药品", "饮片", "耗材", "药占比", "百元耗材"],
        [
            [
                r["institution"],
                r["key"],
                r["name"],
                r["income"],
                r["drugs"],
                r["herbal"],
                r["consumables"],
                f"{r['drug_share']:.2%}",
                r["consumables_per_100"],
            ]
            for r in rows
        ],
        as_json,
        rows,
    )


@app.command("concentration")
def concentration(
    start: FromOption = None, end: ToOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """配送集中度: the share of each institution's purchases handled by its top-N distributors."""
    with open_container(db) as container:
        rows = container.procurement.concentration(CLI_VIEWER, _day(start), _day(end))
    _table(
        "配送集中度 · distribution concentration",
        ["机构 institution", "配送企业数 distributors", "采购额 amount", "前N家占比 top-N share"],
        [[r["institution"], r["distributors"], r["amount"], f"{r['share']:.2%}"] for r in rows],
        as_json,
        rows,
    )


@app.command("parameters")
def parameters(as_json: JsonOption = False) -> None:
    """The monitoring parameters with their sources (seed document or common practice [K])."""
    sources = load_parameters().sources
    _table(
        "采购监测参数 · parameters",
        ["参数 name", "值 value", "含义", "依据 document", "条款 clause", "来源"],
        [[s.name, s.value, s.title_zh, s.document, s.clause, s.known] for s in sources],
        as_json,
        [asdict(s) for s in sources],
    )
