"""List filters read from query strings, shared by pages, exports and the JSON API.

Forms send empty strings for "any"; a value that is present but wrong is a stable error naming the
parameter, never silently ignored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from sanyi.care.api import EncounterFilter, EncounterType
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import (
    InstitutionFilter,
    InstitutionKind,
    KeyGroup,
    LicenceType,
    Ownership,
    ResidentSearch,
    Scheme,
    Tier,
)
from sanyi.web.errors import REQUEST_INVALID

E = TypeVar("E", bound=enum.Enum)


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def choice(kind: type[E], value: str | None, name: str) -> E | None:
    text = _clean(value)
    if text is None:
        return None
    for member in kind:
        if str(member.value) == text:
            return member
    allowed = ", ".join(str(member.value) for member in kind)
    raise DomainError(REQUEST_INVALID, path=name, reason=f"{name} must be one of {allowed}")


def day(value: str | None, name: str) -> date | None:
    text = _clean(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(REQUEST_INVALID, path=name, reason=f"{name} must be a date YYYY-MM-DD") from None


def flag(value: str | None, name: str) -> bool | None:
    text = _clean(value)
    if text is None:
        return None
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise DomainError(REQUEST_INVALID, path=name, reason=f"{name} must be true or false")


@dataclass(frozen=True)
class InstitutionParams:
    q: str | None = None
    area: str | None = None
    kind: str | None = None
    tier: str | None = None
    ownership: str | None = None
    primary_care: str | None = None

    def to_filter(self) -> InstitutionFilter:
        tier = _clean(self.tier)
        if tier is not None and tier not in {str(int(member)) for member in Tier}:
            raise DomainError(REQUEST_INVALID, path="tier", reason="tier must be 0, 1, 2 or 3")
        return InstitutionFilter(
            text=_clean(self.q),
            area=_clean(self.area),
            kind=choice(InstitutionKind, self.kind, "kind"),
            tier=Tier(int(tier)) if tier is not None else None,
            ownership=choice(Ownership, self.ownership, "ownership"),
            primary_care=flag(self.primary_care, "primary_care"),
        )


@dataclass(frozen=True)
class PractitionerParams:
    q: str | None = None
    institution: str | None = None
    licence: str | None = None

    def parsed(self) -> tuple[str | None, str | None, LicenceType | None]:
        return _clean(self.q), _clean(self.institution), choice(LicenceType, self.licence, "licence")


@dataclass(frozen=True)
class ResidentParams:
    q: str | None = None
    area: str | None = None
    key_group: str | None = None
    scheme: str | None = None

    def to_search(self) -> ResidentSearch:
        return ResidentSearch(
            text=_clean(self.q),
            area=_clean(self.area),
            key_group=choice(KeyGroup, self.key_group, "key_group"),
            scheme=choice(Scheme, self.scheme, "scheme"),
        )


@dataclass(frozen=True)
class EncounterParams:
    type: str | None = None
    institution: str | None = None
    person_id: str | None = None
    date_from: str | None = None  # Shanghai calendar dates, both ends included
    date_to: str | None = None

    def to_filter(self) -> EncounterFilter:
        start, end = day(self.date_from, "date_from"), day(self.date_to, "date_to")
        return EncounterFilter(
            institution=_clean(self.institution),
            person_id=_clean(self.person_id),
            type=choice(EncounterType, self.type, "type"),
            start_from=datetime.combine(start, time(), SHANGHAI) if start else None,
            start_to=datetime.combine(end + timedelta(days=1), time(), SHANGHAI) if end else None,
        )
