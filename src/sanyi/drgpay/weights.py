"""Base points per group from history (病组基准点数) and coefficients per hospital × group.

Per year and group, outliers beyond mean ± k·SD are dropped; the group mean is the weighted mean of
the yearly means (weights 1:2:7, oldest first, renormalised over the years the group has cases);
base points = group mean ÷ region mean × 100. Per-diem groups use the mean daily cost instead.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sanyi.drgpay.errors import DRGPAY_INVALID_YEARS, DRGPAY_NO_HISTORY, DRGPAY_TOO_FEW_CASES
from sanyi.drgpay.model import HUNDRED, ONE, PRICED, TOO_FEW, BasePointTable, GroupBase, HistoryCase, q4
from sanyi.kernel.errors import DomainError, Issue
from sanyi.knowledge.policies import DrgPaymentRules


def year_weights(years: Sequence[int], rules: DrgPaymentRules) -> tuple[Decimal, ...]:
    """The weights of the given years, oldest first: the newest years take the last weights."""
    ordered = sorted(years)
    if not ordered or len(set(ordered)) != len(ordered):
        raise DomainError(DRGPAY_INVALID_YEARS, years=",".join(map(str, years)), reason="empty or repeated")
    if len(ordered) > len(rules.history_weights):
        raise DomainError(
            DRGPAY_INVALID_YEARS,
            years=",".join(map(str, years)),
            reason=f"the policy weights only {len(rules.history_weights)} years",
        )
    return rules.history_weights[len(rules.history_weights) - len(ordered) :]


@dataclass(slots=True)
class _Cell:
    costs: list[int]
    days: list[int]


def _trim(cell: _Cell, k: Decimal | None) -> tuple[list[int], list[int], int]:
    """Keep the cases within mean ± k·SD (population SD); all cases when k is None."""
    if k is None or len(cell.costs) < 3:
        return cell.costs, cell.days, 0
    n = Decimal(len(cell.costs))
    mean = Decimal(sum(cell.costs)) / n
    variance = sum((Decimal(c) - mean) ** 2 for c in cell.costs) / n
    limit = k * variance.sqrt()
    kept = [(c, d) for c, d in zip(cell.costs, cell.days, strict=True) if abs(Decimal(c) - mean) <= limit]
    return [c for c, _ in kept], [d for _, d in kept], len(cell.costs) - len(kept)


def _weighted(values: Mapping[int, Decimal], weights: Mapping[int, Decimal]) -> Decimal:
    total = sum((weights[y] for y in values), Decimal(0))
    return sum((weights[y] * v for y, v in values.items()), Decimal(0)) / total


def build_base_points(
    cases: Iterable[HistoryCase], years: Sequence[int], rules: DrgPaymentRules
) -> tuple[BasePointTable, list[Issue]]:
    """The base-point table of the history years, and the groups sent to expert review."""
    weight_list = year_weights(years, rules)
    weights = dict(zip(sorted(years), weight_list, strict=True))
    cells: dict[tuple[int, str], _Cell] = defaultdict(lambda: _Cell([], []))
    for case in cases:
        if case.year in weights:
            cell = cells[(case.year, case.drg)]
            cell.costs.append(case.cost_fen)
            cell.days.append(max(case.los_days, 1))
    if not cells:
        raise DomainError(DRGPAY_NO_HISTORY, years=",".join(map(str, sorted(years))))
    year_sum: dict[int, int] = defaultdict(int)
    year_n: dict[int, int] = defaultdict(int)
    per_group: dict[str, dict[int, tuple[list[int], list[int], int]]] = defaultdict(dict)
    for (year, drg), cell in cells.items():
        costs, days, dropped = _trim(cell, rules.trim_sd)
        per_group[drg][year] = (costs, days, dropped)
        year_sum[year] += sum(costs)
        year_n[year] += len(costs)
    region_mean = _weighted({y: Decimal(year_sum[y]) / year_n[y] for y in year_n if year_n[y]}, weights)
    groups: dict[str, GroupBase] = {}
    issues: list[Issue] = []
    for drg in sorted(per_group):
        by_year = {y: v for y, v in per_group[drg].items() if v[0]}
        kept = sum(len(v[0]) for v in by_year.values())
        dropped = sum(v[2] for v in per_group[drg].values())
        mean_cost = _weighted({y: Decimal(sum(c)) / len(c) for y, (c, _, _) in by_year.items()}, weights)
        mean_daily = _weighted({y: Decimal(sum(c)) / sum(d) for y, (c, d, _) in by_year.items()}, weights)
        mean_los = _weighted({y: Decimal(sum(d)) / len(d) for y, (_, d, _) in by_year.items()}, weights)
        per_diem = drg in rules.per_diem_groups
        if kept < rules.min_cases:
            issues.append(
                DomainError(DRGPAY_TOO_FEW_CASES, drg=drg, cases=kept, minimum=rules.min_cases).as_issue(
                    field_name=drg
                )
            )
            base, status = None, TOO_FEW
        else:
            base = q4((mean_daily if per_diem else mean_cost) / region_mean * HUNDRED)
            status = PRICED
        groups[drg] = GroupBase(drg, kept, dropped, mean_cost, mean_daily, mean_los, per_diem, base, status)
    table = BasePointTable(
        version="",
        scheme=rules.scheme,
        years=tuple(sorted(years)),
        weights=weight_list,
        trim_sd=rules.trim_sd,
        min_cases=rules.min_cases,
        region_mean_fen=region_mean,
        groups=groups,
    )
    return _versioned(table), issues


def _versioned(table: BasePointTable) -> BasePointTable:
    """The version names the years and a hash of every line, so equal tables carry equal versions."""
    digest = hashlib.sha256()
    digest.update(f"{table.scheme}|{table.years}|{table.weights}|{table.region_mean_fen}".encode())
    for row in table.rows():
        digest.update("|".join(row.values()).encode())
    label = f"{table.years[0]}-{table.years[-1]}-{digest.hexdigest()[:10]}"
    return BasePointTable(
        label,
        table.scheme,
        table.years,
        table.weights,
        table.trim_sd,
        table.min_cases,
        table.region_mean_fen,
        table.groups,
    )


def compare(old: BasePointTable, new: BasePointTable) -> list[dict[str, str]]:
    """Groups whose base points differ: old, new and the change (new ÷ old − 1) where both exist."""
    return compare_rows(old.rows(), new.rows())


def compare_rows(old: Iterable[Mapping[str, str]], new: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    """``compare`` over exported or saved table rows (``BasePointTable.rows()``)."""
    points_before = {row["drg"]: row["base_points"] for row in old}
    points_after = {row["drg"]: row["base_points"] for row in new}
    rows = []
    for drg in sorted(points_before.keys() | points_after.keys()):
        before, after = points_before.get(drg, ""), points_after.get(drg, "")
        if before == after:
            continue
        priced_both = before and after and Decimal(before) != 0
        change = str(q4(Decimal(after) / Decimal(before) - ONE)) if priced_both else ""
        rows.append({"drg": drg, "old": before, "new": after, "change": change})
    return rows


def coefficients(
    cases: Iterable[HistoryCase],
    years: Sequence[int],
    table: BasePointTable,
    levels: Mapping[str, str | None],
    rules: DrgPaymentRules,
) -> dict[tuple[str, str], Decimal]:
    """差异系数 per (hospital, group): the hospital's (or its level's, or a composite) weighted mean
    cost in the group ÷ the region's. A pair absent from the result is a new group: coefficient 1."""
    weights = dict(zip(sorted(years), year_weights(years, rules), strict=True))
    hospital_cells: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    level_cells: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        if case.year not in weights:
            continue
        for cells, key in (
            (hospital_cells, case.hospital),
            (level_cells, levels.get(case.hospital) or "unrated"),
        ):
            cell = cells[(key, case.drg, case.year)]
            cell[0] += case.cost_fen
            cell[1] += 1

    def means(cells: dict[tuple[str, str, int], list[int]]) -> dict[tuple[str, str], Decimal]:
        grouped: dict[tuple[str, str], dict[int, Decimal]] = defaultdict(dict)
        for (who, drg, year), (total, n) in cells.items():
            grouped[(who, drg)][year] = Decimal(total) / n
        return {key: _weighted(values, weights) for key, values in grouped.items()}

    def ratio(mean: Decimal, drg: str) -> Decimal | None:
        group = table.groups.get(drg)
        if group is None or group.base_points is None or group.mean_cost_fen == 0:
            return None
        return mean / group.mean_cost_fen

    hospital_means = means(hospital_cells)
    level_means = means(level_cells) if rules.coefficient_method != "hospital" else {}
    result: dict[tuple[str, str], Decimal] = {}
    for (hospital, drg), mean in hospital_means.items():
        own = ratio(mean, drg)
        if own is None:
            continue
        if rules.coefficient_method == "hospital":
            result[(hospital, drg)] = q4(own)
            continue
        level_mean = level_means.get((levels.get(hospital) or "unrated", drg))
        of_level = ratio(level_mean, drg) if level_mean is not None else None
        if of_level is None:
            continue
        if rules.coefficient_method == "level":
            result[(hospital, drg)] = q4(of_level)
        else:
            result[(hospital, drg)] = q4(rules.hospital_weight * own + rules.level_weight * of_level)
    return result
