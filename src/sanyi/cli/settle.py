"""``sanyi settle``: settle a JSON Lines file of claims (contracts/claim.md) by one policy package,
or every claim of a Parquet region on an engine (``--parquet DIR --engine local|spark``).

Claims are settled in file order with accumulators starting from zero for the run; every bad line
is reported (in the output as a rejected result, and on the terminal) and changes nothing, and the
good ones finish. A region is settled by the settle job of ``sanyi batch run`` (per person in time
order, the package of the person's home region), its rows written as Parquet under ``-o``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import select

from sanyi.analytics.api import ANALYTICS_INVALID_OPTION, read_output
from sanyi.bootstrap import Container
from sanyi.care.api import claim_record, encounters, get_encounter
from sanyi.cli.common import DbOption, JsonOption, console, errors, open_container, print_json, run
from sanyi.cli.engines import (
    RegionEngineOption,
    RegionOption,
    backend_for,
    one_input,
    output_directory,
    refuse_with_region,
    region_engine,
)
from sanyi.infrastructure.audit import Actor
from sanyi.infrastructure.tabular import write_rows
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import PolicyPackage, load_package
from sanyi.registry.api import get_institution, get_resident
from sanyi.settlement.api import (
    SETTLEMENT_INVALID_JSON,
    TABLE_HEADER,
    AccumulatorBook,
    StoredAccumulators,
    rejection_record,
    result_record,
    settle_records,
    table_row,
    yuan,
)
from sanyi.synth.api import run_job
from sanyi.tiered.api import attended_referral

_SHOWN_REJECTIONS = 20


class _BadLine:
    """A line that is not JSON; the batch reports it like any other rejection."""

    def __init__(self, number: int, reason: str) -> None:
        self.error = DomainError(SETTLEMENT_INVALID_JSON, path=f"line {number}", line=number, reason=reason)


def _records(handle: IO[str]) -> Iterator[Any]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            yield json.loads(text)
        except json.JSONDecodeError as error:
            yield _BadLine(number, error.msg)


def settle_command(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Results, one JSON object per line ('-' for stdout); with --parquet a directory",
        ),
    ],
    input_file: Annotated[
        Path | None,
        typer.Argument(help="Claims, one JSON object per line (claim.md)", exists=True, dir_okay=False),
    ] = None,
    policy: Annotated[
        str | None, typer.Option("--policy", "-p", help="Policy package, e.g. hangzhou-2020")
    ] = None,
    explain: Annotated[bool, typer.Option("--explain", help="Include each settlement's trail")] = False,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Start each person's accumulators from this database (read only)"),
    ] = None,
    table: Annotated[
        Path | None,
        typer.Option("--table", help="Also write one row per claim to .xlsx, .csv or .parquet"),
    ] = None,
    parquet: RegionOption = None,
    engine: RegionEngineOption = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Local processes, or Spark local cores")
    ] = 2,
    as_json: JsonOption = False,
) -> None:
    """Settle every claim of INPUT in file order and write one result per claim; or, with --parquet,
    every claim of a region per person in time order on an engine (--engine local|spark), one row
    per claim under OUTPUT/settle."""
    chosen = region_engine(parquet, engine, "理赔文件", "a file of claims")
    one_input((input_file is not None) + (parquet is not None), "INPUT.jsonl | --parquet DIR")
    if chosen is not None and parquet is not None:
        reason = "not with --parquet: each claim takes the package of the person's home region"
        refuse_with_region("--policy", policy, reason)
        refuse_with_region("--explain", explain, "not with --parquet: the rows carry no trail")
        refuse_with_region("--db", db, "not with --parquet: accumulators start from zero for the year")
        _settle_region(parquet, output_directory(output), chosen, workers, table, as_json)
        return
    assert input_file is not None
    if policy is None:
        run(_no_policy)
    assert policy is not None
    package = run(lambda: load_package(policy))
    with ExitStack() as stack:
        book: AccumulatorBook | None = None
        if db is not None:
            book = StoredAccumulators(stack.enter_context(open_container(db)).settlement)
        rows = _settle_file(input_file, package, output, explain, book)
    if table is not None:
        written = run(lambda: write_rows(table, TABLE_HEADER, rows, sheet="结算结果"))
        console.print(f"表格 table {table} · {written:,} rows")


def _no_policy() -> None:
    raise DomainError(
        ANALYTICS_INVALID_OPTION,
        option="--policy",
        value="",
        reason="a file of claims is settled by one package / 须指定政策包",
        path="--policy",
    )


_REGION_SUMMARY = (
    "SELECT status, coalesce(error_code, '') AS code, count(*) AS claims, "
    "sum(CAST(medfee_sumamt AS DECIMAL(18, 2))) AS medfee, "
    "sum(CAST(fund_pay_sumamt AS DECIMAL(18, 2))) AS fund "
    "FROM s GROUP BY status, coalesce(error_code, '') ORDER BY status, code"
)


def _settle_region(
    region: Path, output: Path, engine: str, workers: int, table: Path | None, as_json: bool
) -> None:
    """The settle job of ``sanyi batch run`` on ``engine``, then a summary counted on the same engine."""
    with backend_for(engine, workers) as backend:
        done = run(lambda: run_job("settle", region, output, backend))
        found = run(lambda: backend.sql(_REGION_SUMMARY, {"s": output / "settle"})).to_pylist()
    if table is not None:
        rows = [list(r.values()) for r in read_output(output / "settle").to_pylist()]
        written = run(lambda: write_rows(table, TABLE_HEADER, rows, sheet="结算结果"))
        if not as_json:
            console.print(f"表格 table {table} · {written:,} rows")
    outcomes = [
        {
            "status": r["status"],
            "code": r["code"] or None,
            "claims": int(r["claims"]),
            "medfee_sumamt": None if r["medfee"] is None else f"{r['medfee']:.2f}",
            "fund_pay_sumamt": None if r["fund"] is None else f"{r['fund']:.2f}",
        }
        for r in found
    ]
    if as_json:
        print_json(
            {
                "engine": done.engine,
                "claims": done.records,
                "written": done.written,
                "outcomes": outcomes,
                "seconds": round(done.seconds, 3),
                "output": str(output / "settle"),
            }
        )
        return
    summary = Table(
        "结果 status",
        "代码 code",
        "件数 claims",
        "医疗费用 medfee",
        "基金支付 fund",
        title=f"区域结算 · region settled on {done.engine} in {done.seconds:.1f} s → {output / 'settle'}",
    )
    for o in outcomes:
        summary.add_row(
            o["status"],
            o["code"] or "",
            f"{o['claims']:,}",
            o["medfee_sumamt"] or "",
            o["fund_pay_sumamt"] or "",
        )
    console.print(summary)


def _settle_file(
    input_file: Path, package: PolicyPackage, output: Path, explain: bool, book: AccumulatorBook | None
) -> list[list[Any]]:
    settled = rejected = 0
    shown: list[tuple[int, Any, DomainError]] = []
    table_rows: list[list[Any]] = []
    out = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8")
    try:
        with input_file.open(encoding="utf-8") as handle:
            records = list(_records(handle))
        good = [r for r in records if not isinstance(r, _BadLine)]
        outcomes = iter(settle_records(good, package, book))
        for record in records:
            if isinstance(record, _BadLine):
                result, error, row, claim_id = rejection_record(None, record.error), record.error, None, None
            else:
                outcome = next(outcomes)
                row, claim_id = outcome.row, outcome.claim_id
                if outcome.settlement is not None:
                    result, error = result_record(outcome.settlement, explain=explain), None
                else:
                    assert outcome.error is not None
                    result, error = rejection_record(outcome.claim_id, outcome.error), outcome.error
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            table_rows.append(table_row(result))
            if error is None:
                settled += 1
            else:
                rejected += 1
                if len(shown) < _SHOWN_REJECTIONS:
                    shown.append((row or 0, claim_id, error))
    finally:
        if out is not sys.stdout:
            out.close()
    report = errors if str(output) == "-" else console
    if shown:
        table = Table(
            "序号 claim #",
            "单据 claim_id",
            "代码 code",
            "字段 path",
            "说明 message",
            title="拒付 · rejected claims",
        )
        for row, claim_id, error in shown:
            table.add_row(
                str(row) if row else "—", str(claim_id), error.code, error.path or "", error.message_zh
            )
        report.print(table)
    report.print(f"结算 settled {settled:,} · 拒付 rejected {rejected:,} · 政策包 policy {package.name}")
    return table_rows


def settle_encounters_command(
    db: DbOption = None,
    policy: Annotated[
        str | None, typer.Option("--policy", "-p", help="Policy package (default: chosen per claim)")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Settle at most this many encounters")] = None,
    as_json: JsonOption = False,
) -> None:
    """Settle the care records stored in the database, oldest first, through the settlement service.

    Each encounter becomes a claim (claim.md) with the registry's person and institution; settlements
    and accumulators are stored. Running it again settles nothing twice: repeats are duplicates.
    """
    counts: Counter[str] = Counter()
    money: Counter[str] = Counter()
    actor = Actor.system("sanyi settle-encounters")
    with open_container(db) as container:
        for record in _stored_claims(container, limit):
            try:
                view = container.settlement.settle(record, actor, policy=policy)
            except DomainError as error:
                counts[f"rejected {error.code} {error.path or ''}".strip()] += 1
                continue
            if view.duplicate:
                counts["duplicate"] += 1
                continue
            counts["settled"] += 1
            for name in ("medfee_sumamt", "fund_pay_sumamt", "psn_part_amt"):
                money[name] += _fen(view.record["split"][name])
    totals = {name: yuan(value) for name, value in money.items()}
    if as_json:
        print_json({"counts": dict(sorted(counts.items())), "totals": totals})
        return
    table = Table("结果 outcome", "件数 claims", title="已存诊疗记录结算 · stored encounters settled")
    for outcome, count in sorted(counts.items()):
        table.add_row(outcome, f"{count:,}")
    console.print(table)
    for name, value in totals.items():
        console.print(f"{name} {value}")


def _fen(text: str) -> int:
    whole, _, cents = text.partition(".")
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int(cents or 0))


def _stored_claims(container: Container, limit: int | None) -> Iterator[dict[str, Any]]:
    """Claims of the stored encounters in start order, built with the registry's person and institution."""
    query = select(encounters.c.id).order_by(encounters.c.start_at, encounters.c.id)
    if limit is not None:
        query = query.limit(limit)
    with container.uow() as uow:
        ids = list(uow.connection.execute(query).scalars())
    institutions: dict[str, Any] = {}
    for number in range(0, len(ids), 500):
        with container.uow() as uow:
            connection = uow.connection
            for encounter_id in ids[number : number + 500]:
                encounter = get_encounter(connection, encounter_id)
                if encounter is None:  # removed since the ids were read
                    continue
                person = get_resident(connection, encounter.person_id)
                code = encounter.institution_code
                if code not in institutions:
                    institutions[code] = get_institution(connection, code)
                if person is None or institutions[code] is None:
                    continue
                record = claim_record(encounter, person, institutions[code])
                # A visit the tiered-care loop referred carries its referral into the claim.
                record["encounter"]["referral"] = attended_referral(
                    connection, encounter.person_id, code, encounter.start, encounter.referral_id
                )
                yield record
