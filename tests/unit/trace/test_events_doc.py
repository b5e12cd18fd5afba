"""docs/trace-events.md is generated from the event template and must be current."""

from pathlib import Path

from sanyi.trace.docs import document

DOC = Path(__file__).resolve().parents[3] / "docs" / "trace-events.md"


def test_trace_events_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == document(), "run scripts/generate-trace-events-doc"
