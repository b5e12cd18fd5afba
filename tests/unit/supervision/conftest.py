"""Claims for the supervision tests: built from a few fields, the rest plausible defaults."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sanyi.kernel.clock import local_date
from sanyi.supervision.api import ClaimFacts, Finding, LineFacts, check_claim, connect_claims, run_rules
from sanyi.supervision.rules import select_rules

BASE = datetime(2023, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def line(
    no: int,
    code: str,
    *,
    at: datetime = BASE,
    quantity: str = "1",
    price: str = "10.00",
    ceiling: str | None = None,
    days: int | None = None,
) -> LineFacts:
    return LineFacts(
        no=no,
        code=code,
        quantity=Decimal(quantity),
        unit_price=Decimal(price),
        price_ceiling=None if ceiling is None else Decimal(ceiling),
        time=int(at.timestamp()),
        day=local_date(at),
        days_supply=days,
        doctor_id="D1",
    )


def claim(
    claim_id: str,
    lines: Sequence[LineFacts] = (),
    *,
    person: str = "P1",
    sex: str | None = "1",
    birth: date | None = date(1980, 6, 1),
    insurance: str = "basic",
    kind: str = "outpatient",
    level: int = 3,
    institution: str = "H1",
    start: datetime = BASE,
    stay_days: int = 0,
    diagnoses: tuple[str, ...] = ("J20.900",),
) -> ClaimFacts:
    return ClaimFacts(
        claim_id=claim_id,
        person_id=person,
        sex=sex,
        birth_date=birth,
        insurance_type=insurance,
        type=kind,
        level=level,
        institution_id=institution,
        emergency=kind == "emergency",
        start=int(start.timestamp()),
        start_day=local_date(start),
        end_day=local_date(start + timedelta(days=stay_days)),
        diagnoses=diagnoses,
        doctor_id="D1",
        lines=tuple(lines),
    )


def both_faces(claims: Sequence[ClaimFacts], rule_ids: Sequence[str]) -> list[Finding]:
    """Findings of the per-claim face, after checking the set-based face gives the very same."""
    rules = select_rules(rule_ids)
    of_person: dict[str, list[ClaimFacts]] = defaultdict(list)
    for c in claims:
        of_person[c.person_id].append(c)
    per_claim = [
        f
        for c in claims
        for f in check_claim(c, rules, [o for o in of_person[c.person_id] if o.claim_id != c.claim_id])
    ]
    per_claim.sort(key=lambda f: (f.claim_id, -1 if f.line_no is None else f.line_no, f.rule_id))
    set_based = run_rules(connect_claims(claims), rules)
    assert per_claim == set_based
    return per_claim


__all__ = ["BASE", "both_faces", "claim", "line", "replace"]
