"""Case points (病例点数) for every case type, each with the formula that produced it.

Order of the rules for a priced group: per-diem group → high-cost (cost ÷ group mean ≥ the level's
threshold) → incomplete stay (discharge type) → low-cost (ratio ≤ threshold) → normal. Then a stay
readmitted to the same group at the same hospital within the window halves the earlier stay's points,
unless either principal diagnosis is exempt (chemo-/radiotherapy). Stays without base points or without
a group go to 特病单议: zero points until a review sets them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal

from sanyi.drgpay.errors import DRGPAY_HOSPITAL_WITHOUT_LEVEL, DRGPAY_NO_BASE_POINTS, DRGPAY_UNGROUPED
from sanyi.drgpay.model import (
    HIGH_COST,
    INCOMPLETE,
    LOW_COST,
    NORMAL,
    ONE,
    PER_DIEM,
    REVIEW,
    BasePointTable,
    CasePoints,
    Review,
    Stay,
    q4,
)
from sanyi.kernel.errors import DomainError, Issue
from sanyi.knowledge.policies import DrgPaymentRules

UNRATED = "unrated"


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def stay_points(
    stay: Stay,
    table: BasePointTable,
    coefficient: Decimal | None,
    level: str,
    rules: DrgPaymentRules,
) -> CasePoints:
    """The points of one stay before readmission and review."""
    group = table.groups.get(stay.drg) if stay.drg else None
    if group is None or group.base_points is None:
        why_zh = "未入组" if not stay.drg else f"病组 {stay.drg} 无基准点数"
        why_en = "not grouped" if not stay.drg else f"group {stay.drg} has no base points"
        return CasePoints(
            stay.id,
            stay.hospital,
            stay.drg,
            REVIEW,
            Decimal(0),
            f"特病单议：{why_zh}，待专家评审定点数",
            f"expert review: {why_en}; points await the review",
            pending_review=True,
        )
    base = group.base_points
    if group.per_diem:
        days = max(stay.los_days, 1)
        points = q4(base * days)
        return CasePoints(
            stay.id,
            stay.hospital,
            stay.drg,
            PER_DIEM,
            points,
            f"床日病组：床日基准点数 {_fmt(base)} × {days} 天 = {_fmt(points)}",
            f"per-diem group: {_fmt(base)} per-diem points × {days} days = {_fmt(points)}",
            base_points=base,
        )
    coef = ONE if coefficient is None else coefficient
    coef_note_zh = "（新开病组，系数 1）" if coefficient is None else ""
    coef_note_en = " (group new to the hospital: coefficient 1)" if coefficient is None else ""
    ratio = q4(Decimal(stay.cost_fen) / group.mean_cost_fen)
    normal = q4(base * coef)
    threshold = rules.high_cost_threshold[level]
    if ratio >= threshold:
        points = q4(normal + (ratio - threshold) * base)
        return CasePoints(
            stay.id,
            stay.hospital,
            stay.drg,
            HIGH_COST,
            points,
            f"高倍率（费用比 {_fmt(ratio)} ≥ {_fmt(threshold)}）：{_fmt(base)} × {_fmt(coef)}{coef_note_zh}"
            f" + ({_fmt(ratio)} − {_fmt(threshold)}) × {_fmt(base)} = {_fmt(points)}",
            f"high cost (cost ratio {_fmt(ratio)} ≥ {_fmt(threshold)}): "
            f"{_fmt(base)} × {_fmt(coef)}{coef_note_en}"
            f" + ({_fmt(ratio)} − {_fmt(threshold)}) × {_fmt(base)} = {_fmt(points)}",
            base_points=base,
            coefficient=coef,
            cost_ratio=ratio,
        )
    incomplete = stay.discharge_type in rules.incomplete_discharge_types
    if incomplete or ratio <= rules.low_cost_threshold:
        points = min(q4(normal * ratio), normal)
        kind = INCOMPLETE if incomplete else LOW_COST
        what_zh = (
            f"未完成治疗（离院方式 {stay.discharge_type}）"
            if incomplete
            else f"低倍率（费用比 {_fmt(ratio)} ≤ {_fmt(rules.low_cost_threshold)}）"
        )
        what_en = (
            f"incomplete stay (discharge type {stay.discharge_type})"
            if incomplete
            else f"low cost (cost ratio {_fmt(ratio)} ≤ {_fmt(rules.low_cost_threshold)})"
        )
        return CasePoints(
            stay.id,
            stay.hospital,
            stay.drg,
            kind,
            points,
            f"{what_zh}：{_fmt(base)} × {_fmt(coef)}{coef_note_zh} × {_fmt(ratio)} = {_fmt(points)}"
            f"（不超过 {_fmt(normal)}）",
            f"{what_en}: {_fmt(base)} × {_fmt(coef)}{coef_note_en} × {_fmt(ratio)} = {_fmt(points)}"
            f" (at most {_fmt(normal)})",
            base_points=base,
            coefficient=coef,
            cost_ratio=ratio,
        )
    return CasePoints(
        stay.id,
        stay.hospital,
        stay.drg,
        NORMAL,
        normal,
        f"正常病例：{_fmt(base)} × {_fmt(coef)}{coef_note_zh} = {_fmt(normal)}",
        f"normal case: {_fmt(base)} × {_fmt(coef)}{coef_note_en} = {_fmt(normal)}",
        base_points=base,
        coefficient=coef,
        cost_ratio=ratio,
    )


def _exempt(stay: Stay, rules: DrgPaymentRules) -> bool:
    return any(stay.principal_diagnosis.startswith(code) for code in rules.readmission_exempt_diagnoses)


def price_stays(
    stays: Iterable[Stay],
    table: BasePointTable,
    coefficients: Mapping[tuple[str, str], Decimal],
    levels: Mapping[str, str | None],
    rules: DrgPaymentRules,
    reviews: Mapping[str, Review] | None = None,
) -> tuple[list[CasePoints], list[Issue]]:
    """Points of every stay, in input order, with the issues found (each handled by its rule)."""
    reviews = reviews or {}
    issues: list[Issue] = []
    warned: set[str] = set()
    listed = list(stays)
    results: list[CasePoints] = []
    for row, stay in enumerate(listed):
        level = levels.get(stay.hospital)
        if not level:
            if stay.hospital not in warned:
                warned.add(stay.hospital)
                issues.append(
                    DomainError(DRGPAY_HOSPITAL_WITHOUT_LEVEL, hospital=stay.hospital).as_issue(
                        row=row, field_name="hospital"
                    )
                )
            level = UNRATED
        case = stay_points(stay, table, coefficients.get((stay.hospital, stay.drg)), level, rules)
        if case.pending_review:
            if not stay.drg:
                issues.append(
                    DomainError(DRGPAY_UNGROUPED, stay=stay.id, status=stay.group_status).as_issue(
                        row=row, field_name="drg"
                    )
                )
            else:
                issues.append(
                    DomainError(DRGPAY_NO_BASE_POINTS, stay=stay.id, drg=stay.drg).as_issue(
                        row=row, field_name="drg"
                    )
                )
        results.append(case)
    results = _readmissions(listed, results, rules)
    return [_reviewed(case, reviews.get(case.stay_id)) for case in results], issues


def _readmissions(stays: list[Stay], results: list[CasePoints], rules: DrgPaymentRules) -> list[CasePoints]:
    by_key: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for index, stay in enumerate(stays):
        if stay.drg and stay.person_id:
            by_key[(stay.person_id, stay.hospital, stay.drg)].append(index)
    for indexes in by_key.values():
        if len(indexes) < 2:
            continue
        indexes.sort(key=lambda i: (stays[i].admitted, stays[i].id))
        for earlier, later in itertools.pairwise(indexes):
            first, second = stays[earlier], stays[later]
            gap = (second.admitted - first.discharged).days
            if gap > rules.readmission_days or gap < 0:
                continue
            case = results[earlier]
            if _exempt(first, rules) or _exempt(second, rules):
                results[earlier] = replace(
                    case,
                    reason_zh=case.reason_zh + f"；{gap} 天内再入院 {second.id}，放化疗豁免，不减半",
                    reason_en=case.reason_en
                    + f"; readmitted as {second.id} after {gap} days, chemo-/radiotherapy exempt",
                )
                continue
            points = q4(case.points * rules.readmission_factor)
            factor = _fmt(rules.readmission_factor)
            results[earlier] = replace(
                case,
                points=points,
                readmission_of=second.id,
                reason_zh=case.reason_zh
                + f"；{gap} 天内同病组再入院（{second.id}）：× {factor} = {_fmt(points)}",
                reason_en=case.reason_en
                + f"; readmitted to the same group in {gap} days ({second.id}): × {factor} = {_fmt(points)}",
            )
    return results


def _reviewed(case: CasePoints, review: Review | None) -> CasePoints:
    if review is None:
        return case
    points = q4(review.points)
    return replace(
        case,
        kind=REVIEW,
        points=points,
        pending_review=False,
        reason_zh=f"特病单议：专家评审定 {_fmt(points)} 点（{review.reason}）；原计算：{case.reason_zh}",
        reason_en=f"expert review set {_fmt(points)} points ({review.reason}); as computed: {case.reason_en}",
    )
