"""``sanyi batch`` end to end on the local engine: jobs over a Parquet region, SQL, refused options."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sanyi.analytics.api import read_output
from sanyi.cli.main import app
from sanyi.synth.api import ParquetSink, RegionRequest, generate

runner = CliRunner()


def test_batch_run_writes_each_job_and_sql_reads_them(tmp_path: Path) -> None:
    region = tmp_path / "region"
    generate(RegionRequest("wenzhou", 200, 2023, 4), [ParquetSink(region)])
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["batch", "run", str(region), "-o", str(out), "--jobs", "drg,supervise", "--workers", "1", "--json"],
    )
    assert result.exit_code == 0, result.output
    runs = {r["job"]: r for r in json.loads(result.output)}
    assert set(runs) == {"drg", "supervise"} and runs["drg"]["engine"] == "local"
    assert runs["drg"]["written"] == read_output(out / "drg").num_rows == runs["drg"]["records"] > 0
    assert runs["supervise"]["written"] == read_output(out / "supervise").num_rows
    assert not (out / "settle").exists()

    sql = runner.invoke(
        app,
        [
            "batch",
            "sql",
            "SELECT status, count(*) AS n FROM g GROUP BY ALL ORDER BY 1",
            "--table",
            f"g={out / 'drg'}",
        ],
    )
    assert sql.exit_code == 0, sql.output
    counts = {row["status"]: row["n"] for row in json.loads(sql.output)}
    assert sum(counts.values()) == runs["drg"]["written"]


def test_bad_options_exit_with_their_code(tmp_path: Path) -> None:
    tmp_path.joinpath("r").mkdir()
    bad_job = runner.invoke(app, ["batch", "run", str(tmp_path / "r"), "-o", str(tmp_path), "--jobs", "bill"])
    assert bad_job.exit_code == 2
    assert "ANALYTICS_INVALID_OPTION" in bad_job.output
    bad_engine = runner.invoke(
        app, ["batch", "run", str(tmp_path / "r"), "-o", str(tmp_path), "--engine", "hive"]
    )
    assert bad_engine.exit_code == 2
    assert "ANALYTICS_UNKNOWN_ENGINE" in bad_engine.output
    bad_table = runner.invoke(app, ["batch", "sql", "SELECT 1", "--table", "nopath"])
    assert bad_table.exit_code == 2
    assert "NAME=PATH" in bad_table.output
    no_data = runner.invoke(app, ["batch", "sql", "SELECT * FROM t", "--table", f"t={tmp_path / 'r'}"])
    assert no_data.exit_code == 3
    assert "ANALYTICS_NO_DATA" in no_data.output
