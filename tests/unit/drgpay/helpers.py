"""Shared builders for the DRG payment tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from sanyi.drgpay.api import HistoryCase, Stay, payment_rules
from sanyi.knowledge.policies import DrgPaymentRules

# Groups of zhejiang_2022: X a surgical group, Y a medical one, P a per-diem (rehabilitation) group.
X, Y, P = "AA19", "ES31", "XR11"


def rules(**changes: object) -> DrgPaymentRules:
    """Hangzhou's drg_payment section with the sharing switched off unless asked (budget = pool)."""
    base = replace(
        payment_rules("hangzhou-2020"),
        reserve_ratio=Decimal(0),
        surplus_retain_ratio=Decimal(1),
        overspend_share_ratio=Decimal(0),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def worked_history(year: int = 2023) -> list[HistoryCase]:
    """Region mean 10,000 yuan; X mean 25,000 (hospital A 26,250 → coefficient 1.05); P 800 a day."""
    cases = [HistoryCase(year, "A", X, 2_625_000, 10) for _ in range(2)]
    cases += [HistoryCase(year, "B", X, cost, 10) for cost in (2_400_000, 2_400_000, 2_450_000)]
    cases += [HistoryCase(year, "B", P, 800_000, 10) for _ in range(5)]
    cases += [HistoryCase(year, "B", Y, 350_000, 5) for _ in range(10)]
    return cases


def stay(
    sid: str,
    drg: str = X,
    cost_yuan: int = 25_000,
    *,
    hospital: str = "A",
    person: str = "p1",
    los: int = 10,
    discharge: str = "1",
    admitted: date = date(2023, 3, 1),
    burden_yuan: int = 0,
    diagnosis: str = "I21.0",
) -> Stay:
    return Stay(
        id=sid,
        person_id=person,
        hospital=hospital,
        drg=drg,
        group_status="SUCCESS" if drg else "UNKNOWN_DIAGNOSIS_CODE",
        cost_fen=cost_yuan * 100,
        self_burden_fen=burden_yuan * 100,
        los_days=los,
        discharge_type=discharge,
        admitted=admitted,
        discharged=admitted + timedelta(days=los),
        principal_diagnosis=diagnosis,
    )
