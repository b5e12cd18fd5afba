"""Antibacterial courses of the synthetic stays, so the region's use density is a planned figure.

A surgical stay gets perioperative prophylaxis with probability ``PROPHYLAXIS`` for one or two days;
any stay gets a therapeutic course with probability ``THERAPY`` (surgical or not) lasting 3–12 days,
cut to the stay. The product of each course is drawn by the weights of ``synth/antibacterial_use.tsv``
and billed as units a day × days on one line. With the usual regimens near one DDD a day and the
profile's stay lengths this lands near 30–40 DDDs per 100 patient-days, under the national ceiling of
40 (卫办医政发〔2011〕56号), with about half of the stays treated (the same campaign's ceiling for the
share of inpatients given antibacterials is 60 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np

from sanyi.knowledge.synth import antibacterial_use

PROPHYLAXIS: Final = 0.55
THERAPY: Final = {True: 0.35, False: 0.45}  # surgical, medical
THERAPY_DAYS: Final = (3, 12)


@dataclass(frozen=True)
class Courses:
    """One line per course: the stay (index into the batch), the product code, units and days."""

    owner: np.ndarray
    code: np.ndarray
    units: np.ndarray
    days: np.ndarray


@dataclass(frozen=True)
class _Choices:
    code: np.ndarray
    units_per_day: np.ndarray
    probability: np.ndarray


@cache
def _choices(purpose: str) -> _Choices:
    uses = [u for u in antibacterial_use() if u.purpose == purpose]
    weight = np.array([u.weight for u in uses])
    return _Choices(
        np.array([u.code for u in uses], dtype=object),
        np.array([u.units_per_day for u in uses], np.int64),
        weight / weight.sum(),
    )


def plan_courses(
    stays: np.ndarray, surgical: np.ndarray, stay_days: np.ndarray, rng: np.random.Generator
) -> Courses:
    """Courses of the given stays (``surgical`` and ``stay_days`` are per stay)."""
    n = len(stays)
    prophylaxis = surgical & (rng.random(n) < PROPHYLAXIS)
    therapy = rng.random(n) < np.where(surgical, THERAPY[True], THERAPY[False])
    parts = []
    for purpose, chosen, planned in (
        ("prophylaxis", prophylaxis, 1 + (rng.random(n) < 0.4)),
        ("therapy", therapy, rng.integers(THERAPY_DAYS[0], THERAPY_DAYS[1] + 1, n)),
    ):
        choices = _choices(purpose)
        pick = rng.choice(len(choices.code), size=n, p=choices.probability)
        days = np.minimum(planned, np.maximum(stay_days, 1))
        rows = np.flatnonzero(chosen)
        parts.append(
            Courses(
                stays[rows],
                choices.code[pick[rows]],
                choices.units_per_day[pick[rows]] * days[rows],
                days[rows],
            )
        )
    return Courses(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("owner", "code", "units", "days"))
    )
