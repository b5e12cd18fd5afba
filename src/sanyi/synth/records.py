"""Arrow tables of the generated region, column for column the registry and care tables."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa

from sanyi.registry.api import Institution, MedicalGroup, Practitioner
from sanyi.synth import billing
from sanyi.synth.billing import LineBatch
from sanyi.synth.population import ASSISTANCE, GROUPS, SCHEMES, Population, citizen_ids
from sanyi.synth.world import World

TIMESTAMP = pa.timestamp("us", tz="UTC")


def areas_table(world: World) -> pa.Table:
    return pa.table(
        {
            "code": [a.code for a in world.areas],
            "name": [a.name for a in world.areas],
            "level": [a.level.value for a in world.areas],
            "parent_code": [a.parent_code for a in world.areas],
            "urban": [a.urban for a in world.areas],
        }
    )


def institutions_table(institutions: list[Institution]) -> pa.Table:
    return pa.table(
        {
            "code": [i.code for i in institutions],
            "name": [i.name for i in institutions],
            "area_code": [i.area_code for i in institutions],
            "kind": [i.kind.value for i in institutions],
            "tier": pa.array([int(i.tier) for i in institutions], pa.int16()),
            "grade": [i.grade.value if i.grade else None for i in institutions],
            "ownership": [i.ownership.value for i in institutions],
            "for_profit": [i.for_profit for i in institutions],
            "beds": pa.array([i.beds for i in institutions], pa.int32()),
            "opened_on": pa.array([i.opened_on for i in institutions], pa.date32()),
            "named_provincial": [i.named_provincial for i in institutions],
        }
    )


def institution_departments_table(institutions: list[Institution]) -> pa.Table:
    pairs = [(i.code, d) for i in institutions for d in dict.fromkeys(i.departments)]
    return pa.table({"institution_code": [p[0] for p in pairs], "department_code": [p[1] for p in pairs]})


def groups_tables(groups: list[MedicalGroup]) -> tuple[pa.Table, pa.Table]:
    heads = pa.table(
        {
            "code": [g.code for g in groups],
            "name": [g.name for g in groups],
            "kind": [g.kind.value for g in groups],
            "area_code": [g.area_code for g in groups],
            "lead_institution": [g.lead_institution for g in groups],
        }
    )
    members = [(g.code, m) for g in groups for m in g.members]
    return heads, pa.table(
        {"group_code": [m[0] for m in members], "institution_code": [m[1] for m in members]}
    )


def practitioner_tables(practitioners: list[Practitioner]) -> tuple[pa.Table, pa.Table]:
    people = pa.table(
        {
            "code": [p.code for p in practitioners],
            "name": [p.name for p in practitioners],
            "sex": [p.sex for p in practitioners],
            "licence_type": [p.licence_type.value for p in practitioners],
            "specialty": [p.specialty for p in practitioners],
            "general_practitioner": [p.general_practitioner for p in practitioners],
        }
    )
    sites = [(p.code, s) for p in practitioners for s in p.sites]
    return people, pa.table(
        {
            "practitioner_code": [s[0] for s in sites],
            "institution_code": [s[1].institution_code for s in sites],
            "department_code": [s[1].department_code for s in sites],
            "main": [s[1].main for s in sites],
        }
    )


def person_ids(global_index: np.ndarray) -> list[str]:
    return [f"P{index:010d}" for index in global_index.tolist()]


def residents_table(
    world: World,
    population: Population,
    rows: np.ndarray,
    names: list[str],
    death_day: np.ndarray,
    rng: np.random.Generator,
) -> pa.Table:
    township_codes = np.array(world.township_codes, dtype=object)
    county_codes = np.array(world.county_codes, dtype=object)
    household = population.household_township[rows]
    birth = pa.array(population.birth_days[rows], pa.int32()).cast(pa.date32())
    dead = death_day < 10**6
    year_start = (date(population.year, 1, 1) - date(1970, 1, 1)).days
    death = pa.array(np.where(dead, year_start + death_day, 0).astype(np.int32), pa.int32(), mask=~dead).cast(
        pa.date32()
    )
    phones = [
        f"1{prefix}{number:09d}"
        for prefix, number in zip(
            rng.choice([3, 5, 8], len(rows)).tolist(), rng.integers(0, 10**9, len(rows)).tolist(), strict=True
        )
    ]
    scheme = np.array(SCHEMES, dtype=object)[population.scheme[rows]]
    group = np.array(GROUPS, dtype=object)[population.group[rows]]
    assistance = np.array(ASSISTANCE, dtype=object)[population.assistance[rows]]
    enrolled = population.scheme[rows] > 0
    return pa.table(
        {
            "person_id": person_ids(rows),
            "citizen_id": citizen_ids(world, population, rows),
            "name": names,
            "sex": np.where(population.sex[rows] == 1, "1", "2").astype(object),
            "birth_date": birth,
            "household_area": township_codes[household],
            "residence_area": township_codes[population.township[rows]],
            "phone": phones,
            "death_date": death,
            "pregnant": population.pregnant[rows],
            "disabled": population.disabled[rows],
            "severe_mental": population.severe_mental[rows],
            "hypertension": population.hypertension[rows],
            "diabetes": population.diabetes[rows],
            "tuberculosis": population.tuberculosis[rows],
            "scheme": pa.array(np.where(enrolled, scheme, None)),
            "population_group": pa.array(np.where(enrolled, group, None)),
            "home_region": pa.array(np.where(enrolled, county_codes[world.township_county[household]], None)),
            "assistance": pa.array(np.where(assistance == "", None, assistance)),
        }
    )


def _timestamps(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype(np.int64) * 1_000_000, pa.int64()).cast(TIMESTAMP)


def _decimal_text(x4: np.ndarray) -> np.ndarray:
    """Canonical decimal text of values in 1/10,000 (e.g. 125000 → "12.5", 20000 → "2").

    Prices repeat a lot, so each distinct value is formatted once.
    """
    distinct, inverse = np.unique(x4, return_inverse=True)
    texts = []
    for value in distinct.tolist():
        whole, fraction = divmod(abs(value), 10_000)
        text = str(whole) if fraction == 0 else f"{whole}.{fraction:04d}".rstrip("0")
        texts.append(("-" if value < 0 else "") + text)
    return np.array(texts, dtype=object)[inverse]


def fee_lines_table(
    encounter_ids: np.ndarray, lines: LineBatch, doctors: np.ndarray, line_no: np.ndarray
) -> pa.Table:
    table = billing.billables()
    b = lines.billable
    pay_class = table.pay_class[b]
    selfpay = np.where(pay_class == "B", "0.1", "0").astype(object)
    ceiling = lines.ceiling_x4
    return pa.table(
        {
            "encounter_id": encounter_ids[lines.encounter],
            "line_no": pa.array(line_no, pa.int16()),
            "code": table.code[b],
            "name": table.name[b],
            "category": table.category[b],
            "pay_class": pay_class,
            "selfpay_prop": selfpay,
            "quantity": _decimal_text(lines.quantity * 10_000),
            "unit_price": _decimal_text(lines.price_x4),
            "amount": pa.array(lines.amount_fen, pa.int64()),
            "time": _timestamps(lines.time),
            "days_supply": pa.array(lines.days_supply, pa.int32(), mask=lines.days_supply < 0),
            "doctor_code": doctors[lines.encounter],
            "price_ceiling": pa.array(_decimal_text(np.maximum(ceiling, 0)), pa.string(), mask=ceiling < 0),
        }
    )


def _optional(values: np.ndarray) -> pa.Array:
    """Strings where "" means no value."""
    return pa.array(values, pa.string(), mask=values == "")


def encounters_table(
    ids: np.ndarray,
    institution: np.ndarray,
    person: list[str],
    kind: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    department: np.ndarray,
    doctor: np.ndarray,
    diagnoses: list[str],
    procedures: list[str],
    discharge: np.ndarray,
    offsite: np.ndarray,
) -> pa.Table:
    kinds = np.array(billing.TYPE_NAMES, dtype=object)[kind]
    return pa.table(
        {
            "id": ids,
            "institution_code": institution,
            "encounter_no": ids,
            "person_id": person,
            "type": kinds,
            "start_at": _timestamps(start),
            "end_at": pa.array(end * 1_000_000, pa.int64(), mask=end < 0).cast(TIMESTAMP),
            "department_code": _optional(department),
            "doctor_code": _optional(doctor),
            "diagnoses": diagnoses,
            "procedures": procedures,
            "discharge_type": _optional(discharge),
            "emergency": kind == billing.EMERGENCY,
            "offsite": _optional(offsite),
            "referral_id": pa.nulls(len(ids), pa.string()),
        }
    )
