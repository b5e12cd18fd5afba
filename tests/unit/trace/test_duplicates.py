"""Repeat dispensings become findings with both dispensings as evidence, keyed by code and sequence."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sanyi.knowledge.trace import trace_config
from sanyi.trace.duplicates import DispensingRecord, findings, pair_up

AT = datetime(2023, 3, 1, 2, 0, tzinfo=UTC)


def record(code: str, seq: int, institution: str, day: int, person: str | None = "P1") -> DispensingRecord:
    return DispensingRecord(code, seq, institution, AT.replace(day=day), person, f"E{seq}", 2, 1250)


def test_each_repeat_is_paired_with_the_first_dispensing_of_its_code() -> None:
    rows = [
        record("A", 5, "H1", 1),
        record("A", 6, "H2", 3),
        record("A", 8, "H3", 4),
        record("B", 5, "H1", 2),
    ]
    pairs = pair_up(rows, {"A": "阿莫西林胶囊 · B1"})
    assert [(p.first.seq, p.repeat.seq, p.repeat.institution) for p in pairs] == [(5, 6, "H2"), (5, 8, "H3")]


def test_findings_carry_evidence_messages_and_what_supervision_keeps() -> None:
    pairs = pair_up(
        [record("A", 5, "H1", 1), record("A", 6, "H2", 3, person=None)], {"A": "阿莫西林胶囊 · B1"}
    )
    found, meta = findings(pairs, trace_config().duplicate_rule, {"H1": "第一医院", "H2": "第二医院"})
    (finding,) = found
    assert (finding.claim_id, finding.rule_id, finding.result) == (
        "A#6",
        "TRACE_DUPLICATE_DISPENSE",
        "violation",
    )
    assert finding.evidence["first_institution"] == "H1" and finding.evidence["encounter"] == "E6"
    assert (
        "第一医院" in finding.message_zh
        and "第二医院" in finding.message_zh
        and "2023-03-03" in finding.message_zh
    )
    assert meta == [
        {
            "person_id": "",
            "institution_id": "H2",
            "doctor_id": None,
            "claim_day": date(2023, 3, 3),
            "amount": 1250,
        }
    ]
