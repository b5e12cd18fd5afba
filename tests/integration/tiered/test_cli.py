"""``sanyi tiered``: results in from Excel with every bad row reported, capitation out, expiry, overdue."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from sanyi.cli.main import app
from sanyi.infrastructure.tabular import read_rows, write_rows
from sanyi.tiered.api import bookings, schedules
from tests.conftest import TEST_SECRET
from tests.integration.tiered.conftest import TieredRegion

pytestmark = pytest.mark.db
runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANYI_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("SANYI_ENV", "test")


def test_import_results_reports_every_bad_row_and_stores_the_good(
    region: TieredRegion, tmp_path: Path, cli_env: None
) -> None:
    url = region.container.settings.database_url
    source = tmp_path / "results.xlsx"
    rows = [
        (region.people[0], "LAB001", "2024-02-20 09:30", "1"),
        (region.people[0], "LAB999", "2024-02-20 09:30", "1"),
        ("NOBODY", "LAB002", "2024-02-20 09:30", "1"),
        (region.people[1], "IMG002", "yesterday", "1"),
        (region.people[1], "IMG002", "2024-02-21T10:00:00+08:00", "否"),
    ]
    write_rows(source, ("person_id", "item", "taken_at", "qc_passed"), rows)
    result = runner.invoke(
        app,
        ["tiered", "import-results", str(source), "--institution", region.hospital, "--db", url, "--json"],
    )
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["stored"] == 2
    assert [(i["row"], i["code"], i["field"]) for i in body["issues"]] == [
        (3, "RESULT_ITEM_UNKNOWN", "item"),
        (4, "TIERED_NOT_FOUND", "person_id"),
        (5, "TIERED_INVALID", "taken_at"),
    ]
    stored = region.container.tiered.results.lookup(region.bureau, region.people[1])
    assert stored[0]["qc_passed"] is False
    bad = tmp_path / "bad.csv"
    write_rows(bad, ("person", "item"), [("x", "y")])
    missing = runner.invoke(
        app, ["tiered", "import-results", str(bad), "--institution", region.hospital, "--db", url]
    )
    assert missing.exit_code == 2 and "TIERED_INVALID" in missing.output


def test_capitation_expire_and_overdue(region: TieredRegion, tmp_path: Path, cli_env: None) -> None:
    url = region.container.settings.database_url
    tiered = region.container.tiered
    tiered.contracts.create_team(
        region.doctor(),
        code="T1",
        name="T1",
        gp=region.staff[0],
        nurse=region.staff[3],
        public_health=region.staff[4],
    )
    for person in region.people[:3]:
        tiered.contracts.sign(
            region.doctor(), person_id=person, team="T1", package="BASIC", start=date(2023, 1, 1)
        )
    out = tmp_path / "cap.xlsx"
    result = runner.invoke(
        app,
        [
            "tiered",
            "capitation",
            "T1",
            "--first",
            "2023-01-01",
            "--last",
            "2023-03-31",
            "--rate-fen",
            "1050",
            "--table",
            str(out),
            "--db",
            url,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gross_fen"] == 3 * 3 * 1050
    header, table = read_rows(out)
    assert header == ["month", "signed", "amount_fen"] and [r.values["signed"] for r in table] == [
        "3",
        "3",
        "3",
    ]
    expired = runner.invoke(app, ["tiered", "expire", "--db", url, "--json"])
    assert json.loads(expired.stdout) == {"changed": 3}
    tiered.referrals.create(
        region.doctor(),
        person_id=region.people[4],
        to_institution=region.hospital,
        direction="up",
        diagnosis="I10",
        reason="复诊",
    )
    # The CLI reads the system clock, long after the fixed clock's 24-hour limit: the referral is overdue.
    late = runner.invoke(app, ["tiered", "overdue", "--db", url, "--json"])
    assert [r["state"] for r in json.loads(late.stdout)] == ["created"]


def test_synth_tiered_adds_sessions_and_bookings(region: TieredRegion, cli_env: None) -> None:
    url = region.container.settings.database_url
    args = ["synth", "tiered", "--seed", "3", "--referral-share", "0.3", "--reserved-percent", "30"]
    result = runner.invoke(app, [*args, "--no-show-share", "0.1", "--db", url])
    assert result.exit_code == 0, result.output
    assert "bookings" in result.output and "no-shows" in result.output
    with region.container.engine.connect() as connection:
        percents = set(connection.execute(select(schedules.c.reserved_percent)).scalars())
        booked = connection.execute(select(func.count()).select_from(bookings)).scalar_one()
    assert percents == {30} and booked > 0
    refused = runner.invoke(app, [*args, "--reserved-percent", "101", "--db", url])
    assert refused.exit_code == 2  # refused by the option check before anything is written
