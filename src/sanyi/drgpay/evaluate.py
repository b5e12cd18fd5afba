"""Hospital DRG evaluation (温州 DRGs评价; 浙江 以DRGs为核心的质量控制), per hospital, department or doctor.

For group i with n_i cases, e_i/t_i the unit's mean cost/LOS and E_i/T_i the region's: 总权重 Σ RW_i·n_i,
CMI = 总权重 ÷ Σ n_i, 费用消耗指数 Σ (e_i ÷ E_i)·n_i ÷ Σ n_i, 时间消耗指数 likewise with LOS. Risk levels
come from the region's mortality per group, ln-standardised; 入组率 = grouped ÷ (all − excluded).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from sanyi.drgpay.model import q4

# Records left out of 入组率 (drg-payment.md): stays beyond 60 days or costing under 5 yuan.
MAX_LOS_DAYS = 60
MIN_COST_FEN = 500


@dataclass(frozen=True, slots=True)
class EvalCase:
    hospital: str
    department: str
    doctor: str
    drg: str  # "" when grouping failed
    cost_fen: int
    los_days: int
    died: bool


@dataclass(frozen=True, slots=True)
class RiskLevels:
    """Risk level 0–4 per group and the statistics of ln(mortality) they came from."""

    levels: Mapping[str, int]
    mortality: Mapping[str, Decimal]
    ln_mean: Decimal | None
    ln_sd: Decimal | None


@dataclass(frozen=True, slots=True)
class Indicators:
    unit: str
    records: int
    excluded: int
    grouped: int
    grouping_rate: Decimal | None
    drg_count: int
    total_weight: Decimal
    cmi: Decimal | None
    cost_index: Decimal | None
    time_index: Decimal | None
    low_risk_deaths: int
    low_risk_cases: int
    low_risk_mortality: Decimal | None
    mid_low_risk_deaths: int
    mid_low_risk_cases: int
    mid_low_risk_mortality: Decimal | None

    def row(self) -> dict[str, str]:
        def text(value: object) -> str:
            return "" if value is None else str(value)

        return {name: text(getattr(self, name)) for name in self.__slots__}


def excluded(case: EvalCase) -> bool:
    return case.los_days > MAX_LOS_DAYS or case.cost_fen < MIN_COST_FEN


def risk_levels(cases: Iterable[EvalCase]) -> RiskLevels:
    deaths: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for case in cases:
        if case.drg and not excluded(case):
            counts[case.drg] += 1
            deaths[case.drg] += case.died
    mortality = {drg: Decimal(deaths[drg]) / counts[drg] for drg in counts}
    logs = {drg: m.ln() for drg, m in mortality.items() if m > 0}
    if not logs:
        return RiskLevels(dict.fromkeys(mortality, 0), mortality, None, None)
    mean = sum(logs.values(), Decimal(0)) / len(logs)
    sd = (sum(((v - mean) ** 2 for v in logs.values()), Decimal(0)) / len(logs)).sqrt()
    levels: dict[str, int] = {}
    for drg in mortality:
        value = logs.get(drg)
        if value is None:
            levels[drg] = 0
        elif value < mean - sd:
            levels[drg] = 1
        elif value < mean:
            levels[drg] = 2
        elif value < mean + sd:
            levels[drg] = 3
        else:
            levels[drg] = 4
    return RiskLevels(levels, mortality, mean, sd)


def _rate(part: int, whole: int) -> Decimal | None:
    return q4(Decimal(part) / whole) if whole else None


def evaluate(
    cases: Iterable[EvalCase],
    unit: Callable[[EvalCase], str],
    weights: Mapping[str, Decimal] | None = None,
) -> tuple[dict[str, Indicators], Indicators]:
    """Indicators per unit (``unit`` picks the hospital, department or doctor) and the region's.

    ``weights`` are the RW of each group (base points ÷ 100); without them RW is the group's mean cost
    ÷ the mean of all grouped cases of these records."""
    listed = list(cases)
    kept = [c for c in listed if c.drg and not excluded(c)]
    cost: dict[str, int] = defaultdict(int)
    days: dict[str, int] = defaultdict(int)
    n: dict[str, int] = defaultdict(int)
    for case in kept:
        cost[case.drg] += case.cost_fen
        days[case.drg] += case.los_days
        n[case.drg] += 1
    if weights is None and kept:
        overall = Decimal(sum(cost.values())) / len(kept)
        weights = {drg: Decimal(cost[drg]) / n[drg] / overall for drg in n}
    weights = weights or {}
    region_cost = {drg: Decimal(cost[drg]) / n[drg] for drg in n}
    region_days = {drg: Decimal(days[drg]) / n[drg] for drg in n}
    risks = risk_levels(listed).levels
    by_unit: dict[str, list[EvalCase]] = defaultdict(list)
    for case in listed:
        by_unit[unit(case)].append(case)

    def measure(name: str, group: list[EvalCase]) -> Indicators:
        records = len(group)
        out = sum(1 for c in group if excluded(c))
        mine = [c for c in group if c.drg and not excluded(c)]
        cells: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        low = [0, 0]
        mid = [0, 0]
        for case in mine:
            cell = cells[case.drg]
            cell[0] += case.cost_fen
            cell[1] += case.los_days
            cell[2] += 1
            level = risks.get(case.drg, 0)
            for tally, wanted in ((low, 1), (mid, 2)):
                if level == wanted:
                    tally[0] += case.died
                    tally[1] += 1
        total = len(mine)
        weight = sum((weights.get(drg, Decimal(0)) * c[2] for drg, c in cells.items()), Decimal(0))
        cost_index = time_index = None
        if total:
            cost_index = q4(
                sum(
                    (
                        (Decimal(c[0]) / c[2]) / region_cost[drg] * c[2]
                        for drg, c in cells.items()
                        if region_cost[drg]
                    ),
                    Decimal(0),
                )
                / total
            )
            time_index = q4(
                sum(
                    (
                        (Decimal(c[1]) / c[2]) / region_days[drg] * c[2]
                        for drg, c in cells.items()
                        if region_days[drg]
                    ),
                    Decimal(0),
                )
                / total
            )
        return Indicators(
            unit=name,
            records=records,
            excluded=out,
            grouped=total,
            grouping_rate=_rate(total, records - out),
            drg_count=len(cells),
            total_weight=q4(weight),
            cmi=q4(weight / total) if total else None,
            cost_index=cost_index,
            time_index=time_index,
            low_risk_deaths=low[0],
            low_risk_cases=low[1],
            low_risk_mortality=_rate(low[0], low[1]),
            mid_low_risk_deaths=mid[0],
            mid_low_risk_cases=mid[1],
            mid_low_risk_mortality=_rate(mid[0], mid[1]),
        )

    units = {name: measure(name, group) for name, group in sorted(by_unit.items())}
    return units, measure("region", listed)
