"""A synthetic region written to SQLite and PostgreSQL with the bulk paths, read back and reported."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from sanyi.bootstrap import Container
from sanyi.care.api import (
    EncounterFilter,
    EncounterType,
    claim_record,
    drg_record,
    get_encounter,
    search_encounters,
)
from sanyi.cli.main import app
from sanyi.drg.api import group_rows
from sanyi.knowledge.synth import load_profile
from sanyi.registry.api import counts, get_institution, get_resident, residents
from sanyi.synth.api import (
    DatabaseSink,
    ParquetSink,
    RegionRequest,
    clear_region,
    database_is_empty,
    generate,
    report_from_database,
    report_from_parquet,
    synth_irregularities,
)

runner = CliRunner()


def test_bulk_load_round_trips_records_exactly(container: Container, tmp_path: Path) -> None:
    request = RegionRequest("wenzhou", 400, 2023, 2)
    summary = generate(request, [DatabaseSink(container.engine), ParquetSink(tmp_path)])
    with container.uow() as uow:
        assert counts(uow.connection)["residents"] == 400
        stays = search_encounters(uow.connection, EncounterFilter(type=EncounterType.INPATIENT), limit=5)
        assert stays.total > 0
        stay = get_encounter(uow.connection, stays.items[0].id)
        assert stay is not None and stay.lines
        assert stay.total == stays.items[0].total
        person = get_resident(uow.connection, stay.person_id)
        institution = get_institution(uow.connection, stay.institution_code)
        assert person is not None and institution is not None
        claim = claim_record(stay, person, institution)
        assert claim["encounter"]["type"] == "inpatient" and claim["lines"][0]["no"] == 1
        planted = uow.connection.execute(select(func.count()).select_from(synth_irregularities)).scalar_one()
        assert planted == summary.irregularities
        lines = uow.connection.execute(text("SELECT COUNT(*), SUM(amount) FROM fee_lines")).one()
    assert lines[0] == summary.fee_lines
    # The database and the Parquet copy agree figure for figure.
    _, from_db = report_from_database(container.engine)
    _, from_parquet = report_from_parquet(tmp_path)
    assert [round(f.generated, 6) for f in from_db] == [round(f.generated, 6) for f in from_parquet]


def test_region_can_be_cleared_and_replaced(container: Container) -> None:
    generate(RegionRequest("harbin", 200, 2023, 1), [DatabaseSink(container.engine)])
    assert not database_is_empty(container.engine)
    clear_region(container.engine)
    assert database_is_empty(container.engine)
    with container.uow() as uow:
        assert uow.connection.execute(select(func.count()).select_from(residents)).scalar_one() == 0


def test_cli_generates_reports_and_refuses_a_full_database(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANYI_ENV", "test")
    url = container.settings.database_url
    made = runner.invoke(
        app, ["synth", "--profile", "shaoxing", "--residents", "300", "--seed", "4", "--db", url]
    )
    assert made.exit_code == 0, made.output
    report = runner.invoke(app, ["synth", "report", "--json", "--db", url])
    body = json.loads(report.stdout)
    assert body["profile"] == "shaoxing" and body["residents"] == 300
    assert {"name", "generated", "target", "within_tolerance"} <= set(body["figures"][0])
    again = runner.invoke(app, ["synth", "--residents", "300", "--db", url])
    assert again.exit_code == 4 and "SYNTH_DATABASE_NOT_EMPTY" in again.output
    replaced = runner.invoke(app, ["synth", "--residents", "250", "--replace", "--db", url])
    assert replaced.exit_code == 0, replaced.output
    with container.uow() as uow:
        assert counts(uow.connection)["residents"] == 250
    parquet_only = runner.invoke(app, ["synth", "--residents", "200", "--parquet", str(tmp_path / "pq")])
    assert parquet_only.exit_code == 0 and (tmp_path / "pq" / "encounters").is_dir()
    no_run = runner.invoke(app, ["synth", "report", "--parquet", str(tmp_path / "none")])
    assert no_run.exit_code == 3 and "SYNTH_NO_RUN" in no_run.output


def test_a_parquet_region_loads_into_the_database_figure_for_figure(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANYI_ENV", "test")
    url = container.settings.database_url
    written = runner.invoke(
        app, ["synth", "--profile", "harbin", "--residents", "300", "--seed", "3", "--parquet", str(tmp_path)]
    )
    assert written.exit_code == 0, written.output
    loaded = runner.invoke(app, ["synth", "load", str(tmp_path), "--db", url])
    assert loaded.exit_code == 0, loaded.output
    assert "residents 300" in loaded.output
    _, from_db = report_from_database(container.engine)
    _, from_parquet = report_from_parquet(tmp_path)
    assert [round(f.generated, 6) for f in from_db] == [round(f.generated, 6) for f in from_parquet]
    refused = runner.invoke(app, ["synth", "load", str(tmp_path), "--db", url])
    assert refused.exit_code == 4 and "SYNTH_DATABASE_NOT_EMPTY" in refused.output
    missing = runner.invoke(app, ["synth", "load", str(tmp_path / "none"), "--db", url, "--replace"])
    assert missing.exit_code == 3 and "SYNTH_NO_RUN" in missing.output
    with container.uow() as uow:
        assert counts(uow.connection)["residents"] == 300  # the failed replace changed nothing


def test_synthetic_stays_group_mostly_successfully_in_the_profiles_scheme(container: Container) -> None:
    generate(RegionRequest("shaoxing", 1500, 2023, 5), [DatabaseSink(container.engine)])
    with container.uow() as uow:
        stays = search_encounters(uow.connection, EncounterFilter(type=EncounterType.INPATIENT), limit=10_000)
        records = []
        for row in stays.items:
            stay = get_encounter(uow.connection, row.id)
            assert stay is not None
            person = get_resident(uow.connection, stay.person_id)
            assert person is not None
            records.append(drg_record(stay, person))
    results = list(group_rows(records, load_profile("shaoxing").drg_scheme))
    grouped = sum(result.status == "SUCCESS" for result in results)
    # Coherent clinical content: most stays group, and a realistic few do not.
    assert len(results) > 200
    assert 0.9 <= grouped / len(results) < 1.0
