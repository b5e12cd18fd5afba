"""Finance, reported, settlement (and DRG) indicators from a Parquet region and its batch outputs:
the same values on DuckDB (local), on Spark local mode, and from the database after loading the same
region, generating its finance returns and settling its encounters through the settlement service.

One small region of three part files is generated once; ``ParquetSink`` writes its finance returns
and reported values; the settle job of ``sanyi batch run`` writes the settlements the Parquet path
reads. Every value, numerator and denominator is compared exactly (Decimal).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sanyi.analytics.api import LocalBackend
from sanyi.analytics.spark import SparkBackend
from sanyi.bootstrap import Container, build_container
from sanyi.cli.main import app
from sanyi.indicators.api import (
    FINANCE_AMOUNTS,
    INDICATOR_INVALID_REQUEST,
    GroupBy,
    IndicatorValue,
    Span,
    ValuesQuery,
    catalogue,
    institution_finance,
    region_values,
)
from sanyi.indicators.parquet import ALWAYS, region_indicators, region_sources, region_tables
from sanyi.infrastructure import migrate
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer
from sanyi.synth.api import (
    DatabaseSink,
    ParquetSink,
    RegionRequest,
    generate,
    generate_finance,
    replay_parquet,
    run_job,
)
from tests.conftest import make_settings

RESIDENTS = 600
CHUNK = 200
SEED = 11
REGION = Viewer("office", "reform_office", None, regional=True)
SPANS = (Span.parse("2023"), Span.parse("2023Q2"), Span.parse("2023-11"))
BYS: tuple[GroupBy, ...] = ("area", "county", "institution")
runner = CliRunner()

Row = tuple[str, str, str, Decimal, Decimal | None, Decimal | None]


def rows(values: list[IndicatorValue]) -> list[Row]:
    return [(v.indicator, v.key, v.span, v.numerator, v.denominator, v.value) for v in values]


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("region")
    generate(RegionRequest("wenzhou", RESIDENTS, 2023, SEED, chunk_size=CHUNK), [ParquetSink(directory)])
    return directory


@pytest.fixture(scope="module")
def batch(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch")
    backend = LocalBackend(2)
    for job in ("settle", "drg"):
        run_job(job, region, out, backend)
    return out


@pytest.fixture(scope="module")
def codes(region: Path, batch: Path) -> tuple[str, ...]:
    """The indicators the finance returns, reported values, settlements and DRG sums add."""
    everything = region_indicators(catalogue(), region_sources(region_tables(region, batch)))
    return tuple(code for code in everything if code not in region_indicators(catalogue(), ALWAYS))


@pytest.fixture(scope="module")
def local(region: Path, batch: Path, codes: tuple[str, ...]) -> dict[str, list[Row]]:
    backend = LocalBackend(2)
    return {
        by: rows(region_values(backend, region, REGION, ValuesQuery(codes, SPANS, None, by), batch))
        for by in BYS
    }


@pytest.fixture(scope="module")
def loaded(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    folder = tmp_path_factory.mktemp("db")
    container = build_container(make_settings(f"sqlite:///{folder / 'region.db'}", folder))
    migrate.upgrade(container.engine)
    replay_parquet(region, [DatabaseSink(container.engine)])
    generate_finance(container.engine, 2023, SEED)
    settled = runner.invoke(app, ["settle-encounters", "--db", container.settings.database_url, "--json"])
    assert settled.exit_code == 0, settled.output
    yield container
    container.dispose()


def test_the_parquet_path_now_serves_finance_reported_settlement_and_drg_indicators(
    codes: tuple[str, ...],
) -> None:
    finance = {f"YY{n:02d}" for n in range(1, 12)}
    assert finance | {"YB01", "YB02"} <= set(codes)
    assert {"ZY03", "XX01", "ZF01"} <= set(codes)  # reported: paediatric beds, smart hospitals, prices
    assert {"DRG01", "DRG02", "DRG03", "DRG04"} <= set(codes)
    # Contracts, referrals and test results are not in a Parquet region.
    assert not {"FJ04", "FJ05", "FJ06"} & set(codes)


def test_the_sink_writes_the_finance_returns_the_database_generator_writes(
    region: Path, loaded: Container
) -> None:
    with loaded.engine.connect() as connection:
        stored = sorted(
            (r.institution_code, r.month, *(r._mapping[name].fen for name in FINANCE_AMOUNTS))
            for r in connection.execute(select(institution_finance))
        )
    written = pq.read_table(region / "institution_finance").to_pylist()
    assert stored == sorted(
        (r["institution_code"], r["month"], *(r[n] for n in FINANCE_AMOUNTS)) for r in written
    )
    assert len(stored) > 100


def test_local_values_are_those_of_the_database(
    local: dict[str, list[Row]], loaded: Container, codes: tuple[str, ...]
) -> None:
    for by in BYS:
        stored = loaded.indicators.values(REGION, ValuesQuery(codes, SPANS, None, by))
        assert local[by] == rows(stored), by
    area = {(r[0], r[2]): r for r in local["area"]}
    # Not a comparison of zeros: the year's finance and settlements are there.
    for code in ("YY01", "YY05", "YY08", "YB01", "YB02", "DRG01", "DRG02", "DRG03"):
        numerator, denominator = area[(code, "2023")][3:5]
        assert numerator > 0 and (denominator is None or denominator > 0), code


@pytest.mark.spark
def test_spark_gives_every_value_exactly(
    local: dict[str, list[Row]], region: Path, batch: Path, codes: tuple[str, ...], spark_session: Any
) -> None:
    backend = SparkBackend(session=spark_session, partitions=2)
    query = ValuesQuery(codes, SPANS, None, "institution")
    assert rows(region_values(backend, region, REGION, query, batch)) == local["institution"]


def test_settlement_indicators_need_the_settle_output(region: Path) -> None:
    with pytest.raises(DomainError) as caught:
        region_values(LocalBackend(1), region, REGION, ValuesQuery(("YB01",), SPANS, None))
    assert caught.value.spec is INDICATOR_INVALID_REQUEST


def test_cli_computes_settlement_indicators_with_the_batch_output(
    region: Path, batch: Path, local: dict[str, list[Row]]
) -> None:
    import json

    args = [
        "indicators",
        "compute",
        "--parquet",
        str(region),
        "--period",
        "2023",
        "-i",
        "YB01,YY01",
        "--format",
        "json",
    ]
    result = runner.invoke(app, [*args, "--batch", str(batch), "--workers", "1"])
    assert result.exit_code == 0, result.output
    printed = {r["indicator"]: r for r in json.loads(result.output)}
    expected = {r[0]: r for r in local["area"] if r[0] in ("YB01", "YY01") and r[2] == "2023"}
    assert set(printed) == set(expected)
    for code, row in expected.items():
        assert Decimal(printed[code]["numerator"]) == row[3]
    without = runner.invoke(app, args)
    assert without.exit_code == 2 and "INDICATOR_INVALID_REQUEST" in without.output
    no_region = runner.invoke(app, ["indicators", "compute", "--period", "2023", "--batch", str(batch)])
    assert no_region.exit_code == 2 and "--batch" in no_region.output
