"""One chunk of residents and their year of care, as arrays ready for Arrow.

The chunk is generated from its own random stream, so chunks can be made in any order, in parallel,
and the same seed always gives the same region.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from sanyi.knowledge.synth import complication_codes
from sanyi.synth import billing
from sanyi.synth.billing import EMERGENCY, INPATIENT, OUTPATIENT, PHARMACY, EncounterBatch, LineBatch, Tariffs
from sanyi.synth.catalogue import age_class
from sanyi.synth.choice import ChoiceSet, Events, choose
from sanyi.synth.clinical import StayMix, stay_mix, visit_reasons
from sanyi.synth.population import Population
from sanyi.synth.utilisation import Draws, Scales, draw_admissions, draw_pharmacy, draw_visits
from sanyi.synth.world import PRIMARY_CLASS, World

# Share of surgical stays given a complication: Sanyi's parameter, a small plausible rate (it is not
# a published figure), so the complication indicator has cases without dominating anything.
COMPLICATION_RATE = 0.01
MIN_DAYS_BETWEEN_STAYS = 16  # clean data never looks like a split admission (15 days)
CHRONIC_FOLLOW_UP_SHARE = 0.5


@dataclass(frozen=True)
class Calibration:
    """What the whole region shares: normalisers, choice constants and tariffs."""

    scales: Scales
    visit_constants: np.ndarray
    admission_constants: np.ndarray
    tariffs: Tariffs


@dataclass
class ChunkEncounters:
    """The encounters of a chunk before billing."""

    person: np.ndarray  # index into the chunk
    site: np.ndarray  # index into world.sites, or into world.pharmacies for pharmacy purchases
    kind: np.ndarray
    start: np.ndarray  # seconds since the epoch, UTC
    stay_days: np.ndarray
    severity: np.ndarray
    chronic: np.ndarray
    principal: np.ndarray  # principal diagnosis code
    secondary: list[tuple[str, ...]]
    procedures: list[tuple[str, ...]]
    surgical: np.ndarray
    adrg: np.ndarray  # target ADRG of a stay ("" otherwise)
    discharge_type: np.ndarray  # "" for visits
    department: np.ndarray


def year_start_seconds(year: int) -> int:
    """00:00 on 1 January in Shanghai, as seconds since the epoch."""
    return int(datetime(year, 1, 1, tzinfo=UTC).timestamp()) - billing.SHANGHAI_OFFSET


@dataclass(frozen=True)
class Streams:
    """Independent random streams of one chunk, so calibration can replay exactly the draws it needs."""

    seed: int
    chunk: int

    def __call__(self, purpose: str) -> np.random.Generator:
        words = [
            int.from_bytes(purpose.encode()[i : i + 4].ljust(4, b"\0"), "little")
            for i in range(0, len(purpose), 4)
        ]
        # chunk -1 (the region-wide streams) becomes 0 and chunks shift by one, keeping entropy non-negative
        return np.random.default_rng(np.random.SeedSequence([self.seed, self.chunk + 1, *words]))


@dataclass
class VisitPlan:
    draws: Draws
    principal: np.ndarray
    follow_up: np.ndarray
    emergency: np.ndarray
    severity: np.ndarray
    events: Events


@dataclass
class StayPlan:
    draws: Draws
    delivery: np.ndarray
    adrg_index: np.ndarray
    surgical: np.ndarray
    severity: np.ndarray
    events: Events


def plan_visits(
    world: World,
    population: Population,
    rows: np.ndarray,
    scales: Scales,
    chronic_codes: list[tuple[str, ...]],
    rng: np.random.Generator,
) -> VisitPlan:
    """Who visits when and why: a chronic follow-up or an acute reason; some are emergencies."""
    profile = world.profile
    reasons = visit_reasons()
    visits = draw_visits(population, rows, scales, rng)
    n_visits = len(visits.person)
    has_chronic = np.array([len(codes) > 0 for codes in chronic_codes], bool)[visits.person]
    follow_up = has_chronic & (rng.random(n_visits) < CHRONIC_FOLLOW_UP_SHARE)
    emergency_probability = profile.emergency_share_of_hospital_visits * (1 - profile.primary_share_of_visits)
    emergency = ~follow_up & (rng.random(n_visits) < emergency_probability)
    severity = np.where(follow_up, 0.05, rng.beta(1.2, 5.0, n_visits))
    severity = np.where(emergency, 0.5 + 0.5 * rng.random(n_visits), severity)
    age = population.age[rows][visits.person]
    band = np.select([age < 15, age < 65], [0, 1], 2)
    principal = np.empty(n_visits, dtype=object)
    for b in range(3):
        picked = band == b
        principal[picked] = rng.choice(reasons.codes, size=int(picked.sum()), p=reasons.weights_by_band[b])
    for index in np.flatnonzero(follow_up).tolist():
        options = chronic_codes[visits.person[index]]
        principal[index] = options[int(rng.integers(0, len(options)))]
    events = _events(world, population, rows, visits.person, severity, emergency)
    return VisitPlan(visits, principal, follow_up, emergency, severity, events)


def plan_stays(
    world: World, population: Population, rows: np.ndarray, scales: Scales, rng: np.random.Generator
) -> StayPlan:
    """Who is admitted when, for which target ADRG and how severe."""
    admissions, delivery = draw_admissions(population, rows, scales, rng)
    n_stays = len(admissions.person)
    mix = stay_mix(world.profile.drg_scheme)
    sex = population.sex[rows][admissions.person]
    adrg_index = np.empty(n_stays, dtype=np.int64)
    for key in (1, 2, 3):
        picked = delivery if key == 3 else (~delivery & (sex == key))
        weights = mix.weights(key if key < 3 else 2, key == 3)
        adrg_index[picked] = rng.choice(len(weights), size=int(picked.sum()), p=weights)
    surgical = np.array([bool(mix.adrgs[i].procedure_sets) for i in adrg_index.tolist()], dtype=bool)
    severity = np.clip(rng.beta(2.0, 3.0, n_stays) + 0.15 * surgical, 0, 1)
    events = _events(world, population, rows, admissions.person, severity, np.zeros(n_stays, bool))
    return StayPlan(admissions, delivery, adrg_index, surgical, severity, events)


def chunk_encounters(
    world: World,
    population: Population,
    rows: np.ndarray,
    calibration: Calibration,
    visit_set: ChoiceSet,
    admission_set: ChoiceSet,
    streams: Streams,
) -> tuple[ChunkEncounters, np.ndarray]:
    """The chunk's encounters and each resident's day of death (10**6 when alive all year)."""
    profile = world.profile
    base = year_start_seconds(population.year)
    rng = streams("details")
    chronic_codes = _chronic_codes(population, rows, visit_reasons().chronic)
    visit_plan = plan_visits(world, population, rows, calibration.scales, chronic_codes, streams("visits"))
    stay_plan = plan_stays(world, population, rows, calibration.scales, streams("stays"))
    visits, principal, follow_up = visit_plan.draws, visit_plan.principal, visit_plan.follow_up
    emergency, severity = visit_plan.emergency, visit_plan.severity
    admissions, delivery, adrg_index = stay_plan.draws, stay_plan.delivery, stay_plan.adrg_index
    surgical, stay_severity = stay_plan.surgical, stay_plan.severity
    n_visits, n_stays = len(visits.person), len(admissions.person)
    mix = stay_mix(profile.drg_scheme)
    visit_site = choose(
        profile, visit_set, visit_plan.events, calibration.visit_constants, streams("visit-choice")
    )
    stay_site = choose(
        profile, admission_set, stay_plan.events, calibration.admission_constants, streams("stay-choice")
    )
    stay_days = _length_of_stay(profile.alos.as_tuple(), admission_set.site_class[stay_site], rng)
    stay_day, stay_days, kept = _separate_stays(admissions.person, admissions.day, stay_days)
    age = population.age[rows][admissions.person]
    death = rng.random(n_stays) < (0.004 + 0.03 * (age >= 75) + 0.01 * (age >= 60))
    death &= ~delivery

    # Deaths end a person's year: nothing after the first death stay or an out-of-hospital death.
    death_day = _death_days(population, rows, admissions.person, stay_day + stay_days, death & kept, rng)

    pharmacy = draw_pharmacy(population, rows, calibration.scales, rng)
    pharmacy_site = _nearest_pharmacy(world, population, rows, pharmacy.person, rng)

    # Assemble: visits, stays, purchases; drop what falls inside a stay or after death.
    person = np.concatenate([visits.person, admissions.person, pharmacy.person])
    day = np.concatenate([visits.day, stay_day, pharmacy.day])
    kind = np.concatenate(
        [
            np.where(emergency, EMERGENCY, OUTPATIENT),
            np.full(n_stays, INPATIENT),
            np.full(len(pharmacy.person), PHARMACY),
        ]
    )
    keep = np.concatenate([np.ones(n_visits, bool), kept, np.ones(len(pharmacy.person), bool)])
    stay_end = stay_day + stay_days
    keep &= ~_inside_stays(person, day, kind, admissions.person[kept], stay_day[kept], stay_end[kept])
    keep &= day <= death_day[person]
    hour = np.where(kind == EMERGENCY, rng.integers(0, 24, len(person)), rng.integers(8, 18, len(person)))
    start = base + day * billing.SECONDS_PER_DAY + hour * 3600 + rng.integers(0, 3600, len(person))

    secondary: list[tuple[str, ...]] = [
        tuple(code for code in chronic_codes[p] if code != principal[i])[:2]
        for i, p in enumerate(visits.person.tolist())
    ]
    stay_principal, stay_secondary, stay_procedures = _code_stays(
        mix, adrg_index, [chronic_codes[p] for p in admissions.person.tolist()], rng
    )
    stay_secondary = _complications(stay_secondary, surgical, streams("complications"))
    n_pharmacy = len(pharmacy.person)
    empty = np.full(n_pharmacy, "", dtype=object)
    # A purchase for a chronic condition carries its diagnosis (a prescription sent out to the pharmacy).
    pharmacy_principal = np.array(
        [codes[0] if codes else "" for codes in (chronic_codes[p] for p in pharmacy.person.tolist())],
        dtype=object,
    )
    principal_all = np.concatenate([principal, stay_principal, pharmacy_principal])
    secondary_all = secondary + stay_secondary + [()] * n_pharmacy
    procedures_all: list[tuple[str, ...]] = [()] * n_visits + stay_procedures + [()] * n_pharmacy
    site = np.concatenate([visit_site, stay_site, pharmacy_site])
    discharge = np.concatenate(
        [
            np.full(n_visits, "", dtype=object),
            np.where(death, "5", np.where(rng.random(n_stays) < 0.03, "2", "1")).astype(object),
            empty,
        ]
    )
    adrg_codes = np.concatenate(
        [
            np.full(n_visits, "", dtype=object),
            np.array([mix.adrgs[i].code for i in adrg_index.tolist()], dtype=object),
            empty,
        ]
    )
    severity_all = np.concatenate([severity, stay_severity, np.zeros(n_pharmacy)])
    site_class = np.where(
        kind == PHARMACY, PRIMARY_CLASS, visit_set.site_class[np.where(kind == PHARMACY, 0, site)]
    )
    department = _departments(
        kind, site_class, principal_all, adrg_codes, severity_all, population.age[rows][person], rng
    )
    chronic_all = np.concatenate(
        [
            follow_up,
            np.zeros(n_stays, bool),
            np.array([len(chronic_codes[p]) > 0 for p in pharmacy.person.tolist()], bool),
        ]
    )
    order = np.flatnonzero(keep)
    order = order[np.lexsort((start[order], person[order]))]
    return ChunkEncounters(
        person=person[order],
        site=site[order],
        kind=kind[order],
        start=start[order],
        stay_days=np.concatenate([np.zeros(n_visits, np.int64), stay_days, np.zeros(n_pharmacy, np.int64)])[
            order
        ],
        severity=severity_all[order],
        chronic=chronic_all[order],
        principal=principal_all[order],
        secondary=[secondary_all[i] for i in order.tolist()],
        procedures=[procedures_all[i] for i in order.tolist()],
        surgical=np.concatenate([np.zeros(n_visits, bool), surgical, np.zeros(n_pharmacy, bool)])[order],
        adrg=adrg_codes[order],
        discharge_type=discharge[order],
        department=department[order],
    ), death_day


def _length_of_stay(
    alos_by_class: tuple[float, ...], stay_class: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Days in hospital: one plus a log-normal part whose mean makes the class's average length of stay."""
    extra = np.maximum(np.array(alos_by_class)[stay_class] - 1, 0.5)
    # exp(mu + sigma^2 / 2) = extra with sigma = 0.6
    return np.maximum(1, np.round(1 + rng.lognormal(np.log(extra) - 0.18, 0.6))).astype(np.int64)


def _code_stays(
    mix: StayMix, adrg_index: np.ndarray, chronic: list[tuple[str, ...]], rng: np.random.Generator
) -> tuple[np.ndarray, list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Principal diagnosis, secondary diagnoses and procedures of each stay, from its target ADRG."""
    principal = np.empty(len(adrg_index), dtype=object)
    secondary: list[tuple[str, ...]] = []
    procedures: list[tuple[str, ...]] = []
    uncodable = rng.random(len(adrg_index)) < mix.uncodable_share
    for i, adrg in enumerate(adrg_index.tolist()):
        choice = mix.adrgs[adrg]
        principal[i] = choice.diagnoses[int(rng.integers(0, len(choice.diagnoses)))]
        procedures.append(tuple(codes[int(rng.integers(0, len(codes)))] for codes in choice.procedure_sets))
        extra = list(chronic[i])
        if rng.random() < 0.25:
            extra.append(mix.cc_codes[int(rng.integers(0, len(mix.cc_codes)))])
        if rng.random() < 0.08:
            extra.append(mix.mcc_codes[int(rng.integers(0, len(mix.mcc_codes)))])
        secondary.append(tuple(code for code in dict.fromkeys(extra) if code != principal[i]))
        if uncodable[i]:
            # Half carry a code the dictionaries do not know, half a principal no group takes.
            principal[i] = principal[i] + "x999" if i % 2 else "Z00.000"
    return principal, secondary, procedures


def _complications(
    secondary: list[tuple[str, ...]], surgical: np.ndarray, rng: np.random.Generator
) -> list[tuple[str, ...]]:
    """A complication of surgery as a secondary diagnosis on ``COMPLICATION_RATE`` of surgical stays.

    Its own stream: the other codes and every later draw stay what they were without it."""
    planted = list(secondary)
    codes = complication_codes()
    weight = np.array([w for _, w in codes])
    hit = surgical & (rng.random(len(surgical)) < COMPLICATION_RATE)
    picks = rng.choice(len(codes), size=len(surgical), p=weight / weight.sum())
    for i in np.flatnonzero(hit).tolist():
        planted[i] = (*secondary[i], codes[int(picks[i])][0])
    return planted


def _chronic_codes(population: Population, rows: np.ndarray, codes: dict[str, str]) -> list[tuple[str, ...]]:
    flags = [
        (name, getattr(population, name)[rows])
        for name in ("hypertension", "diabetes", "tuberculosis", "severe_mental", "pregnant")
    ]
    result: list[tuple[str, ...]] = []
    for i in range(len(rows)):
        result.append(tuple(codes[name] for name, values in flags if values[i]))
    return result


def _events(
    world: World,
    population: Population,
    rows: np.ndarray,
    person: np.ndarray,
    severity: np.ndarray,
    hospital_only: np.ndarray,
) -> Events:
    township = population.township[rows][person]
    return Events(
        county=world.township_county[township],
        township=township,
        x=population.x[rows][person],
        y=population.y[rows][person],
        severity=severity,
        hospital_only=hospital_only,
    )


def _separate_stays(
    person: np.ndarray, day: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Move a person's later stays so they start at least MIN_DAYS_BETWEEN_STAYS after the previous discharge.

    Stays pushed past the end of the year are dropped (kept = False).
    """
    start = day.astype(np.int64).copy()
    kept = np.ones(len(day), bool)
    repeated = np.flatnonzero(np.r_[False, person[1:] == person[:-1]])
    previous_end = -(10**9)
    last_person = -1
    for index in np.unique(np.r_[repeated - 1, repeated]).tolist():
        if person[index] != last_person:
            last_person, previous_end = int(person[index]), -(10**9)
        start[index] = max(start[index], previous_end + MIN_DAYS_BETWEEN_STAYS)
        if start[index] > 364:
            kept[index] = False
            continue
        previous_end = start[index] + int(length[index])
    return start, length, kept


def _inside_stays(
    person: np.ndarray,
    day: np.ndarray,
    kind: np.ndarray,
    stay_person: np.ndarray,
    stay_start: np.ndarray,
    stay_end: np.ndarray,
) -> np.ndarray:
    """Visits and purchases that fall on a day the person is in hospital (clean data has none)."""
    inside = np.zeros(len(person), bool)
    if len(stay_person) == 0:
        return inside
    key = stay_person.astype(np.int64) * 1000 + stay_start
    order = np.argsort(key)
    sorted_key, sorted_end, sorted_person = key[order], stay_end[order], stay_person[order]
    probe = person.astype(np.int64) * 1000 + day
    position = np.searchsorted(sorted_key, probe, side="right") - 1
    valid = position >= 0
    same_person = np.zeros(len(person), bool)
    same_person[valid] = sorted_person[position[valid]] == person[valid]
    inside[valid] = same_person[valid] & (day[valid] <= sorted_end[position[valid]])
    return inside & (kind != INPATIENT)


def _death_days(
    population: Population,
    rows: np.ndarray,
    stay_person: np.ndarray,
    stay_end: np.ndarray,
    died_in_stay: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    age = population.age[rows].astype(float)
    # Gompertz-like annual mortality outside hospital.
    probability = np.clip(0.00004 * np.exp(0.085 * age), 0, 0.3)
    dies = rng.random(len(rows)) < probability
    death_day = np.where(dies, rng.integers(0, 365, len(rows)), 10**6)
    in_hospital = np.full(len(rows), 10**6)
    np.minimum.at(in_hospital, stay_person[died_in_stay], stay_end[died_in_stay])
    return np.minimum(death_day, in_hospital)


def _nearest_pharmacy(
    world: World, population: Population, rows: np.ndarray, person: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    xy = np.array([(p.x, p.y) for p in world.pharmacies])
    px, py = population.x[rows][person], population.y[rows][person]
    chosen = np.empty(len(person), np.int64)
    for start in range(0, len(person), 50_000):
        stop = start + 50_000
        distance = np.hypot(px[start:stop, None] - xy[None, :, 0], py[start:stop, None] - xy[None, :, 1])
        nearest = np.argsort(distance, axis=1)[:, :3]
        chosen[start:stop] = nearest[np.arange(len(nearest)), rng.integers(0, nearest.shape[1], len(nearest))]
    return chosen


_STAY_DEPARTMENT = {
    "F": "0304",
    "E": "0301",
    "G": "0302",
    "H": "0302",
    "B": "0303",
    "I": "0403",
    "L": "0404",
    "N": "0501",
    "M": "0404",
    "O": "0502",
    "C": "1001",
    "D": "11",
    "J": "13",
    "K": "0307",
    "Q": "0305",
    "R": "19",
    "S": "03",
    "T": "15",
    "U": "15",
    "V": "20",
    "W": "0407",
    "X": "0401",
}
_VISIT_DEPARTMENT = {
    "I": "0304",
    "E": "0307",
    "J": "0301",
    "K": "0302",
    "L": "13",
    "H": "10",
    "M": "0403",
    "N": "0404",
    "F": "15",
    "A": "0302",
    "Z": "02",
    "R": "0303",
    "O": "0502",
}


def _departments(
    kind: np.ndarray,
    site_class: np.ndarray,
    principal: np.ndarray,
    adrg: np.ndarray,
    severity: np.ndarray,
    age: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    result = np.full(len(kind), "02", dtype=object)
    for i in range(len(kind)):
        if kind[i] == PHARMACY:
            result[i] = ""
        elif site_class[i] == PRIMARY_CLASS:
            result[i] = "02"
        elif kind[i] == INPATIENT:
            result[i] = _STAY_DEPARTMENT.get(adrg[i][:1], "03")
        elif kind[i] == EMERGENCY:
            result[i] = "20"
        elif age[i] < 15:
            result[i] = "07"
        else:
            code = principal[i]
            result[i] = "17" if code.startswith("A16") else _VISIT_DEPARTMENT.get(code[:1], "03")
    icu = (kind == INPATIENT) & (severity > 0.9) & (rng.random(len(kind)) < 0.5)
    result[icu] = "ICU"
    return result


def _years_between(birth_day: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Completed years of age on a day (both given as days since the epoch)."""
    epoch = np.datetime64("1970-01-01", "D")
    birth, on = epoch + birth_day.astype("timedelta64[D]"), epoch + day.astype("timedelta64[D]")

    def month_day(d: np.ndarray) -> np.ndarray:
        month = (d.astype("datetime64[M]") - d.astype("datetime64[Y]")).astype(np.int64)
        return month * 32 + (d - d.astype("datetime64[M]")).astype(np.int64)

    years = on.astype("datetime64[Y]").astype(np.int64) - birth.astype("datetime64[Y]").astype(np.int64)
    return years - (month_day(on) < month_day(birth))


def encounter_batch(
    encounters: ChunkEncounters, world: World, population: Population, rows: np.ndarray, year: int
) -> EncounterBatch:
    kind = encounters.kind
    site_class = np.array(
        [
            PRIMARY_CLASS if k == PHARMACY else world.sites[s].choice_class
            for k, s in zip(kind.tolist(), encounters.site.tolist(), strict=True)
        ]
    )
    level = np.array(
        [
            1 if k == PHARMACY else max(int(world.sites[s].institution.tier), 1)
            for k, s in zip(kind.tolist(), encounters.site.tolist(), strict=True)
        ]
    )
    person = encounters.person
    start_day = (encounters.start + billing.SHANGHAI_OFFSET) // billing.SECONDS_PER_DAY
    birth_day = population.birth_days[rows][person]
    return EncounterBatch(
        kind=kind,
        site_class=site_class,
        level=level,
        start=encounters.start,
        stay_days=encounters.stay_days,
        sex=population.sex[rows][person],
        age_group=age_class(_years_between(birth_day, start_day), start_day - birth_day),
        chronic=encounters.chronic,
        surgical=encounters.surgical,
        severity=encounters.severity,
    )


def bill(
    encounters: ChunkEncounters,
    world: World,
    population: Population,
    rows: np.ndarray,
    tariffs: Tariffs,
    rng: np.random.Generator,
) -> tuple[EncounterBatch, LineBatch]:
    batch = encounter_batch(encounters, world, population, rows, population.year)
    return batch, billing.bill(batch, tariffs, rng)
