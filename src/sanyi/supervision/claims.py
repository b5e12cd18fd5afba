"""claim.md records → :class:`ClaimFacts`; a bad record is a DomainError naming the field path."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sanyi.kernel.clock import ensure_aware, local_date
from sanyi.kernel.errors import DomainError
from sanyi.supervision.errors import SUPERVISION_INVALID_FIELD, SUPERVISION_MISSING_FIELD
from sanyi.supervision.model import SCENES, ClaimFacts, LineFacts


def _get(record: Any, key: str, path: str, required: bool = True) -> Any:
    if not isinstance(record, dict):
        raise DomainError(SUPERVISION_INVALID_FIELD, field=path or "claim", value=str(record)[:40], path=path)
    value = record.get(key)
    if value is None and required:
        where = f"{path}.{key}".lstrip(".")
        raise DomainError(SUPERVISION_MISSING_FIELD, field=where, path=where)
    return value


def _bad(path: str, value: Any) -> DomainError:
    return DomainError(SUPERVISION_INVALID_FIELD, field=path, value=str(value), path=path)


def _time(record: Any, key: str, path: str) -> datetime:
    raw = _get(record, key, path)
    try:
        return ensure_aware(datetime.fromisoformat(str(raw)))
    except ValueError:
        raise _bad(f"{path}.{key}", raw) from None


def _decimal(record: Any, key: str, path: str, required: bool = True) -> Decimal | None:
    raw = _get(record, key, path, required)
    if raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise _bad(f"{path}.{key}", raw) from None
    if not value.is_finite():
        raise _bad(f"{path}.{key}", raw)
    return value


def level_of(tier: int, primary_care: bool) -> int:
    """基层 institutions and unrated or first-tier ones are level 1."""
    return 1 if primary_care or tier <= 1 else tier


def _line(raw: Any, path: str, start: datetime) -> LineFacts:
    # claim.md gives every line a time; a record without one is read as billed at the start.
    at = _time(raw, "time", path) if isinstance(raw, dict) and raw.get("time") is not None else start
    days = _get(raw, "days_supply", path, required=False)
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or days < 0):
        raise _bad(f"{path}.days_supply", days)
    no = _get(raw, "no", path)
    if not isinstance(no, int) or isinstance(no, bool):
        raise _bad(f"{path}.no", no)
    quantity = _decimal(raw, "quantity", path)
    price = _decimal(raw, "unit_price", path)
    assert quantity is not None and price is not None
    return LineFacts(
        no=no,
        code=str(_get(raw, "code", path)),
        quantity=quantity,
        unit_price=price,
        price_ceiling=_decimal(raw, "price_ceiling", path, required=False),
        time=int(at.timestamp()),
        day=local_date(at),
        days_supply=days,
        doctor_id=_get(raw, "doctor_id", path, required=False),
    )


def parse_claim(record: Any) -> ClaimFacts:
    claim_id = str(_get(record, "claim_id", ""))
    person = _get(record, "person", "")
    encounter = _get(record, "encounter", "")
    institution = _get(encounter, "institution", "encounter")
    kind = _get(encounter, "type", "encounter")
    if kind not in SCENES:
        raise _bad("encounter.type", kind)
    sex = _get(person, "sex", "person", required=False)
    if sex not in (None, "1", "2"):
        raise _bad("person.sex", sex)
    birth_raw = _get(person, "birth_date", "person", required=False)
    try:
        birth = None if birth_raw is None else date.fromisoformat(str(birth_raw))
    except ValueError:
        raise _bad("person.birth_date", birth_raw) from None
    tier = _get(institution, "tier", "encounter.institution")
    if not isinstance(tier, int) or isinstance(tier, bool) or tier not in (0, 1, 2, 3):
        raise _bad("encounter.institution.tier", tier)
    start = _time(encounter, "start", "encounter")
    end = _time(encounter, "end", "encounter") if encounter.get("end") else start
    lines_raw = _get(record, "lines", "")
    if not isinstance(lines_raw, list):
        raise _bad("lines", lines_raw)
    diagnoses = _get(encounter, "diagnoses", "encounter", required=False) or []
    return ClaimFacts(
        claim_id=claim_id,
        person_id=str(_get(person, "id", "person")),
        sex=sex,
        birth_date=birth,
        insurance_type=str(person.get("insurance_type") or "basic"),
        type=kind,
        level=level_of(tier, bool(institution.get("primary_care", False))),
        institution_id=str(_get(institution, "id", "encounter.institution")),
        emergency=bool(encounter.get("emergency", False)),
        start=int(start.timestamp()),
        start_day=local_date(start),
        end_day=local_date(end),
        diagnoses=tuple(str(d) for d in diagnoses),
        doctor_id=encounter.get("doctor_id"),
        lines=tuple(_line(raw, f"lines[{i}]", start) for i, raw in enumerate(lines_raw)),
    )
