"""The residents of a synthetic region, generated for the whole region at once (vectorised).

Whole-region arrays keep citizen IDs unique and let the year of care be generated in independent
chunks. Ages follow the profile's bands; chronic conditions the calibration prevalences with an age
gradient; insurance the profile's employee share and active : retired ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from sanyi.knowledge.synth import Profile
from sanyi.synth.world import World

_CHECK_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_CHECK_CHARS = np.array(list("10X98765432"))

# Scheme / group codes stored as small integers while generating.
SCHEMES = ("", "employee", "resident")
GROUPS = ("", "active", "retired", "adult", "child", "student")
ASSISTANCE = ("", "tekun", "dibao", "dibao_edge")


@dataclass
class Population:
    year: int
    township: np.ndarray  # int32, residence township index
    household_township: np.ndarray
    x: np.ndarray
    y: np.ndarray
    sex: np.ndarray  # int8: 1 male, 2 female
    age: np.ndarray  # int16: age in years on 1 January of the year
    birth_days: np.ndarray  # int32: days since 1970-01-01
    hypertension: np.ndarray
    diabetes: np.ndarray
    tuberculosis: np.ndarray
    severe_mental: np.ndarray
    disabled: np.ndarray
    pregnant: np.ndarray
    scheme: np.ndarray  # int8 index into SCHEMES
    group: np.ndarray  # int8 index into GROUPS
    assistance: np.ndarray  # int8 index into ASSISTANCE
    citizen_seq: np.ndarray  # int16: digits 15-17 of the citizen ID

    def __len__(self) -> int:
        return len(self.sex)

    @property
    def chronic_count(self) -> np.ndarray:
        return self.hypertension.astype(np.int8) + self.diabetes + self.tuberculosis + self.severe_mental


def _age_gradient(age: np.ndarray, points: tuple[float, float, float, float]) -> np.ndarray:
    """A relative risk by age band 18-44, 45-59, 60-74, 75+ (0 under 18)."""
    return np.select(
        [age < 18, age < 45, age < 60, age < 75], [0.0, points[0], points[1], points[2]], points[3]
    )


def _with_prevalence(
    rng: np.random.Generator, relative: np.ndarray, eligible: np.ndarray, prevalence: float
) -> np.ndarray:
    """Flags whose share among the eligible equals the prevalence, spread by relative risk."""
    mean = relative[eligible].mean() if eligible.any() else 1.0
    probability = np.clip(prevalence * relative / max(mean, 1e-9), 0, 0.95) * eligible
    return rng.random(len(relative)) < probability


def build_population(world: World, year: int, rng: np.random.Generator) -> Population:
    profile = world.profile
    count = world.residents
    # Where people live: counties by weight, townships equally within a county.
    county_of_township = world.township_county
    county_counts = np.bincount(
        rng.choice(len(world.county_codes), size=count, p=world.county_weights),
        minlength=len(world.county_codes),
    )
    township = np.empty(count, dtype=np.int32)
    position = 0
    for county, size in enumerate(county_counts.tolist()):
        options = np.flatnonzero(county_of_township == county)
        township[position : position + size] = rng.choice(options, size=size)
        position += size
    rng.shuffle(township)
    centre = world.township_xy[township]
    spread = np.where(world.township_urban[township], 1.2, 3.0)[:, None]
    xy = centre + rng.normal(0, 1, (count, 2)) * spread
    household = township.copy()
    movers = rng.random(count) < 0.1
    household[movers] = rng.integers(0, len(world.township_codes), int(movers.sum()))

    sex = np.where(rng.random(count) < profile.male_share, 1, 2).astype(np.int8)
    bands = np.array(profile.age_bands)
    band = rng.choice(len(bands), size=count, p=bands[:, 2] / bands[:, 2].sum())
    age = (bands[band, 0] + rng.random(count) * (bands[band, 1] - bands[band, 0])).astype(np.int16)
    jan_first = (date(year, 1, 1) - date(1970, 1, 1)).days
    # Born between one year and one day before turning `age` on 1 January.
    birth_days = (jan_first - np.round(age * 365.2425).astype(np.int32) - rng.integers(0, 365, count)).astype(
        np.int32
    )

    prevalence = profile.prevalence
    adult = age >= 18
    hypertension = _with_prevalence(
        rng, _age_gradient(age, (0.35, 1.2, 2.0, 2.4)), adult, prevalence["hypertension_adult"]
    )
    diabetes = _with_prevalence(
        rng, _age_gradient(age, (0.3, 1.2, 2.1, 2.3)), adult, prevalence["diabetes_adult"]
    )
    tuberculosis = rng.random(count) < prevalence["tuberculosis"] * (age >= 15)
    severe_mental = rng.random(count) < prevalence["severe_mental"] * adult
    disabled = _with_prevalence(
        rng, _age_gradient(age, (0.6, 1.0, 1.6, 2.6)) + 0.3, np.ones(count, bool), prevalence["disabled"]
    )
    women = (sex == 2) & (age >= 15) & (age < 50)
    fertility = np.select([age < 20, age < 25, age < 30, age < 35, age < 40], [0.2, 1.0, 1.8, 1.4, 0.6], 0.15)
    pregnant = _with_prevalence(rng, fertility, women, prevalence["pregnant_women_15_49"])

    scheme, group, assistance = _enrollment(profile, rng, age, sex)
    return Population(
        year=year,
        township=township,
        household_township=household,
        x=xy[:, 0],
        y=xy[:, 1],
        sex=sex,
        age=age,
        birth_days=birth_days,
        hypertension=hypertension,
        diabetes=diabetes,
        tuberculosis=tuberculosis,
        severe_mental=severe_mental,
        disabled=disabled,
        pregnant=pregnant,
        scheme=scheme,
        group=group,
        assistance=assistance,
        citizen_seq=_citizen_sequence(world, household, birth_days, sex),
    )


def _enrollment(
    profile: Profile, rng: np.random.Generator, age: np.ndarray, sex: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    insurance = profile.insurance
    count = len(age)
    enrolled = rng.random(count) >= float(insurance["unenrolled_share"])
    retirement_age = np.where(sex == 1, 60, 55)
    working = enrolled & (age >= 18) & (age < retirement_age)
    retired_age = enrolled & (age >= retirement_age)
    employees = float(insurance["employee_share"]) * enrolled.sum()
    retired_share = float(insurance["retired_per_employee"])
    p_active = min(1.0, employees * (1 - retired_share) / max(working.sum(), 1))
    p_retired = min(1.0, employees * retired_share / max(retired_age.sum(), 1))
    draw = rng.random(count)
    active = working & (draw < p_active)
    retired = retired_age & (draw < p_retired)
    student = (
        enrolled
        & ~active
        & (age >= 18)
        & (age <= 22)
        & (rng.random(count) < float(insurance["student_share_of_18_to_22"]))
    )
    child = enrolled & (age < 18)
    scheme = np.zeros(count, np.int8)
    group = np.zeros(count, np.int8)
    scheme[enrolled] = 2
    group[enrolled] = 3
    scheme[active | retired] = 1
    group[active] = 1
    group[retired] = 2
    group[child] = 4
    group[student] = 5
    assistance = np.zeros(count, np.int8)
    residents = scheme == 2
    rates = insurance["assistance"]
    draw = rng.random(count)
    tekun, dibao, edge = float(rates["tekun"]), float(rates["dibao"]), float(rates["dibao_edge"])
    assistance[residents & (draw < tekun)] = 1
    assistance[residents & (draw >= tekun) & (draw < tekun + dibao)] = 2
    assistance[residents & (draw >= tekun + dibao) & (draw < tekun + dibao + edge)] = 3
    return scheme, group, assistance


def _citizen_sequence(
    world: World, household: np.ndarray, birth_days: np.ndarray, sex: np.ndarray
) -> np.ndarray:
    """Order codes (digits 15-17) unique per county and birth date: odd for men, even for women."""
    county = world.township_county[household]
    key = (county.astype(np.int64) * 100_000 + birth_days.astype(np.int64)) * 2 + (sex - 1)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
    rank_sorted = np.arange(len(key)) - np.repeat(starts, np.diff(np.r_[starts, len(key)]))
    rank = np.empty(len(key), np.int64)
    rank[order] = rank_sorted
    if rank.max(initial=0) >= 500:
        raise ValueError("more than 500 people of one sex share a county and birth date; add counties")
    return (rank * 2 + np.where(sex == 1, 1, 2)).astype(np.int16)


def citizen_ids(world: World, population: Population, index: np.ndarray) -> list[str]:
    """18-digit citizen IDs (GB 11643) with valid check digits, for the residents at ``index``."""
    county_codes = np.array(world.county_codes)[world.township_county[population.household_township[index]]]
    births = (np.datetime64("1970-01-01") + population.birth_days[index].astype("timedelta64[D]")).astype(str)
    sequence = population.citizen_seq[index]
    first17 = [
        f"{county}{birth.replace('-', '')}{seq:03d}"
        for county, birth, seq in zip(county_codes.tolist(), births.tolist(), sequence.tolist(), strict=True)
    ]
    digits = np.array([list(map(int, value)) for value in first17], dtype=np.int64).reshape(len(first17), 17)
    checks = _CHECK_CHARS[(digits @ _CHECK_WEIGHTS) % 11]
    return [value + check for value, check in zip(first17, checks.tolist(), strict=True)]
