"""``sanyi policy`` and ``sanyi settle`` end to end (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from sanyi.bootstrap import Container
from sanyi.cli.main import app
from sanyi.infrastructure.audit import Actor
from sanyi.infrastructure.tabular import read_rows
from sanyi.synth.api import DatabaseSink, RegionRequest, generate
from tests.conftest import TEST_SECRET
from tests.unit.settlement.claims import claim, line

runner = CliRunner()


def test_policy_list_and_show() -> None:
    listed = runner.invoke(app, ["policy", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert {p["package"] for p in json.loads(listed.stdout)} >= {"hangzhou-2020", "wenzhou-2018"}
    shown = runner.invoke(app, ["policy", "show", "harbin-2017"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    # Short tokens only: the table wraps long cells to the terminal's width.
    for token in ("720.00", "480.00", "0.65", "0.85", "hrb-special", "500.00"):
        assert token in shown.output, token
    flat = json.loads(runner.invoke(app, ["policy", "show", "hangzhou-2020", "--json"]).stdout)
    assert flat["employee.inpatient.ratio.tertiary.active.from_40000.00"] == "0.88"


def test_policy_show_unknown_package_exits_with_the_not_found_code() -> None:
    result = runner.invoke(app, ["policy", "show", "atlantis-2099"])
    assert result.exit_code == 3
    assert "KNOWLEDGE_UNKNOWN" in result.output


def test_policy_diff_lists_changed_parameters() -> None:
    result = runner.invoke(app, ["policy", "diff", "hangzhou-2020", "wenzhou-2018", "--json"])
    assert result.exit_code == 0, result.output
    changes = {item["parameter"]: item for item in json.loads(result.stdout)}
    assert changes["region"] == {"parameter": "region", "hangzhou-2020": "3301", "wenzhou-2018": "3303"}
    assert changes["resident.inpatient.deductible.strategy"]["wenzhou-2018"] == "annual_highest_tier"
    assert changes["catastrophic.threshold"]["hangzhou-2020"] is None
    same = runner.invoke(app, ["policy", "diff", "harbin-2017", "harbin-2017", "--json"])
    assert json.loads(same.stdout) == []


def test_settle_a_file_in_order_with_rejections_reported(tmp_path: Path) -> None:
    source = tmp_path / "claims.jsonl"
    records = [
        claim(
            "C1",
            [line(1, "35000.00"), line(2, "20000.00", cls="B", selfpay="0.10"), line(3, "5000.00", cls="C")],
        ),
        claim("C2", [line(1, "100.00", category="77")]),
        claim("C3", [line(1, "1000.00")]),
    ]
    text = (
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records[:2])
        + "\n{not json\n\n"
        + json.dumps(records[2])
        + "\n"
    )
    source.write_text(text, encoding="utf-8")
    output = tmp_path / "out.jsonl"
    sheet = tmp_path / "results.xlsx"
    result = runner.invoke(
        app,
        ["settle", str(source), "--policy", "hangzhou-2020", "-o", str(output), "--table", str(sheet)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "settled 2" in result.output and "rejected 2" in result.output
    results = [json.loads(row) for row in output.read_text(encoding="utf-8").splitlines()]
    assert [r["status"] for r in results] == ["settled", "rejected", "rejected", "settled"]
    assert results[0]["split"]["hifp_pay"] == "43584.00" and "trail" not in results[0]
    assert (
        results[1]["error"]["code"] == "SETTLEMENT_INVALID_FIELD"
        and results[1]["error"]["path"] == "lines[0].category"
    )
    assert results[2]["error"]["code"] == "SETTLEMENT_INVALID_JSON"
    # The second stay of the same person: accumulators carried within the run.
    assert results[3]["accumulators"]["inpatient_stays"] == 2
    assert results[3]["accumulators"]["inpatient_policy_range"] == "54000.00"
    header, rows = read_rows(sheet)
    table = [row.values for row in rows]
    assert header[:3] == ["claim_id", "status", "policy"] and len(table) == 4
    assert table[0]["hifp_pay"] == "43584.00" and table[1]["error_path"] == "lines[0].category"


def test_settle_explain_writes_trails_to_stdout(tmp_path: Path) -> None:
    source = tmp_path / "claims.jsonl"
    source.write_text(json.dumps(claim("C1", [line(1, "2000.00")])) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["settle", str(source), "-p", "hangzhou-2020", "-o", "-", "--explain"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[0])
    assert [step["step"] for step in record["trail"]][:3] == ["policy_range", "deductible", "ratio"]


def test_settle_unknown_policy(tmp_path: Path) -> None:
    source = tmp_path / "claims.jsonl"
    source.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["settle", str(source), "-p", "nowhere", "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 3


@pytest.mark.db
def test_settle_with_db_starts_from_the_stored_accumulators(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANYI_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("SANYI_ENV", "test")
    outpatient: dict[str, Any] = {"scheme": "resident", "group": "adult", "type_": "outpatient", "tier": 2}
    container.settlement.settle(claim("DB1", [line(1, "200.00")], **outpatient), Actor.system("test"))
    source = tmp_path / "claims.jsonl"
    source.write_text(json.dumps(claim("DB2", [line(1, "500.00")], **outpatient)) + "\n", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    url = container.settings.database_url
    result = runner.invoke(
        app, ["settle", str(source), "-p", "hangzhou-2020", "-o", str(output), "--db", url]
    )
    assert result.exit_code == 0, result.output
    record = json.loads(output.read_text(encoding="utf-8"))
    # 200 of the 300 annual deductible was paid in the database already.
    assert record["split"]["act_pay_dedc"] == "100.00"
    assert container.settlement.stored_accumulators("P1", 2023).outpatient.policy_range == 20_000


@pytest.mark.db
def test_settle_encounters_settles_the_synthetic_region_once(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANYI_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("SANYI_ENV", "test")
    generate(RegionRequest("wenzhou", 200, 2023, 3), [DatabaseSink(container.engine)])
    url = container.settings.database_url
    first = runner.invoke(app, ["settle-encounters", "--db", url, "--limit", "400", "--json"])
    assert first.exit_code == 0, first.output
    counts = json.loads(first.stdout)["counts"]
    assert sum(counts.values()) == 400 and counts["settled"] > 0
    # Wenzhou's package covers residents; the region's employees are rejected with the reason.
    assert set(counts) - {"settled"} <= {
        "rejected SETTLEMENT_NOT_COVERED person.scheme",
        "rejected SETTLEMENT_MISSING_FIELD person.scheme",
    }
    with container.engine.connect() as connection:
        stored = connection.execute(
            text("SELECT COUNT(*), SUM(psn_part_amt + fund_pay_sumamt - medfee_sumamt) FROM settlements")
        ).one()
    assert stored[0] == counts["settled"] and stored[1] == 0
    again = json.loads(
        runner.invoke(app, ["settle-encounters", "--db", url, "--limit", "400", "--json"]).stdout
    )
    assert again["counts"].get("duplicate") == counts["settled"] and "settled" not in again["counts"]
