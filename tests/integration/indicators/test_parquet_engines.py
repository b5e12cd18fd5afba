"""Indicators from a region's Parquet: the same values on DuckDB (local), on Spark local mode, and
from the database after loading the same region (what ``sanyi synth load`` does).

One small partitioned region (three part files) is generated once. Every value, numerator and
denominator is compared exactly (Decimal) for a year, a quarter and a month: by area, county and
institution against the database, by institution against Spark.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sanyi.analytics.api import LocalBackend
from sanyi.analytics.spark import SparkBackend
from sanyi.bootstrap import Container, build_container
from sanyi.cli.main import app
from sanyi.indicators.api import (
    INDICATOR_INVALID_REQUEST,
    GroupBy,
    IndicatorValue,
    Span,
    ValuesQuery,
    catalogue,
    region_indicators,
    region_values,
)
from sanyi.infrastructure import migrate
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer
from sanyi.synth.api import DatabaseSink, ParquetSink, RegionRequest, generate, replay_parquet
from tests.conftest import make_settings

RESIDENTS = 1500
CHUNK = 500
REGION = Viewer("office", "reform_office", None, regional=True)
SPANS = (Span.parse("2023"), Span.parse("2023Q2"), Span.parse("2023-11"))
BYS: tuple[GroupBy, ...] = ("area", "county", "institution")
runner = CliRunner()

Row = tuple[str, str, str, Decimal, Decimal | None, Decimal | None]


def rows(values: list[IndicatorValue]) -> list[Row]:
    return [(v.indicator, v.key, v.span, v.numerator, v.denominator, v.value) for v in values]


def computed(backend: Any, region: Path) -> dict[str, list[Row]]:
    # The indicators of care, residents and the registry (the finance and batch-output ones are
    # compared in test_parquet_batch_outputs.py).
    codes = region_indicators(catalogue())
    return {
        by: rows(region_values(backend, region, REGION, ValuesQuery(codes, SPANS, None, by))) for by in BYS
    }


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("region")
    generate(RegionRequest("wenzhou", RESIDENTS, 2023, 11, chunk_size=CHUNK), [ParquetSink(directory)])
    return directory


@pytest.fixture(scope="module")
def local(region: Path) -> dict[str, list[Row]]:
    return computed(LocalBackend(2), region)


@pytest.fixture(scope="module")
def loaded(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    folder = tmp_path_factory.mktemp("db")
    container = build_container(make_settings(f"sqlite:///{folder / 'region.db'}", folder))
    migrate.upgrade(container.engine)
    replay_parquet(region, [DatabaseSink(container.engine)])
    yield container
    container.dispose()


def test_the_parquet_path_serves_the_indicators_of_care_residents_and_registry() -> None:
    codes = region_indicators(catalogue())
    assert {"FJ01", "FJ02", "FJ03", "YY12", "YY13", "ZY01", "ZY02", "ZY04", "ZL01", "ZL02"} <= set(codes)
    # Referrals, contracts, finance, settlements and DRG groupings are not what every region gives
    # (finance, settlements and DRG sums come with their tables: test_parquet_batch_outputs.py).
    assert not {"FJ06", "YY01", "YB01", "YB03", "DRG01"} & set(codes)


def test_local_values_are_those_of_the_database_after_loading_the_region(
    local: dict[str, list[Row]], loaded: Container
) -> None:
    codes = region_indicators(catalogue())
    for by in BYS:
        stored = loaded.indicators.values(REGION, ValuesQuery(codes, SPANS, None, by))
        assert local[by] == rows(stored), by
    area = {(r[0], r[2]): r for r in local["area"]}
    # Not a comparison of zeros: the year's care and population are there.
    for code in ("FJ01", "FJ02", "FJ03", "YY12", "YY13", "ZY02", "ZL01"):
        numerator, denominator = area[(code, "2023")][3:5]
        assert numerator > 0 and denominator is not None and denominator > 0, code
    surgical = area[("ZL02", "2023")][4]
    assert surgical is not None and surgical > 0  # discharges (complications may be none in 1,500 people)
    assert len(local["county"]) > len(local["area"]) and len(local["institution"]) > len(local["county"])


@pytest.mark.spark
def test_spark_gives_every_value_numerator_and_denominator_exactly(
    local: dict[str, list[Row]], region: Path, spark_session: Any
) -> None:
    # By institution, the finest key: the facts are the same whatever the grouping, and the keys
    # and sums after them are the engine's, the same code on both.
    backend = SparkBackend(session=spark_session, partitions=2)
    query = ValuesQuery(region_indicators(catalogue()), SPANS, None, "institution")
    assert rows(region_values(backend, region, REGION, query)) == local["institution"]


def test_an_indicator_the_region_cannot_give_is_refused(region: Path) -> None:
    with pytest.raises(DomainError) as caught:
        region_values(LocalBackend(1), region, REGION, ValuesQuery(("FJ06",), SPANS, None))
    assert caught.value.spec is INDICATOR_INVALID_REQUEST
    assert caught.value.path == "indicators"


def test_cli_computes_from_parquet(region: Path, local: dict[str, list[Row]]) -> None:
    result = runner.invoke(
        app,
        [
            "indicators",
            "compute",
            "--parquet",
            str(region),
            "--period",
            "2023",
            "--by",
            "county",
            "-i",
            "FJ01,FJ03",
            "--format",
            "json",
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    printed = {(r["indicator"], r["key"]): r for r in json.loads(result.output)}
    expected = [r for r in local["county"] if r[0] in ("FJ01", "FJ03") and r[2] == "2023"]
    assert len(printed) == len(expected)
    for code, key, _, numerator, _, value in expected:
        assert Decimal(printed[(code, key)]["numerator"]) == numerator
        assert printed[(code, key)]["value"] == (None if value is None else str(value))
    refused = runner.invoke(
        app, ["indicators", "compute", "--parquet", str(region), "--period", "2023", "--engine", "hive"]
    )
    assert refused.exit_code == 2 and "ANALYTICS_UNKNOWN_ENGINE" in refused.output
