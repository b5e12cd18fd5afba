"""The batch jobs give the same results on every engine, and the same as the paths they replace.

One small partitioned region (three part files) is generated once; each job runs on the local
engine (a pool of two over the part files) and on Spark local mode (rows shuffled into key buckets
by hash, so persons meet other persons than locally). Outputs are compared row for row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanyi.analytics.api import ANALYTICS_INVALID_QUERY, LocalBackend, read_output
from sanyi.analytics.spark import SparkBackend
from sanyi.care.api import claim_record
from sanyi.drg.api import group_file
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import load_package, package_names
from sanyi.settlement.api import outcome_table, settle_records
from sanyi.supervision.api import findings_table, select_rules, supervise_parquet
from sanyi.synth.api import JOBS, ParquetSink, RegionRequest, generate, run_job, settle_tables
from sanyi.synth.jobs import person_encounters

RESIDENTS = 450
CHUNK = 150
SCHEME = "zhejiang_2022"


def rows(path: Path) -> list[tuple[Any, ...]]:
    return sorted(tuple(row.values()) for row in read_output(path).to_pylist())


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("region")
    generate(RegionRequest("wenzhou", RESIDENTS, 2023, 11, chunk_size=CHUNK), [ParquetSink(directory)])
    assert len(list((directory / "encounters").glob("*.parquet"))) == RESIDENTS // CHUNK
    return directory


@pytest.fixture(scope="module")
def local(region: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local")
    backend = LocalBackend(2)
    for job in JOBS:
        run_job(job, region, out, backend, scheme=SCHEME)
    return out


@pytest.fixture(scope="module")
def spark(region: Path, spark_session: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("spark")
    backend = SparkBackend(session=spark_session, partitions=3)
    for job in JOBS:
        run_job(job, region, out, backend, scheme=SCHEME)
    yield out


@pytest.mark.spark
def test_spark_makes_the_same_stays_and_groups(local: Path, spark: Path) -> None:
    assert rows(spark / "stays") == rows(local / "stays")
    groups = rows(spark / "drg")
    assert groups == rows(local / "drg")
    statuses = Counter(read_output(spark / "drg")["status"].to_pylist())
    assert statuses["SUCCESS"] > 20, statuses


@pytest.mark.spark
def test_spark_settles_every_claim_the_same_to_the_cent(local: Path, spark: Path) -> None:
    settled = rows(spark / "settle")
    assert settled == rows(local / "settle")
    table = read_output(spark / "settle").to_pylist()
    assert sum(1 for r in table if r["status"] == "settled") > 1_000
    assert len(table) == len(settled)
    fund = sum((Decimal(r["fund_pay_sumamt"]) for r in table if r["fund_pay_sumamt"]), Decimal(0))
    assert fund > 0 and fund == fund.quantize(Decimal("0.01"))


@pytest.mark.spark
def test_spark_finds_the_same_findings(local: Path, spark: Path) -> None:
    found = rows(spark / "supervise")
    assert found == rows(local / "supervise")
    assert len({row[2] for row in found}) >= 3  # several rules hit


QUERY = """
SELECT e.type, count(*) AS visits, count(DISTINCT e.person_id) AS persons,
       count(*) FILTER (WHERE e.emergency) AS urgent, sum(f.amount)::BIGINT AS fen,
       date_trunc('month', min(e.start_at))::DATE AS first_month
FROM encounters e JOIN fee_lines f ON f.encounter_id = e.id
GROUP BY e.type ORDER BY e.type
"""


@pytest.mark.spark
def test_spark_answers_duckdb_dialect_sql_the_same(region: Path, spark_session: Any) -> None:
    tables = {"encounters": region / "encounters", "fee_lines": region / "fee_lines"}
    expected = LocalBackend().sql(QUERY, tables).to_pylist()
    answer = SparkBackend(session=spark_session).sql(QUERY, tables).to_pylist()
    assert answer == expected
    assert len(expected) >= 3 and all(r["fen"] > 0 for r in expected)
    with pytest.raises(DomainError) as bad:
        SparkBackend(session=spark_session).sql("SELECT nothing FROM encounters", tables)
    assert bad.value.code == ANALYTICS_INVALID_QUERY.code


# The local engine against the paths it stands beside: no engine logic was copied or changed.


def test_local_supervision_equals_the_whole_region_duckdb_run(region: Path, local: Path) -> None:
    whole = findings_table(supervise_parquet(region, select_rules()).findings)
    assert rows(local / "supervise") == sorted(tuple(r.values()) for r in whole.to_pylist())


def test_local_grouping_equals_the_file_run(local: Path, tmp_path: Path) -> None:
    stays = tmp_path / "stays.parquet"
    pq.write_table(read_output(local / "stays"), stays)
    group_file(stays, tmp_path / "grouped.parquet", SCHEME)
    assert rows(local / "drg") == sorted(
        tuple(r.values()) for r in pq.read_table(tmp_path / "grouped.parquet").to_pylist()
    )


def test_per_person_settlement_equals_one_run_in_time_order(region: Path, local: Path) -> None:
    """Persons apart (each in time order) settle as all claims together in time order: accumulators
    are per person, so no claim's split depends on how persons are partitioned."""
    tables = {
        name: pa.concat_tables(pq.read_table(p) for p in sorted((region / name).glob("*.parquet")))
        for name in ("encounters", "residents", "institutions", "fee_lines")
    }
    together = sorted(person_encounters(tables), key=lambda item: (item[0].start, item[0].id))
    packages = [load_package(name) for name in package_names()]
    whole = outcome_table(settle_records((claim_record(*item) for item in together), packages))
    assert rows(local / "settle") == sorted(tuple(r.values()) for r in whole.to_pylist())


def test_settling_a_part_in_slices_of_persons_changes_no_row(region: Path) -> None:
    """The settle call builds Python records one slice of persons at a time (memory); the rows, and
    their order, are those of the whole part at once."""
    part = "part-00001.parquet"
    tables = {
        name: pq.read_table(region / name / part) for name in ("encounters", "residents", "fee_lines")
    } | {"institutions": pq.read_table(region / "institutions")}
    whole = settle_tables(tables, slice_persons=10**9)
    sliced = settle_tables(tables, slice_persons=7)
    assert sliced.to_pylist() == whole.to_pylist()
    assert whole.num_rows == tables["encounters"].num_rows > 100
    assert sum(1 for s in whole["status"].to_pylist() if s == "settled") > 50


@pytest.mark.spark
def test_a_shuffle_partition_per_bucket_changes_no_row_and_leaves_the_session_as_it_was(
    region: Path, local: Path, spark_session: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many small buckets (as a large region has) give the same settlements; the session's own
    shuffle partitions are restored for the queries that follow."""
    monkeypatch.setattr("sanyi.analytics.spark.BUCKET_BYTES", 64 * 1024)
    before = spark_session.conf.get("spark.sql.shuffle.partitions")
    run_job("settle", region, tmp_path, SparkBackend(session=spark_session, partitions=3), scheme=SCHEME)
    assert rows(tmp_path / "settle") == rows(local / "settle")
    assert spark_session.conf.get("spark.sql.shuffle.partitions") == before
