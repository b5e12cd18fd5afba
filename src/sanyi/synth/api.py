"""What other parts of Sanyi may use of the synthetic region."""

from sanyi.synth.errors import SYNTH_DATABASE_NOT_EMPTY, SYNTH_INVALID_REQUEST, SYNTH_NO_RUN
from sanyi.synth.generator import RegionRequest, SyntheticRegion
from sanyi.synth.jobs import JOBS, JobRun, run_job, settle_tables, stays_tables
from sanyi.synth.output import (
    DatabaseSink,
    ParquetSink,
    Sink,
    clear_region,
    database_is_empty,
    latest_run,
    parquet_run,
    replay_parquet,
)
from sanyi.synth.report import TOLERANCE, Figure, figures
from sanyi.synth.reporting import report_from_database, report_from_parquet
from sanyi.synth.services import GenerationSummary, Progress, generate
from sanyi.synth.tables import synth_irregularities, synth_runs
from sanyi.synth.tiered_care import TieredSummary, TieredTargets, generate_tiered

__all__ = [
    "JOBS",
    "SYNTH_DATABASE_NOT_EMPTY",
    "SYNTH_INVALID_REQUEST",
    "SYNTH_NO_RUN",
    "TOLERANCE",
    "DatabaseSink",
    "Figure",
    "GenerationSummary",
    "JobRun",
    "ParquetSink",
    "Progress",
    "RegionRequest",
    "Sink",
    "SyntheticRegion",
    "TieredSummary",
    "TieredTargets",
    "clear_region",
    "database_is_empty",
    "figures",
    "generate",
    "generate_tiered",
    "latest_run",
    "parquet_run",
    "replay_parquet",
    "report_from_database",
    "report_from_parquet",
    "run_job",
    "settle_tables",
    "stays_tables",
    "synth_irregularities",
    "synth_runs",
]
