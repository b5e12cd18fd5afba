"""Payment runs and evaluations over the stored care records, for the pages.

A run reads, groups and settles a year of stays, so it is kept per (year, policy, budget, minimum
cases) for the life of the process (a few entries); ``refresh`` drops them after new data is loaded.
Who may see which hospital is decided by the caller (the web layer knows the principal).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from sanyi.drgpay.evaluate import EvalCase, Indicators, evaluate
from sanyi.drgpay.model import BasePointTable
from sanyi.drgpay.rules import payment_rules
from sanyi.drgpay.run import PaymentRun, pay
from sanyi.drgpay.sources import Loaded, load_stays
from sanyi.infrastructure.uow import UnitOfWorkFactory

KEPT_RUNS = 4
UNITS: dict[str, Callable[[EvalCase], str]] = {
    "hospital": lambda c: c.hospital,
    "department": lambda c: f"{c.hospital}/{c.department}",
    "doctor": lambda c: f"{c.hospital}/{c.doctor}",
}


class DrgPayService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow
        self._lock = threading.Lock()
        self._loaded: OrderedDict[tuple[int, str], Loaded] = OrderedDict()
        self._runs: OrderedDict[tuple[int, str, int | None, int | None], PaymentRun] = OrderedDict()

    def refresh(self) -> None:
        with self._lock:
            self._loaded.clear()
            self._runs.clear()

    def stays(self, year: int, policy: str) -> Loaded:
        key = (year, policy)
        with self._lock:
            found = self._loaded.get(key)
        if found is not None:
            return found
        rules = payment_rules(policy)
        with self._uow() as uow:
            loaded = load_stays(uow.connection, {year}, rules.scheme)
        with self._lock:
            self._loaded[key] = loaded
            while len(self._loaded) > KEPT_RUNS:
                self._loaded.popitem(last=False)
        return loaded

    def run(
        self, year: int, policy: str, *, budget_fen: int | None = None, min_cases: int | None = None
    ) -> PaymentRun:
        """Pay ``year`` with base points from the same year (the synthetic region holds one year);
        ``min_cases`` overrides the policy's minimum for a what-if, ``budget_fen`` defaults to the fund
        cost of the year's stays."""
        key = (year, policy, budget_fen, min_cases)
        with self._lock:
            found = self._runs.get(key)
        if found is not None:
            return found
        loaded = self.stays(year, policy)
        rules = payment_rules(policy)
        if min_cases is not None:
            rules = replace(rules, min_cases=min_cases)
        in_year = [s for s in loaded.stays if s.discharged.year == year]
        budget = (
            budget_fen if budget_fen is not None else sum(s.cost_fen - s.self_burden_fen for s in in_year)
        )
        result = pay(
            loaded.history(), [year], loaded.stays, loaded.levels, rules, year=year, budget_fen=budget
        )
        result.issues[:0] = loaded.issues
        with self._lock:
            self._runs[key] = result
            while len(self._runs) > KEPT_RUNS:
                self._runs.popitem(last=False)
        return result

    def names(self, year: int, policy: str) -> dict[str, str]:
        return self.stays(year, policy).names

    def evaluation(
        self, year: int, policy: str, by: str, table: BasePointTable | None = None
    ) -> tuple[dict[str, Indicators], Indicators]:
        weights: dict[str, Decimal] | None = None
        if table is not None:  # RW = base points ÷ 100
            weights = {g.drg: g.base_points / 100 for g in table.groups.values() if g.base_points is not None}
        return evaluate(self.stays(year, policy).evaluation(), UNITS[by], weights)
