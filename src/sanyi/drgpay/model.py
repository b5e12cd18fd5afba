"""The records of DRG point-method payment: history cases, base-point tables, stays and their points.

Money is integer fen; points, ratios and coefficients are exact ``Decimal`` quantised to four places
(``POINTS_PLACES``) so a table prints and compares the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

POINTS_PLACES: Final = Decimal("0.0001")
HUNDRED: Final = Decimal(100)
ONE: Final = Decimal(1)

# Case kinds (drg-payment.md, "Case points").
NORMAL: Final = "normal"
INCOMPLETE: Final = "incomplete"
HIGH_COST: Final = "high_cost"
LOW_COST: Final = "low_cost"
PER_DIEM: Final = "per_diem"
REVIEW: Final = "review"  # 特病单议, waiting for or set by expert review
CASE_KINDS: Final = (NORMAL, INCOMPLETE, HIGH_COST, LOW_COST, PER_DIEM, REVIEW)

# Base-point status of a group.
PRICED: Final = "priced"
TOO_FEW: Final = "too_few"


def q4(value: Decimal) -> Decimal:
    """Four decimal places, half up: the unit of points, ratios and coefficients."""
    return value.quantize(POINTS_PLACES, rounding=ROUND_HALF_UP)


def yuan(fen: int | Decimal) -> Decimal:
    return (Decimal(fen) / HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class HistoryCase:
    """One grouped stay of a history year, as far as base points and coefficients need it."""

    year: int
    hospital: str
    drg: str
    cost_fen: int
    los_days: int


@dataclass(frozen=True, slots=True)
class GroupBase:
    """One group's line of a base-point table."""

    drg: str
    cases: int  # kept after trimming, all years
    trimmed: int  # dropped as outliers
    mean_cost_fen: Decimal  # weighted over the years
    mean_daily_fen: Decimal
    mean_los: Decimal
    per_diem: bool
    base_points: Decimal | None  # None: too few cases, its stays go to expert review
    status: str


@dataclass(frozen=True, slots=True)
class BasePointTable:
    """A dated, versioned artefact: the base points of every group and how they were made."""

    version: str
    scheme: str
    years: tuple[int, ...]
    weights: tuple[Decimal, ...]
    trim_sd: Decimal | None
    min_cases: int
    region_mean_fen: Decimal
    groups: Mapping[str, GroupBase]

    def rows(self) -> list[dict[str, str]]:
        """One row per group, ready for CSV/Excel export and comparison."""
        return [
            {
                "drg": g.drg,
                "status": g.status,
                "per_diem": "1" if g.per_diem else "0",
                "cases": str(g.cases),
                "trimmed": str(g.trimmed),
                "mean_cost": str(yuan(g.mean_cost_fen)),
                "mean_daily_cost": str(yuan(g.mean_daily_fen)),
                "mean_los": str(q4(g.mean_los)),
                "base_points": "" if g.base_points is None else str(g.base_points),
            }
            for g in sorted(self.groups.values(), key=lambda item: item.drg)
        ]


@dataclass(frozen=True, slots=True)
class Stay:
    """A stay to be paid: its group (empty when grouping failed) and what it cost."""

    id: str
    person_id: str
    hospital: str
    drg: str  # "" when grouping failed
    group_status: str
    cost_fen: int
    self_burden_fen: int
    los_days: int
    discharge_type: str
    admitted: date
    discharged: date
    principal_diagnosis: str = ""
    department: str = ""
    doctor: str = ""


@dataclass(frozen=True, slots=True)
class Review:
    """特病单议: points set by expert review for one stay, with the reason."""

    stay_id: str
    points: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class CasePoints:
    """The points of one stay and why (zh and en formula lines)."""

    stay_id: str
    hospital: str
    drg: str
    kind: str
    points: Decimal
    reason_zh: str
    reason_en: str
    base_points: Decimal | None = None
    coefficient: Decimal | None = None
    cost_ratio: Decimal | None = None
    readmission_of: str | None = None  # the later stay that halved this one
    pending_review: bool = False


@dataclass(frozen=True, slots=True)
class HospitalInput:
    """What a hospital's settlement needs besides its stays."""

    prepaid_fen: int = 0
    deductions_fen: int = 0  # 审核扣款
    assessment: Decimal = ONE  # 考核系数


@dataclass(frozen=True, slots=True)
class HospitalStatement:
    hospital: str
    cases: int
    points: Decimal
    gross_fen: int  # points × point value, allocated to the fen
    self_burden_fen: int
    assessment: Decimal
    deductions_fen: int
    fund_due_fen: int
    prepaid_fen: int
    settlement_fen: int  # fund due − prepayments


@dataclass(frozen=True, slots=True)
class PoolStatement:
    """How the money to share by points was found (总额预算, 结余留用/超支分担, 调剂金)."""

    period: str
    budget_fen: int
    reserve_fen: int
    fund_cost_fen: int  # what the stays would have cost the fund item by item
    surplus_fen: int
    overrun_fen: int
    retained_fen: int  # surplus kept by hospitals
    shared_fen: int  # overrun borne by the fund, out of the reserve
    distributable_fen: int
    self_burden_fen: int
    total_points: Decimal
    point_value: Decimal  # yuan per point, shown to six places; shares are allocated exactly
    steps_zh: tuple[str, ...] = ()
    steps_en: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settlement:
    pool: PoolStatement
    hospitals: Mapping[str, HospitalStatement]
    withheld_fen: int = 0  # deductions and assessment kept by the fund
    notes: tuple[str, ...] = field(default_factory=tuple)
