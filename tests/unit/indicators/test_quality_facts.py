"""The quality elements of the shared fact queries on a tiny constructed ward, worked by hand, on both
faces of DuckDB: Arrow tables as the database path registers them, and Parquet views read by a backend.

Span January–February 2023. H1 has 10 beds; H2 opened on 15 February with 4 beds. Shanghai times:
  s1 surgical, 30 Jan 10:00 → 3 Feb 10:00, secondary T81.400: beds Jan 30, 31 | Feb 1, 2; LOS 4
  s2 medical, 10 Feb 08:00 → 10 Feb 18:00 (same day, secondary T81.000 but no operation): Feb 1 day
  s3 medical, 25 Dec 2022 → not discharged: all of January (31) and February (28)
  s4 medical, 20 Feb → 5 Mar: Feb 20–28 = 9 days; discharged after the span
  s5 surgical, 5 Jan → 8 Jan, principal T81.400 only (a principal diagnosis is no complication): Jan 3
  s7 medical, 31 Jan 23:30 → 1 Feb 09:00: the Beijing date 31 Jan, one day in January; LOS 1
  v1 an outpatient visit with an antibacterial line (visits do not count)
Antibacterial lines: s1 ceftriaxone 1 g × 4 (0.5 DDD each = 2) and cefazolin 1 g × 3 (⅓ DDD each
= 0.9999999999 at 10 places), s2 levofloxacin 0.5 g tablet × 1 (1 DDD), s4 ceftriaxone × 6 (March).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanyi.analytics.api import LocalBackend
from sanyi.indicators.engine import FACT_SCHEMA, Request, compute, facts_table
from sanyi.indicators.fact_queries import (
    ENCOUNTER_SQL,
    REGISTRY_SQL,
    between,
    ends_values,
    month_days,
    reference_inputs,
    with_inputs,
)
from sanyi.indicators.model import Span, Unit
from sanyi.indicators.parquet import with_views
from sanyi.indicators.sources import _query
from sanyi.knowledge.indicators import catalogue

TEXT, MOMENT = pa.string(), pa.timestamp("us", tz="UTC")
CEFTRIAXONE = "XJ01DDS999B001000000000"
CEFAZOLIN = "XJ01DBS999B002000000000"
LEVOFLOXACIN_TABLET = "XJ01MAS999A007000000000"
FIRST, LAST = "2023-01", "2023-02"


def shanghai(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


ENCOUNTERS = [
    # id, type, start, end, diagnoses, procedures
    ("s1", "inpatient", shanghai(2023, 1, 30, 10), shanghai(2023, 2, 3, 10), "K35.800|T81.400", "47.0900"),
    ("s2", "inpatient", shanghai(2023, 2, 10, 8), shanghai(2023, 2, 10, 18), "J18.900|T81.000", ""),
    ("s3", "inpatient", shanghai(2022, 12, 25, 9), None, "I63.900", ""),
    ("s4", "inpatient", shanghai(2023, 2, 20, 9), shanghai(2023, 3, 5, 10), "J18.900", ""),
    ("s5", "inpatient", shanghai(2023, 1, 5, 9), shanghai(2023, 1, 8, 10), "T81.400", "86.2200"),
    ("s7", "inpatient", shanghai(2023, 1, 31, 23, 30), shanghai(2023, 2, 1, 9), "R10.400", ""),
    ("v1", "outpatient", shanghai(2023, 1, 12, 9), shanghai(2023, 1, 12, 9, 30), "J06.900", ""),
]
LINES = [
    ("s1", CEFTRIAXONE, "4"),
    ("s1", CEFAZOLIN, "3"),
    ("s2", LEVOFLOXACIN_TABLET, "1"),
    ("s4", CEFTRIAXONE, "6"),
    ("v1", LEVOFLOXACIN_TABLET, "1"),
]
EXPECTED = {
    ("H1", "2023-01", "bed_days_occupied"): Decimal(37),  # s1 2 + s3 31 + s5 3 + s7 1
    ("H1", "2023-02", "bed_days_occupied"): Decimal(40),  # s1 2 + s2 1 + s3 28 + s4 9
    ("H1", "2023-01", "bed_days_discharged"): Decimal(3),  # s5
    ("H1", "2023-02", "bed_days_discharged"): Decimal(6),  # s1 4 + s2 1 + s7 1
    ("H1", "2023-01", "surgical_discharges"): Decimal(1),  # s5
    ("H1", "2023-02", "surgical_discharges"): Decimal(1),  # s1
    ("H1", "2023-02", "surgical_complications"): Decimal(1),  # s1 (s2 had no operation)
    ("H1", "2023-02", "antibacterial_ddds"): Decimal(4),  # s1 2 + 0.9999999999 → 3.0000, s2 1
}
ELEMENTS = {element for _, _, element in EXPECTED}


def _encounters() -> pa.Table:
    return pa.table(
        {
            "id": pa.array([e[0] for e in ENCOUNTERS], TEXT),
            "institution_code": pa.array(["H1"] * len(ENCOUNTERS), TEXT),
            "person_id": pa.array(["p1"] * len(ENCOUNTERS), TEXT),
            "type": pa.array([e[1] for e in ENCOUNTERS], TEXT),
            "start_at": pa.array([e[2] for e in ENCOUNTERS], MOMENT),
            "end_at": pa.array([e[3] for e in ENCOUNTERS], MOMENT),
            "referral_id": pa.array([None] * len(ENCOUNTERS), TEXT),
            "diagnoses": pa.array([e[4] for e in ENCOUNTERS], TEXT),
            "procedures": pa.array([e[5] for e in ENCOUNTERS], TEXT),
        }
    )


def _arrow_inputs() -> dict[str, pa.Table]:
    """The tables as the database path builds them (it keeps only stays and antibacterial codes)."""
    table = _encounters()
    stays = table.filter(pa.compute.equal(table["type"], "inpatient"))
    return {
        "enc": table.select(
            ["id", "institution_code", "person_id", "type", "start_at", "end_at", "referral_id"]
        ).rename_columns(["id", "institution", "person", "type", "start_at", "end_at", "referral"]),
        "people": pa.table({"person": ["p1"], "county": ["330302"]}),
        "inst": pa.table({"code": ["H1"], "county": ["330302"]}),
        "up": pa.table({"id": pa.array([], TEXT)}),
        "stay_codes": stays.select(["id", "diagnoses", "procedures"]).rename_columns(
            ["encounter", "diagnoses", "procedures"]
        ),
        "abx_lines": pa.table(
            {
                "encounter": pa.array([line[0] for line in LINES], TEXT),
                "code": pa.array([line[1] for line in LINES], TEXT),
                "quantity": pa.array([Decimal(line[2]) for line in LINES], pa.decimal128(18, 4)),
            }
        ),
    }


def _facts(table: pa.Table, elements: set[str]) -> dict[tuple[str, str, str], Decimal]:
    rows = table.rename_columns(FACT_SCHEMA.names).cast(FACT_SCHEMA).to_pylist()
    return {(r["unit"], r["month"], r["element"]): r["value"] for r in rows if r["element"] in elements}


def test_month_days_run_to_the_first_of_the_next_month() -> None:
    assert month_days("2023-11", "2024-02") == [
        (date(2023, 11, 1), date(2023, 12, 1)),
        (date(2023, 12, 1), date(2024, 1, 1)),
        (date(2024, 1, 1), date(2024, 2, 1)),
        (date(2024, 2, 1), date(2024, 3, 1)),
    ]


def test_the_database_face_counts_bed_days_ddds_and_complications_by_hand() -> None:
    sql = with_inputs(between(ENCOUNTER_SQL, FIRST, LAST), reference_inputs(FIRST, LAST))
    assert _facts(_query(_arrow_inputs(), sql), ELEMENTS) == EXPECTED


def test_the_parquet_face_counts_the_same(tmp_path: Path) -> None:
    pq.write_table(_encounters(), tmp_path / "encounters.parquet")
    pq.write_table(
        pa.table(
            {
                "code": ["H1"],
                "area_code": ["330302001"],
                "beds": pa.array([10], pa.int32()),
                "opened_on": [None],
            }
        ),
        tmp_path / "institutions.parquet",
    )
    pq.write_table(
        pa.table({"person_id": ["p1"], "residence_area": ["330302001"]}), tmp_path / "residents.parquet"
    )
    # Quantities are decimal text in a region, as in the database.
    lines = {
        "encounter_id": [x[0] for x in LINES],
        "code": [x[1] for x in LINES],
        "quantity": [x[2] for x in LINES],
    }
    pq.write_table(pa.table(lines), tmp_path / "fee_lines.parquet")
    people = "SELECT person_id AS person, substr(residence_area, 1, 6) AS county FROM residents"
    query = with_views(
        between(ENCOUNTER_SQL, FIRST, LAST),
        ("enc", "up", "inst", "stay_codes", "abx_lines"),
        {"people": people, **reference_inputs(FIRST, LAST)},
    )
    names = ("encounters", "institutions", "residents", "fee_lines")
    found = LocalBackend().sql(query, {n: tmp_path / f"{n}.parquet" for n in names})
    assert _facts(found, ELEMENTS) == EXPECTED


def _registry_facts(inst: pa.Table, spans: pa.Table | None = None) -> dict[tuple[str, str, str], Decimal]:
    empty = {name: pa.array([], TEXT) for name in ("institution", "practitioner")}
    no_spans = pa.table(
        {
            "code": pa.array([], TEXT),
            "start_on": pa.array([], pa.date32()),
            "end_on": pa.array([], pa.date32()),
            "beds": pa.array([], pa.int32()),
        }
    )
    tables = {
        "inst": inst,
        "bed_spans": no_spans if spans is None else spans,
        "sites": pa.table({**empty, "main": pa.array([], pa.bool_())}),
        "doctors": pa.table({name: pa.array([], TEXT) for name in ("code", "specialty", "licence_type")}),
        "communities": pa.table({"code": pa.array([], TEXT), "county": pa.array([], TEXT)}),
    }
    ends = ends_values([date(2023, 1, 31), date(2023, 2, 28)])
    inputs = {"months": reference_inputs(FIRST, LAST)["months"], "ends": ends}
    elements = {"open_bed_days", "beds", "institutions"}
    return _facts(_query(tables, with_inputs(REGISTRY_SQL, inputs)), elements)


def _inst(beds: list[int], opened_on: list[date | None]) -> pa.Table:
    return pa.table(
        {
            "code": ["H1", "H2"],
            "county": ["330302", "330302"],
            "beds": pa.array(beds, pa.int32()),
            "opened_on": pa.array(opened_on, pa.date32()),
        }
    )


def test_open_bed_days_are_beds_times_days_from_the_opening_day() -> None:
    facts = _registry_facts(_inst([10, 4], [None, date(2023, 2, 15)]))
    # H1 10 × 31 and 10 × 28; H2 4 × 14 (15–28 February), nothing in January.
    assert {key: value for key, value in facts.items() if key[2] == "open_bed_days"} == {
        ("H1", "2023-01", "open_bed_days"): Decimal(310),
        ("H1", "2023-02", "open_bed_days"): Decimal(280),
        ("H2", "2023-02", "open_bed_days"): Decimal(56),
    }


def test_a_changed_bed_count_counts_each_day_at_the_count_it_had() -> None:
    # H1: 10 beds until 9 February, 16 from the 10th. H2 opened on 15 February; its count went from
    # 2 to 4 on 1 February, before it opened, so only the 4 count.
    spans = pa.table(
        {
            "code": ["H1", "H1", "H2", "H2"],
            "start_on": pa.array([None, date(2023, 2, 10), None, date(2023, 2, 1)], pa.date32()),
            "end_on": pa.array([date(2023, 2, 10), None, date(2023, 2, 1), None], pa.date32()),
            "beds": pa.array([10, 16, 2, 4], pa.int32()),
        }
    )
    facts = _registry_facts(_inst([16, 4], [None, date(2023, 2, 15)]), spans)
    assert facts == {
        ("H1", "2023-01", "open_bed_days"): Decimal(310),
        ("H1", "2023-02", "open_bed_days"): Decimal(10 * 9 + 16 * 19),
        ("H2", "2023-02", "open_bed_days"): Decimal(4 * 14),
        ("H1", "2023-01", "beds"): Decimal(10),  # the count at each month's end
        ("H1", "2023-02", "beds"): Decimal(16),
        ("H2", "2023-02", "beds"): Decimal(4),
        ("H1", "2023-01", "institutions"): Decimal(1),  # one row a month, however many spans
        ("H1", "2023-02", "institutions"): Decimal(1),
        ("H2", "2023-02", "institutions"): Decimal(1),
    }


@pytest.mark.parametrize(
    ("code", "numerator", "denominator", "value"),
    [
        # Beds: (37 + 40) ÷ (310 + 280) × 100 = 13.0508…
        ("YY13", Decimal(77), Decimal(590), Decimal("13.0508")),
        # DDDs × 100 ÷ patient-days of discharged patients: 4 × 100 ÷ (3 + 6) = 44.4444…
        ("ZL01", Decimal(4), Decimal(9), Decimal("44.4444")),
        # Complications ÷ surgical discharges: 1 ÷ 2 × 100
        ("ZL02", Decimal(1), Decimal(2), Decimal(50)),
    ],
)
def test_the_indicators_divide_the_sums_of_the_span(
    code: str, numerator: Decimal, denominator: Decimal, value: Decimal
) -> None:
    sql = with_inputs(between(ENCOUNTER_SQL, FIRST, LAST), reference_inputs(FIRST, LAST))
    facts = _query(_arrow_inputs(), sql)
    beds = [("H1", "330302", month, "open_bed_days", n) for month, n in (("2023-01", 310), ("2023-02", 280))]
    both = pa.concat_tables([facts, facts_table(beds)])
    unit = Unit("H1", "H1", "330302", "public", "hospital", 3, ())
    # The first quarter: March has no facts (s4 is discharged then, but after the span read).
    request = Request((code,), (Span.parse("2023Q1"),), "330302")
    (figure,) = compute(catalogue(), both, [unit], request)
    assert (figure.numerator, figure.denominator, figure.value) == (numerator, denominator, value)
