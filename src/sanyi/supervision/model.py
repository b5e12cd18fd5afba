"""The supervision vocabulary: a rule, the facts of a claim the rules read, and a finding.

Plain frozen dataclasses. Dates are Shanghai calendar dates and times are epoch seconds, so the
per-claim check and the set-based query (which works in the same units) compare the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

RESULTS: Final = ("violation", "suspect")
STAGES: Final = frozenset({"事前", "事中", "事后"})
SCENES: Final = frozenset({"inpatient", "outpatient", "emergency", "pharmacy"})


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str
    title_zh: str
    title_en: str
    basis: str
    result: str
    window: str
    scenes: tuple[str, ...]
    stage: tuple[str, ...]
    levels: tuple[int, ...]
    knowledge: str | None
    parameters: dict[str, Any]
    message_zh: str
    message_en: str
    version: str
    region: str


@dataclass(frozen=True, slots=True)
class LineFacts:
    no: int
    code: str
    quantity: Decimal
    unit_price: Decimal
    price_ceiling: Decimal | None
    time: int  # epoch seconds
    day: date  # Shanghai date of ``time``
    days_supply: int | None
    doctor_id: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What the rules read of one claim (contracts/claim.md), in the units both faces use."""

    claim_id: str
    person_id: str
    sex: str | None  # "1" male, "2" female
    birth_date: date | None
    insurance_type: str
    type: str
    level: int  # 1 for 基层 (primary care), otherwise the tier
    institution_id: str
    emergency: bool
    start: int
    start_day: date
    end_day: date
    diagnoses: tuple[str, ...]
    doctor_id: str | None
    lines: tuple[LineFacts, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Finding:
    claim_id: str
    line_no: int | None
    rule_id: str
    result: str
    evidence: dict[str, str]
    message_zh: str
    message_en: str

    @property
    def key(self) -> tuple[str, int | None, str]:
        return (self.claim_id, self.line_no, self.rule_id)

    def record(self) -> dict[str, Any]:
        """The finding as one line of FINDINGS.jsonl (the issue's format)."""
        return {
            "claim_id": self.claim_id,
            "line_no": self.line_no,
            "rule_id": self.rule_id,
            "result": self.result,
            "evidence": self.evidence,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
