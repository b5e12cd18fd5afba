"""Fee lines of encounters, vectorised.

Money stays exact: unit prices are integers of 1/10,000 yuan, quantities are integers, and a line's
amount in fen is quantity × price rounded half up — the same result as ``Money.of(quantity × price)``.
A visit bills registration and consultation (or the primary-care general fee), tests, treatments and
drugs; a stay bills bed, nursing and consultation once a day, tests, treatments, a surgery with its
materials when it had a procedure, and drugs. Drugs take the profile's drug share of each encounter.
Service prices carry a level factor per institution class, calibrated so that the cost per visit and
per admission of each class matches the profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from sanyi.knowledge import supervision
from sanyi.synth import catalogue as cat
from sanyi.synth.antibacterials import plan_courses
from sanyi.synth.world import PRIMARY_CLASS

OUTPATIENT, EMERGENCY, INPATIENT, PHARMACY = 0, 1, 2, 3
TYPE_NAMES = ("outpatient", "emergency", "inpatient", "pharmacy")
SECONDS_PER_DAY = 86_400
SHANGHAI_OFFSET = 8 * 3600


@dataclass(frozen=True)
class Billables:
    """Every billable code (services, drugs, materials, herbal pieces) in one set of arrays."""

    code: np.ndarray
    name: np.ndarray
    category: np.ndarray
    pay_class: np.ndarray
    price_x4: np.ndarray  # base unit price in 1/10,000 yuan
    sex: np.ndarray
    population: np.ndarray
    inpatient_only: np.ndarray
    min_level: np.ndarray
    excluded: np.ndarray
    course_days: np.ndarray
    is_drug: np.ndarray
    frequency_limited: np.ndarray  # billed at most N a day: only the fixed daily lines use these
    index: dict[str, int]


@cache
def billables() -> Billables:
    items, supplies = cat.items(), cat.supplies()
    drugs = cat.billed_drugs()
    extra = supplies.consumables + supplies.herbal_pieces
    n_extra = len(extra)

    def join(a: np.ndarray, b: np.ndarray, c: list[Any], dtype: Any = None) -> np.ndarray:
        return np.concatenate([a, b, np.array(c, dtype=dtype if dtype is not None else a.dtype)])

    code = join(items.code, drugs.code, [e.code for e in extra], object)
    return Billables(
        code=code,
        name=join(items.name, drugs.name, [e.name for e in extra], object),
        category=join(items.category, drugs.category, [e.category for e in extra], object),
        pay_class=join(items.pay_class, drugs.pay_class, ["B" for _ in extra], object),
        price_x4=np.round(join(items.price, drugs.price, [float(e.price) for e in extra]) * 10_000).astype(
            np.int64
        ),
        sex=join(items.sex, drugs.sex, [0] * n_extra),
        population=join(items.population, drugs.population, [0] * n_extra),
        inpatient_only=join(items.inpatient_only, drugs.inpatient_only, [False] * n_extra),
        min_level=join(items.min_level, drugs.min_level, [0] * n_extra),
        excluded=join(items.excluded, drugs.excluded, [False] * n_extra),
        course_days=join(items.course_days, drugs.course_days, [0] * n_extra),
        is_drug=np.concatenate(
            [
                np.zeros(len(items.code), bool),
                np.ones(len(drugs.code), bool),
                np.array([e.category == "10" for e in extra], bool),
            ]
        ),
        frequency_limited=np.isin(code, [limit.code for limit in supervision.frequency_limits()]),
        index={c: i for i, c in enumerate(code.tolist())},
    )


@dataclass
class EncounterBatch:
    """The encounters of a chunk, as parallel arrays."""

    kind: np.ndarray  # OUTPATIENT … PHARMACY
    site_class: np.ndarray  # 0-3 tiers, 4 primary
    level: np.ndarray  # institution level for drug restrictions (tier; primary centres 1)
    start: np.ndarray  # seconds since the epoch, UTC
    stay_days: np.ndarray  # inpatient: length of stay in days; 0 otherwise
    sex: np.ndarray
    age_group: np.ndarray  # catalogue.age_class
    chronic: np.ndarray  # a chronic follow-up (longer drug supply allowed)
    surgical: np.ndarray
    severity: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)


@dataclass
class LineBatch:
    encounter: np.ndarray  # index into the batch
    billable: np.ndarray  # index into billables()
    quantity: np.ndarray
    price_x4: np.ndarray
    time: np.ndarray  # seconds since the epoch, UTC
    days_supply: np.ndarray  # -1 when not a drug supply
    ceiling_x4: np.ndarray  # -1 when no payment ceiling

    def __len__(self) -> int:
        return len(self.encounter)

    @property
    def amount_fen(self) -> np.ndarray:
        # Half-up rounding of quantity × price (1/10,000 yuan) to the fen, exact in integers.
        product = self.quantity * self.price_x4
        return np.where(product >= 0, (product + 50) // 100, -((-product + 50) // 100))

    @classmethod
    def concat(cls, parts: list[LineBatch]) -> LineBatch:
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in (
                    "encounter",
                    "billable",
                    "quantity",
                    "price_x4",
                    "time",
                    "days_supply",
                    "ceiling_x4",
                )
            )
        )


@dataclass(frozen=True)
class Tariffs:
    """Price level of services per (encounter kind, class), and the drug share per (kind, class)."""

    service_factor: np.ndarray  # shape (4 kinds, 5 classes)
    drug_share: np.ndarray  # shape (4 kinds, 5 classes)


class _Pools:
    """Eligible billable indices per category and patient profile, cached for the chunk."""

    def __init__(self, table: Billables) -> None:
        self.table = table
        self._cache: dict[tuple[object, ...], np.ndarray] = {}

    def get(self, group: str, sex: int, age_group: int, inpatient: bool, level: int) -> np.ndarray:
        key = (group, sex, age_group, inpatient, level)
        found = self._cache.get(key)
        if found is None:
            t = self.table
            population_ok = (t.population == 0) | (
                ((t.population == 1) & (age_group == 0))
                | ((t.population == 2) & (age_group <= 1))
                | ((t.population == 3) & (age_group <= 2))
            )
            # Random lines never use codes whose clean use needs bookkeeping across lines (a course of
            # days, a daily maximum); the fixed daily lines and the planted irregularities use those.
            mask = (
                ~t.excluded
                & ~t.frequency_limited
                & (t.course_days == 0)
                & ((t.sex == 0) | (t.sex == sex))
                & population_ok
                & (inpatient | ~t.inpatient_only)
                & (t.min_level <= level)
            )
            categories = _GROUPS[group]
            mask &= np.isin(t.category, categories)
            if group == "drug":
                mask &= t.is_drug & (t.category != "10")
            found = np.flatnonzero(mask)
            self._cache[key] = found
        return found


_GROUPS = {
    "lab": ("04",),
    "exam": ("03",),
    "treatment": ("05",),
    "surgery": ("06",),
    "material": ("08",),
    "drug": ("09", "11"),
}

# Mean number of lines of each kind per encounter: (outpatient, emergency, inpatient base, per stay day).
_LINE_RATES = {
    "lab": (0.9, 1.4, 3.0, 0.5),
    "exam": (0.35, 0.8, 1.0, 0.15),
    "treatment": (0.3, 0.8, 1.0, 0.6),
}
_PRIMARY_RATES = {"lab": 0.25, "exam": 0.05, "treatment": 0.25}


def _sample(
    rng: np.random.Generator, pools: _Pools, batch: EncounterBatch, owner: np.ndarray, group: str
) -> np.ndarray:
    """One billable of the group for each line, drawn from the pool its encounter may use."""
    result = np.empty(len(owner), dtype=np.int64)
    inpatient = batch.kind[owner] == INPATIENT
    # One integer key per patient profile (widened first: the int8 columns would overflow).
    keys = (
        batch.sex[owner].astype(np.int64) * 1000
        + batch.age_group[owner].astype(np.int64) * 100
        + inpatient.astype(np.int64) * 10
        + batch.level[owner].astype(np.int64)
    )
    for key in np.unique(keys).tolist():
        rows = np.flatnonzero(keys == key)
        pool = pools.get(group, key // 1000, (key // 100) % 10, bool((key // 10) % 10), key % 10)
        if len(pool) == 0:
            pool = pools.get(group, 0, 3, True, 3)
        result[rows] = pool[rng.integers(0, len(pool), len(rows))]
    return result


def _lines(
    owner: np.ndarray, billable: np.ndarray, quantity: np.ndarray, price: np.ndarray, time: np.ndarray
) -> LineBatch:
    minus = np.full(len(owner), -1, np.int64)
    return LineBatch(
        owner,
        billable,
        quantity.astype(np.int64),
        price.astype(np.int64),
        time.astype(np.int64),
        minus,
        minus.copy(),
    )


def _service_price(base_x4: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """A service's unit price at the institution's price level, to the fen (in 1/10,000 yuan)."""
    return (np.round(base_x4 * factor / 100) * 100).astype(np.int64)


class _Services:
    """Builds the service lines of a batch; each method adds one kind of line."""

    def __init__(self, batch: EncounterBatch, tariffs: Tariffs, rng: np.random.Generator) -> None:
        self.batch = batch
        self.rng = rng
        self.table = billables()
        self.pools = _Pools(self.table)
        self.factor = tariffs.service_factor[batch.kind, batch.site_class]
        self.parts: list[LineBatch] = []

    def add(self, owners: np.ndarray, billable: np.ndarray, quantity: np.ndarray, time: np.ndarray) -> None:
        price = _service_price(self.table.price_x4[billable], self.factor[owners])
        self.parts.append(_lines(owners, billable, quantity, price, time))

    def fixed(self, owners: np.ndarray, code: str, time: np.ndarray | None = None) -> None:
        if len(owners):
            when = self.batch.start[owners] + 60 if time is None else time
            self.add(owners, np.full(len(owners), self.table.index[code]), np.ones(len(owners)), when)

    def visit_fees(self, visits: np.ndarray) -> None:
        """Registration and consultation at hospitals; the general fee at primary care."""
        batch = self.batch
        primary = visits[batch.site_class[visits] == PRIMARY_CLASS]
        hospital = visits[batch.site_class[visits] != PRIMARY_CLASS]
        self.fixed(hospital, cat.REGISTRATION)
        self.fixed(hospital[batch.kind[hospital] == OUTPATIENT], cat.OUTPATIENT_CONSULTATION)
        self.fixed(hospital[batch.kind[hospital] == EMERGENCY], cat.EMERGENCY_CONSULTATION)
        self.fixed(primary, cat.GENERAL_FEE)

    def daily(self, stays: np.ndarray) -> None:
        """Bed, consultation and nursing: one line a day at 08:00 Shanghai time."""
        batch = self.batch
        if len(stays) == 0:
            return
        days = batch.stay_days[stays]
        owner = np.repeat(stays, days)
        number = np.arange(len(owner)) - np.repeat(np.cumsum(days) - days, days)
        midnight = batch.start[owner] - (batch.start[owner] + SHANGHAI_OFFSET) % SECONDS_PER_DAY
        morning = np.maximum(midnight + number * SECONDS_PER_DAY + 8 * 3600, batch.start[owner] + 600)
        for code in (cat.WARD_BED, cat.INPATIENT_CONSULTATION):
            self.fixed(owner, code, morning)
        severe = batch.severity[owner] > 0.7
        self.fixed(owner[severe], cat.NURSING_I, morning[severe])
        self.fixed(owner[~severe], cat.NURSING_II, morning[~severe])

    def variable(self, stays: np.ndarray, primary_visits: np.ndarray) -> None:
        """Tests and treatments, more for longer stays, fewer at primary care."""
        batch = self.batch
        for group, (out_rate, emergency_rate, stay_rate, per_day) in _LINE_RATES.items():
            rate = np.zeros(len(batch))
            rate[batch.kind == OUTPATIENT] = out_rate
            rate[batch.kind == EMERGENCY] = emergency_rate
            rate[stays] = stay_rate + per_day * batch.stay_days[stays]
            rate[primary_visits] = _PRIMARY_RATES[group]
            owner = np.repeat(np.arange(len(batch)), self.rng.poisson(rate))
            if len(owner):
                quantity = np.where(batch.kind[owner] == INPATIENT, 1 + self.rng.poisson(0.5, len(owner)), 1)
                self.add(
                    owner,
                    _sample(self.rng, self.pools, batch, owner, group),
                    quantity,
                    _time_within(batch, owner, self.rng),
                )

    def surgery(self, stays: np.ndarray) -> None:
        """One operation per surgical stay, with its materials."""
        surgical = stays[self.batch.surgical[stays]]
        if len(surgical) == 0:
            return
        batch, rng = self.batch, self.rng
        self.add(
            surgical,
            _sample(rng, self.pools, batch, surgical, "surgery"),
            np.ones(len(surgical)),
            _time_within(batch, surgical, rng),
        )
        owner = np.repeat(surgical, 1 + rng.poisson(1.0, len(surgical)))
        self.add(
            owner,
            _sample(rng, self.pools, batch, owner, "material"),
            1 + rng.poisson(0.3, len(owner)),
            _time_within(batch, owner, rng),
        )


def bill(batch: EncounterBatch, tariffs: Tariffs, rng: np.random.Generator) -> LineBatch:
    services = _Services(batch, tariffs, rng)
    visits = np.flatnonzero((batch.kind == OUTPATIENT) | (batch.kind == EMERGENCY))
    stays = np.flatnonzero(batch.kind == INPATIENT)
    services.visit_fees(visits)
    services.daily(stays)
    services.variable(stays, visits[batch.site_class[visits] == PRIMARY_CLASS])
    services.surgery(stays)
    service_lines = LineBatch.concat(services.parts) if services.parts else _empty()
    # A child stream: the courses do not shift the draws of the lines billed before them.
    courses = _antibacterials(batch, stays, services.table, rng.spawn(1)[0])
    drugs = _drugs(batch, service_lines, tariffs, services.pools, rng, courses)
    return LineBatch.concat([service_lines, courses, drugs])


def _antibacterials(
    batch: EncounterBatch, stays: np.ndarray, table: Billables, rng: np.random.Generator
) -> LineBatch:
    """One line per antibacterial course, billed at the start of the stay's second hour."""
    planned = plan_courses(stays, batch.surgical[stays], batch.stay_days[stays], rng)
    billable = np.array([table.index[code] for code in planned.code.tolist()], np.int64)
    result = _lines(
        planned.owner, billable, planned.units, table.price_x4[billable], batch.start[planned.owner] + 3600
    )
    result.days_supply = planned.days.astype(np.int64)
    return result


def _drugs(
    batch: EncounterBatch,
    services: LineBatch,
    tariffs: Tariffs,
    pools: _Pools,
    rng: np.random.Generator,
    courses: LineBatch,
) -> LineBatch:
    """Drug lines whose amount is the drug share of the encounter: services × s / (1 − s), less
    what the antibacterial courses already billed (so the calibrated cost per stay holds)."""
    table = pools.table
    service_total = np.bincount(services.encounter, weights=services.amount_fen, minlength=len(batch))
    course_total = np.bincount(courses.encounter, weights=courses.amount_fen, minlength=len(batch))
    share = tariffs.drug_share[batch.kind, batch.site_class]
    budget = np.where(
        batch.kind == PHARMACY,
        rng.lognormal(np.log(60.0), 0.7, len(batch)) * 100,
        service_total * share / np.maximum(1 - share, 1e-6) * rng.lognormal(-0.08, 0.4, len(batch)),
    )
    budget = np.maximum(budget - course_total, 0)
    lines = np.where(
        batch.kind == INPATIENT, 2 + rng.poisson(batch.stay_days / 2.0), 1 + rng.poisson(1.0, len(batch))
    )
    lines = np.where(budget > 0, lines, 0)
    owner = np.repeat(np.arange(len(batch)), lines)
    if len(owner) == 0:
        return _empty()
    billable = _sample(rng, pools, batch, owner, "drug")
    weights = rng.gamma(2.0, 1.0, len(owner))
    weight_total = np.bincount(owner, weights=weights, minlength=len(batch))
    line_budget_fen = budget[owner] * weights / weight_total[owner]
    price = table.price_x4[billable]
    quantity = np.maximum(1, np.round(line_budget_fen * 100 / price)).astype(np.int64)
    kind = batch.kind[owner]
    days = np.select(
        [kind == INPATIENT, kind == EMERGENCY, batch.chronic[owner]],
        [
            rng.integers(1, np.maximum(batch.stay_days[owner], 1) + 1),
            rng.integers(1, 4, len(owner)),
            rng.integers(14, 31, len(owner)),
        ],
        rng.integers(3, 8, len(owner)),
    )
    result = _lines(owner, billable, quantity, price, _time_within(batch, owner, rng))
    result.days_supply = days.astype(np.int64)
    has_ceiling = rng.random(len(owner)) < 0.15
    ceiling = np.ceil(price * rng.uniform(1.0, 1.3, len(owner)) / 100) * 100
    result.ceiling_x4 = np.where(has_ceiling, ceiling, -1).astype(np.int64)
    return result


def _time_within(batch: EncounterBatch, owner: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    span = np.where(batch.kind[owner] == INPATIENT, batch.stay_days[owner] * SECONDS_PER_DAY - 3600, 3600)
    return batch.start[owner] + 120 + (rng.random(len(owner)) * np.maximum(span, 60)).astype(np.int64)


def _empty() -> LineBatch:
    empty = np.empty(0, np.int64)
    return LineBatch(empty, empty, empty, empty, empty, empty, empty)
