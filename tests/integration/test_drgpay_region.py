"""DRG point-method payment over a synthetic region in the database (SQLite and PostgreSQL)."""

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from sanyi.bootstrap import Container
from sanyi.care.api import iter_stays
from sanyi.cli.main import app
from sanyi.drgpay.api import HospitalInput, compare_rows, load_stays, pay, payment_rules
from sanyi.kernel.clock import local_date
from sanyi.synth.api import DatabaseSink, RegionRequest, generate

runner = CliRunner()
KNOWN = {
    "DRGPAY_NOT_SETTLED",
    "DRGPAY_UNGROUPED",
    "DRGPAY_NO_BASE_POINTS",
    "DRGPAY_TOO_FEW_CASES",
    "DRGPAY_HOSPITAL_WITHOUT_LEVEL",
    "DRGPAY_NO_POINTS",
}


def test_a_synthetic_year_is_paid_to_the_cent(container: Container, tmp_path: Path) -> None:
    generate(RegionRequest("wenzhou", 1500, 2023, 3), [DatabaseSink(container.engine)])
    # The region is small: every group with one case gets base points.
    rules = replace(payment_rules("hangzhou-2020"), min_cases=1)
    with container.uow() as uow:
        loaded = load_stays(uow.connection, {2023}, rules.scheme)
        stored = sum(1 for s in iter_stays(uow.connection) if s.end and local_date(s.end).year == 2023)
    not_settled = [i for i in loaded.issues if i.code == "DRGPAY_NOT_SETTLED"]
    assert len(loaded.stays) + len(not_settled) == stored  # none dropped silently
    assert len(loaded.stays) > 50
    budget = 2_345_678_91
    # With the reserve and sharing switched off the points share out exactly the budget.
    plain = replace(
        rules, reserve_ratio=Decimal(0), surplus_retain_ratio=Decimal(1), overspend_share_ratio=Decimal(0)
    )
    result = pay(loaded.history(), [2023], loaded.stays, loaded.levels, plain, year=2023, budget_fen=budget)
    assert {i.code for i in result.issues} <= KNOWN
    hospitals = result.settlement.hospitals.values()
    burden = sum(s.self_burden_fen for s in result.stays)
    assert sum(h.fund_due_fen for h in hospitals) + burden == budget + burden
    for statement in hospitals:
        assert statement.prepaid_fen + statement.settlement_fen == statement.fund_due_fen
        assert statement.prepaid_fen == sum(result.prepayments.get(statement.hospital, {}).values())
    assert len(result.cases) == len(result.stays)
    assert all(case.reason_zh and case.reason_en for case in result.cases)
    # With the region's own parameters the fund due adds up to the money shared by points.
    shared = pay(
        loaded.history(),
        [2023],
        loaded.stays,
        loaded.levels,
        rules,
        year=2023,
        budget_fen=budget,
        inputs={next(iter(result.settlement.hospitals)): HospitalInput(deductions_fen=100)},
    )
    due = sum(h.fund_due_fen for h in shared.settlement.hospitals.values())
    assert due + shared.settlement.withheld_fen == shared.settlement.pool.distributable_fen
    assert shared.settlement.withheld_fen == 100


def test_cli_weights_pay_and_evaluate(container: Container, tmp_path: Path) -> None:
    url = container.settings.database_url
    generate(RegionRequest("wenzhou", 4000, 2023, 5), [DatabaseSink(container.engine)])
    weights = runner.invoke(app, ["drg", "weights", "--years", "2022,2023", "--json", "--db", url])
    assert weights.exit_code == 0, weights.output
    body = json.loads(weights.stdout)
    assert body["years"] == [2022, 2023] and body["groups"] == len(body["rows"])
    assert "2022" in weights.stderr  # the empty year is reported
    saved = runner.invoke(app, ["drg", "weights", "--years", "2023", "--save", "--db", url])
    assert saved.exit_code == 0 and "已保存 saved" in saved.stderr
    assert len(container.drgpay.saved_tables()) == 1
    again = runner.invoke(app, ["drg", "weights", "--years", "2022,2023", "--save", "--db", url])
    assert again.exit_code == 0, again.output
    listed = runner.invoke(app, ["drg", "tables", "--json", "--db", url])
    versions = [row["version"] for row in json.loads(listed.stdout)]
    assert len(versions) == 2
    compared = runner.invoke(app, ["drg", "compare", versions[0], versions[1], "--json", "--db", url])
    assert compared.exit_code == 0, compared.output
    expected = container.drgpay.table_lines(versions[0]), container.drgpay.table_lines(versions[1])
    assert json.loads(compared.stdout) == compare_rows(*expected)
    unknown = runner.invoke(app, ["drg", "compare", versions[0], "nope", "--db", url])
    assert unknown.exit_code != 0 and "DRGPAY_UNKNOWN_TABLE" in unknown.output
    kept = runner.invoke(app, ["drg", "pay", "--year", "2023", "--save", "--db", url])
    assert kept.exit_code == 0 and "saved run" in kept.stderr
    bad = runner.invoke(app, ["drg", "weights", "--years", "20x3", "--db", url])
    assert bad.exit_code == 2 and "DRGPAY_INVALID_YEARS" in bad.stderr
    paid = runner.invoke(app, ["drg", "pay", "--year", "2023", "--budget", "1000000", "--json", "--db", url])
    assert paid.exit_code == 0, paid.output
    result = json.loads(paid.stdout)
    assert result["pool"]["budget_fen"] == 100_000_000
    hospital = max(result["hospitals"], key=lambda h: Decimal(result["hospitals"][h]["points"]))
    out = tmp_path / "statement.xlsx"
    written = runner.invoke(
        app, ["drg", "pay", "--year", "2023", "--hospital", hospital, "-o", str(out), "--db", url]
    )
    assert written.exit_code == 0, written.output
    book = load_workbook(out)
    assert book.sheetnames == ["结算单", "病例点数", "月度预拨", "点值计算"]
    cases = list(book["病例点数"].iter_rows(min_row=2, values_only=True))
    assert cases and all(row[7] for row in cases)  # every case has its reason
    month = runner.invoke(app, ["drg", "pay", "--year", "2023", "--month", "3", "--json", "--db", url])
    assert month.exit_code == 0 and json.loads(month.stdout)["period"] == "2023-03"
    zero = runner.invoke(app, ["drg", "pay", "--year", "2023", "--budget", "0", "--db", url])
    assert zero.exit_code == 2 and "DRGPAY_INVALID_BUDGET" in zero.stderr
    evaluated = runner.invoke(
        app, ["drg", "evaluate", "--year", "2023", "--by", "department", "--json", "--db", url]
    )
    assert evaluated.exit_code == 0, evaluated.output
    rows = json.loads(evaluated.stdout)
    assert rows[-1]["unit"] == "region" and rows[-1]["cost_index"] == "1.0000"
