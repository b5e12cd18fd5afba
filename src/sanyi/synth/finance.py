"""Synthetic institution finance returns and reported values, consistent with the region's care.

Income by category is the month's fee lines of each institution by fee category (medical income =
all lines; outpatient or inpatient by the encounter's type; 药品 = 西药 + 中药饮片 + 中成药, 卫生材料,
检查, 化验 by their categories). Costs, staff costs and government subsidy are ratios on that income
(``knowledge/synth/finance.yaml``, each with its source). Paediatric beds, smart-hospital status and
the number of diseases priced per case, which no operational table holds, are written as reported
values, and so are the visit and discharge counts a finance return states (finance_visits,
finance_discharges: this year's are the encounters counted as the indicators count them). The year
before is written too, from this year's by a growth parameter per item (visits, discharges, income
per visit, income per discharge), so the growth indicators YY03–YY05 have a base. Seeded: the same
seed gives the same result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import numpy as np
import yaml
from sqlalchemy import Connection, Engine, func, select

from sanyi.care.api import encounters, fee_lines
from sanyi.indicators.api import FINANCE_AMOUNTS, institution_finance, reported_values
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.money import Money, allocate
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.registry.api import PRIMARY_CARE_KINDS, institutions

PARAMETERS_FILE: Final = KNOWLEDGE_ROOT / "synth" / "finance.yaml"
PRIMARY_KINDS: Final = frozenset(kind.value for kind in PRIMARY_CARE_KINDS)
COUNTS: Final = ("finance_visits", "finance_discharges")
GROWTH_ITEMS: Final = ("visits", "discharges", "income_per_visit", "income_per_discharge")
CATEGORY_PARTS: Final = {
    "income_drug": ("09", "10", "11"),
    "income_herbal": ("10",),
    "income_material": ("08",),
    "income_exam": ("03",),
    "income_lab": ("04",),
}


@dataclass(frozen=True, slots=True)
class FinanceSummary:
    returns: int  # institution-months written (this year and the year before)
    reported: int  # reported values written
    medical_income: Money  # this year's


def parameters() -> dict[str, Any]:
    document = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    return {name: entry["value"] for name, entry in document.items()}


def _class(kind: str, ownership: str) -> str:
    if ownership == "private":
        return "private"
    return "primary" if kind in PRIMARY_KINDS else "hospital"


def _fen(amount: int, ratio: str) -> Money:
    return Money(int((Decimal(amount) * Decimal(ratio)).to_integral_value(ROUND_HALF_UP)))


def income_by_month(connection: Connection, year: int) -> dict[tuple[str, str], dict[str, int]]:
    """(institution, YYYY-MM) → fen by finance field, from the fee lines of the year's encounters."""
    e, f = encounters.c, fee_lines.c
    kinds = {
        row.id: (row.institution_code, row.type, row.start_at.astimezone(SHANGHAI).strftime("%Y-%m"))
        for row in connection.execute(select(e.id, e.institution_code, e.type, e.start_at))
    }
    per_line = connection.execute(
        select(f.encounter_id, f.category, func.sum(f.amount)).group_by(f.encounter_id, f.category)
    )
    # The column type turns the sum into Money.
    return income_cells(((*kinds[eid], category, fen.fen) for eid, category, fen in per_line), year)


def income_cells(
    sums: Iterable[tuple[str, str, str, str, int]], year: int
) -> dict[tuple[str, str], dict[str, int]]:
    """(institution, YYYY-MM) → fen by finance field, from fee-line sums by (institution, encounter
    type, Shanghai month of the encounter's start, fee category) in any grouping finer than that."""
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for code, kind, month, category, amount in sums:
        if not month.startswith(f"{year:04d}-") or kind == "pharmacy":
            continue
        cell = cells.setdefault((code, month), dict.fromkeys(FINANCE_AMOUNTS, 0))
        cell["income_medical"] += amount
        cell["income_inpatient" if kind == "inpatient" else "income_outpatient"] += amount
        for field, categories in CATEGORY_PARTS.items():
            if category in categories:
                cell[field] += amount
    return cells


def counts_by_month(connection: Connection, year: int) -> dict[tuple[str, str], dict[str, int]]:
    """(institution, YYYY-MM) → the visit counts a finance return states, from the year's encounters."""
    e = encounters.c
    rows = connection.execute(select(e.institution_code, e.type, e.start_at, e.end_at))
    return count_cells(
        (
            (code, kind, _shanghai_month(start_at), _shanghai_month(end_at))
            for code, kind, start_at, end_at in rows
        ),
        year,
    )


def _shanghai_month(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(SHANGHAI).strftime("%Y-%m")


def count_cells(
    rows: Iterable[tuple[str, str, str | None, str | None]], year: int
) -> dict[tuple[str, str], dict[str, int]]:
    """(institution, YYYY-MM) → visit counts with the indicators' calibers, from (institution,
    encounter type, Shanghai month of the start, of the end): outpatient and emergency visits by the
    month they start, stays by discharge month (a stay not yet discharged is not counted)."""
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for code, kind, start_month, end_month in rows:
        if kind in ("outpatient", "emergency"):
            element, month = "finance_visits", start_month
        elif kind == "inpatient":
            element, month = "finance_discharges", end_month
        else:
            continue
        if month is not None and month.startswith(f"{year:04d}-"):
            cell = counts.setdefault((code, month), dict.fromkeys(COUNTS, 0))
            cell[element] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Growth:
    """This year over last, per item: visits, discharges, income per visit, income per discharge."""

    visits: Decimal
    discharges: Decimal
    income_per_visit: Decimal
    income_per_discharge: Decimal

    @classmethod
    def of(cls, values: dict[str, str]) -> Growth:
        return cls(*(Decimal(values[name]) for name in GROWTH_ITEMS))


def _back(amount: int, *rates: Decimal) -> int:
    """``amount`` undone by the growth ``rates`` (÷ Π(1 + rate)), rounded half up to a whole unit."""
    divisor = Decimal(1)
    for rate in rates:
        divisor *= 1 + rate
    return _round(Decimal(amount) / divisor)


def _spread(total: int, weights: list[int]) -> list[int]:
    """``total`` split over the months in proportion to this year's pattern, parts adding up exactly."""
    if total == 0 or not any(weights):
        return [0] * len(weights)
    return [part.fen for part in allocate(Money(total), [Decimal(w) for w in weights])]


def previous_year(
    income: dict[str, dict[str, int]], counts: dict[str, dict[str, int]], growth: Growth
) -> dict[str, tuple[dict[str, int], dict[str, int]]]:
    """One institution's year before, month by month (keys as given), from this year's income (fen
    by finance field) and counts. Worked on the year's totals, then spread over the months in this
    year's pattern: visits ÷ (1 + visit growth), rounded; outpatient income so that income per visit
    grew by exactly the parameter on the rounded counts (and the same for stays); 医疗收入 = 门急诊 +
    住院, and each part keeps its month's share of 医疗收入."""
    months = sorted(set(income) | set(counts))
    empty = dict.fromkeys(FINANCE_AMOUNTS, 0)
    cells = [income.get(m, empty) for m in months]
    tallies = [counts.get(m, {}) for m in months]
    sides = (
        ("income_outpatient", "finance_visits", growth.visits, growth.income_per_visit),
        ("income_inpatient", "finance_discharges", growth.discharges, growth.income_per_discharge),
    )
    spread: dict[str, list[int]] = {}
    for field, count, volume, price in sides:
        cases = sum(t.get(count, 0) for t in tallies)
        amount = sum(c[field] for c in cells)
        cases_before = _back(cases, volume)
        if cases:
            amount_before = _round(Decimal(amount) * cases_before / cases / (1 + price))
        else:
            amount_before = _back(amount, volume, price)
        spread[count] = _spread(cases_before, [t.get(count, 0) for t in tallies])
        spread[field] = _spread(amount_before, [c[field] for c in cells])
    out = {}
    for index, month in enumerate(months):
        cell = cells[index]
        medical = spread["income_outpatient"][index] + spread["income_inpatient"][index]
        before = dict(empty) | {
            "income_medical": medical,
            "income_outpatient": spread["income_outpatient"][index],
            "income_inpatient": spread["income_inpatient"][index],
        }
        for field in CATEGORY_PARTS:
            # Monotone rounding keeps every part ≤ 医疗收入 and 饮片 ≤ 药品, as the import requires.
            if cell["income_medical"]:
                before[field] = _round(Decimal(cell[field]) * medical / cell["income_medical"])
        out[month] = (before, {count: spread[count][index] for count in COUNTS})
    return out


def _round(value: Decimal) -> int:
    return int(value.to_integral_value(ROUND_HALF_UP))


def _return_row(
    code: str, month: str, cell: dict[str, int], klass: str, params: Mapping[str, Any]
) -> dict[str, Any]:
    """A finance return from income by category; costs, staff costs and subsidy by the class's ratios."""
    costs = _fen(cell["income_medical"], params["cost_to_income"][klass])
    amounts = {name: Money(cell[name]) for name in FINANCE_AMOUNTS}
    amounts["activity_costs"] = costs
    amounts["staff_costs"] = _fen(costs.fen, params["staff_share_of_costs"][klass])
    amounts["fiscal_subsidy"] = _fen(cell["income_medical"], params["fiscal_subsidy_share"][klass])
    return {"institution_code": code, "month": month, **amounts, "source": "synthetic"}


def finance_returns(
    info: Mapping[str, Any],
    income: Mapping[tuple[str, str], dict[str, int]],
    counts: Mapping[tuple[str, str], dict[str, int]],
    params: Mapping[str, Any],
    year: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Each institution's returns (amounts as Money) and stated visit counts (reported values), month
    by month, for ``year`` from its income and counts and for the year before by the growth parameters."""
    growth = Growth.of(params["previous_year_growth"])
    rows: list[dict[str, Any]] = []
    counted: list[dict[str, Any]] = []
    for code in sorted({code for code, _ in income} | {code for code, _ in counts}):
        klass = _class(info[code].kind, info[code].ownership)
        mine = {month: cell for (unit, month), cell in income.items() if unit == code}
        tallies = {month: cell for (unit, month), cell in counts.items() if unit == code}
        for month, cell in sorted(mine.items()):
            rows.append(_return_row(code, month, cell, klass, params))
        for month, cell in sorted(tallies.items()):
            counted += [_value(code, month, name, n) for name, n in cell.items()]
        for month, (before, before_counts) in previous_year(mine, tallies, growth).items():
            earlier = f"{year - 1:04d}{month[4:]}"
            if month in mine:
                rows.append(_return_row(code, earlier, before, klass, params))
            counted += [_value(code, earlier, name, n) for name, n in before_counts.items()]
    return rows, counted


def generate_finance(engine: Engine, year: int, seed: int) -> FinanceSummary:
    """Replace the finance returns and reported values of ``year`` and the year before with synthetic
    ones: this year's from the fee lines, last year's from this year's by the growth parameters."""
    params = parameters()
    rng = np.random.default_rng([seed, 909])
    with engine.begin() as connection:
        listed = connection.execute(
            select(
                institutions.c.code,
                institutions.c.kind,
                institutions.c.ownership,
                institutions.c.tier,
                institutions.c.beds,
                institutions.c.area_code,
            ).order_by(institutions.c.code)
        ).all()
        info = {row.code: row for row in listed}
        months = [f"{y:04d}-{m:02d}" for y in (year - 1, year) for m in range(1, 13)]
        connection.execute(institution_finance.delete().where(institution_finance.c.month.in_(months)))
        this_year = counts_by_month(connection, year)
        rows, counted = finance_returns(info, income_by_month(connection, year), this_year, params, year)
        total = sum(row["income_medical"].fen for row in rows if row["month"].startswith(f"{year:04d}-"))
        if rows:
            connection.execute(institution_finance.insert(), rows)
        reported = reported_rows(listed, year, params, rng) + counted
        connection.execute(
            reported_values.delete().where(
                reported_values.c.month.in_(months) & (reported_values.c.source == "synthetic")
            )
        )
        if reported:
            connection.execute(reported_values.insert(), reported)
    return FinanceSummary(len(rows), len(reported), Money(total))


def reported_rows(
    listed: Sequence[Any], year: int, params: Mapping[str, Any], rng: np.random.Generator
) -> list[dict[str, Any]]:
    """Paediatric beds, smart-hospital status and priced diseases, reported in January of ``year``."""
    """Paediatric beds, smart-hospital status and priced diseases, reported in January of ``year``."""
    month = f"{year:04d}-01"
    out = []
    shares = params["paediatric_bed_share"]
    cities = set()
    for row in listed:
        cities.add(row.area_code[:4] + "00")
        if row.kind in shares and row.beds:
            beds = int((Decimal(row.beds) * Decimal(shares[row.kind])).to_integral_value(ROUND_HALF_UP))
            out.append(_value(row.code, month, "paediatric_beds", beds))
        if row.ownership == "public" and int(row.tier) == 3 and row.kind not in PRIMARY_KINDS:
            smart = int(rng.random() < float(params["smart_hospital_probability"]))
            out.append(_value(row.code, month, "smart_hospital", smart))
    for city in sorted(cities):
        out.append(_value(city, month, "priced_diseases", int(params["priced_diseases_per_city"])))
    return out


def _value(unit: str, month: str, element: str, value: int) -> dict[str, Any]:
    return {
        "unit_code": unit,
        "month": month,
        "element": element,
        "value": Decimal(value),
        "source": "synthetic",
    }
