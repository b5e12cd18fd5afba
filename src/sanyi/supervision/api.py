"""What other parts of Sanyi may use of supervision."""

from sanyi.supervision.batch import (
    FINDINGS_SCHEMA,
    Run,
    findings_table,
    read_jsonl,
    region_tables,
    supervise_database,
    supervise_jsonl,
    supervise_parquet,
    supervise_region,
    supervise_tables,
)
from sanyi.supervision.check import check_claim, screen_record
from sanyi.supervision.claims import parse_claim
from sanyi.supervision.errors import (
    SUPERVISION_FORBIDDEN,
    SUPERVISION_INVALID_FIELD,
    SUPERVISION_INVALID_OUTCOME,
    SUPERVISION_NO_SOURCE,
)
from sanyi.supervision.frames import (
    connect_claims,
    connect_parquet,
    connect_tables,
    read_claims,
    restrict_period,
)
from sanyi.supervision.model import ClaimFacts, Finding, LineFacts, Rule
from sanyi.supervision.rules import load_rules, select_rules
from sanyi.supervision.services import Outcome, SupervisionService
from sanyi.supervision.sets import run_rules
from sanyi.supervision.sources import stored_tables
from sanyi.supervision.tables import (
    practitioner_points,
    supervision_case_events,
    supervision_cases,
    supervision_findings,
)
from sanyi.supervision.workflow import CLOSED, load_workflow

__all__ = [
    "CLOSED",
    "FINDINGS_SCHEMA",
    "SUPERVISION_FORBIDDEN",
    "SUPERVISION_INVALID_FIELD",
    "SUPERVISION_INVALID_OUTCOME",
    "SUPERVISION_NO_SOURCE",
    "ClaimFacts",
    "Finding",
    "LineFacts",
    "Outcome",
    "Rule",
    "Run",
    "SupervisionService",
    "check_claim",
    "connect_claims",
    "connect_parquet",
    "connect_tables",
    "findings_table",
    "load_rules",
    "load_workflow",
    "parse_claim",
    "practitioner_points",
    "read_claims",
    "read_jsonl",
    "region_tables",
    "restrict_period",
    "run_rules",
    "screen_record",
    "select_rules",
    "stored_tables",
    "supervise_database",
    "supervise_jsonl",
    "supervise_parquet",
    "supervise_region",
    "supervise_tables",
    "supervision_case_events",
    "supervision_cases",
    "supervision_findings",
]
