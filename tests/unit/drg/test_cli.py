"""``sanyi drg`` on the command line."""

import json
from pathlib import Path

from typer.testing import CliRunner

from sanyi.cli.main import app
from sanyi.drg import api
from sanyi.infrastructure.tabular import read_rows, write_rows

runner = CliRunner()


def test_group_a_file_and_print_the_summary(tmp_path: Path) -> None:
    rows = api.conformance_cases("haerbin_2022")[:300]
    write_rows(
        tmp_path / "in.csv", list(api.INPUT_COLUMNS), [[r[c] for c in api.INPUT_COLUMNS] for r in rows]
    )
    result = runner.invoke(
        app,
        [
            "drg",
            "group",
            str(tmp_path / "in.csv"),
            "--scheme",
            "haerbin_2022",
            "-o",
            str(tmp_path / "out.xlsx"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "300" in result.output
    assert "QY" in result.output
    assert "top failure reasons" in result.output
    _, out = read_rows(tmp_path / "out.xlsx")
    assert [row.values["drg"] for row in out] == [r["drg"] for r in rows]


def test_group_json_summary(tmp_path: Path) -> None:
    rows = api.conformance_cases("chs_drg_11")[:50]
    write_rows(
        tmp_path / "in.csv", list(api.INPUT_COLUMNS), [[r[c] for c in api.INPUT_COLUMNS] for r in rows]
    )
    result = runner.invoke(
        app,
        [
            "drg",
            "group",
            str(tmp_path / "in.csv"),
            "-s",
            "chs_drg_11",
            "-o",
            str(tmp_path / "o.csv"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["total"] == 50
    expected = {status: sum(r["status"] == status for r in rows) for status in api.STATUSES}
    assert summary["by_status"] == expected


def test_errors_have_codes_and_exit_codes(tmp_path: Path) -> None:
    write_rows(tmp_path / "in.csv", ["id"], [["1"]])
    missing = runner.invoke(
        app, ["drg", "group", str(tmp_path / "in.csv"), "-s", "zhejiang_2022", "-o", "x.csv"]
    )
    assert missing.exit_code == 2
    assert "DRG_MISSING_COLUMNS" in missing.output
    unknown = runner.invoke(app, ["drg", "explain", "ZZ99", "-s", "zhejiang_2022"])
    assert unknown.exit_code == 3
    assert "DRG_UNKNOWN_GROUP" in unknown.output
    scheme = runner.invoke(app, ["drg", "group", str(tmp_path / "in.csv"), "-s", "mars", "-o", "x.csv"])
    assert scheme.exit_code == 3
    assert "KNOWLEDGE_UNKNOWN" in scheme.output


def test_schemes_and_explain() -> None:
    listed = runner.invoke(app, ["drg", "schemes", "--json"])
    assert {s["name"]: s["drgs"] for s in json.loads(listed.stdout)} == {
        "chs_drg_11": 628,
        "haerbin_2022": 668,
        "zhejiang_2022": 1006,
    }
    explained = runner.invoke(app, ["drg", "explain", "vb15", "--scheme", "zhejiang_2022"])
    assert explained.exit_code == 0
    assert "进入 ADRG VB1" in explained.output


def test_a_large_file_shows_progress_and_finishes(tmp_path: Path) -> None:
    rows = api.conformance_cases("zhejiang_2022")
    table = [[r[c] for c in api.INPUT_COLUMNS] for r in rows] * 4  # 12,000 rows: over the bar's threshold
    write_rows(tmp_path / "in.parquet", list(api.INPUT_COLUMNS), table)
    result = runner.invoke(
        app,
        [
            "drg",
            "group",
            str(tmp_path / "in.parquet"),
            "-s",
            "zhejiang_2022",
            "-o",
            str(tmp_path / "o.parquet"),
            "--workers",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "12,000" in result.output
    _, out = read_rows(tmp_path / "o.parquet")
    assert sum(1 for row in out if row.values["status"] == "SUCCESS") == 4 * sum(
        r["status"] == "SUCCESS" for r in rows
    )
