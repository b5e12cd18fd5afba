"""``sanyi tiered``: tiered-care jobs — results in from a table, capitation out, expiry, overdue referrals,
unjustified repeat tests handed to supervision."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from sanyi.cli.common import DbOption, JsonOption, console, open_container, print_json, run
from sanyi.infrastructure.tabular import read_rows, write_rows
from sanyi.kernel.clock import local_date
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer
from sanyi.supervision.api import Finding
from sanyi.tiered.api import TIERED_INVALID

app = typer.Typer(help="分级诊疗 · tiered care", no_args_is_help=True)
InstitutionOption = Annotated[str, typer.Option("--institution", help="The institution the job acts for")]


def _system(institution: str | None) -> Viewer:
    return Viewer("sanyi tiered", "system", institution, regional=institution is None)


@app.command("import-results")
def import_results(
    file: Path, institution: InstitutionOption, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Load results into the regional index from .xlsx/.csv/.parquet (columns person_id, item,
    taken_at, qc_passed); every bad row is listed, the good ones are stored."""
    header, rows = run(lambda: read_rows(file))
    missing = sorted({"person_id", "item", "taken_at"} - set(header))
    if missing:
        run(lambda: _missing_columns(missing))
    with open_container(db) as container:
        stored, issues = container.tiered.results.import_results(
            _system(institution), ((row.number, row.values) for row in rows)
        )
    if as_json:
        print_json({"stored": stored, "issues": [issue.to_dict() for issue in issues]})
    else:
        console.print(f"已导入 / stored {stored:,} · 问题 / issues {len(issues):,}")
        for issue in issues:
            console.print(f"  行 row {issue.row} · {issue.field} · {issue.code} · {issue.message_zh}")
    if issues:
        raise typer.Exit(1)


def _missing_columns(missing: list[str]) -> None:
    raise DomainError(
        TIERED_INVALID,
        path="header",
        field="header",
        value=", ".join(missing),
        reason="required columns are missing",
        reason_zh="缺少必需的列",
    )


@app.command("capitation")
def capitation(
    team: str,
    first: Annotated[str, typer.Option(help="First day, YYYY-MM-DD")],
    last: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD")],
    rate_fen: Annotated[int, typer.Option(help="Per signed resident per month, in fen")],
    table: Annotated[Path | None, typer.Option(help="Also write the months to .xlsx/.csv/.parquet")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """A team's capitation statement (按人头付费) for a period."""
    with open_container(db) as container:
        statement = run(
            lambda: container.tiered.contracts.capitation(
                _system(None), team, date.fromisoformat(first), date.fromisoformat(last), rate_fen
            )
        )
    months = [(line.month.isoformat()[:7], line.signed, line.amount_fen) for line in statement.months]
    if table is not None:
        write_rows(table, ("month", "signed", "amount_fen"), months, sheet="capitation")
    totals = {
        "gross_fen": statement.gross_fen,
        "outside_fen": statement.outside_fen,
        "net_fen": statement.net_fen,
    }
    if as_json:
        print_json({"team": team, "rate_fen": rate_fen, "months": months, **totals})
        return
    out = Table("月份 month", "签约人数 signed", "金额 amount (fen)", title=f"按人头付费 · capitation {team}")
    for month, signed, amount in months:
        out.add_row(month, f"{signed:,}", f"{amount:,}")
    console.print(out)
    console.print(" · ".join(f"{name} {value:,}" for name, value in totals.items()))


@app.command("expire")
def expire(db: DbOption = None, as_json: JsonOption = False) -> None:
    """End contracts past their end (minors at the age limit) and those of deceased residents."""
    with open_container(db) as container:
        changed = container.tiered.contracts.expire_due(_system(None))
    if as_json:
        print_json({"changed": changed})
    else:
        console.print(f"已处理 / ended {changed:,}")


@app.command("overdue")
def overdue(
    institution: Annotated[str | None, typer.Option(help="Receiving institution (default: all)")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Referrals past the time limit of their current step (the desk's alerts)."""
    with open_container(db) as container:
        queue = container.tiered.referrals.queue(
            _system(institution), states=("created", "accepted", "scheduled", "arrived"), limit=10_000
        )
    late = [
        {k: r[k] for k in ("id", "to_institution", "state", "deadline", "person_id")}
        for r in queue
        if r["overdue"]
    ]
    if as_json:
        print_json(late)
        return
    out = Table(
        "转诊单 referral", "转入 to", "状态 state", "时限 deadline", title="超时转诊 · overdue referrals"
    )
    for r in late:
        out.add_row(r["id"], r["to_institution"], r["state"], r["deadline"])
    console.print(out)


@app.command("repeats-to-supervision")
def repeats_to_supervision(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Hand every unjustified repeat test (重复检查) to supervision as a REPEAT_TEST finding; a rerun
    adds only new ones."""
    with open_container(db) as container:
        viewer = _system(None)
        repeats = container.tiered.results.unjustified_repeats(viewer)
        found = [repeat_finding(order) for order in repeats]
        meta = [
            {
                "person_id": order["person_id"],
                "institution_id": order["institution_code"],
                "doctor_id": None,  # orders carry the user who ordered, not a practitioner code
                "claim_day": local_date(order["ordered_at"]),
                "amount": 0,
            }
            for order in repeats
        ]
        added = container.supervision.record_external(viewer, found, meta)
    if as_json:
        print_json({"repeats": len(repeats), "new_findings": added})
    else:
        console.print(
            f"重复检查 / unjustified repeats {len(repeats):,}; 新增监管发现 / new findings {added:,}"
        )


def repeat_finding(order: dict[str, Any]) -> Finding:
    """An unjustified repeat as a suspect REPEAT_TEST finding keyed by the order."""
    item, proposed = order["item_code"], order["proposed_result_id"] or "—"
    return Finding(
        claim_id=order["id"],
        line_no=None,
        rule_id="REPEAT_TEST",
        result="suspect",
        evidence={"item": item, "proposed_result": proposed, "reason": order["reason"] or ""},
        message_zh=f"检查检验 {item} 有可互认结果 {proposed}，未说明正当理由重复开具（重复检查）",
        message_en=f"{item} was ordered again without a justifying reason although result {proposed} "
        "could be recognised (repeat test)",
    )
