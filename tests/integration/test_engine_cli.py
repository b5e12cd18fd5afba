"""``--engine`` on the domain commands: ``sanyi drg group``, ``sanyi settle`` and ``sanyi supervise``
over a Parquet region run the jobs of ``sanyi batch run`` (no second implementation), and an engine
given with an input that cannot use it is refused with its code.

A tiny region of two part files is generated once. The local engine is compared with the paths it
stands beside (the whole-region DuckDB supervision, the batch job on its own); one Spark test runs
``sanyi settle`` end to end on Spark local mode and compares every row with the local engine.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

import sanyi.cli.engines as engines
from sanyi.analytics.api import LocalBackend, read_output
from sanyi.cli.main import app
from sanyi.settlement.api import TABLE_HEADER
from sanyi.supervision.api import findings_table, select_rules, supervise_parquet
from sanyi.synth.api import ParquetSink, RegionRequest, generate, run_job

runner = CliRunner()
SCHEME = "zhejiang_2022"


def rows(path: Path) -> list[tuple[Any, ...]]:
    return sorted(tuple(row.values()) for row in read_output(path).to_pylist())


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("region")
    generate(RegionRequest("wenzhou", 200, 2023, 4, chunk_size=100), [ParquetSink(directory)])
    return directory


@pytest.fixture(scope="module")
def settled(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("settled")
    result = runner.invoke(app, ["settle", "--parquet", str(region), "-o", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return out


def test_drg_group_groups_a_regions_stays_on_the_local_engine(region: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["drg", "group", "--parquet", str(region), "-s", SCHEME, "-o", str(out)]
    result = runner.invoke(app, [*args, "--engine", "local", "--workers", "2", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    grouped = read_output(out / "drg")
    assert printed["engine"] == "local" and printed["total"] == grouped.num_rows > 10
    statuses = grouped["status"].to_pylist()
    assert printed["by_status"] == {s: statuses.count(s) for s in set(statuses)}
    # The same rows as the batch job run on its own (one process instead of a pool of two).
    alone = tmp_path / "alone"
    run_job("drg", region, alone, LocalBackend(1), scheme=SCHEME)
    assert rows(out / "drg") == rows(alone / "drg")
    assert rows(out / "stays") == rows(alone / "stays")


def test_settle_settles_a_region_and_writes_the_table(settled: Path, region: Path, tmp_path: Path) -> None:
    written = read_output(settled / "settle")
    assert written.column_names == list(TABLE_HEADER)
    alone = tmp_path / "alone"
    run_job("settle", region, alone, LocalBackend(2))
    assert rows(settled / "settle") == rows(alone / "settle")
    assert sum(1 for s in written["status"].to_pylist() if s == "settled") > 100

    table = tmp_path / "settled.xlsx"
    again = tmp_path / "again"
    result = runner.invoke(
        app, ["settle", "--parquet", str(region), "-o", str(again), "--table", str(table), "--json"]
    )
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["engine"] == "local" and printed["written"] == written.num_rows
    by_status = {o["status"]: 0 for o in printed["outcomes"]}
    for o in printed["outcomes"]:
        by_status[o["status"]] += o["claims"]
    assert sum(by_status.values()) == written.num_rows
    settled_row = next(o for o in printed["outcomes"] if o["status"] == "settled")
    fund = sum(float(v) for v in written["fund_pay_sumamt"].to_pylist() if v)
    assert abs(float(settled_row["fund_pay_sumamt"]) - fund) < 0.005
    sheet = load_workbook(table, read_only=True).active
    assert sheet is not None
    header, *body = list(sheet.iter_rows(values_only=True))
    assert list(header) == list(TABLE_HEADER) and len(body) == written.num_rows


def test_supervise_on_an_engine_finds_what_the_whole_region_run_finds(region: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    table = tmp_path / "findings.csv"
    result = runner.invoke(
        app,
        ["supervise", "--parquet", str(region), "--engine", "local", "-o", str(out), "--table", str(table)],
    )
    assert result.exit_code == 0, result.output
    whole = findings_table(supervise_parquet(region, select_rules()).findings)
    assert rows(out / "supervise") == sorted(tuple(r.values()) for r in whole.to_pylist())
    assert whole.num_rows > 5
    assert len(table.read_text(encoding="utf-8").splitlines()) == whole.num_rows + 1

    one_rule = tmp_path / "one"
    result = runner.invoke(
        app,
        [
            "supervise",
            "--parquet",
            str(region),
            "--engine",
            "local",
            "-o",
            str(one_rule),
            "--rules",
            "REPEAT_TEST",
        ],
    )
    assert result.exit_code == 0, result.output
    assert set(read_output(one_rule / "supervise")["rule_id"].to_pylist()) <= {"REPEAT_TEST"}


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (
            ["drg", "group", "README.md", "-s", SCHEME, "-o", "x.csv", "--engine", "local"],
            "ANALYTICS_ENGINE_NEEDS_PARQUET",
        ),
        (
            ["settle", "README.md", "-p", "hangzhou-2020", "-o", "-", "--engine", "spark"],
            "ANALYTICS_ENGINE_NEEDS_PARQUET",
        ),
        (["supervise", "README.md", "--engine", "local"], "ANALYTICS_ENGINE_NEEDS_PARQUET"),
        (["supervise", "--db", "--engine", "spark"], "ANALYTICS_ENGINE_NEEDS_PARQUET"),
        (
            ["indicators", "compute", "--period", "2023", "--engine", "local"],
            "ANALYTICS_ENGINE_NEEDS_PARQUET",
        ),
        (["drg", "group", "-s", SCHEME, "-o", "x.csv"], "ANALYTICS_ONE_INPUT"),
        (["settle", "-o", "-"], "ANALYTICS_ONE_INPUT"),
        (["settle", "README.md", "-o", "-"], "ANALYTICS_INVALID_OPTION"),
    ],
)
def test_an_engine_with_an_input_that_cannot_use_it_is_refused(args: list[str], code: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert code in result.output


def test_region_options_that_do_not_apply_are_refused(region: Path, tmp_path: Path) -> None:
    base = ["--parquet", str(region), "-o", str(tmp_path / "o")]
    cases = [
        (["settle", *base, "-p", "hangzhou-2020"], "--policy"),
        (["settle", *base, "--explain"], "--explain"),
        (["settle", *base, "--engine", "hive"], "ANALYTICS_UNKNOWN_ENGINE"),
        (["drg", "group", *base, "-s", SCHEME, "--columns", "性别=sex"], "--columns"),
        (["supervise", "--parquet", str(region), "--engine", "local", "-o", "-"], "--output"),
    ]
    for args, where in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert where in result.output, (args, result.output)
    assert not (tmp_path / "o").exists()  # a refused command wrote nothing


@pytest.mark.spark
def test_settle_on_spark_gives_every_row_of_the_local_engine(
    settled: Path, region: Path, tmp_path: Path, spark_session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanyi.analytics.spark import SparkBackend

    opened: list[str] = []

    def shared(engine: str, workers: int = 2) -> Any:
        # The command's own backend, on the test process's shared session (closing it keeps it).
        opened.append(engine)
        return SparkBackend(session=spark_session, partitions=2)

    monkeypatch.setattr(engines, "open_backend", shared)
    out = tmp_path / "spark"
    result = runner.invoke(
        app, ["settle", "--parquet", str(region), "--engine", "spark", "-o", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert opened == ["spark"] and json.loads(result.output)["engine"] == "spark"
    assert rows(out / "settle") == rows(settled / "settle")
