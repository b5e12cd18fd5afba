"""``sanyi indicators``: the catalogue, values, targets, 绩效考核, approval and the quarterly report."""

from __future__ import annotations

import getpass
import io
from pathlib import Path
from typing import Annotated

import typer
from openpyxl import Workbook
from rich.markup import escape
from rich.table import Table

from sanyi.analytics.api import open_backend
from sanyi.cli.batch import WorkersOption
from sanyi.cli.common import DbOption, JsonOption, console, open_container, print_json, run
from sanyi.cli.engines import RegionEngineOption, region_engine, region_only
from sanyi.indicators.api import (
    COMPARATORS,
    GROUPINGS,
    INDICATOR_INVALID_REQUEST,
    INDICATOR_UNKNOWN,
    GroupBy,
    IndicatorValue,
    Span,
    ValuesQuery,
    appraisal_sheets,
    catalogue,
    region_values,
)
from sanyi.infrastructure import migrate
from sanyi.infrastructure.audit import Actor
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer

app = typer.Typer(help="医改监测指标 · reform indicators", no_args_is_help=True)
AreaOption = Annotated[
    str | None, typer.Option("--area", help="Area or institution code (default: the region)")
]
VALUE_COLUMNS = (
    "indicator",
    "name_zh",
    "key",
    "key_name",
    "period",
    "value",
    "unit",
    "numerator",
    "denominator",
)


def _actor() -> Actor:
    return Actor(getpass.getuser(), "cli")


def _parquet_values(
    region: Path, batch: Path | None, engine: str, workers: int, query: ValuesQuery
) -> list[IndicatorValue]:
    backend = run(lambda: open_backend(engine, workers))
    try:
        return run(lambda: region_values(backend, region, _viewer(), query, batch))
    finally:
        backend.close()


def _viewer() -> Viewer:
    # The command line acts for the region (like the reform office); the web API scopes by role.
    return Viewer(getpass.getuser(), "cli", None, regional=True)


@app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """List the indicators: code, theme, name, unit, direction, caliber version."""
    loaded = catalogue()
    if as_json:
        print_json(
            [
                {
                    "id": d.id,
                    "theme": d.theme,
                    "name_zh": d.name_zh,
                    "name_en": d.name_en,
                    "unit": d.unit,
                    "direction": d.direction,
                    "caliber_version": d.caliber.version,
                }
                for d in loaded.indicators.values()
            ]
        )
        return
    table = Table(
        "代码 id", "主题 theme", "名称 name", "单位 unit", "方向 dir", "口径 caliber", title="医改监测指标"
    )
    for d in loaded.indicators.values():
        table.add_row(
            d.id,
            loaded.themes[d.theme][0],
            d.name_zh,
            d.unit,
            "↑" if d.direction == "up" else "↓",
            d.caliber.version,
        )
    console.print(table)


@app.command("show")
def show(
    indicator: Annotated[str, typer.Argument(help="Indicator code, e.g. FJ01")], as_json: JsonOption = False
) -> None:
    """One indicator: numerator and denominator, factor, caliber, data elements, targets and legend."""
    loaded = catalogue()
    definition = loaded.indicators.get(indicator)
    if definition is None:
        run(
            lambda: _raise(
                DomainError(INDICATOR_UNKNOWN, indicator=indicator, available=", ".join(loaded.indicators))
            )
        )
        return
    targets = [t for t in loaded.targets if t.indicator == indicator]
    legend = loaded.legend_of(indicator)
    body = {
        "id": definition.id,
        "name_zh": definition.name_zh,
        "name_en": definition.name_en,
        "type": definition.type,
        "numerator": definition.numerator_text,
        "denominator": definition.denominator_text or None,
        "factor": str(definition.factor),
        "unit": definition.unit,
        "direction": definition.direction,
        "offset_years": definition.offset_years if definition.type == "growth" else None,
        "disaggregations": list(definition.disaggregations),
        "caliber": {
            "version": definition.caliber.version,
            "effective_from": definition.caliber.effective_from.isoformat(),
            "text_zh": definition.caliber.text_zh,
            "text_en": definition.caliber.text_en,
        },
        "elements": [
            {"id": e, "name_zh": loaded.elements[e].name_zh, "caliber_zh": loaded.elements[e].caliber_zh}
            for e in definition.elements
        ],
        "targets": [
            {
                "area": t.area,
                "comparator": t.comparator,
                "value": str(t.value),
                "from": t.effective_from.isoformat(),
                "to": t.effective_to.isoformat() if t.effective_to else None,
                "document": t.document,
                "clause": t.clause,
            }
            for t in targets
        ],
        "legend": None
        if legend is None
        else [
            {
                "from": str(b.low) if b.low is not None else None,
                "to": str(b.high) if b.high is not None else None,
                "label_zh": b.label_zh,
                "colour": b.colour,
            }
            for b in legend.bands
        ],
    }
    if as_json:
        print_json(body)
        return
    d, caliber = definition, definition.caliber
    console.print(f"[bold]{d.id} {d.name_zh}[/bold] · {d.name_en}")
    console.print(escape(f"= {d.factor} × ({d.numerator_text}) ÷ ({d.denominator_text or '1'})  [{d.unit}]"))
    console.print(f"口径 caliber v{caliber.version}（{caliber.effective_from} 起）：{caliber.text_zh}")
    for code in definition.elements:
        element = loaded.elements[code]
        console.print(f"  · {code} {element.name_zh}：{element.caliber_zh}")
    for t in targets:
        rule = f"{t.area} {COMPARATORS[t.comparator]} {t.value}（{t.effective_from} 起）"
        console.print(f"目标 target {rule}{t.document} {t.clause}")


def _spans(period: str, kind: str | None) -> tuple[Span, ...]:
    """``--period 2023`` alone is one span; with ``--each month|quarter`` its months or quarters."""
    span = Span.parse(period)
    if kind is None:
        return (span,)
    if kind == "month":
        return tuple(Span.parse(m) for m in span.months())
    if kind == "quarter":
        return tuple(dict.fromkeys(Span.parse(f"{m[:4]}Q{(int(m[5:]) - 1) // 3 + 1}") for m in span.months()))
    raise DomainError(
        INDICATOR_INVALID_REQUEST,
        path="each",
        field="each",
        reason_zh="month 或 quarter",
        reason="month or quarter",
    )


def _xlsx(values: list[IndicatorValue]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "指标值"
    sheet.append(
        [
            "指标代码",
            "指标名称",
            "单元代码",
            "单元名称",
            "期间",
            "值",
            "单位",
            "分子",
            "分母",
            "上年同期分子",
            "上年同期分母",
            "目标",
            "达标情况",
            "口径版本",
            "数据元",
        ]
    )
    for v in values:
        target = f"{COMPARATORS[v.target.comparator]} {v.target.value}" if v.target else ""
        sheet.append(
            [
                v.indicator,
                v.name_zh,
                v.key,
                v.key_name,
                v.span,
                _cell(v.value),
                v.unit,
                _cell(v.numerator),
                _cell(v.denominator),
                _cell(v.previous_numerator),
                _cell(v.previous_denominator),
                target,
                v.achievement.label_zh,
                v.caliber_version,
                ", ".join(v.elements),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: object) -> float | None:
    return None if value is None else float(str(value))


@app.command("compute")
def compute(
    period: Annotated[
        str, typer.Option("--period", help="2023-03, 2023Q1, 2023 or 2023-06YTD (January–June)")
    ],
    area: AreaOption = None,
    indicators: Annotated[
        str, typer.Option("--indicators", "-i", help="Comma-separated codes (default: all)")
    ] = "",
    by: Annotated[str, typer.Option("--by", help=f"One of: {', '.join(GROUPINGS)}")] = "area",
    each: Annotated[
        str | None, typer.Option("--each", help="Split --period into each month or quarter")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, json or xlsx")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File for --format xlsx")] = None,
    db: DbOption = None,
    parquet: Annotated[
        Path | None,
        typer.Option(
            "--parquet", help="Compute from a region written by sanyi synth --parquet", file_okay=False
        ),
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            "--batch",
            help="With --parquet: the output of sanyi batch run (settle, drg), for YB and DRG",
            exists=True,
            file_okay=False,
        ),
    ] = None,
    engine: RegionEngineOption = None,
    workers: WorkersOption = 2,
) -> None:
    """Compute indicator values: numerator, denominator, value, target and achievement, by area,
    county, institution or group (ownership, category, tier, community). With --parquet, from a
    region's Parquet on the local engine (DuckDB) or Spark (--engine spark): the indicators of
    encounters, residents, the registry, finance returns and reported values, and with --batch the
    settlement and DRG indicators from the batch jobs' output."""
    chosen = region_engine(parquet, engine, "数据库", "the database")
    if parquet is None and batch is not None:
        region_only("--batch", batch)
    codes = tuple(code.strip() for code in indicators.split(",") if code.strip())
    if by not in GROUPINGS:
        run(
            lambda: _raise(
                DomainError(
                    INDICATOR_INVALID_REQUEST,
                    path="by",
                    field="by",
                    reason_zh=f"可选：{'、'.join(GROUPINGS)}",
                    reason=f"one of {', '.join(GROUPINGS)}",
                )
            )
        )
    if output_format not in ("table", "json", "xlsx") or (output_format == "xlsx" and output is None):
        run(
            lambda: _raise(
                DomainError(
                    INDICATOR_INVALID_REQUEST,
                    path="format",
                    field="format",
                    reason_zh="table、json，或 xlsx 加 -o 文件",
                    reason="table, json, or xlsx with -o FILE",
                )
            )
        )
    by_value: GroupBy = by  # type: ignore[assignment]
    query = run(lambda: ValuesQuery(codes, _spans(period, each), area, by_value))
    if parquet is not None and chosen is not None:
        values = _parquet_values(parquet, batch, chosen, workers, query)
    else:
        with open_container(db) as container:
            migrate.upgrade(container.engine)
            values = run(lambda: container.indicators.values(_viewer(), query))
    if output_format == "json":
        print_json([v.row() for v in values])
        return
    if output_format == "xlsx":
        assert output is not None
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(_xlsx(values))
        console.print(f"已写出 / written: {output} ({len(values):,} values)")
        return
    table = Table(
        "指标", "单元", "期间", "值", "分子", "分母", "目标", "达标", title="指标值 · indicator values"
    )
    for v in values:
        target = f"{COMPARATORS[v.target.comparator]} {v.target.value}" if v.target else ""
        value = "—" if v.value is None else f"{v.value} {v.unit}"
        table.add_row(
            f"{v.indicator} {v.name_zh}",
            f"{v.key_name}",
            v.span,
            value,
            str(v.numerator),
            "" if v.denominator is None else str(v.denominator),
            target,
            v.achievement.label_zh,
        )
    console.print(table)


@app.command("appraisal")
def appraisal_command(
    period: Annotated[str, typer.Option("--period", help="2023, 2023Q4, 2023-12 or 2023-06YTD")],
    area: AreaOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the ranking, every component and the scheme as .xlsx"),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """绩效考核: score, grade and rank of each institution the scheme applies to in the area (default:
    the region), best first; an institution code gives that one alone. Each score is Σ points × 100 ÷
    the weight scored; with -o the workbook of the web page's export (numerators, denominators, steps)."""
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        service = container.indicators
        found = run(lambda: service.appraisals(_viewer(), Span.parse(period), area))
        scheme = service.scheme
    if as_json:
        print_json({"scheme": scheme.id, "period": period, "appraisals": [a.row() for a in found]})
        return
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(xlsx_bytes(appraisal_sheets(scheme, found)))
        console.print(f"已写出 / written: {output} ({len(found):,} institutions)")
        return
    table = Table(
        "排名", "机构", "总分", "等级", "得分合计", "已评分权重", "未评分指标", title=scheme.name_zh
    )
    for a in found:
        table.add_row(
            "" if a.rank is None else str(a.rank),
            f"{a.key} {escape(a.key_name)}",
            "—" if a.score is None else str(a.score),
            f"{a.grade.grade} {a.grade.name_zh}" if a.grade else "",
            str(a.points),
            str(a.weight_scored),
            "、".join(c.indicator for c in a.missing),
        )
    console.print(table)


@app.command("targets")
def targets(
    indicator: Annotated[str | None, typer.Option("--indicator", help="Only this indicator")] = None,
    as_json: JsonOption = False,
) -> None:
    """The targets of the seed documents: indicator, area, comparator, value, dates, document and clause."""
    listed = [t for t in catalogue().targets if indicator is None or t.indicator == indicator]
    if as_json:
        print_json(
            [
                {
                    "indicator": t.indicator,
                    "area": t.area,
                    "comparator": t.comparator,
                    "value": str(t.value),
                    "tolerance": str(t.tolerance) if t.tolerance is not None else None,
                    "from": t.effective_from.isoformat(),
                    "to": t.effective_to.isoformat() if t.effective_to else None,
                    "document": t.document,
                    "clause": t.clause,
                }
                for t in listed
            ]
        )
        return
    table = Table("指标", "地区", "目标", "起", "止", "依据", title="目标 · targets")
    for t in listed:
        table.add_row(
            t.indicator,
            t.area,
            f"{COMPARATORS[t.comparator]} {t.value}",
            str(t.effective_from),
            str(t.effective_to or ""),
            f"{t.document} {t.clause}",
        )
    console.print(table)


@app.command("report")
def report(
    quarter: Annotated[str, typer.Option("--quarter", help="e.g. 2026Q3")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The .xlsx file to write")],
    area: Annotated[str, typer.Option("--area", help="Area code, e.g. 330300")],
    db: DbOption = None,
) -> None:
    """The quarterly report to the reform office: one sheet per theme, numerator and denominator next to
    every value, the due date (上旬 of Jan/Apr/Jul/Oct); from the approved snapshot once locked."""
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        content = run(lambda: container.indicators.quarterly_report(_viewer(), area, quarter))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)
    console.print(f"已写出季度报表 / quarterly report written: {output}")


@app.command("submit")
def submit(
    area: Annotated[str, typer.Option("--area", help="Area code")],
    period: Annotated[str, typer.Option("--period", help="2026Q3, 2026-07 or 2026")],
    note: Annotated[str | None, typer.Option("--note", help="A note for the approver")] = None,
    db: DbOption = None,
) -> None:
    """Submit an area's period for approval (audited)."""
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        found = run(lambda: container.indicators.submit(_actor(), area, period, note))
    console.print(f"已提交 / submitted: {found.area} {found.period}")


@app.command("approve")
def approve(
    area: Annotated[str, typer.Option("--area", help="Area code")],
    period: Annotated[str, typer.Option("--period", help="The submitted period")],
    db: DbOption = None,
) -> None:
    """Approve a submitted period: lock it and store a snapshot of its values (audited)."""
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        found = run(lambda: container.indicators.approve(_actor(), area, period))
    console.print(f"已审核锁定 / approved and locked: {found.area} {found.period}")


@app.command("approvals")
def approvals_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Every submitted or approved (area, period)."""
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        listed = container.indicators.approvals()
    if as_json:
        print_json(
            [
                {
                    "area": a.area,
                    "period": a.period,
                    "state": a.state,
                    "submitted_by": a.submitted_by,
                    "approved_by": a.approved_by,
                }
                for a in listed
            ]
        )
        return
    table = Table("地区", "期间", "状态", "提交人", "审核人", title="数据审核 · approvals")
    for a in listed:
        table.add_row(a.area, a.period, a.state, a.submitted_by, a.approved_by or "")
    console.print(table)


def _raise(error: DomainError) -> None:
    raise error
