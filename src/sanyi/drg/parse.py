"""From a row of strings (what csv.DictReader yields) to a :class:`Record`, or the reason it is bad.

The order follows the rule format: unknown diagnoses first, then unknown procedures, then missing or
malformed fields, so a record with several faults always gets the same status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sanyi.drg.model import INVALID, UNKNOWN_DIAGNOSIS, UNKNOWN_PROCEDURE, Record


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a record cannot be grouped: its status and the codes or fields at fault."""

    status: str
    names: tuple[str, ...]


@dataclass(slots=True)  # not frozen: one is made per record, and frozen init costs more
class Parsed:
    record: Record
    incoming: tuple[str, ...]  # the codes as given, diagnoses then procedures

    @property
    def translations(self) -> tuple[tuple[str, str], ...]:
        """(incoming code, grouper code) wherever the map changed a code."""
        grouper = (*self.record.dx, *self.record.procs)
        return tuple((a, b) for a, b in zip(self.incoming, grouper, strict=True) if a != b)


def split_codes(text: str | None) -> list[str]:
    if not text:
        return []
    if " " in text or "||" in text or text[0] == "|" or text[-1] == "|":  # rare: tidy first
        return [code for code in (part.strip() for part in text.split("|")) if code]
    return text.split("|")


def _translate(codes: list[str], table: Mapping[str, str]) -> tuple[list[str], list[str]]:
    get = table.get
    translated = [get(code) for code in codes]
    if None in translated:
        return [], [code for code, found in zip(codes, translated, strict=True) if found is None]
    return translated, []  # type: ignore[return-value]  # no None left


MALFORMED = -1  # never a real value: only digits are accepted


def _integer(text: str | None) -> int | None:
    """The integer, ``None`` when empty, ``MALFORMED`` when not a whole non-negative number."""
    if not text:
        return None
    if text.isdigit():  # the usual case, before any tidying
        return int(text)
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    try:
        value = float(text)  # spreadsheets turn 3 into "3.0"
    except ValueError:
        return MALFORMED
    return int(value) if value.is_integer() and value >= 0 else MALFORMED


def parse(
    row: Mapping[str, str], dx_map: Mapping[str, str], proc_map: Mapping[str, str]
) -> Parsed | Rejection:
    dx_in = split_codes(row.get("diagnoses"))
    dx, unknown = _translate(dx_in, dx_map)
    if unknown:
        return Rejection(UNKNOWN_DIAGNOSIS, tuple(unknown))
    procs_in = split_codes(row.get("procedures"))
    procs, unknown = _translate(procs_in, proc_map)
    if unknown:
        return Rejection(UNKNOWN_PROCEDURE, tuple(unknown))

    bad: list[str] = []
    sex = row.get("sex") or ""
    if sex not in ("1", "2"):
        sex = sex.strip()
        if sex not in ("1", "2"):
            bad.append("sex")
    age = _integer(row.get("age"))
    if age is None or age == MALFORMED:
        bad.append("age")
    if not dx:
        bad.append("diagnoses")
    age_days = _integer(row.get("age_days"))
    weight = _integer(row.get("weight_g"))
    if age_days == MALFORMED:
        bad.append("age_days")
    if weight == MALFORMED:
        bad.append("weight_g")
    if age == 0:
        if age_days is None:
            bad.append("age_days")
        elif 0 <= age_days <= 28 and weight is None:
            bad.append("weight_g")
    if bad or age is None:
        return Rejection(INVALID, tuple(bad))
    record = Record(sex, age, age_days, weight, (row.get("dept") or "").strip(), tuple(dx), tuple(procs))
    return Parsed(record, (*dx_in, *procs_in))
