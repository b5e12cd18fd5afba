"""The calculator as a use case: the previous year's drug cost read from the hospital's care fee
lines (through care's api), or entered by hand, then the pure calculation; each run is audited.

Regional roles (reform office, health commission, insurance bureau, admin) see every hospital;
institution staff only their own.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import BigInteger, Connection, func, select, type_coerce

from sanyi.care.api import encounters, fee_lines
from sanyi.compensation.errors import COMPENSATION_FORBIDDEN, COMPENSATION_NOT_FOUND
from sanyi.compensation.model import Compensation, calculate
from sanyi.infrastructure.audit import AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import SHANGHAI, Clock
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.knowledge.compensation import DEFAULT_RULES, CompensationRules, load_rules
from sanyi.registry.api import Viewer, get_institution

READERS: Final = frozenset(
    {"admin", "system", "reform_office", "health_commission", "insurance_bureau", "institution_staff"}
)


def drug_costs(
    connection: Connection, institution: str, year: int, categories: frozenset[str]
) -> dict[str, Money]:
    """Fee-line totals of ``year`` (local time) by category, for the categories asked."""
    start = datetime(year, 1, 1, tzinfo=SHANGHAI)
    end = datetime(year + 1, 1, 1, tzinfo=SHANGHAI)
    f, e = fee_lines, encounters
    query = (
        select(f.c.category, func.sum(type_coerce(f.c.amount, BigInteger)))
        .join(e, e.c.id == f.c.encounter_id)
        .where(
            e.c.institution_code == institution,
            f.c.category.in_(sorted(categories)),
            f.c.time >= start,
            f.c.time < end,
        )
        .group_by(f.c.category)
    )
    totals = {category: Money(0) for category in categories}
    for category, fen in connection.execute(query):
        totals[str(category)] = Money(int(fen or 0))
    return totals


class CompensationService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, audit: AuditLog) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit

    def calculate(
        self,
        viewer: Viewer,
        institution: str,
        year: int,
        *,
        drug_cost: Money | None = None,
        adjusted_on: date | None = None,
        rules_name: str = DEFAULT_RULES,
    ) -> tuple[str, CompensationRules, Compensation]:
        """(institution name, rules, result) for ``institution`` and ``year``."""
        if viewer.role not in READERS:
            raise DomainError(COMPENSATION_FORBIDDEN)
        rules = load_rules(rules_name)
        with self._uow(write=True) as uow:
            found = get_institution(uow.connection, institution)
            if found is None or not viewer.sees_institution(institution):
                raise DomainError(COMPENSATION_NOT_FOUND, institution=institution, path="institution")
            excluded: Money | None = None
            if drug_cost is None:
                categories = rules.drug_categories | rules.excluded_categories
                totals = drug_costs(uow.connection, institution, year - 1, categories)
                drug_cost = Money(sum(totals[c].fen for c in rules.drug_categories))
                excluded = Money(sum(totals[c].fen for c in rules.excluded_categories))
            result = calculate(rules, year, drug_cost, adjusted_on, excluded)
            self._audit.record(
                uow.connection,
                viewer.actor,
                "compensation.calculate",
                "institution",
                institution,
                {
                    "year": year,
                    "rules": rules.key,
                    "drug_cost": str(drug_cost),
                    "by_hand": excluded is None,
                    "loss": str(result.loss),
                },
            )
            uow.commit()
        return found.name, rules, result
