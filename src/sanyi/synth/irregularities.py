"""Planted irregularities, each recorded in a ground-truth table for the supervision tests.

Clean encounters obey every rule of the knowledge tables by construction; these functions then break
one rule at a time, on a small share of eligible encounters (the profile's ``irregularities`` rates):
a line that breaks a restriction, a package item billed with what it includes, a daily item billed
twice a day, a too-long drug supply, a price above its ceiling, a visit during a stay, a readmission
that splits a stay. Each planted thing breaks only its own rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from sanyi.knowledge import supervision
from sanyi.knowledge.synth import load_catalogue
from sanyi.synth import billing
from sanyi.synth import catalogue as cat
from sanyi.synth.billing import EMERGENCY, INPATIENT, OUTPATIENT, PHARMACY, EncounterBatch, LineBatch
from sanyi.synth.world import PRIMARY_CLASS
from sanyi.synth.year import ChunkEncounters, encounter_batch, year_start_seconds

if TYPE_CHECKING:
    from sanyi.synth.generator import SyntheticRegion

Truth = tuple[int, int, str, str]  # encounter index, line index (-1: the encounter), rule id, detail


@dataclass
class _Chunk:
    region: SyntheticRegion
    rows: np.ndarray
    encounters: ChunkEncounters
    batch: EncounterBatch
    lines: LineBatch
    death_day: np.ndarray
    rng: np.random.Generator
    truth: list[Truth]
    pending: list[LineBatch] = dataclasses.field(default_factory=list)
    pending_count: int = 0

    def rate(self, rule: str) -> float:
        return self.region.profile.irregularities.get(rule.lower(), 0.0)

    def pick(self, candidates: np.ndarray, rule: str) -> np.ndarray:
        if len(candidates) == 0:
            return candidates
        count = self.rng.binomial(len(candidates), self.rate(rule))
        return np.sort(self.rng.choice(candidates, size=count, replace=False))

    def add_lines(
        self,
        owner: np.ndarray,
        billable: np.ndarray,
        quantity: np.ndarray,
        price: np.ndarray,
        time: np.ndarray,
        days: np.ndarray | None = None,
    ) -> np.ndarray:
        """Queue lines to append (joined once at the end); returns the indices they will have."""
        start = len(self.lines) + self.pending_count
        minus = np.full(len(owner), -1, np.int64)
        self.pending.append(
            LineBatch(
                owner.astype(np.int64),
                billable.astype(np.int64),
                quantity.astype(np.int64),
                price.astype(np.int64),
                time.astype(np.int64),
                minus if days is None else days.astype(np.int64),
                minus.copy(),
            )
        )
        self.pending_count += len(owner)
        return np.arange(start, start + len(owner))


def _restriction_free(table: billing.Billables) -> np.ndarray:
    """Codes whose use breaks no rule of their own (no sex, age, level, course or daily limit)."""
    return (
        ~table.frequency_limited
        & (table.course_days == 0)
        & (table.sex == 0)
        & (table.population == 0)
        & ~table.inpatient_only
        & (table.min_level == 0)
    )


def plant(
    region: SyntheticRegion,
    rows: np.ndarray,
    encounters: ChunkEncounters,
    batch: EncounterBatch,
    lines: LineBatch,
    death_day: np.ndarray,
    rng: np.random.Generator,
) -> tuple[ChunkEncounters, EncounterBatch, LineBatch, list[Truth]]:
    chunk = _Chunk(region, rows, encounters, batch, lines, death_day, rng, [])
    for planter in _PLANTERS:
        planter(chunk)
    lines = LineBatch.concat([chunk.lines, *chunk.pending]) if chunk.pending else chunk.lines
    return chunk.encounters, chunk.batch, lines, chunk.truth


def _visits(chunk: _Chunk) -> np.ndarray:
    kind = chunk.batch.kind
    return np.flatnonzero((kind == OUTPATIENT) | (kind == EMERGENCY))


def _restricted_drug_line(
    rule: str,
    eligible: Callable[[_Chunk], np.ndarray],
    wanted: Callable[[billing.Billables, int, int], np.ndarray],
) -> Callable[[_Chunk], None]:
    """A planter that adds one drug or item line breaking a restriction chosen by ``wanted``."""

    def planter(chunk: _Chunk) -> None:
        table = billing.billables()
        for index in chunk.pick(eligible(chunk), rule).tolist():
            options = np.flatnonzero(
                wanted(table, int(chunk.batch.sex[index]), int(chunk.batch.level[index]))
            )
            if len(options) == 0:
                continue
            code = int(options[chunk.rng.integers(0, len(options))])
            emergency = chunk.batch.kind[index] == EMERGENCY
            days = np.array([2 if emergency else 5]) if table.is_drug[code] else None
            price = np.array([table.price_x4[code] // 100 * 100])
            line = chunk.add_lines(
                np.array([index]),
                np.array([code]),
                np.array([1]),
                price,
                np.array([chunk.batch.start[index] + 900]),
                days,
            )
            chunk.truth.append((index, int(line[0]), rule, str(table.code[code])))

    return planter


def _excess_supply(chunk: _Chunk) -> None:
    """A drug supplied for longer than a visit allows (outpatient 7 days, emergency 3)."""
    table = billing.billables()
    lines = chunk.lines
    is_drug_line = table.is_drug[lines.billable] & (lines.days_supply > 0)
    visit = (chunk.batch.kind == OUTPATIENT) | (chunk.batch.kind == EMERGENCY)
    chronic = set(load_catalogue().chronic_conditions.values())
    e = chunk.encounters
    has_chronic = np.array(
        [
            p in chronic or bool(chronic.intersection(rest))
            for p, rest in zip(e.principal.tolist(), e.secondary, strict=True)
        ],
        bool,
    )
    eligible_encounter = visit & ~has_chronic
    candidates = np.unique(lines.encounter[is_drug_line & eligible_encounter[lines.encounter]])
    for index in chunk.pick(candidates, "EXCESS_SUPPLY").tolist():
        line = int(np.flatnonzero((lines.encounter == index) & is_drug_line)[0])
        days = 5 if chunk.batch.kind[index] == EMERGENCY else 12
        lines.days_supply[line] = days
        chunk.truth.append((index, line, "EXCESS_SUPPLY", f"{days} days"))


def _over_price(chunk: _Chunk) -> None:
    """A unit price above the item's payment ceiling."""
    table = billing.billables()
    lines = chunk.lines
    drug_lines = _by_encounter(lines, np.flatnonzero(table.is_drug[lines.billable] & (lines.ceiling_x4 < 0)))
    encounters = np.unique(lines.encounter[drug_lines])
    for index in chunk.pick(encounters, "OVER_PRICE").tolist():
        line = int(drug_lines[np.searchsorted(lines.encounter[drug_lines], index)])
        if lines.encounter[line] != index or lines.price_x4[line] < 200:
            continue
        lines.ceiling_x4[line] = lines.price_x4[line] * 8 // 1000 * 100
        chunk.truth.append((index, line, "OVER_PRICE", f"ceiling {lines.ceiling_x4[line] / 10000}"))


def _by_encounter(lines: LineBatch, selected: np.ndarray) -> np.ndarray:
    """Line indices ordered by encounter, so an encounter's first line can be found by bisection."""
    return selected[np.argsort(lines.encounter[selected], kind="stable")]


def _duplicate_charge(chunk: _Chunk) -> None:
    """A package item billed together with an item it already includes (same day or visit)."""
    table = billing.billables()
    free = _restriction_free(table)
    included_by: dict[int, set[int]] = {}
    for pair in supervision.included_items():
        if pair.main_code in table.index and pair.included_code in table.index:
            included_by.setdefault(table.index[pair.main_code], set()).add(table.index[pair.included_code])
    pairs = [
        (table.index[p.main_code], table.index[p.included_code], p.window)
        for p in supervision.included_items()
        if p.window in ("单日", "单次就诊")
        and p.main_code in table.index
        and p.included_code in table.index
        and free[table.index[p.main_code]]
        and free[table.index[p.included_code]]
        and not table.excluded[table.index[p.included_code]]
    ]
    if not pairs:
        return
    hospital = np.flatnonzero((chunk.batch.site_class != PRIMARY_CLASS) & (chunk.batch.kind != PHARMACY))
    for index in chunk.pick(hospital, "DUPLICATE_CHARGE").tolist():
        main, included, window = pairs[int(chunk.rng.integers(0, len(pairs)))]
        billed = set(chunk.lines.billable[chunk.lines.encounter == index].tolist())
        if billed & included_by[main]:
            continue  # the package would also cover a line already billed: two findings, not one
        when = chunk.batch.start[index] + 1200
        price = table.price_x4[[main, included]] // 100 * 100
        line = chunk.add_lines(
            np.array([index, index]),
            np.array([main, included]),
            np.array([1, 1]),
            price,
            np.array([when, when + 60]),
        )
        chunk.truth.append(
            (
                index,
                int(line[1]),
                "DUPLICATE_CHARGE",
                f"{table.code[main]} includes {table.code[included]} ({window})",
            )
        )


def _frequency(chunk: _Chunk) -> None:
    """A once-a-day item billed twice on one day of a stay."""
    table = billing.billables()
    consultation = table.index[cat.INPATIENT_CONSULTATION]
    lines = chunk.lines
    daily = _by_encounter(lines, np.flatnonzero(lines.billable == consultation))
    stays = np.unique(lines.encounter[daily])
    for index in chunk.pick(stays, "ITEM_FREQUENCY_LIMIT").tolist():
        first = int(daily[np.searchsorted(lines.encounter[daily], index)])
        line = chunk.add_lines(
            np.array([index]),
            np.array([consultation]),
            np.array([1]),
            np.array([lines.price_x4[first]]),
            np.array([lines.time[first] + 7200]),
        )
        chunk.truth.append((index, int(line[0]), "ITEM_FREQUENCY_LIMIT", str(table.code[consultation])))


def _append_encounters(chunk: _Chunk, new: ChunkEncounters) -> np.ndarray:
    """Add encounters (billed with the region's tariffs); returns their indices."""
    region = chunk.region
    start = len(chunk.encounters.kind)
    batch = encounter_batch(new, region.world, region.population, chunk.rows, region.population.year)
    new_lines = billing.bill(batch, region.calibration.tariffs, chunk.rng)
    new_lines.encounter = new_lines.encounter + start
    merged: dict[str, Any] = {}
    for field in fields(ChunkEncounters):
        old, extra = getattr(chunk.encounters, field.name), getattr(new, field.name)
        merged[field.name] = old + extra if isinstance(old, list) else np.concatenate([old, extra])
    chunk.encounters = ChunkEncounters(**merged)
    chunk.batch = EncounterBatch(
        **{
            f.name: np.concatenate([getattr(chunk.batch, f.name), getattr(batch, f.name)])
            for f in fields(EncounterBatch)
        }
    )
    chunk.lines = LineBatch.concat([chunk.lines, new_lines])
    return np.arange(start, start + len(new.kind))


def _take(encounters: ChunkEncounters, index: np.ndarray) -> ChunkEncounters:
    values: dict[str, Any] = {}
    for field in fields(ChunkEncounters):
        value = getattr(encounters, field.name)
        values[field.name] = (
            [value[i] for i in index.tolist()] if isinstance(value, list) else value[index].copy()
        )
    return ChunkEncounters(**values)


def _day(seconds: np.ndarray) -> np.ndarray:
    return (seconds + billing.SHANGHAI_OFFSET) // billing.SECONDS_PER_DAY


def _overlapping_stay(chunk: _Chunk) -> None:
    """An outpatient visit billed on a day the patient was in hospital."""
    e = chunk.encounters
    stays = np.flatnonzero((e.kind == INPATIENT) & (e.stay_days >= 3))
    picked = chunk.pick(stays, "OVERLAPPING_STAY")
    if len(picked) == 0:
        return
    visit = _take(e, picked)
    visit.kind[:] = OUTPATIENT
    visit.start = visit.start + billing.SECONDS_PER_DAY + 3 * 3600
    visit.stay_days[:] = 0
    visit.surgical[:] = False
    visit.chronic[:] = False
    visit.procedures = [()] * len(picked)
    visit.secondary = [()] * len(picked)
    visit.adrg[:] = ""
    visit.discharge_type[:] = ""
    visit.department[:] = "03"
    added = _append_encounters(chunk, visit)
    for stay, new in zip(picked.tolist(), added.tolist(), strict=True):
        chunk.truth.append((new, -1, "OVERLAPPING_STAY", f"during stay {stay}"))


def _split_admission(chunk: _Chunk) -> None:
    """A readmission for the same condition a few days after discharge: a stay split in two."""
    e = chunk.encounters
    stays = np.flatnonzero(e.kind == INPATIENT)
    stays = stays[np.lexsort((e.start[stays], e.person[stays]))]
    start_day = _day(e.start[stays])
    end_day = start_day + e.stay_days[stays]
    same_person_next = np.r_[e.person[stays][1:] == e.person[stays][:-1], False]
    next_start = np.where(same_person_next, np.r_[start_day[1:], 0], 10**6)
    year_end = _day(np.array([year_start_seconds(chunk.region.population.year + 1)]))[0]
    eligible = (
        (e.discharge_type[stays] == "1")
        & (end_day < year_end - 35)
        & (next_start >= end_day + 40)
        & (chunk.death_day[e.person[stays]] >= 10**6)
        # A planned cycle (Z51: chemotherapy, radiotherapy) is meant to come back; not a split stay.
        & ~np.char.startswith(e.principal[stays].astype(str), "Z51")
    )
    picked = chunk.pick(stays[eligible], "SPLIT_ADMISSION")
    if len(picked) == 0:
        return
    readmission = _take(e, picked)
    picked_end = _day(e.start[picked]) + e.stay_days[picked]
    gap = chunk.rng.integers(2, 11, len(picked))
    readmission.start = (picked_end + gap) * billing.SECONDS_PER_DAY - billing.SHANGHAI_OFFSET + 9 * 3600
    readmission.stay_days = chunk.rng.integers(2, 6, len(picked))
    # Nothing else of the person may fall inside the readmission (that would be another finding).
    first, last = _day(readmission.start), _day(readmission.start) + readmission.stay_days
    key = readmission.person.astype(np.int64) * 1000 + first
    order = np.argsort(key)
    probe = e.person.astype(np.int64) * 1000 + _day(e.start)
    position = np.searchsorted(key[order], probe, side="right") - 1
    valid = position >= 0
    hit = np.zeros(len(e.kind), bool)
    matched = order[position[valid]]
    hit[valid] = (readmission.person[matched] == e.person[valid]) & (_day(e.start[valid]) <= last[matched])
    _drop(chunk, ~(hit & (e.kind != INPATIENT)))
    added = _append_encounters(chunk, readmission)
    for new in added.tolist():
        chunk.truth.append((new, -1, "SPLIT_ADMISSION", "readmitted within 15 days"))


def _drop(chunk: _Chunk, keep: np.ndarray) -> None:
    """Remove encounters (and their lines), renumbering what points at them."""
    if keep.all():
        return
    new_index = np.cumsum(keep) - 1
    chunk.encounters = _take(chunk.encounters, np.flatnonzero(keep))
    chunk.batch = EncounterBatch(
        **{f.name: getattr(chunk.batch, f.name)[keep] for f in fields(EncounterBatch)}
    )
    line_keep = keep[chunk.lines.encounter]
    kept_lines = np.flatnonzero(line_keep)
    line_index = np.full(len(line_keep), -1)
    line_index[kept_lines] = np.arange(len(kept_lines))
    chunk.lines = LineBatch(
        *(
            getattr(chunk.lines, f)[line_keep]
            for f in ("encounter", "billable", "quantity", "price_x4", "time", "days_supply", "ceiling_x4")
        )
    )
    chunk.lines.encounter = new_index[chunk.lines.encounter]
    chunk.truth = [
        (int(new_index[enc]), int(line_index[line]) if line >= 0 else -1, rule, detail)
        for enc, line, rule, detail in chunk.truth
        if keep[enc]
    ]


def _is_visit(chunk: _Chunk) -> np.ndarray:
    return _visits(chunk)


_PLANTERS: tuple[Callable[[_Chunk], None], ...] = (
    _split_admission,
    _overlapping_stay,
    _restricted_drug_line(
        "DRUG_SEX_LIMIT",
        _is_visit,
        lambda t, sex, level: (
            t.is_drug
            & (t.sex == 3 - sex)
            & (t.population == 0)
            & ~t.inpatient_only
            & (t.min_level <= level)
            & (t.course_days == 0)
            & ~t.excluded
        ),
    ),
    _restricted_drug_line(
        "ITEM_SEX_LIMIT",
        _is_visit,
        lambda t, sex, level: (
            ~t.is_drug & (t.sex == 3 - sex) & (t.population == 0) & ~t.excluded & ~t.frequency_limited
        ),
    ),
    _restricted_drug_line(
        "DRUG_AGE_LIMIT",
        lambda c: _visits(c)[c.batch.age_group[_visits(c)] == 3],
        lambda t, sex, level: (
            t.is_drug
            & (t.population == 3)
            & (t.sex == 0)
            & ~t.inpatient_only
            & (t.min_level <= level)
            & (t.course_days == 0)
            & ~t.excluded
        ),
    ),
    _restricted_drug_line(
        "DRUG_VISIT_TYPE",
        lambda c: _visits(c)[c.batch.kind[_visits(c)] == OUTPATIENT],
        lambda t, sex, level: (
            t.is_drug
            & t.inpatient_only
            & (t.sex == 0)
            & (t.population == 0)
            & (t.min_level <= level)
            & (t.course_days == 0)
            & ~t.excluded
        ),
    ),
    _restricted_drug_line(
        "DRUG_INSTITUTION_LEVEL",
        lambda c: _visits(c)[c.batch.site_class[_visits(c)] == PRIMARY_CLASS],
        lambda t, sex, level: (
            t.is_drug
            & (t.min_level > level)
            & (t.sex == 0)
            & (t.population == 0)
            & ~t.inpatient_only
            & (t.course_days == 0)
            & ~t.excluded
        ),
    ),
    _duplicate_charge,
    _frequency,
    _excess_supply,
    _over_price,
)
