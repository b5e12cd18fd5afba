"""What other parts of Sanyi may use of drug traceability."""

from sanyi.trace.codes import check_code
from sanyi.trace.duplicates import Duplicate
from sanyi.trace.errors import (
    TRACE_BAD_CODE,
    TRACE_CODE_NOT_FOUND,
    TRACE_FORBIDDEN,
    TRACE_QUERY_THROTTLED,
)
from sanyi.trace.ingest import IngestResult
from sanyi.trace.model import EVENT_LABELS, EventKind
from sanyi.trace.services import TraceService
from sanyi.trace.tables import trace_codes, trace_events, trace_parties, trace_public_queries
from sanyi.trace.templates import EVENTS

# What ``sanyi synth --replace`` clears with the region (codes and events refer to its encounters).
TRACE_TABLES = (trace_events, trace_codes, trace_parties, trace_public_queries)

__all__ = [
    "EVENTS",
    "EVENT_LABELS",
    "TRACE_BAD_CODE",
    "TRACE_CODE_NOT_FOUND",
    "TRACE_FORBIDDEN",
    "TRACE_QUERY_THROTTLED",
    "TRACE_TABLES",
    "Duplicate",
    "EventKind",
    "IngestResult",
    "TraceService",
    "check_code",
    "trace_codes",
    "trace_events",
    "trace_parties",
    "trace_public_queries",
]
