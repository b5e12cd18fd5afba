"""The fact queries both stores share: the operational database (its rows as Arrow in DuckDB) and a
Parquet region (through an analytics backend, DuckDB or Spark SQL).

Each query reads named input tables of a fixed shape and returns rows of ``engine.FACT_SCHEMA``
(value still an integer). A store only supplies those tables; the counting is written once here.
The SQL is DuckDB dialect kept to what sqlglot translates to Spark SQL: months from timestamps are
formatted after adding 8 hours (Shanghai has no daylight saving) in a UTC session, ages come from
year, month and day, never from dialect-specific date differences.

Input tables (columns):
    enc(id, institution, person, type, start_at, end_at, referral)   up(id)  -- upward referrals
    people(person, county, birth, death, key_flag)                signed(person, start_on, end_on)
    inst(code, county, beds, opened_on)                           ends(month, day)
    bed_spans(code, start_on, end_on, beds)                       -- changed counts: [start, end)
    sites(institution, practitioner, main)                        doctors(code, specialty, licence_type)
    communities(code, county)                                     -- the lead institution's county
    fin(institution, month, <FINANCE_AMOUNTS in fen>)             -- finance returns
    paid(institution, type, start_at, scheme, fund, policy, total, personal)  -- settled, in fen
    rep(unit, month, element, value)                              -- reported values

The money queries (``MONEY_SOURCES``) count fen; ``in_yuan`` turns their values into yuan exactly.
    months(month, first_day, next_day)                            -- every month of the span
    stay_codes(encounter, diagnoses, procedures)                  -- stays: '|'-joined codes, principal first
    abx_lines(encounter, code, quantity)                          -- fee lines (only antibacterials count)
    abx(code, ddd_per_unit)                                       complications(prefix)

``months``, ``abx`` and ``complications`` are reference tables given inline (``reference_inputs``).
Bed days are counted by Beijing date as the national statistics count them (a patient in a bed at
midnight; admitted and discharged the same day counts one day), clipped to each month; a stay with no
discharge yet occupies its bed to the end of the span. Beds and open bed days count an institution's
beds as they stood on each day: ``bed_spans`` holds the spans of the institutions whose count changed
(one row per span, NULL for an open end); the others keep ``inst.beds`` throughout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Final

import pyarrow as pa

from sanyi.indicators.model import month_key
from sanyi.indicators.tables import FINANCE_AMOUNTS
from sanyi.knowledge.quality import antibacterial_products, complication_prefixes

ENCOUNTER_SQL: Final = """
WITH shanghai AS (
    SELECT *, strftime(start_at + INTERVAL 8 HOUR, '%Y-%m') AS start_month,
              strftime(end_at + INTERVAL 8 HOUR, '%Y-%m') AS end_month,
              CAST(start_at + INTERVAL 8 HOUR AS DATE) AS start_day,
              CAST(end_at + INTERVAL 8 HOUR AS DATE) AS end_day,
              greatest(1, date_diff('day', CAST(start_at + INTERVAL 8 HOUR AS DATE),
                                           CAST(end_at + INTERVAL 8 HOUR AS DATE))) AS los_days
    FROM enc
), e AS (
    SELECT s.id, s.institution AS unit, i.county AS county, p.county AS home, s.start_month AS month,
           s.end_month, s.start_day, s.end_day, s.los_days, s.referral,
           s.type IN ('outpatient', 'emergency') AS visit,
           s.type = 'inpatient' AS stay, s.start_month BETWEEN $first AND $last AS started
    FROM shanghai s JOIN inst i ON i.code = s.institution LEFT JOIN people p ON p.person = s.person
), occupied AS (
    SELECT e.unit, e.county, m.month,
           CASE WHEN e.end_day = e.start_day THEN 1
                ELSE date_diff('day', greatest(e.start_day, m.first_day),
                                      least(COALESCE(e.end_day, m.next_day), m.next_day)) END AS days
    FROM e JOIN months m ON e.start_day < m.next_day
        AND (COALESCE(e.end_day, m.next_day) > m.first_day
             OR (e.end_day = e.start_day AND e.start_day >= m.first_day))
    WHERE e.stay
), discharged AS (
    SELECT e.id, e.unit, e.county, e.end_month AS month, c.diagnoses,
           COALESCE(c.procedures, '') <> '' AS surgical
    FROM e JOIN stay_codes c ON c.encounter = e.id
    WHERE e.stay AND e.end_month BETWEEN $first AND $last
), complicated AS (
    -- A complication is a secondary diagnosis: a code after a '|', never the principal one.
    SELECT DISTINCT d.id, d.unit, d.county, d.month FROM discharged d
    JOIN complications k ON d.diagnoses LIKE concat('%|', k.prefix, '%')
    WHERE d.surgical
), ddds AS (
    SELECT l.encounter, SUM(l.quantity * a.ddd_per_unit) AS ddd
    FROM abx_lines l JOIN abx a ON a.code = l.code GROUP BY l.encounter
)
SELECT unit, county, month, 'visits' AS element, COUNT(*) AS value FROM e WHERE visit AND started GROUP BY ALL
UNION ALL SELECT unit, county, month, 'admissions', COUNT(*) FROM e WHERE stay AND started GROUP BY ALL
UNION ALL SELECT unit, county, end_month, 'discharges', COUNT(*) FROM e
    WHERE stay AND end_month BETWEEN $first AND $last GROUP BY ALL
UNION ALL SELECT unit, county, end_month, 'bed_days_discharged', SUM(los_days) FROM e
    WHERE stay AND end_month BETWEEN $first AND $last GROUP BY ALL
UNION ALL SELECT unit, county, month, 'referred_visits', COUNT(*) FROM e
    WHERE visit AND started AND referral IN (SELECT id FROM up) GROUP BY ALL
UNION ALL SELECT '', home, month, 'resident_encounters', COUNT(*) FROM e
    WHERE (visit OR stay) AND started AND home IS NOT NULL GROUP BY ALL
UNION ALL SELECT '', home, month, 'resident_encounters_in_county', COUNT(*) FROM e
    WHERE (visit OR stay) AND started AND home = county GROUP BY ALL
UNION ALL SELECT '', home, month, 'resident_admissions', COUNT(*) FROM e
    WHERE stay AND started AND home IS NOT NULL GROUP BY ALL
UNION ALL SELECT '', home, month, 'resident_admissions_in_county', COUNT(*) FROM e
    WHERE stay AND started AND home = county GROUP BY ALL
UNION ALL SELECT unit, county, month, 'bed_days_occupied', SUM(days) FROM occupied GROUP BY ALL
UNION ALL SELECT unit, county, month, 'surgical_discharges', COUNT(*) FROM discharged
    WHERE surgical GROUP BY ALL
UNION ALL SELECT unit, county, month, 'surgical_complications', COUNT(*) FROM complicated GROUP BY ALL
UNION ALL SELECT d.unit, d.county, d.month, 'antibacterial_ddds', CAST(SUM(x.ddd) AS DECIMAL(38, 4))
    FROM discharged d JOIN ddds x ON x.encounter = d.id GROUP BY ALL
"""

RESIDENT_SQL: Final = """
WITH p AS (
    SELECT r.person, r.county, r.key_flag, d.month, d.day,
           year(d.day) - year(r.birth)
               - CASE WHEN month(r.birth) * 100 + day(r.birth) > month(d.day) * 100 + day(d.day)
                      THEN 1 ELSE 0 END AS age
    FROM people r CROSS JOIN ends d
    WHERE r.birth <= d.day AND (r.death IS NULL OR r.death > d.day)
), f AS (
    SELECT p.*, (age >= 65 OR age < 7 OR key_flag) AS key_group,
           EXISTS (SELECT 1 FROM signed c
                   WHERE c.person = p.person AND c.start_on <= p.day AND c.end_on >= p.day) AS is_signed
    FROM p
)
SELECT '' AS unit, county, month, 'population' AS element, COUNT(*) AS value FROM f GROUP BY ALL
UNION ALL SELECT '', county, month, 'children', COUNT(*) FROM f WHERE age < 15 GROUP BY ALL
UNION ALL SELECT '', county, month, 'key_group_persons', COUNT(*) FROM f WHERE key_group GROUP BY ALL
UNION ALL SELECT '', county, month, 'signed_residents', COUNT(*) FROM f WHERE is_signed GROUP BY ALL
UNION ALL SELECT '', county, month, 'signed_key_group_persons', COUNT(*) FROM f
    WHERE is_signed AND key_group GROUP BY ALL
"""

# Paediatric doctors: 诊疗科目 儿科 (07) and its sub-specialties 07xx.
REGISTRY_SQL: Final = """
WITH counted AS (
    SELECT i.code, i.county, i.opened_on, COALESCE(b.beds, i.beds) AS beds, b.start_on, b.end_on
    FROM inst i LEFT JOIN bed_spans b ON b.code = i.code
), standing AS (
    SELECT c.code, c.county, c.beds, d.month FROM counted c CROSS JOIN ends d
    WHERE (c.opened_on IS NULL OR c.opened_on <= d.day)
      AND (c.start_on IS NULL OR c.start_on <= d.day) AND (c.end_on IS NULL OR d.day < c.end_on)
), open_days AS (
    SELECT c.code, c.county, c.beds, m.month,
           greatest(m.first_day, COALESCE(c.opened_on, m.first_day), COALESCE(c.start_on, m.first_day))
               AS since,
           least(m.next_day, COALESCE(c.end_on, m.next_day)) AS until
    FROM counted c CROSS JOIN months m
), paediatric AS (
    SELECT s.institution, COUNT(*) AS doctors FROM sites s JOIN doctors p ON p.code = s.practitioner
    WHERE s.main AND p.licence_type = 'doctor' AND p.specialty LIKE '07%'
    GROUP BY s.institution
)
SELECT code AS unit, county, month, 'institutions' AS element, CAST(1 AS BIGINT) AS value FROM standing
UNION ALL SELECT code, county, month, 'beds', CAST(beds AS BIGINT) FROM standing
UNION ALL SELECT o.code, o.county, o.month, 'paediatric_doctors', CAST(COALESCE(p.doctors, 0) AS BIGINT)
    FROM standing o LEFT JOIN paediatric p ON p.institution = o.code
UNION ALL SELECT '', c.county, d.month, 'medical_communities', COUNT(*)
    FROM communities c CROSS JOIN ends d GROUP BY ALL
UNION ALL SELECT code, county, month, 'open_bed_days',
    SUM(CAST(beds AS BIGINT) * date_diff('day', since, until))
    FROM open_days WHERE since < until GROUP BY code, county, month
"""


# One row per institution, month and amount of the finance returns (zeros included, as reported).
# The names are the constant FINANCE_AMOUNTS, nothing from outside.
_FINANCE_PARTS: Final = "\nUNION ALL ".join(
    f"SELECT institution AS unit, county, month, '{name}' AS element, {name} AS value FROM f"  # noqa: S608
    for name in FINANCE_AMOUNTS
)
FINANCE_SQL: Final = f"""
WITH f AS (
    SELECT x.*, coalesce(i.county, '') AS county FROM fin x LEFT JOIN inst i ON i.code = x.institution
    WHERE x.month BETWEEN $first AND $last
)
{_FINANCE_PARTS}
"""  # noqa: S608

# Settled claims by the Shanghai month the encounter starts; pharmacy sales are not visits or stays.
# The fund and policy-range sums are the resident scheme's; every scheme's claims count towards the
# patients' share (total cost and personal burden).
SETTLEMENT_SQL: Final = """
WITH s AS (
    SELECT institution, scheme, strftime(start_at + INTERVAL 8 HOUR, '%Y-%m') AS month,
           CASE WHEN type = 'inpatient' THEN 'inpatient' ELSE 'outpatient' END AS side,
           fund, policy, total, personal
    FROM paid WHERE type <> 'pharmacy'
), m AS (
    SELECT s.*, coalesce(i.county, '') AS county FROM s LEFT JOIN inst i ON i.code = s.institution
    WHERE s.month BETWEEN $first AND $last
), r AS (
    SELECT * FROM m WHERE scheme = 'resident'
)
SELECT institution AS unit, county, month, concat('fund_paid_', side) AS element, SUM(fund) AS value
    FROM r GROUP BY institution, county, month, side
UNION ALL SELECT institution, county, month, concat('policy_cost_', side), SUM(policy)
    FROM r GROUP BY institution, county, month, side
UNION ALL SELECT institution, county, month, 'settled_cost', SUM(total)
    FROM m GROUP BY institution, county, month
UNION ALL SELECT institution, county, month, 'personal_burden', SUM(personal)
    FROM m GROUP BY institution, county, month
"""

# A reported stock holds from its month until the next report of the same element for the unit; a
# reported flow (``rep.flow``: the finance return's visit counts) counts in its own month only. A unit
# that is not an institution is an area (its county is its first six digits).
REPORTED_SQL: Final = """
WITH latest AS (
    SELECT v.unit, v.element, v.value, d.month,
           row_number() OVER (PARTITION BY v.unit, v.element, d.month ORDER BY v.month DESC) AS pick
    FROM rep v JOIN ends d ON v.month <= d.month
    WHERE NOT v.flow
), picked AS (
    SELECT unit, element, value, month FROM latest WHERE pick = 1
    UNION ALL
    SELECT unit, element, value, month FROM rep WHERE flow AND month BETWEEN $first AND $last
)
SELECT CASE WHEN i.code IS NULL THEN '' ELSE l.unit END AS unit,
       coalesce(i.county, substr(l.unit, 1, 6)) AS county, l.month, l.element, l.value
FROM picked l LEFT JOIN inst i ON i.code = l.unit
"""

MONEY_SOURCES: Final = frozenset({"finance", "settlements"})


def in_yuan(facts: pa.Table) -> pa.Table:
    """Facts counted in fen with their values in yuan, exactly (integers ÷ 100)."""
    index = facts.schema.get_field_index("value")
    values = [None if v is None else Decimal(v).scaleb(-2) for v in facts.column(index).to_pylist()]
    return facts.set_column(index, "value", pa.array(values, pa.decimal128(38, 4)))


def months_values(first: str, last: str) -> str:
    """The ``months`` table from ``first`` to ``last`` (``YYYY-MM``) as an inline VALUES query."""
    rows = ", ".join(
        f"('{month_key(day.year, day.month)}', DATE '{day.isoformat()}', DATE '{after.isoformat()}')"
        for day, after in month_days(first, last)
    )
    return f"SELECT * FROM (VALUES {rows}) AS t(month, first_day, next_day)"  # noqa: S608


def month_days(first: str, last: str) -> list[tuple[date, date]]:
    """(first day, first day of the next month) of every month from ``first`` to ``last``."""
    year, month = int(first[:4]), int(first[5:])
    out = []
    while month_key(year, month) <= last:
        after = date(year + month // 12, month % 12 + 1, 1)
        out.append((date(year, month, 1), after))
        year, month = after.year, after.month
    return out


def reference_inputs(first: str, last: str) -> dict[str, str]:
    """The inline reference tables of the fact queries: months, antibacterial DDDs, complications."""
    products = antibacterial_products()
    abx = ", ".join(f"('{p.code}', CAST('{p.ddd_per_unit}' AS DECIMAL(20, 10)))" for p in products.values())
    prefixes = ", ".join(f"('{prefix}')" for prefix in complication_prefixes())
    return {
        "months": months_values(first, last),
        "abx": f"SELECT * FROM (VALUES {abx}) AS t(code, ddd_per_unit)",  # noqa: S608
        "complications": f"SELECT * FROM (VALUES {prefixes}) AS t(prefix)",  # noqa: S608
    }


def with_inputs(query: str, inputs: Mapping[str, str]) -> str:
    """``query`` (starting ``WITH``) preceded by the named inputs as common table expressions."""
    prefix = ", ".join(f"{name} AS ({sql})" for name, sql in inputs.items())
    return f"WITH {prefix}, {query.strip().removeprefix('WITH')}"


def between(sql: str, first: str, last: str) -> str:
    """``sql`` with its month bounds filled in (``YYYY-MM`` strings the caller has parsed)."""
    return sql.replace("$first", f"'{first}'").replace("$last", f"'{last}'")


def ends_values(ends: Sequence[date]) -> str:
    """The ``ends`` table as an inline VALUES query (the days are dates, so nothing foreign enters)."""
    rows = ", ".join(f"('{month_key(d.year, d.month)}', DATE '{d.isoformat()}')" for d in ends)
    return f"SELECT * FROM (VALUES {rows}) AS t(month, day)"  # noqa: S608
