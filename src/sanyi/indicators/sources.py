"""Facts from the operational store: each source reads its tables once into Arrow and DuckDB shapes them.

A source returns rows of ``engine.FACT_SCHEMA``. Flows are keyed by the Shanghai month they happen
in; stocks are evaluated at the last day of each span's last month (``ends``). Only the sources the
requested indicators need are read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import duckdb
import pyarrow as pa
from sqlalchemy import Connection, Select, select

from sanyi.care.api import encounters, fee_lines
from sanyi.drgpay.api import EvalCase, Loaded, evaluate
from sanyi.indicators.engine import FACT_SCHEMA
from sanyi.indicators.fact_queries import (
    ENCOUNTER_SQL,
    FINANCE_SQL,
    REGISTRY_SQL,
    REPORTED_SQL,
    RESIDENT_SQL,
    SETTLEMENT_SQL,
    between,
    in_yuan,
    months_values,
    reference_inputs,
    with_inputs,
)
from sanyi.indicators.model import Unit, month_key
from sanyi.indicators.tables import FINANCE_AMOUNTS, institution_finance, reported_values
from sanyi.kernel.clock import SHANGHAI
from sanyi.knowledge.indicators import catalogue
from sanyi.knowledge.quality import antibacterial_products
from sanyi.pricing.api import case_versions, count_by_area
from sanyi.registry.api import (
    PRIMARY_CARE_KINDS,
    bed_changes,
    bed_spans,
    institutions,
    medical_group_members,
    medical_groups,
    practice_sites,
    practitioners,
    residents,
)
from sanyi.settlement.api import settlements
from sanyi.tiered.api import contracts, orders, referrals

PRIMARY_KINDS: Final = frozenset(kind.value for kind in PRIMARY_CARE_KINDS)
PAID_COLUMNS: Final = ("institution", "type", "start_at", "scheme", "fund", "policy", "total", "personal")
DIED: Final = "5"  # 离院方式 死亡
# Elements computed by a source of their own that an area may still report where it keeps no list:
# the reported value is read by that source as a fallback, never summed beside it.
REPORTED_FALLBACK: Final = frozenset({"priced_diseases"})


def _month(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(SHANGHAI).strftime("%Y-%m")


def _rows(connection: Connection, query: Select[Any]) -> list[Any]:
    return list(connection.execute(query).all())


def _table(columns: dict[str, list[Any]], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({name: pa.array(values, types[name]) for name, values in columns.items()})


def _query(tables: dict[str, pa.Table], sql: str, *, fen: bool = False) -> pa.Table:
    """Run ``sql`` over the given Arrow tables; the result is cast to the fact schema (from fen to
    yuan when the query counts money)."""
    connection = duckdb.connect()
    try:
        connection.execute("SET TimeZone = 'UTC'")  # months are formatted from UTC + 8 h
        for name, table in tables.items():
            connection.register(name, table)
        result: pa.Table = connection.sql(sql).to_arrow_table()
    finally:
        connection.close()
    return (in_yuan(result) if fen else result).cast(FACT_SCHEMA)


def units(connection: Connection) -> list[Unit]:
    """Every institution with its county, ownership, category, tier and medical communities."""
    members = _rows(
        connection, select(medical_group_members.c.group_code, medical_group_members.c.institution_code)
    )
    i = institutions.c
    listed = _rows(
        connection, select(i.code, i.name, i.area_code, i.kind, i.tier, i.ownership).order_by(i.code)
    )
    return units_from(listed, members)


def units_from(listed: Iterable[Sequence[Any]], members: Iterable[Sequence[Any]]) -> list[Unit]:
    """Units from (code, name, area, kind, tier, ownership) rows in code order and (group, member)
    rows, whichever store they come from."""
    communities: dict[str, list[str]] = {}
    for group, member in members:
        communities.setdefault(member, []).append(group)
    out = []
    for code, name, area, kind, tier, ownership in listed:
        category = "primary" if kind in PRIMARY_KINDS else "pharmacy" if kind == "pharmacy" else "hospital"
        out.append(
            Unit(
                code, name, area[:6], ownership, category, int(tier), tuple(sorted(communities.get(code, [])))
            )
        )
    return out


def _encounter_tables(connection: Connection, first: str, last: str) -> dict[str, pa.Table]:
    low = datetime(int(first[:4]), int(first[5:]), 1, tzinfo=SHANGHAI)
    year, month = int(last[:4]), int(last[5:])
    high = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
    e = encounters.c
    # Encounters starting or ending in the span, and stays that span it (they occupy beds throughout).
    spanning = (e.type == "inpatient") & (e.start_at < low) & ((e.end_at >= high) | e.end_at.is_(None))
    rows = _rows(
        connection,
        select(e.id, e.institution_code, e.person_id, e.type, e.start_at, e.end_at, e.referral_id).where(
            (e.start_at >= low) & (e.start_at < high) | (e.end_at >= low) & (e.end_at < high) | spanning
        ),
    )
    text, moment = pa.string(), pa.timestamp("us", tz="UTC")
    counties = _counties(connection)
    return {
        "enc": _table(
            {
                "id": [r[0] for r in rows],
                "institution": [r[1] for r in rows],
                "person": [r[2] for r in rows],
                "type": [r[3] for r in rows],
                "start_at": [r[4] for r in rows],
                "end_at": [r[5] for r in rows],
                "referral": [r[6] for r in rows],
            },
            {
                "id": text,
                "institution": text,
                "person": text,
                "type": text,
                "start_at": moment,
                "end_at": moment,
                "referral": text,
            },
        ),
        **_discharge_tables(connection, low, high),
        "people": _people(connection),
        "inst": _table(
            {"code": list(counties), "county": list(counties.values())}, {"code": text, "county": text}
        ),
        "up": _table(
            {
                "id": [
                    r[0]
                    for r in _rows(connection, select(referrals.c.id).where(referrals.c.direction == "up"))
                ]
            },
            {"id": text},
        ),
    }


def _discharge_tables(connection: Connection, low: datetime, high: datetime) -> dict[str, pa.Table]:
    """Codes and antibacterial fee lines of the stays discharged in the span."""
    e, f = encounters.c, fee_lines.c
    ended = (e.type == "inpatient") & (e.end_at >= low) & (e.end_at < high)
    coded = _rows(connection, select(e.id, e.diagnoses, e.procedures).where(ended))
    lines = _rows(
        connection,
        select(f.encounter_id, f.code, f.quantity)
        .join(encounters, e.id == f.encounter_id)
        .where(ended & f.code.in_(sorted(antibacterial_products()))),
    )
    text = pa.string()
    return {
        "stay_codes": _table(
            {
                "encounter": [r[0] for r in coded],
                "diagnoses": [r[1] for r in coded],
                "procedures": [r[2] for r in coded],
            },
            {"encounter": text, "diagnoses": text, "procedures": text},
        ),
        "abx_lines": _table(
            {
                "encounter": [r[0] for r in lines],
                "code": [r[1] for r in lines],
                "quantity": [Decimal(r[2]) for r in lines],
            },
            {"encounter": text, "code": text, "quantity": pa.decimal128(18, 4)},
        ),
    }


def _people(connection: Connection) -> pa.Table:
    r = residents.c
    rows = _rows(connection, select(r.person_id, r.residence_area))
    return _table(
        {"person": [x[0] for x in rows], "county": [x[1][:6] for x in rows]},
        {"person": pa.string(), "county": pa.string()},
    )


def _counties(connection: Connection) -> dict[str, str]:
    return {
        code: area[:6]
        for code, area in _rows(connection, select(institutions.c.code, institutions.c.area_code))
    }


def encounter_facts(connection: Connection, first: str, last: str, _ends: Sequence[date]) -> pa.Table:
    sql = with_inputs(between(ENCOUNTER_SQL, first, last), reference_inputs(first, last))
    return _query(_encounter_tables(connection, first, last), sql)


def _inst(connection: Connection) -> pa.Table:
    counties = _counties(connection)
    return _table(
        {"code": list(counties), "county": list(counties.values())},
        {"code": pa.string(), "county": pa.string()},
    )


def finance_facts(connection: Connection, first: str, last: str, _ends: Sequence[date]) -> pa.Table:
    f = institution_finance.c
    rows = _rows(
        connection,
        select(f.institution_code, f.month, *(f[name] for name in FINANCE_AMOUNTS)).where(
            (f.month >= first) & (f.month <= last)
        ),
    )
    columns: dict[str, list[Any]] = {"institution": [r[0] for r in rows], "month": [r[1] for r in rows]}
    types: dict[str, pa.DataType] = {"institution": pa.string(), "month": pa.string()}
    for index, name in enumerate(FINANCE_AMOUNTS):
        columns[name] = [r[2 + index].fen for r in rows]
        types[name] = pa.int64()
    tables = {"fin": _table(columns, types), "inst": _inst(connection)}
    return _query(tables, between(FINANCE_SQL, first, last), fen=True)


def settlement_facts(connection: Connection, first: str, last: str, _ends: Sequence[date]) -> pa.Table:
    s, e, r = settlements.c, encounters.c, residents.c
    rows = _rows(
        connection,
        select(
            s.institution_id,
            e.type,
            e.start_at,
            r.scheme,
            s.fund_pay_sumamt,
            s.inscp_scp_amt,
            s.medfee_sumamt,
            s.psn_part_amt,
        )
        .join(encounters, e.id == s.claim_id)
        .join(residents, r.person_id == s.person_id)
        .where(s.status == "settled"),
    )
    text = pa.string()
    paid = _table(
        {name: [row[i] for row in rows] for i, name in enumerate(PAID_COLUMNS)},
        dict(
            zip(
                PAID_COLUMNS,
                (text, text, pa.timestamp("us", tz="UTC"), text, *[pa.int64()] * 4),
                strict=True,
            )
        ),
    )
    return _query({"paid": paid, "inst": _inst(connection)}, between(SETTLEMENT_SQL, first, last), fen=True)


def recognition_facts(connection: Connection, first: str, last: str, _ends: Sequence[date]) -> pa.Table:
    o = orders.c
    rows = _rows(connection, select(o.institution_code, o.ordered_at, o.outcome))
    county = _counties(connection)
    sums: dict[tuple[str, str, str], int] = {}
    for code, at, outcome in rows:
        month = _month(at)
        if month is None or not first <= month <= last or outcome not in ("recognised", "repeated"):
            continue
        sums[(code, month, "results_eligible")] = sums.get((code, month, "results_eligible"), 0) + 1
        if outcome == "recognised":
            sums[(code, month, "results_recognised")] = sums.get((code, month, "results_recognised"), 0) + 1
    return _facts((code, county.get(code, ""), m, element, n) for (code, m, element), n in sums.items())


def resident_facts(connection: Connection, _first: str, _last: str, ends: Sequence[date]) -> pa.Table:
    r, c = residents.c, contracts.c
    people = _rows(
        connection,
        select(
            r.person_id,
            r.residence_area,
            r.birth_date,
            r.death_date,
            r.pregnant | r.disabled | r.severe_mental | r.hypertension | r.diabetes | r.tuberculosis,
        ),
    )
    signed = _rows(connection, select(c.person_id, c.start_on, c.end_on, c.ended_on))
    tables = {
        "people": _table(
            {
                "person": [x[0] for x in people],
                "county": [x[1][:6] for x in people],
                "birth": [x[2] for x in people],
                "death": [x[3] for x in people],
                "key_flag": [bool(x[4]) for x in people],
            },
            {
                "person": pa.string(),
                "county": pa.string(),
                "birth": pa.date32(),
                "death": pa.date32(),
                "key_flag": pa.bool_(),
            },
        ),
        "signed": _table(
            {
                "person": [x[0] for x in signed],
                "start_on": [x[1] for x in signed],
                # A contract ended early counts until the day before it ended.
                "end_on": [min(x[2], x[3]) if x[3] is not None else x[2] for x in signed],
            },
            {"person": pa.string(), "start_on": pa.date32(), "end_on": pa.date32()},
        ),
        "ends": _ends(ends),
    }
    return _query(tables, RESIDENT_SQL)


def _ends(ends: Sequence[date]) -> pa.Table:
    return _table(
        {"month": [month_key(d.year, d.month) for d in ends], "day": list(ends)},
        {"month": pa.string(), "day": pa.date32()},
    )


def registry_facts(connection: Connection, first: str, last: str, ends: Sequence[date]) -> pa.Table:
    i, ps, pr, g = institutions.c, practice_sites.c, practitioners.c, medical_groups.c
    listed = _rows(connection, select(i.code, i.area_code, i.beds, i.opened_on))
    sites = _rows(connection, select(ps.institution_code, ps.practitioner_code, ps.main))
    doctors = _rows(connection, select(pr.code, pr.specialty, pr.licence_type))
    lead = institutions.alias("lead")
    groups = _rows(connection, select(g.code, lead.c.area_code).join(lead, lead.c.code == g.lead_institution))
    text = pa.string()
    tables = {
        "inst": _table(
            {
                "code": [r[0] for r in listed],
                "county": [r[1][:6] for r in listed],
                "beds": [r[2] for r in listed],
                "opened_on": [r[3] for r in listed],
            },
            {"code": text, "county": text, "beds": pa.int32(), "opened_on": pa.date32()},
        ),
        "bed_spans": _bed_spans(connection, {r[0]: r[2] for r in listed}),
        "sites": _table(
            {
                "institution": [r[0] for r in sites],
                "practitioner": [r[1] for r in sites],
                "main": [r[2] for r in sites],
            },
            {"institution": text, "practitioner": text, "main": pa.bool_()},
        ),
        "doctors": _table(
            {
                "code": [r[0] for r in doctors],
                "specialty": [r[1] for r in doctors],
                "licence_type": [r[2] for r in doctors],
            },
            {"code": text, "specialty": text, "licence_type": text},
        ),
        "communities": _table(
            {"code": [r[0] for r in groups], "county": [r[1][:6] for r in groups]},
            {"code": text, "county": text},
        ),
        "ends": _ends(ends),
    }
    return _query(tables, with_inputs(REGISTRY_SQL, {"months": months_values(first, last)}))


def _bed_spans(connection: Connection, beds: dict[str, int]) -> pa.Table:
    """The bed counts of the institutions whose count changed, span by span."""
    spans = [
        (code, span)
        for code, changes in bed_changes(connection).items()
        for span in bed_spans(beds[code], changes)
    ]
    return _table(
        {
            "code": [code for code, _ in spans],
            "start_on": [span.start for _, span in spans],
            "end_on": [span.end for _, span in spans],
            "beds": [span.beds for _, span in spans],
        },
        {"code": pa.string(), "start_on": pa.date32(), "end_on": pa.date32(), "beds": pa.int32()},
    )


def _reported_rows(connection: Connection, fallback: bool) -> list[Any]:
    v = reported_values.c
    wanted = v.element.in_(REPORTED_FALLBACK) if fallback else v.element.not_in(REPORTED_FALLBACK)
    return _rows(connection, select(v.unit_code, v.month, v.element, v.value).where(wanted).order_by(v.month))


def reported_flows() -> frozenset[str]:
    """Reported elements that are flows (the finance return's visit counts): each counts in its own
    month only, where a reported stock holds until the next report."""
    elements = catalogue().elements.values()
    return frozenset(e.id for e in elements if e.source == "reported" and e.aggregation == "sum")


def reported_facts(connection: Connection, first: str, last: str, ends: Sequence[date]) -> pa.Table:
    rows = _reported_rows(connection, fallback=False)
    flows = reported_flows()
    rep = _table(
        {
            "unit": [r[0] for r in rows],
            "month": [r[1] for r in rows],
            "element": [r[2] for r in rows],
            "value": [Decimal(r[3]).quantize(Decimal("0.0001")) for r in rows],
            "flow": [r[2] in flows for r in rows],
        },
        {
            "unit": pa.string(),
            "month": pa.string(),
            "element": pa.string(),
            "value": pa.decimal128(38, 4),
            "flow": pa.bool_(),
        },
    )
    tables = {"rep": rep, "inst": _inst(connection), "ends": _ends(ends)}
    return _query(tables, between(REPORTED_SQL, first, last))


def _latest_reported(
    rows: Sequence[Any], county: dict[str, str], ends: Sequence[date]
) -> list[tuple[str, str, str, str, Decimal | int]]:
    out: list[tuple[str, str, str, str, Decimal | int]] = []
    for day in ends:
        month = month_key(day.year, day.month)
        latest: dict[tuple[str, str], Decimal] = {}
        for unit, reported, element, value in rows:
            if reported <= month:
                latest[(unit, element)] = value
        for (unit, element), value in latest.items():
            is_institution = unit in county
            out.append((unit if is_institution else "", county.get(unit, unit[:6]), month, element, value))
    return out


def pricing_facts(connection: Connection, _first: str, _last: str, ends: Sequence[date]) -> pa.Table:
    """按病种收费病种数 at each span end: the diseases of each area's list in force that day (the list's
    own area, so areas above add up their lists); an area without a list that day keeps its
    reported count, if any."""
    versions = case_versions(connection)
    reported = _latest_reported(_reported_rows(connection, fallback=True), _counties(connection), ends)
    out: list[tuple[str, str, str, str, Decimal | int]] = []
    for day in ends:
        month = month_key(day.year, day.month)
        counted = count_by_area(versions, day)
        out += [("", area, month, "priced_diseases", n) for area, n in sorted(counted.items())]
        out += [row for row in reported if row[2] == month and row[0] == "" and row[1] not in counted]
    return _facts(out)


def drg_facts_from(loaded: Loaded, first: str, last: str, county: dict[str, str]) -> pa.Table:
    """DRG evaluation sums per hospital and discharge month of drgpay's loaded stays of one year."""
    cases = (
        DrgCase(
            s.hospital,
            month_key(s.discharged.year, s.discharged.month),
            s.drg,
            s.cost_fen,
            s.los_days,
            s.discharge_type == DIED,
        )
        for s in loaded.stays
    )
    return drg_case_facts(cases, first, last, county)


@dataclass(frozen=True, slots=True)
class DrgCase:
    """What the DRG sums need of one settled stay, whichever store it comes from."""

    hospital: str
    month: str  # discharge month (Shanghai)
    drg: str  # "" when not grouped
    cost_fen: int
    los_days: int
    died: bool


def drg_case_facts(cases: Iterable[DrgCase], first: str, last: str, county: dict[str, str]) -> pa.Table:
    """DRG evaluation sums per hospital and discharge month, by drgpay's own ``evaluate`` over the
    stays of one discharge year.

    Evaluating with the unit "hospital|month" keeps the region's group means and risk levels (they
    come from all cases) while giving additive sums: Σ cost ratio = cost index × grouped cases."""
    evaluated = [
        EvalCase(f"{c.hospital}|{c.month}", "", "", c.drg, c.cost_fen, c.los_days, c.died) for c in cases
    ]
    by_unit, _ = evaluate(evaluated, lambda case: case.hospital)
    out: list[tuple[str, str, str, str, Decimal | int]] = []
    for unit, found in by_unit.items():
        hospital, month = unit.split("|")
        if not first <= month <= last:
            continue
        where = county.get(hospital, "")
        out += [
            (hospital, where, month, "drg_total_weight", found.total_weight),
            (hospital, where, month, "drg_cases", found.grouped),
            (hospital, where, month, "drg_cost_ratio_sum", (found.cost_index or 0) * found.grouped),
            (hospital, where, month, "drg_time_ratio_sum", (found.time_index or 0) * found.grouped),
            (hospital, where, month, "drg_low_risk_deaths", found.low_risk_deaths),
            (hospital, where, month, "drg_low_risk_cases", found.low_risk_cases),
        ]
    return _facts(out)


def _facts(rows: Iterable[tuple[str, str, str, str, Decimal | int]]) -> pa.Table:
    listed = list(rows)
    return pa.table(
        {
            "unit": pa.array([r[0] for r in listed], pa.string()),
            "county": pa.array([r[1] for r in listed], pa.string()),
            "month": pa.array([r[2] for r in listed], pa.string()),
            "element": pa.array([r[3] for r in listed], pa.string()),
            "value": pa.array(
                [Decimal(r[4]).quantize(Decimal("0.0001")) for r in listed], pa.decimal128(38, 4)
            ),
        },
        schema=FACT_SCHEMA,
    )


Source = Callable[[Connection, str, str, Sequence[date]], pa.Table]
SOURCES: Final[dict[str, Source]] = {
    "encounters": encounter_facts,
    "finance": finance_facts,
    "settlements": settlement_facts,
    "recognition": recognition_facts,
    "residents": resident_facts,
    "registry": registry_facts,
    "reported": reported_facts,
    "pricing": pricing_facts,
}


def read_facts(
    connection: Connection,
    wanted: Collection[str],
    first: str,
    last: str,
    ends: Sequence[date],
    drg: Callable[[int], Loaded] | None = None,
) -> pa.Table:
    """The facts of the sources in ``wanted`` between two months (stocks at ``ends``).

    ``drg`` gives the stays of one discharge year (drgpay's cached loader); each year is evaluated
    against its own region means, as drgpay's evaluation page does."""
    tables = [SOURCES[name](connection, first, last, ends) for name in SOURCES if name in wanted]
    if "drg" in wanted and drg is not None:
        county = _counties(connection)
        for year in range(int(first[:4]), int(last[:4]) + 1):
            tables.append(drg_facts_from(drg(year), first, last, county))
    return pa.concat_tables(tables) if tables else _facts([])
