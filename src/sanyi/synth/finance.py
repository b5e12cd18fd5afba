"""Synthetic institution finance returns and reported values, consistent with the region's care.

Income by category is the month's fee lines of each institution by fee category (medical income =
all lines; outpatient or inpatient by the encounter's type; 药品 = 西药 + 中药饮片 + 中成药, 卫生材料,
检查, 化验 by their categories). Costs, staff costs and government subsidy are ratios on that income
(``knowledge/synth/finance.yaml``, each with its source). Paediatric beds, smart-hospital status and
the number of diseases priced per case, which no operational table holds, are written as reported
values. Seeded: the same seed gives the same result.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final

import numpy as np
import yaml
from sqlalchemy import Connection, Engine, func, select

from sanyi.care.api import encounters, fee_lines
from sanyi.indicators.api import FINANCE_AMOUNTS, institution_finance, reported_values
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.money import Money
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.registry.api import PRIMARY_CARE_KINDS, institutions

PARAMETERS_FILE: Final = KNOWLEDGE_ROOT / "synth" / "finance.yaml"
PRIMARY_KINDS: Final = frozenset(kind.value for kind in PRIMARY_CARE_KINDS)
CATEGORY_PARTS: Final = {
    "income_drug": ("09", "10", "11"),
    "income_herbal": ("10",),
    "income_material": ("08",),
    "income_exam": ("03",),
    "income_lab": ("04",),
}


@dataclass(frozen=True, slots=True)
class FinanceSummary:
    returns: int  # institution-months written
    reported: int  # reported values written
    medical_income: Money


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


def finance_returns(
    info: Mapping[str, Any], cells: Mapping[tuple[str, str], dict[str, int]], params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """One return per institution and month: income as counted, costs, staff costs and subsidy as
    the class's ratios of it (amounts as Money)."""
    rows = []
    for (code, month), cell in sorted(cells.items()):
        row = info[code]
        klass = _class(row.kind, row.ownership)
        costs = _fen(cell["income_medical"], params["cost_to_income"][klass])
        amounts = {name: Money(cell[name]) for name in FINANCE_AMOUNTS}
        amounts["activity_costs"] = costs
        amounts["staff_costs"] = _fen(costs.fen, params["staff_share_of_costs"][klass])
        amounts["fiscal_subsidy"] = _fen(cell["income_medical"], params["fiscal_subsidy_share"][klass])
        rows.append({"institution_code": code, "month": month, **amounts, "source": "synthetic"})
    return rows


def generate_finance(engine: Engine, year: int, seed: int) -> FinanceSummary:
    """Replace the year's finance returns and reported values with synthetic ones."""
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
        months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
        connection.execute(institution_finance.delete().where(institution_finance.c.month.in_(months)))
        rows = finance_returns(info, income_by_month(connection, year), params)
        total = sum(row["income_medical"].fen for row in rows)
        if rows:
            connection.execute(institution_finance.insert(), rows)
        reported = reported_rows(listed, year, params, rng)
        connection.execute(
            reported_values.delete().where(
                reported_values.c.month.in_(months) & (reported_values.c.source == "synthetic")
            )
        )
        if reported:
            connection.execute(reported_values.insert(), reported)
    return FinanceSummary(len(rows), len(reported), Money(total))


def reported_rows(
    listed: Sequence[Any], year: int, params: dict[str, Any], rng: np.random.Generator
) -> list[dict[str, Any]]:
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
