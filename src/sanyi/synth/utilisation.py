"""How much care each resident uses in the year: visits, admissions and pharmacy purchases.

Expected counts scale with age and chronic conditions and are normalised over the whole region so
that visits per capita and admissions per 100 equal the profile; counts are negative-binomial
(visits) and Poisson (admissions), days uniform over the year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sanyi.knowledge.synth import Profile
from sanyi.synth.population import Population

_VISIT_AGE = ((7, 1.6), (15, 0.8), (45, 0.6), (60, 1.0), (75, 1.7), (200, 2.2))
_ADMISSION_AGE = ((7, 1.0), (15, 0.4), (45, 0.55), (60, 1.0), (75, 2.0), (200, 3.2))
VISIT_DISPERSION = 1.2  # gamma shape of visit counts: many people visit rarely, a few often
DELIVERY_SHARE_OF_PREGNANT = 0.75  # share of currently pregnant women who deliver within the year


def _age_factor(age: np.ndarray, table: tuple[tuple[int, float], ...]) -> np.ndarray:
    bounds = np.array([upper for upper, _ in table])
    factors = np.array([factor for _, factor in table])
    return factors[np.searchsorted(bounds, age, side="right")]


def visit_weights(population: Population) -> np.ndarray:
    return _age_factor(population.age, _VISIT_AGE) * (1 + 0.6 * population.chronic_count)


def admission_weights(population: Population) -> np.ndarray:
    return _age_factor(population.age, _ADMISSION_AGE) * (1 + 0.5 * population.chronic_count)


@dataclass(frozen=True)
class Scales:
    """Normalisers computed once over the whole region, so chunks add up to the profile's rates."""

    visit: float
    admission: float
    pharmacy: float

    @classmethod
    def of(cls, profile: Profile, population: Population) -> Scales:
        deliveries = population.pregnant.mean() * DELIVERY_SHARE_OF_PREGNANT
        other_admissions = max(profile.admissions_per_100 / 100 - deliveries, 0.0)
        return cls(
            visit=profile.visits_per_capita / visit_weights(population).mean(),
            admission=other_admissions / admission_weights(population).mean(),
            pharmacy=profile.pharmacy_purchases_per_capita / visit_weights(population).mean(),
        )


@dataclass
class Draws:
    """Events of one chunk: who (index into the chunk) and on which day of the year."""

    person: np.ndarray
    day: np.ndarray


def draw_visits(population: Population, rows: np.ndarray, scales: Scales, rng: np.random.Generator) -> Draws:
    mean = visit_weights(population)[rows] * scales.visit
    counts = rng.poisson(rng.gamma(VISIT_DISPERSION, mean / VISIT_DISPERSION))
    return _spread(counts, rng)


def draw_pharmacy(
    population: Population, rows: np.ndarray, scales: Scales, rng: np.random.Generator
) -> Draws:
    counts = rng.poisson(visit_weights(population)[rows] * scales.pharmacy)
    return _spread(counts, rng)


def draw_admissions(
    population: Population, rows: np.ndarray, scales: Scales, rng: np.random.Generator
) -> tuple[Draws, np.ndarray]:
    """Admissions and whether each is a delivery (pregnant women)."""
    counts = rng.poisson(admission_weights(population)[rows] * scales.admission)
    deliveries = (population.pregnant[rows] & (rng.random(len(rows)) < DELIVERY_SHARE_OF_PREGNANT)).astype(
        np.int64
    )
    draws = _spread(counts + deliveries, rng)
    # The first admission of a delivering woman is her delivery.
    first = np.r_[True, draws.person[1:] != draws.person[:-1]]
    is_delivery = first & deliveries[draws.person].astype(bool)
    return draws, is_delivery


def _spread(counts: np.ndarray, rng: np.random.Generator) -> Draws:
    person = np.repeat(np.arange(len(counts)), counts)
    day = rng.integers(0, 365, len(person))
    order = np.lexsort((day, person))
    return Draws(person[order], day[order])
