"""Indicator values from a region's Parquet (``sanyi synth --parquet``) and the outputs of its batch
jobs (``sanyi batch run -o OUT``) on any analytics backend.

The facts come from the shared fact queries (``fact_queries``) run by ``AnalyticsBackend.sql``, so
DuckDB and Spark SQL count the same rows the database path counts; the views below only rename a
region's columns to the queries' input shapes. The engine then sums and divides as for the database.

What a region gives (``region_sources``): the registry, residents, encounters and fee lines always
(antibacterial DDDs come from the fee lines); the finance returns and reported values that
``ParquetSink`` writes beside them (regions written before it did lack them); settlements when the
settle job's output ``OUT/settle`` is given; DRG evaluation sums when the drg job's ``OUT/drg`` is
given. It holds no upward referrals, family-doctor contracts or test-result orders (``sanyi synth
tiered`` writes those to the database only), so the indicators needing them are refused.
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
    FINANCE_SQL,
    MONEY_SOURCES,
    REGISTRY_SQL,
    REPORTED_SQL,
    RESIDENT_SQL,
    SETTLEMENT_SQL,
    between,
    ends_values,
    in_yuan,
    reference_inputs,
    with_inputs,
)
from sanyi.indicators.model import IndicatorValue, Unit
from sanyi.indicators.services import ValuesQuery, evaluate
from sanyi.indicators.sources import DrgCase, drg_case_facts, reported_flows, units_from
from sanyi.indicators.tables import FINANCE_AMOUNTS
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
    "bed_spans": "SELECT code, CAST(NULL AS DATE) AS start_on, CAST(NULL AS DATE) AS end_on, beds "
    "FROM institutions WHERE FALSE",  # a region's bed counts never change
    "sites": "SELECT institution_code AS institution, practitioner_code AS practitioner, main "
    "FROM practice_sites",
    "doctors": "SELECT code, specialty, licence_type FROM practitioners",
    "stay_codes": "SELECT id AS encounter, diagnoses, procedures FROM encounters WHERE type = 'inpatient'",
    "abx_lines": "SELECT encounter_id AS encounter, code, CAST(quantity AS DECIMAL(18, 4)) AS quantity "
    "FROM fee_lines",
    "communities": "SELECT g.code, substr(l.area_code, 1, 6) AS county FROM medical_groups g "
    "JOIN institutions l ON l.code = g.lead_institution",
    "fin": f"SELECT institution_code AS institution, month, {', '.join(FINANCE_AMOUNTS)} "  # noqa: S608
    "FROM institution_finance",
    # The settle job writes yuan as text with two decimals; the queries count fen.
    "paid": "SELECT e.institution_code AS institution, e.type, e.start_at, r.scheme, "
    "CAST(CAST(s.fund_pay_sumamt AS DECIMAL(18, 2)) * 100 AS BIGINT) AS fund, "
    "CAST(CAST(s.inscp_scp_amt AS DECIMAL(18, 2)) * 100 AS BIGINT) AS policy, "
    "CAST(CAST(s.medfee_sumamt AS DECIMAL(18, 2)) * 100 AS BIGINT) AS total, "
    "CAST(CAST(s.psn_part_amt AS DECIMAL(18, 2)) * 100 AS BIGINT) AS personal "
    "FROM settle s JOIN encounters e ON e.id = s.claim_id JOIN residents r ON r.person_id = e.person_id "
    "WHERE s.status = 'settled'",
    "rep": "SELECT unit_code AS unit, month, element, value, element IN ({flows}) AS flow "
    "FROM reported_values",
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
        ("inst", "bed_spans", "sites", "doctors", "communities"),
        ("institutions", "practice_sites", "practitioners", "medical_groups"),
    ),
    "finance": (FINANCE_SQL, ("fin", "inst"), ("institution_finance", "institutions")),
    "reported": (REPORTED_SQL, ("rep", "inst"), ("reported_values", "institutions")),
    "settlements": (SETTLEMENT_SQL, ("paid", "inst"), ("settle", "encounters", "residents", "institutions")),
}
# The sources every region gives; the others need their tables (see ``region_sources``).
ALWAYS: Final = frozenset({"encounters", "residents", "registry"})
# The outputs of ``sanyi batch run`` the indicators read.
BATCH_OUTPUTS: Final = ("settle", "drg")
# The settled stays of some discharge years as drgpay's evaluation takes them, in the order the
# database loader gives them (start, id), so sums of Decimals add up in the same order.
DRG_CASES_SQL: Final = """
SELECT strftime(e.end_at + INTERVAL 8 HOUR, '%Y') AS year, e.institution_code AS hospital,
       strftime(e.end_at + INTERVAL 8 HOUR, '%Y-%m') AS month,
       CASE WHEN d.status IN ('SUCCESS', 'QY') THEN d.drg ELSE '' END AS drg,
       CAST(CAST(s.medfee_sumamt AS DECIMAL(18, 2)) * 100 AS BIGINT) AS cost_fen,
       CAST(d.los_days AS INTEGER) AS los_days, coalesce(e.discharge_type = '5', FALSE) AS died
FROM drg d JOIN settle s ON s.claim_id = d.id JOIN encounters e ON e.id = d.id
WHERE s.status = 'settled' AND e.end_at IS NOT NULL
  AND strftime(e.end_at + INTERVAL 8 HOUR, '%Y') BETWEEN $first AND $last
ORDER BY e.start_at, d.id
"""
DRG_TABLES: Final = ("drg", "settle", "encounters")
# A region holds no price lists: 按病种收费病种数 (source "pricing") is the areas' reported count, as
# the database path gives it for an area without a list.
STAND_INS: Final = {"pricing": "reported"}
# Elements of those sources that need tables the region does not hold.
NOT_IN_REGION: Final = frozenset({"referred_visits", "signed_residents", "signed_key_group_persons"})


def region_tables(directory: Path, batch: Path | None = None) -> dict[str, Path]:
    """Where each table of a region and its batch outputs lies (only those that exist)."""
    found = {p.name: p for p in directory.iterdir() if p.is_dir()}
    if batch is not None:
        found |= {name: batch / name for name in BATCH_OUTPUTS if (batch / name).is_dir()}
    return found


def region_sources(tables: Collection[str]) -> frozenset[str]:
    """The fact sources whose every table is there."""
    found = {
        source for source, (_, _, names) in QUERIES.items() if source in ALWAYS or set(names) <= set(tables)
    }
    if set(DRG_TABLES) <= set(tables):
        found.add("drg")
    return frozenset(found)


def region_elements(loaded: Catalogue, sources: Collection[str] = ALWAYS) -> frozenset[str]:
    """The data elements a Parquet region gives from ``sources``."""
    given = set(sources) | {source for source, by in STAND_INS.items() if by in sources}
    return frozenset(e.id for e in loaded.elements.values() if e.source in given) - NOT_IN_REGION


def region_indicators(loaded: Catalogue, sources: Collection[str] = ALWAYS) -> tuple[str, ...]:
    """The indicators whose every element a Parquet region gives (from ``sources``), in catalogue order."""
    given = region_elements(loaded, sources)
    return tuple(code for code, d in loaded.indicators.items() if set(d.elements) <= given)


def _in_list(names: Collection[str]) -> str:
    return ", ".join(f"'{name}'" for name in sorted(names)) or "''"


def _view(name: str) -> str:
    """A view's SQL; the reported values' view learns which elements are flows from the catalogue."""
    return VIEWS[name].format(flows=_in_list(reported_flows())) if name == "rep" else VIEWS[name]


def with_views(query: str, views: Sequence[str], extra: Mapping[str, str]) -> str:
    """``query`` (starting ``WITH``) preceded by the named views as common table expressions."""
    return with_inputs(query, {name: _view(name) for name in views} | dict(extra))


def region_facts(
    backend: AnalyticsBackend,
    tables: Mapping[str, Path],
    wanted: Collection[str],
    first: str,
    last: str,
    ends: Sequence[date],
) -> pa.Table:
    """The facts of the wanted sources the tables give, between two months (stocks at ``ends``)."""
    sources = region_sources(tables)
    wanted = set(wanted) | {by for source, by in STAND_INS.items() if source in wanted}
    found_tables = []
    for source, (query, views, names) in QUERIES.items():
        if source not in wanted or source not in sources:
            continue
        extra = {"ends": ends_values(ends), **reference_inputs(first, last)}
        sql = with_views(between(query, first, last), views, extra)
        found = backend.sql(sql, {name: tables[name] for name in names})
        found = found.rename_columns(FACT_SCHEMA.names)
        found_tables.append((in_yuan(found) if source in MONEY_SOURCES else found).cast(FACT_SCHEMA))
    if "drg" in wanted and "drg" in sources:
        found_tables.append(region_drg_facts(backend, tables, first, last))
    facts = pa.concat_tables(found_tables) if found_tables else FACT_SCHEMA.empty_table()
    given = pa.array(sorted(region_elements(catalogue(), sources)), pa.string())
    return facts.filter(pc.is_in(facts["element"], value_set=given))


def region_drg_facts(
    backend: AnalyticsBackend, tables: Mapping[str, Path], first: str, last: str
) -> pa.Table:
    """DRG evaluation sums from the drg and settle jobs' outputs: each discharge year's settled stays
    evaluated by drgpay's ``evaluate`` against that year's means, as the database path does."""
    query = between(DRG_CASES_SQL, first[:4], last[:4])
    found = backend.sql(query, {name: tables[name] for name in DRG_TABLES}).to_pylist()
    county = _counties(backend, tables["institutions"])
    years: dict[str, list[DrgCase]] = {}
    for r in found:
        case = DrgCase(
            r["hospital"], r["month"], r["drg"] or "", int(r["cost_fen"]), int(r["los_days"]), bool(r["died"])
        )
        years.setdefault(r["year"], []).append(case)
    parts = [drg_case_facts(cases, first, last, county) for _, cases in sorted(years.items())]
    return pa.concat_tables(parts) if parts else FACT_SCHEMA.empty_table()


def _counties(backend: AnalyticsBackend, institutions: Path) -> dict[str, str]:
    found = backend.sql("SELECT code, substr(area_code, 1, 6) AS county FROM i", {"i": institutions})
    return dict(zip(found["code"].to_pylist(), found["county"].to_pylist(), strict=True))


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
    backend: AnalyticsBackend,
    directory: Path,
    viewer: Viewer,
    query: ValuesQuery,
    batch: Path | None = None,
) -> list[IndicatorValue]:
    """Indicator values of a Parquet region (and the outputs of its batch jobs in ``batch``),
    computed on ``backend`` (local DuckDB or Spark)."""
    tables = region_tables(directory, batch)

    def read(wanted: Collection[str], first: str, last: str, ends: Sequence[date]) -> pa.Table:
        return region_facts(backend, tables, wanted, first, last, ends)

    listed = region_units(backend, directory)
    names = region_area_names(backend, directory)
    computable = region_indicators(catalogue(), region_sources(tables))
    return evaluate(viewer, query, listed, names, read, computable)


def _tuples(table: pa.Table) -> list[tuple[object, ...]]:
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return list(zip(*columns, strict=True))
