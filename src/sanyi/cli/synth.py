"""``sanyi synth``: generate a calibrated synthetic region; ``sanyi synth report``: check it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from sanyi.cli.common import DbOption, JsonOption, console, open_container, print_json, run
from sanyi.infrastructure import migrate
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.synth import profile_names
from sanyi.registry.api import Viewer
from sanyi.synth.api import (
    SYNTH_DATABASE_NOT_EMPTY,
    TOLERANCE,
    DatabaseSink,
    FinanceSummary,
    ParquetSink,
    PricingSummary,
    ProcurementSummary,
    RegionRequest,
    Sink,
    TieredTargets,
    TraceTargets,
    clear_region,
    database_is_empty,
    generate,
    generate_finance,
    generate_pricing,
    generate_procurement,
    generate_tiered,
    generate_trace,
    parquet_run,
    replay_parquet,
    report_from_database,
    report_from_parquet,
)

app = typer.Typer(help="合成地区 · synthetic region", invoke_without_command=True, no_args_is_help=False)

STAGES = {"calibrate": "校准 / calibrating", "generate": "生成 / generating"}


@app.callback()
def synth(
    ctx: typer.Context,
    profile: Annotated[str, typer.Option(help=f"Region profile: {', '.join(profile_names())}")] = "wenzhou",
    residents: Annotated[int, typer.Option(min=100, help="Number of residents")] = 20_000,
    year: Annotated[int, typer.Option(help="The year of care")] = 2023,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same region")] = 7,
    parquet: Annotated[
        Path | None, typer.Option(help="Also (or only, without --db) write Parquet here")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Processes generating chunks in parallel")] = 1,
    replace: Annotated[bool, typer.Option(help="Delete existing registry and care data first")] = False,
    db: DbOption = None,
) -> None:
    """Generate a synthetic region into the database (and/or a Parquet directory)."""
    if ctx.invoked_subcommand is not None:
        return
    request = RegionRequest(profile, residents, year, seed)
    with open_container(db) as container:
        sinks: list[Sink] = []
        if db is not None or parquet is None:
            sinks.append(_empty_database_sink(container.engine, replace=replace))
        if parquet is not None:
            sinks.append(ParquetSink(parquet))
        with _progress() as report:
            summary = run(lambda: generate(request, sinks, workers=workers, progress=report))
        writes_database = db is not None or parquet is None
        # Finance returns and the procurement year follow from the fee lines just written.
        finance = generate_finance(container.engine, year, seed) if writes_database else None
        bought = generate_procurement(container.engine, year, seed) if writes_database else None
        priced = generate_pricing(container.engine, year, profile) if writes_database else None
    console.print(
        f"[green]已生成 / generated[/green] {profile}: {summary.residents:,} residents, "
        f"{summary.institutions:,} institutions, {summary.practitioners:,} practitioners, "
        f"{summary.encounters:,} encounters, {summary.fee_lines:,} fee lines, "
        f"{summary.irregularities:,} planted irregularities"
    )
    if finance is not None:
        _print_finance(finance)
    if bought is not None:
        _print_procurement(bought)
    if priced is not None:
        _print_pricing(priced)


@app.command("load")
def load(
    parquet: Annotated[Path, typer.Argument(help="A Parquet directory written by sanyi synth --parquet")],
    replace: Annotated[bool, typer.Option(help="Delete existing registry and care data first")] = False,
    db: DbOption = None,
) -> None:
    """Bulk-load a region generated to Parquet into the database."""
    meta = run(lambda: parquet_run(parquet))  # a missing region must fail before anything is replaced
    with open_container(db) as container:
        sink = _empty_database_sink(container.engine, replace=replace)
        counts = run(lambda: replay_parquet(parquet, [sink]))
        year, seed = int(meta["year"]), int(meta["seed"])
        finance = generate_finance(container.engine, year, seed)
        bought = generate_procurement(container.engine, year, seed)
        priced = generate_pricing(container.engine, year, str(meta["profile"]))
    console.print(
        "[green]已载入 / loaded[/green] "
        + ", ".join(f"{name} {count:,}" for name, count in counts.items() if name in LOADED_COUNTS)
    )
    _print_finance(finance)
    _print_procurement(bought)
    _print_pricing(priced)


def _print_pricing(summary: PricingSummary) -> None:
    console.print(
        f"[green]价格目录 / price schedules[/green] {len(summary.areas)} areas, "
        f"{summary.service_items:,} service items, {summary.diseases:,} 按病种收费 diseases"
    )


def _print_finance(summary: FinanceSummary) -> None:
    console.print(
        f"[green]财务月报 / finance returns[/green] {summary.returns:,}, reported values {summary.reported:,}"
    )


def _print_procurement(summary: ProcurementSummary) -> None:
    console.print(
        f"[green]采购 / procurement[/green] {summary.products:,} products, {summary.agreements} agreements, "
        f"{summary.orders:,} orders, {summary.deliveries:,} deliveries, {summary.invoices:,} invoices; "
        f"planted {', '.join(f'{rule} ({delivery})' for delivery, rule in summary.planted)}; "
        f"lagging institution {summary.lagging_institution}"
    )


@app.command("tiered")
def tiered(
    year: Annotated[int, typer.Option(help="The year of the region's care")] = 2023,
    seed: Annotated[int, typer.Option(help="Random seed")] = 7,
    signing: Annotated[float, typer.Option(min=0, max=1, help="Target signed ÷ residents")] = 0.25,
    key_signing: Annotated[
        float, typer.Option(min=0, max=1, help="Target key groups signed ÷ key groups")
    ] = 0.6,
    referral_share: Annotated[
        float,
        typer.Option(min=0, max=1, help="Share of signed residents' hospital outpatient visits referred"),
    ] = 0.015,
    result_share: Annotated[
        float, typer.Option(min=0, max=1, help="Share of outpatient visits that order a recognisable test")
    ] = 0.10,
    recognition: Annotated[
        float, typer.Option(min=0, max=1, help="Share of recognisable results that are recognised")
    ] = 0.60,
    reserved_percent: Annotated[
        int, typer.Option(min=0, max=100, help="Share of each hospital session's slots reserved (%)")
    ] = 20,
    no_show_share: Annotated[
        float, typer.Option(min=0, max=1, help="Extra public bookings per visit that never turn up")
    ] = 0.05,
    db: DbOption = None,
) -> None:
    """Add tiered care to the region in the database: teams, contracts near the targets, up-referrals,
    schedules and bookings, results and orders with recognition and repeats."""
    targets = TieredTargets(
        signing, key_signing, referral_share, result_share, recognition, reserved_percent, no_show_share
    )
    with open_container(db) as container:
        summary = generate_tiered(container.engine, year, seed, targets)
    console.print(
        f"[green]已生成 / generated[/green] {summary.teams:,} teams, {summary.contracts:,} contracts "
        f"(签约率 coverage {summary.coverage:.1%}, 重点人群 key groups {summary.key_coverage:.1%}), "
        f"{summary.referrals:,} referrals, {summary.booking.schedules:,} sessions with "
        f"{summary.booking.bookings:,} bookings ({summary.booking.referral_bookings:,} by referral, "
        f"{summary.booking.no_shows:,} no-shows), {summary.results:,} results, "
        f"{summary.orders:,} orders with a proposal"
    )


@app.command("finance")
def finance(
    year: Annotated[int, typer.Option(help="The year of the region's care")] = 2023,
    seed: Annotated[int, typer.Option(help="Random seed")] = 7,
    db: DbOption = None,
) -> None:
    """(Re)write the region's institution finance returns from its fee lines, and the reported values
    (paediatric beds, smart hospitals, diseases priced per case) the indicators need."""
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        summary = generate_finance(container.engine, year, seed)
    console.print(
        f"[green]已生成 / generated[/green] {summary.returns:,} finance returns "
        f"(医疗收入 medical income {summary.medical_income} 元), {summary.reported:,} reported values"
    )


@app.command("trace")
def trace(
    seed: Annotated[int, typer.Option(help="Random seed")] = 7,
    share: Annotated[
        float, typer.Option(min=0, max=1, help="Share of packaged drug lines whose boxes carry codes")
    ] = 0.03,
    duplicates: Annotated[int, typer.Option(min=0, help="Codes dispensed a second time (planted)")] = 5,
    cancellations: Annotated[int, typer.Option(min=0, help="Dispensings cancelled (冲正)")] = 3,
    db: DbOption = None,
) -> None:
    """Add drug traceability to the region in the database: a code per box of a sample of drug lines
    with its chain (produced, shipped, received, dispensed), planted duplicate dispensings (handed to
    supervision as they are stored) and a few cancellations."""
    with open_container(db) as container:
        migrate.upgrade(container.engine)
        made = generate_trace(container.engine, seed, TraceTargets(share, duplicates, cancellations))
        viewer = Viewer("sanyi synth", "system", None, regional=True)
        result = run(lambda: container.trace.ingest(viewer, made.events, "sanyi synth trace"))
    console.print(
        f"[green]已生成 / generated[/green] {made.codes:,} codes, {result.stored:,} events "
        f"({result.bad_rows:,} refused), {len(made.duplicated):,} planted duplicates, "
        f"{len(made.cancelled):,} cancellations; e.g. {made.duplicated[0] if made.duplicated else '—'}"
    )


LOADED_COUNTS = ("institutions", "practitioners", "residents", "encounters", "fee_lines")


def _empty_database_sink(engine: Engine, *, replace: bool) -> DatabaseSink:
    migrate.upgrade(engine)
    if not database_is_empty(engine):
        if not replace:
            run(lambda: _raise(DomainError(SYNTH_DATABASE_NOT_EMPTY)))
        clear_region(engine)
    return DatabaseSink(engine)


def _raise(error: DomainError) -> None:
    raise error


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(STAGES.get(stage, stage), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield report


@app.command("report")
def report(
    parquet: Annotated[Path | None, typer.Option(help="Read the region from this Parquet directory")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the region's figures next to the calibration targets, flagging any more than 15 % off."""
    if parquet is not None:
        meta, result = run(lambda: report_from_parquet(parquet))
    else:
        with open_container(db) as container:
            meta, result = run(lambda: report_from_database(container.engine))
    if as_json:
        print_json(
            {
                "profile": meta["profile"],
                "residents": meta["residents"],
                "seed": meta["seed"],
                "tolerance": TOLERANCE,
                "figures": [figure.to_dict() for figure in result],
            }
        )
        return
    table = Table(
        "指标 figure",
        "生成 generated",
        "目标 target",
        "偏差 off by",
        "",
        title=f"{meta['profile']} · {meta['residents']:,} residents · seed {meta['seed']}",
    )
    for figure in result:
        off = (figure.generated - figure.target) / figure.target if figure.target else 0.0
        flag = "[green]✓[/green]" if figure.within_tolerance else "[red]✗ >15 %[/red]"
        table.add_row(figure.name, f"{figure.generated:,.3f}", f"{figure.target:,.3f}", f"{off:+.1%}", flag)
    console.print(table)
    outside = [figure.name for figure in result if not figure.within_tolerance]
    console.print(
        f"[red]{len(outside)} figure(s) off target[/red]"
        if outside
        else "[green]全部在 15 % 以内 / all within 15 %[/green]"
    )
