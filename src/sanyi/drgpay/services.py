"""Payment runs and evaluations over the stored care records, for the pages.

A run reads, groups and settles a year of stays, so it is kept per (year, policy, budget, minimum
cases) for the life of the process (a few entries); ``refresh`` drops them after new data is loaded.
Who may see which hospital is decided by the caller (the web layer knows the principal).

特病单议: a hospital submits a stay with its reason, the insurance bureau approves it with points (or
rejects it); approved points replace the computed ones in every later run. Each step is audited in
the same transaction; saved base-point tables and runs are audited too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import insert, select, update

from sanyi.drgpay.errors import (
    DRGPAY_INVALID_POINTS,
    DRGPAY_INVALID_REVIEW,
    DRGPAY_REVIEW_DECIDED,
    DRGPAY_REVIEW_EXISTS,
    DRGPAY_REVIEW_NOT_FOUND,
    DRGPAY_UNKNOWN_TABLE,
)
from sanyi.drgpay.evaluate import EvalCase, Indicators, evaluate
from sanyi.drgpay.model import BasePointTable, Review
from sanyi.drgpay.rules import payment_rules
from sanyi.drgpay.run import PaymentRun, pay
from sanyi.drgpay.sources import Loaded, load_stays
from sanyi.drgpay.tables import drg_base_point_tables, drg_payment_runs, drg_reviews
from sanyi.infrastructure.audit import Actor, AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock
from sanyi.kernel.errors import DomainError

KEPT_RUNS = 4
UNITS: dict[str, Callable[[EvalCase], str]] = {
    "hospital": lambda c: c.hospital,
    "department": lambda c: f"{c.hospital}/{c.department}",
    "doctor": lambda c: f"{c.hospital}/{c.doctor}",
}


SUBMITTED = "submitted"
APPROVED = "approved"
REJECTED = "rejected"
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class ReviewRequest:
    id: int
    stay_id: str
    hospital: str
    year: int
    status: str
    reason: str
    points: Decimal | None
    note: str | None
    submitted_by: str
    submitted_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None


def _review(row: Any) -> ReviewRequest:
    return ReviewRequest(
        row.id,
        row.stay_id,
        row.hospital,
        row.year,
        row.status,
        row.reason,
        None if row.points is None else Decimal(row.points),
        row.note,
        row.submitted_by,
        row.submitted_at,
        row.reviewed_by,
        row.reviewed_at,
    )


def _points(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise DomainError(DRGPAY_INVALID_POINTS, points=str(text), path="points") from None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise DomainError(DRGPAY_INVALID_POINTS, points=str(text), path="points")
    return value


class DrgPayService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, audit: AuditLog) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
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
        reviews = {
            r.stay_id: Review(r.stay_id, r.points, r.reason)
            for r in self.reviews(year)
            if r.status == APPROVED and r.points is not None
        }
        result = pay(
            loaded.history(),
            [year],
            loaded.stays,
            loaded.levels,
            rules,
            year=year,
            budget_fen=budget,
            reviews=reviews,
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

    # -- 特病单议 ------------------------------------------------------------------------------------

    def reviews(self, year: int, hospital: str | None = None) -> list[ReviewRequest]:
        query = select(drg_reviews).where(drg_reviews.c.year == year).order_by(drg_reviews.c.id)
        if hospital is not None:
            query = query.where(drg_reviews.c.hospital == hospital)
        with self._uow() as uow:
            return [_review(row) for row in uow.connection.execute(query)]

    def submit_review(
        self, actor: Actor, stay_id: str, hospital: str, year: int, reason: str, policy: str
    ) -> ReviewRequest:
        """A hospital asks for expert review of one of its stays, with the reason."""
        reason = reason.strip()
        if not reason or len(reason) > MAX_REASON:
            raise DomainError(
                DRGPAY_INVALID_REVIEW, reason=f"the reason must hold 1–{MAX_REASON} characters", path="reason"
            )
        stay = next((s for s in self.stays(year, policy).stays if s.id == stay_id), None)
        if stay is None or stay.hospital != hospital or stay.discharged.year != year:
            raise DomainError(
                DRGPAY_INVALID_REVIEW, reason=f"{hospital} has no stay {stay_id} in {year}", path="stay_id"
            )
        with self._uow() as uow:
            connection = uow.connection
            existing = connection.execute(select(drg_reviews).where(drg_reviews.c.stay_id == stay_id)).first()
            if existing is not None:
                raise DomainError(DRGPAY_REVIEW_EXISTS, stay=stay_id, status=existing.status)
            now = self._clock.now()
            new_id = connection.execute(
                insert(drg_reviews)
                .values(
                    stay_id=stay_id,
                    hospital=hospital,
                    year=year,
                    status=SUBMITTED,
                    reason=reason,
                    submitted_at=now,
                    submitted_by=actor.name,
                )
                .returning(drg_reviews.c.id)
            ).scalar_one()
            self._audit.record(
                connection,
                actor,
                "drg_review.submit",
                "drg_review",
                str(new_id),
                {"stay_id": stay_id, "hospital": hospital, "year": year, "reason": reason},
            )
            row = connection.execute(select(drg_reviews).where(drg_reviews.c.id == new_id)).one()
            uow.commit()
        return _review(row)

    def decide_review(
        self, actor: Actor, review_id: int, *, approve: bool, points: str | None, note: str = ""
    ) -> ReviewRequest:
        """The bureau approves with points, or rejects; a decided request stays as decided."""
        value = _points(points or "") if approve else None
        with self._uow() as uow:
            connection = uow.connection
            row = connection.execute(select(drg_reviews).where(drg_reviews.c.id == review_id)).first()
            if row is None:
                raise DomainError(DRGPAY_REVIEW_NOT_FOUND, review=review_id)
            if row.status != SUBMITTED:
                raise DomainError(DRGPAY_REVIEW_DECIDED, review=review_id, status=row.status)
            status = APPROVED if approve else REJECTED
            connection.execute(
                update(drg_reviews)
                .where(drg_reviews.c.id == review_id)
                .values(
                    status=status,
                    points=None if value is None else str(value),
                    note=note.strip() or None,
                    reviewed_at=self._clock.now(),
                    reviewed_by=actor.name,
                )
            )
            self._audit.record(
                connection,
                actor,
                f"drg_review.{status}",
                "drg_review",
                str(review_id),
                {"stay_id": row.stay_id, "points": None if value is None else str(value), "note": note},
            )
            decided = connection.execute(select(drg_reviews).where(drg_reviews.c.id == review_id)).one()
            uow.commit()
        with self._lock:
            self._runs.clear()  # approved points change every later run
        return _review(decided)

    # -- saved tables and runs -----------------------------------------------------------------------

    def save_table(self, actor: Actor, table: BasePointTable, policy: str) -> bool:
        """Keep a base-point table under its version; False when that version is kept already."""
        with self._uow() as uow:
            connection = uow.connection
            if connection.execute(
                select(drg_base_point_tables.c.version).where(
                    drg_base_point_tables.c.version == table.version
                )
            ).first():
                return False
            connection.execute(
                insert(drg_base_point_tables).values(
                    version=table.version,
                    scheme=table.scheme,
                    policy=policy,
                    years=list(table.years),
                    weights=[str(w) for w in table.weights],
                    region_mean=str(table.region_mean_fen),
                    lines=table.rows(),
                    saved_at=self._clock.now(),
                    saved_by=actor.name,
                )
            )
            self._audit.record(
                connection,
                actor,
                "drg_table.save",
                "drg_base_point_table",
                table.version,
                {"policy": policy, "groups": len(table.groups)},
            )
            uow.commit()
        return True

    def saved_tables(self) -> list[dict[str, Any]]:
        query = select(
            drg_base_point_tables.c.version,
            drg_base_point_tables.c.scheme,
            drg_base_point_tables.c.policy,
            drg_base_point_tables.c.years,
            drg_base_point_tables.c.saved_at,
            drg_base_point_tables.c.saved_by,
        ).order_by(drg_base_point_tables.c.saved_at)
        with self._uow() as uow:
            return [dict(row._mapping) for row in uow.connection.execute(query)]

    def table_lines(self, version: str) -> list[dict[str, str]]:
        with self._uow() as uow:
            row = uow.connection.execute(
                select(drg_base_point_tables.c.lines).where(drg_base_point_tables.c.version == version)
            ).first()
        if row is None:
            raise DomainError(DRGPAY_UNKNOWN_TABLE, version=version)
        return list(row.lines)

    def save_run(self, actor: Actor, run: PaymentRun, policy: str) -> int:
        pool = run.settlement.pool
        hospitals = {
            code: {
                "cases": s.cases,
                "points": str(s.points),
                "gross": s.gross_fen,
                "self_burden": s.self_burden_fen,
                "fund_due": s.fund_due_fen,
                "prepaid": s.prepaid_fen,
                "settlement": s.settlement_fen,
            }
            for code, s in run.settlement.hospitals.items()
        }
        with self._uow() as uow:
            connection = uow.connection
            run_id = connection.execute(
                insert(drg_payment_runs)
                .values(
                    year=run.year,
                    month=run.month,
                    policy=policy,
                    table_version=run.table.version,
                    budget=pool.budget_fen,
                    distributable=pool.distributable_fen,
                    total_points=str(pool.total_points),
                    point_value=str(pool.point_value),
                    pool={
                        "steps_zh": list(pool.steps_zh),
                        "steps_en": list(pool.steps_en),
                        "reserve": pool.reserve_fen,
                        "fund_cost": pool.fund_cost_fen,
                        "self_burden": pool.self_burden_fen,
                    },
                    hospitals=hospitals,
                    saved_at=self._clock.now(),
                    saved_by=actor.name,
                )
                .returning(drg_payment_runs.c.id)
            ).scalar_one()
            self._audit.record(
                connection,
                actor,
                "drg_run.save",
                "drg_payment_run",
                str(run_id),
                {"period": pool.period, "point_value": str(pool.point_value)},
            )
            uow.commit()
        return int(run_id)
