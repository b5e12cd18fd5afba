"""What other parts of Sanyi may use of the synthetic region."""

from sanyi.synth.errors import SYNTH_DATABASE_NOT_EMPTY, SYNTH_INVALID_REQUEST, SYNTH_NO_RUN
from sanyi.synth.finance import FinanceSummary, generate_finance
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
from sanyi.synth.pricing import PricingSummary, generate_pricing
from sanyi.synth.procurement import PLANTED_RULES, ProcurementSummary, generate_procurement
from sanyi.synth.report import TOLERANCE, Figure, figures
from sanyi.synth.reporting import report_from_database, report_from_parquet
from sanyi.synth.services import GenerationSummary, Progress, generate
from sanyi.synth.tables import synth_irregularities, synth_runs
from sanyi.synth.tiered_care import TieredSummary, TieredTargets, generate_tiered
from sanyi.synth.trace import TraceSynthesis, TraceTargets, generate_trace

__all__ = [
    "JOBS",
    "PLANTED_RULES",
    "SYNTH_DATABASE_NOT_EMPTY",
    "SYNTH_INVALID_REQUEST",
    "SYNTH_NO_RUN",
    "TOLERANCE",
    "DatabaseSink",
    "Figure",
    "FinanceSummary",
    "GenerationSummary",
    "JobRun",
    "ParquetSink",
    "PricingSummary",
    "ProcurementSummary",
    "Progress",
    "RegionRequest",
    "Sink",
    "SyntheticRegion",
    "TieredSummary",
    "TieredTargets",
    "TraceSynthesis",
    "TraceTargets",
    "clear_region",
    "database_is_empty",
    "figures",
    "generate",
    "generate_finance",
    "generate_pricing",
    "generate_procurement",
    "generate_tiered",
    "generate_trace",
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
