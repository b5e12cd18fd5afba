"""Indicator values from a region's Parquet (``sanyi synth --parquet``) on any analytics backend.

The facts come from the shared fact queries (``fact_queries``) run by ``AnalyticsBackend.sql``, so
DuckDB and Spark SQL count the same rows the database path counts; the views below only rename a
region's columns to the queries' input shapes. The engine then sums and divides as for the database.

A Parquet region holds the registry (areas, institutions, practitioners, medical groups), residents,
encounters and fee lines (antibacterial DDDs come from these). It holds no upward referrals,
family-doctor contracts, finance returns, settlements, test-result orders, reported values or DRG
groupings: those are written to the database by later steps (``sanyi synth tiered``/``finance``,
``settle-encounters``, the DRG pages). So the Parquet path serves the indicators whose elements all
come from encounters, residents and the registry, less referred visits and signed residents; asking
for another indicator is refused.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc

from sanyi.analytics.api import AnalyticsBackend
from sanyi.indicators.engine import FACT_SCHEMA
from sanyi.indicators.fact_queries import (
    ENCOUNTER_SQL,
    REGISTRY_SQL,
    RESIDENT_SQL,
    between,
    ends_values,
    reference_inputs,
    with_inputs,
)
from sanyi.indicators.model import IndicatorValue, Unit
from sanyi.indicators.services import ValuesQuery, evaluate
from sanyi.indicators.sources import units_from
from sanyi.knowledge.indicators import Catalogue, catalogue
from sanyi.registry.api import Viewer

# Each input view of the fact queries over the region's tables (DuckDB dialect, run on either engine).
VIEWS: Final = {
    "enc": "SELECT id, institution_code AS institution, person_id AS person, type, start_at, end_at, "
    "referral_id AS referral FROM encounters",
    "up": "SELECT referral_id AS id FROM encounters WHERE FALSE",  # no referrals in the region
    "people": "SELECT person_id AS person, substr(residence_area, 1, 6) AS county, birth_date AS birth, "
    "death_date AS death, (pregnant OR disabled OR severe_mental OR hypertension OR diabetes "
    "OR tuberculosis) AS key_flag FROM residents",
    "signed": "SELECT person_id AS person, birth_date AS start_on, birth_date AS end_on "
    "FROM residents WHERE FALSE",  # no contracts in the region
    "inst": "SELECT code, substr(area_code, 1, 6) AS county, beds, opened_on FROM institutions",
    "sites": "SELECT institution_code AS institution, practitioner_code AS practitioner, main "
    "FROM practice_sites",
    "doctors": "SELECT code, specialty, licence_type FROM practitioners",
    "stay_codes": "SELECT id AS encounter, diagnoses, procedures FROM encounters WHERE type = 'inpatient'",
    "abx_lines": "SELECT encounter_id AS encounter, code, CAST(quantity AS DECIMAL(18, 4)) AS quantity "
    "FROM fee_lines",
    "communities": "SELECT g.code, substr(l.area_code, 1, 6) AS county FROM medical_groups g "
    "JOIN institutions l ON l.code = g.lead_institution",
}
# Per source: its fact query, the views it reads, the region's tables behind them.
QUERIES: Final = {
    "encounters": (
        ENCOUNTER_SQL,
        ("enc", "up", "people", "inst", "stay_codes", "abx_lines"),
        ("encounters", "residents", "institutions", "fee_lines"),
    ),
    "residents": (RESIDENT_SQL, ("people", "signed"), ("residents",)),
    "registry": (
        REGISTRY_SQL,
        ("inst", "sites", "doctors", "communities"),
        ("institutions", "practice_sites", "practitioners", "medical_groups"),
    ),
}
# Elements of those sources that need tables the region does not hold.
NOT_IN_REGION: Final = frozenset({"referred_visits", "signed_residents", "signed_key_group_persons"})


def region_elements(loaded: Catalogue) -> frozenset[str]:
    """The data elements a Parquet region gives."""
    return frozenset(e.id for e in loaded.elements.values() if e.source in QUERIES) - NOT_IN_REGION


def region_indicators(loaded: Catalogue) -> tuple[str, ...]:
    """The indicators whose every element a Parquet region gives, in catalogue order."""
    given = region_elements(loaded)
    return tuple(code for code, d in loaded.indicators.items() if set(d.elements) <= given)


def with_views(query: str, views: Sequence[str], extra: Mapping[str, str]) -> str:
    """``query`` (starting ``WITH``) preceded by the named views as common table expressions."""
    return with_inputs(query, {name: VIEWS[name] for name in views} | dict(extra))


def region_facts(
    backend: AnalyticsBackend,
    directory: Path,
    wanted: Collection[str],
    first: str,
    last: str,
    ends: Sequence[date],
) -> pa.Table:
    """The facts of the wanted sources a region gives, between two months (stocks at ``ends``)."""
    tables = []
    for source, (query, views, names) in QUERIES.items():
        if source not in wanted:
            continue
        extra = {"ends": ends_values(ends), **reference_inputs(first, last)}
        sql = with_views(between(query, first, last), views, extra)
        found = backend.sql(sql, {name: directory / name for name in names})
        tables.append(found.rename_columns(FACT_SCHEMA.names).cast(FACT_SCHEMA))
    facts = pa.concat_tables(tables) if tables else FACT_SCHEMA.empty_table()
    given = pa.array(sorted(region_elements(catalogue())), pa.string())
    return facts.filter(pc.is_in(facts["element"], value_set=given))


def region_units(backend: AnalyticsBackend, directory: Path) -> list[Unit]:
    listed = backend.sql(
        "SELECT code, name, area_code, kind, tier, ownership FROM institutions ORDER BY code",
        {"institutions": directory / "institutions"},
    )
    members = backend.sql(
        "SELECT group_code, institution_code FROM medical_group_members",
        {"medical_group_members": directory / "medical_group_members"},
    )
    return units_from(_tuples(listed), _tuples(members))


def region_area_names(backend: AnalyticsBackend, directory: Path) -> dict[str, str]:
    found = backend.sql(
        "SELECT code, name FROM areas WHERE level <> 'township'", {"areas": directory / "areas"}
    )
    return dict(zip(found["code"].to_pylist(), found["name"].to_pylist(), strict=True))


def region_values(
    backend: AnalyticsBackend, directory: Path, viewer: Viewer, query: ValuesQuery
) -> list[IndicatorValue]:
    """Indicator values of a Parquet region, computed on ``backend`` (local DuckDB or Spark)."""

    def read(wanted: Collection[str], first: str, last: str, ends: Sequence[date]) -> pa.Table:
        return region_facts(backend, directory, wanted, first, last, ends)

    listed = region_units(backend, directory)
    names = region_area_names(backend, directory)
    return evaluate(viewer, query, listed, names, read, region_indicators(catalogue()))


def _tuples(table: pa.Table) -> list[tuple[object, ...]]:
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return list(zip(*columns, strict=True))
