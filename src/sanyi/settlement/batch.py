"""Settling many claims in order with in-memory accumulators (the CLI and the benchmark).

Accumulators start from zero for the run (or from what the caller passes) and are kept per person
and year; a rejected claim changes none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import PolicyPackage
from sanyi.settlement.claims import parse_claim
from sanyi.settlement.engine import settle
from sanyi.settlement.model import Accumulators, Claim, Settlement

AccumulatorBook = MutableMapping[tuple[str, int], Accumulators]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One claim's result: a settlement, or the rejection with the raw claim id."""

    row: int
    claim_id: Any
    settlement: Settlement | None
    error: DomainError | None


def settle_claim(claim: Claim, package: PolicyPackage, book: AccumulatorBook) -> Settlement:
    key = (claim.person.id, claim.year)
    settlement = settle(claim, package, book.get(key))
    book[key] = settlement.after
    return settlement


def settle_records(
    records: Iterable[Any], package: PolicyPackage, book: AccumulatorBook | None = None
) -> Iterator[Outcome]:
    """Parse and settle claim records in order; every bad record is reported, the good ones finish."""
    accumulators: AccumulatorBook = {} if book is None else book
    for row, record in enumerate(records, start=1):
        claim_id = record.get("claim_id") if isinstance(record, dict) else None
        try:
            settlement = settle_claim(parse_claim(record), package, accumulators)
        except DomainError as error:
            yield Outcome(row, claim_id, None, error)
            continue
        yield Outcome(row, claim_id, settlement, None)
