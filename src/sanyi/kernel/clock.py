"""Time as a dependency: code asks a Clock for "now" so tests can fix and move it.

Instants are timezone-aware and stored in UTC; Asia/Shanghai is the zone for display and for the
calendar dates of policy (an encounter "on 2023-03-01" means that date in Shanghai).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final, Protocol
from zoneinfo import ZoneInfo

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move; for tests and reproducible runs."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_aware(at)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def set(self, at: datetime) -> None:
        self._at = ensure_aware(at)


def ensure_aware(moment: datetime) -> datetime:
    """Refuse naive datetimes: a time without a zone is ambiguous across the UTC/Shanghai boundary."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: give a timezone")
    return moment.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The calendar date of an instant in Shanghai."""
    return ensure_aware(moment).astimezone(SHANGHAI).date()


def today(clock: Clock) -> date:
    return local_date(clock.now())
