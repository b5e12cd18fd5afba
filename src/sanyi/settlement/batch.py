"""Settling many claims in order with in-memory accumulators (the CLI and the benchmark).

Accumulators start from zero for the run (or from what the caller passes) and are kept per person
and year; a rejected claim changes none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pyarrow as pa

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import PolicyPackage
from sanyi.settlement.claims import TABLE_HEADER, parse_claim, rejection_record, summary_record, table_row
from sanyi.settlement.engine import choose_package, settle
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
    records: Iterable[Any],
    package: PolicyPackage | Sequence[PolicyPackage],
    book: AccumulatorBook | None = None,
) -> Iterator[Outcome]:
    """Parse and settle claim records in order; every bad record is reported, the good ones finish.

    Given several packages, each claim is settled by the one of its home region (``choose_package``).
    """
    accumulators: AccumulatorBook = {} if book is None else book
    for row, record in enumerate(records, start=1):
        claim_id = record.get("claim_id") if isinstance(record, dict) else None
        try:
            claim = parse_claim(record)
            chosen = package if isinstance(package, PolicyPackage) else choose_package(claim, package)
            settlement = settle_claim(claim, chosen, accumulators)
        except DomainError as error:
            yield Outcome(row, claim_id, None, error)
            continue
        yield Outcome(row, claim_id, settlement, None)


# Every column a string: the money fields are exact yuan text, as in the JSON results.
OUTCOME_SCHEMA: Final = pa.schema([(name, pa.string()) for name in TABLE_HEADER])


def outcome_table(outcomes: Iterable[Outcome]) -> pa.Table:
    """One row per claim (the flat table of ``sanyi settle --table``) as Arrow."""
    columns: list[list[Any]] = [[] for _ in TABLE_HEADER]
    for outcome in outcomes:
        if outcome.settlement is not None:
            result = summary_record(outcome.settlement)
        else:
            assert outcome.error is not None
            result = rejection_record(outcome.claim_id, outcome.error)
        for column, value in zip(columns, table_row(result), strict=True):
            column.append(None if value is None else str(value))
    return pa.table(columns, schema=OUTCOME_SCHEMA)
