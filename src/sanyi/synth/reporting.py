"""The calibration report read from where a region was written: the database or a Parquet directory."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from sqlalchemy import Engine, text

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.synth import load_profile
from sanyi.synth.errors import SYNTH_NO_RUN
from sanyi.synth.output import RUN_FILE, latest_run
from sanyi.synth.report import Figure, figures

_REPORT_TABLES = ("residents", "encounters", "fee_lines", "institutions")


def report_from_database(engine: Engine) -> tuple[dict[str, object], list[Figure]]:
    run = latest_run(engine)
    if run is None:
        raise DomainError(SYNTH_NO_RUN, where=engine.url.render_as_string(hide_password=True))
    with engine.connect() as connection:
        result = figures(
            lambda sql: connection.execute(text(sql)).fetchall(), load_profile(str(run["profile"]))
        )
    return run, result


def report_from_parquet(directory: Path) -> tuple[dict[str, object], list[Figure]]:
    run_file = directory / RUN_FILE
    if not run_file.exists():
        raise DomainError(SYNTH_NO_RUN, where=str(directory))
    run = json.loads(run_file.read_text(encoding="utf-8"))
    connection = duckdb.connect()
    try:
        for name in _REPORT_TABLES:
            pattern = str(directory / name / "*.parquet").replace("'", "''")
            # name is one of our table names; the path is quoted above.
            connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{pattern}')")  # noqa: S608
        result = figures(lambda sql: connection.execute(sql).fetchall(), load_profile(str(run["profile"])))
    finally:
        connection.close()
    return run, result
