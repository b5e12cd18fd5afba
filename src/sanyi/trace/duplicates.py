"""A code dispensed more than once (none of the later dispensings cancelled) as supervision findings.

Pure: given the standing dispensings of each such code, every dispensing after the first becomes one
finding of the rule in knowledge/trace/trace.yaml, with both dispensings (institution, day, encounter,
fee line) as evidence. The finding is keyed by the code and the repeat's sequence number, so handing
the same duplicates over again adds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sanyi.kernel.clock import local_date
from sanyi.knowledge.trace import DuplicateRule
from sanyi.supervision.api import Finding


@dataclass(frozen=True, slots=True)
class DispensingRecord:
    code: str
    seq: int
    institution: str
    at: Any  # datetime
    person_id: str | None
    encounter_id: str | None
    line_no: int | None
    amount: int  # fen of one package on the fee line when known, else 0


@dataclass(frozen=True, slots=True)
class Duplicate:
    first: DispensingRecord
    repeat: DispensingRecord
    drug: str  # generic name · batch


def pair_up(dispensings: Sequence[DispensingRecord], drugs: Mapping[str, str]) -> list[Duplicate]:
    """Each repeat with the first standing dispensing of its code (input ordered by code, seq)."""
    found: list[Duplicate] = []
    first: DispensingRecord | None = None
    for record in dispensings:
        if first is None or first.code != record.code:
            first = record
            continue
        found.append(Duplicate(first, record, drugs.get(record.code, "")))
    return found


def _day(record: DispensingRecord) -> date:
    return local_date(record.at)


def findings(
    duplicates: Sequence[Duplicate], rule: DuplicateRule, names: Mapping[str, str]
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """The findings and, for each, what supervision keeps beside it (person, institution, day, amount)."""
    found: list[Finding] = []
    meta: list[dict[str, Any]] = []
    for dup in duplicates:
        first, repeat = dup.first, dup.repeat
        params = {
            "code": repeat.code,
            "drug": dup.drug,
            "first_day": _day(first).isoformat(),
            "first_institution": names.get(first.institution, first.institution),
            "day": _day(repeat).isoformat(),
            "institution": names.get(repeat.institution, repeat.institution),
        }
        evidence = {
            "code": repeat.code,
            "drug": dup.drug,
            "first_institution": first.institution,
            "first_at": first.at.isoformat(),
            "first_encounter": first.encounter_id or "",
            "first_line": "" if first.line_no is None else str(first.line_no),
            "first_person": first.person_id or "",
            "institution": repeat.institution,
            "at": repeat.at.isoformat(),
            "encounter": repeat.encounter_id or "",
            "line": "" if repeat.line_no is None else str(repeat.line_no),
            "person": repeat.person_id or "",
        }
        found.append(
            Finding(
                claim_id=f"{repeat.code}#{repeat.seq}",
                line_no=None,
                rule_id=rule.id,
                result=rule.result,
                evidence=evidence,
                message_zh=rule.message_zh.format(**params),
                message_en=rule.message_en.format(**params),
            )
        )
        meta.append(
            {
                "person_id": repeat.person_id or "",
                "institution_id": repeat.institution,
                "doctor_id": None,
                "claim_day": _day(repeat),
                "amount": repeat.amount,
            }
        )
    return found, meta
