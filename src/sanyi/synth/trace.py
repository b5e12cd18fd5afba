"""Traceability codes and events for a generated region (``sanyi synth trace``).

A seeded sample of the region's packaged drug lines (西药 09 and 中成药 11; herbal pieces carry no code)
gets one code per dispensed package (a box holds about 24 units; at most three boxes a line). Each
code walks the chain a real package walks: produced by a (synthetic) manufacturer, shipped to the
institution's distributor and received, shipped to the institution and received some days before the
visit, dispensed on the fee line's time to its patient and encounter. A few codes are dispensed a
second time on another encounter of the same drug (at another institution where there is one): the
planted duplicates supervision must find. A few dispensings are cancelled (冲正), which must not be.

Codes are 7 digits of product (from the drug code), 9 of serial and 4 synthetic check digits: the
real check algorithm is not public. Manufacturers and distributors come from knowledge/trace.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final

import numpy as np
from sqlalchemy import Engine, select

from sanyi.care.api import encounters, fee_lines
from sanyi.kernel.clock import SHANGHAI, local_date
from sanyi.knowledge.trace import enterprises

PACKAGED: Final = ("09", "11")
UNITS_PER_BOX: Final = 24
MAX_BOXES: Final = 3


@dataclass(frozen=True)
class TraceTargets:
    share: float = 0.03  # of packaged drug lines that carry codes
    duplicates: int = 5  # codes dispensed a second time
    cancellations: int = 3  # dispensings taken back (冲正)


@dataclass(frozen=True)
class TraceSynthesis:
    events: list[dict[str, Any]]
    codes: int
    dispensings: int
    duplicated: tuple[str, ...]  # the planted duplicate codes
    cancelled: tuple[str, ...]


@dataclass(frozen=True)
class _Line:
    encounter_id: str
    line_no: int
    drug_code: str
    name: str
    quantity: Decimal
    at: datetime
    institution: str
    person_id: str


def _digits(text: str, count: int) -> str:
    return str(int(hashlib.sha256(text.encode()).hexdigest(), 16) % 10**count).zfill(count)


def _spec(drug_code: str) -> str:
    strengths = ("0.25g", "0.5g", "10mg", "20mg", "5mg", "0.1g")
    forms = ("×24粒/盒", "×12片×2板/盒", "×24片/盒", "×6袋/盒")
    digest = int(_digits(drug_code, 6))
    return strengths[digest % len(strengths)] + forms[(digest // 7) % len(forms)]


def _lines(engine: Engine) -> list[_Line]:
    f, e = fee_lines.c, encounters.c
    query = (
        select(f.encounter_id, f.line_no, f.code, f.name, f.quantity, f.time, e.institution_code, e.person_id)
        .join(encounters, e.id == f.encounter_id)
        .where(f.category.in_(PACKAGED))
        .order_by(f.encounter_id, f.line_no)
    )
    with engine.connect() as connection:
        found = [_Line(*row) for row in connection.execute(query)]
    return [line for line in found if Decimal(str(line.quantity)) > 0]  # refunds carry no new box


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def generate_trace(engine: Engine, seed: int, targets: TraceTargets) -> TraceSynthesis:
    """The events of a sample of the region's drug lines, in the order they happened per code."""
    rng = np.random.default_rng(seed)
    lines = _lines(engine)
    makers = [x for x in enterprises() if x.role == "manufacturer"]
    distributors = [x for x in enterprises() if x.role == "distributor"]
    chosen = [line for line, draw in zip(lines, rng.random(len(lines)), strict=True) if draw < targets.share]
    chosen_keys = {(line.encounter_id, line.line_no) for line in chosen}
    serials: dict[str, int] = defaultdict(int)
    chains: dict[str, list[dict[str, Any]]] = {}
    dispensed: list[tuple[str, _Line]] = []
    for line in chosen:
        boxes = min(MAX_BOXES, max(1, math.ceil(line.quantity / UNITS_PER_BOX)))
        for _ in range(boxes):
            code, events = _chain(line, rng, serials, makers, distributors)
            chains[code] = events
            dispensed.append((code, line))
    duplicated = _plant_duplicates(lines, chosen_keys, dispensed, chains, rng, targets.duplicates)
    cancelled = _plant_cancellations(dispensed, chains, set(duplicated), rng, targets.cancellations)
    events = [event for code in chains for event in chains[code]]
    return TraceSynthesis(events, len(chains), len(dispensed), tuple(duplicated), tuple(cancelled))


def _chain(
    line: _Line,
    rng: np.random.Generator,
    serials: dict[str, int],
    makers: list[Any],
    distributors: list[Any],
) -> tuple[str, list[dict[str, Any]]]:
    prefix = "8" + _digits(line.drug_code, 6)
    serials[prefix] += 1
    body = prefix + str(serials[prefix]).zfill(9)
    code = body + _digits(body, 4)
    maker = makers[int(_digits(line.drug_code, 3)) % len(makers)]
    distributor = distributors[int(_digits(line.institution, 3)) % len(distributors)]
    day = local_date(line.at)
    produced = day - timedelta(days=int(rng.integers(60, 400)))
    expiry = produced.replace(day=1) + timedelta(days=365 * (2 + int(_digits(line.drug_code, 1)) % 2))
    at_institution = day - timedelta(days=int(rng.integers(3, 30)))
    batch = produced.strftime("%y%m") + _digits(line.drug_code + produced.strftime("%Y%m"), 3)
    events = [
        {
            "code": code,
            "event": "produced",
            "at": _at(produced, 8),
            "party": maker.code,
            "party_name": maker.name,
            "drug_code": line.drug_code,
            "generic_name": line.name,
            "spec": _spec(line.drug_code),
            "manufacturer": maker.name,
            "batch": batch,
            "production_date": produced,
            "expiry_date": expiry,
        },
        {
            "code": code,
            "event": "shipped",
            "at": _at(produced + timedelta(days=2), 9),
            "party": maker.code,
            "counterpart": distributor.code,
            "counterpart_name": distributor.name,
        },
        {
            "code": code,
            "event": "received",
            "at": _at(produced + timedelta(days=3), 10),
            "party": distributor.code,
        },
        {
            "code": code,
            "event": "shipped",
            "at": _at(at_institution, 9),
            "party": distributor.code,
            "counterpart": line.institution,
        },
        {
            "code": code,
            "event": "received",
            "at": _at(at_institution + timedelta(days=1), 8),
            "party": line.institution,
        },
        _dispensing(code, line),
    ]
    return code, events


def _dispensing(code: str, line: _Line) -> dict[str, Any]:
    return {
        "code": code,
        "event": "dispensed",
        "at": line.at,
        "party": line.institution,
        "person_id": line.person_id,
        "encounter_id": line.encounter_id,
        "line_no": line.line_no,
    }


def _plant_duplicates(
    lines: list[_Line],
    chosen: set[tuple[str, int]],
    dispensed: list[tuple[str, _Line]],
    chains: dict[str, list[dict[str, Any]]],
    rng: np.random.Generator,
    count: int,
) -> list[str]:
    """A second dispensing of a code on a later uncoded line of the same drug (another institution first)."""
    by_drug: dict[str, list[_Line]] = defaultdict(list)
    for line in lines:
        if (line.encounter_id, line.line_no) not in chosen:
            by_drug[line.drug_code].append(line)
    planted: list[str] = []
    used: set[tuple[str, int]] = set()
    for index in rng.permutation(len(dispensed)):
        if len(planted) >= count:
            break
        code, first = dispensed[int(index)]
        later = [
            x
            for x in by_drug[first.drug_code]
            if x.at > first.at and x.person_id != first.person_id and (x.encounter_id, x.line_no) not in used
        ]
        if not later or code in planted:
            continue
        later.sort(key=lambda x: (x.institution == first.institution, x.at))
        repeat = later[0]
        used.add((repeat.encounter_id, repeat.line_no))
        chains[code].append(_dispensing(code, repeat))
        planted.append(code)
    return planted


def _plant_cancellations(
    dispensed: list[tuple[str, _Line]],
    chains: dict[str, list[dict[str, Any]]],
    duplicated: set[str],
    rng: np.random.Generator,
    count: int,
) -> list[str]:
    """The patient returned the box the next day: the dispensing is cancelled (冲正)."""
    cancelled: list[str] = []
    for index in rng.permutation(len(dispensed)):
        if len(cancelled) >= count:
            break
        code, line = dispensed[int(index)]
        if code in duplicated or code in cancelled or len(chains[code]) != 6:
            continue
        chains[code].append(
            {
                "code": code,
                "event": "cancelled",
                "at": line.at + timedelta(days=1),
                "party": line.institution,
                "reason": "患者退药（合成）",
            }
        )
        cancelled.append(code)
    return cancelled
