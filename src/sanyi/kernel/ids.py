"""Identifiers: generated record ids and the national codes people and institutions carry.

Generated ids are 26-character, time-ordered (48-bit milliseconds + 80 random bits, Crockford
base32), so that rows sort by creation and ids are safe to generate on many machines.
National codes are validated here once so every import and API applies the same rules.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from typing import Final

from sanyi.kernel.clock import Clock, SystemClock
from sanyi.kernel.errors import INVALID_ID, DomainError

_CROCKFORD: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SYSTEM_CLOCK: Final = SystemClock()


def new_id(clock: Clock = _SYSTEM_CLOCK) -> str:
    """A new time-ordered unique id."""
    millis = int(clock.now().timestamp() * 1000)
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


# -- 18-digit citizen identity number (GB 11643-1999) --------------------------------------------
_CITIZEN_ID_RE: Final = re.compile(r"^\d{17}[\dX]$")
_CHECK_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS: Final = "10X98765432"


def citizen_id_check_char(first17: str) -> str:
    """The check character (0-9 or X) of the first 17 digits, ISO 7064 MOD 11-2."""
    if len(first17) != 17 or not first17.isdigit():
        raise DomainError(INVALID_ID, value=first17, reason="need exactly 17 digits")
    weighted = sum(int(digit) * weight for digit, weight in zip(first17, _CHECK_WEIGHTS, strict=True))
    return _CHECK_CHARS[weighted % 11]


def validate_citizen_id(value: str, *, path: str | None = None) -> str:
    """Return the normalised id (upper-case X) or raise INVALID_ID naming what is wrong."""
    normalised = value.strip().upper()
    if not _CITIZEN_ID_RE.match(normalised):
        raise DomainError(INVALID_ID, path=path, value=value, reason="need 17 digits and a digit or X")
    try:
        birth_date(normalised)
    except ValueError:
        raise DomainError(
            INVALID_ID, path=path, value=value, reason="birth date is not a real date"
        ) from None
    if citizen_id_check_char(normalised[:17]) != normalised[17]:
        raise DomainError(INVALID_ID, path=path, value=value, reason="check digit does not match")
    return normalised


def birth_date(citizen_id: str) -> date:
    """The birth date encoded in digits 7-14."""
    return datetime.strptime(citizen_id[6:14], "%Y%m%d").date()  # noqa: DTZ007 - a calendar date


def sex_of(citizen_id: str) -> str:
    """ "1" male or "2" female, from the parity of digit 17."""
    return "1" if int(citizen_id[16]) % 2 == 1 else "2"


# -- national codes of institutions and practitioners ---------------------------------------------
_INSTITUTION_CODE_RE: Final = re.compile(r"^H\d{11}$")
_PRACTITIONER_CODE_RE: Final = re.compile(r"^D\d{12}$")


def validate_institution_code(value: str, *, path: str | None = None) -> str:
    """医保定点医疗机构代码: ``H`` followed by 11 digits (the first six are the division)."""
    if not _INSTITUTION_CODE_RE.match(value):
        raise DomainError(INVALID_ID, path=path, value=value, reason="expected H followed by 11 digits")
    return value


def validate_practitioner_code(value: str, *, path: str | None = None) -> str:
    """医保医师代码: ``D`` followed by 12 digits (the first six are the division)."""
    if not _PRACTITIONER_CODE_RE.match(value):
        raise DomainError(INVALID_ID, path=path, value=value, reason="expected D followed by 12 digits")
    return value
