"""Stays of the care records as DRG payment inputs: grouped, priced by the settlement engine, levelled.

Each inpatient stay discharged in the asked years is exported as a DRG record (care), grouped
(drg), settled as a claim with in-memory accumulators in admission order to find the patient's
self-burden (settlement, by the package of the patient's home region, as a claim would be), and
given its hospital's payment class (registry). A stay whose claim the settlement engine rejects is
reported, not paid by points.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from sanyi.care.api import Encounter, claim_record, drg_record, get_encounter, iter_stays
from sanyi.drg.api import group_rows
from sanyi.drgpay.errors import DRGPAY_NOT_SETTLED
from sanyi.drgpay.evaluate import EvalCase
from sanyi.drgpay.model import HistoryCase, Stay
from sanyi.kernel.clock import local_date
from sanyi.kernel.errors import DomainError, Issue
from sanyi.knowledge.policies import load_package, package_names
from sanyi.registry.api import Institution, Resident, get_institution, get_resident
from sanyi.settlement.api import AccumulatorBook, Settlement, choose_package, parse_claim, settle_claim

DIED = "5"


@dataclass(slots=True)
class Loaded:
    """The stays of some years with everything payment and evaluation need."""

    stays: list[Stay] = field(default_factory=list)
    levels: dict[str, str | None] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    years: dict[int, int] = field(default_factory=dict)  # stays per discharge year

    def history(self) -> list[HistoryCase]:
        return [
            HistoryCase(s.discharged.year, s.hospital, s.drg, s.cost_fen, s.los_days)
            for s in self.stays
            if s.drg
        ]

    def evaluation(self) -> list[EvalCase]:
        return [
            EvalCase(
                s.hospital, s.department, s.doctor, s.drg, s.cost_fen, s.los_days, s.discharge_type == DIED
            )
            for s in self.stays
        ]


def payment_class(institution: Institution) -> str | None:
    if institution.primary_care:
        return "primary"
    return {3: "tertiary", 2: "secondary", 1: "first"}.get(int(institution.tier))


def _settled(record: dict[str, Any], book: AccumulatorBook) -> Settlement:
    claim = parse_claim(record)
    package = choose_package(claim, [load_package(name) for name in package_names()])
    return settle_claim(claim, package, book)


def load_stays(connection: Connection, years: Collection[int], scheme: str) -> Loaded:
    loaded = Loaded()
    chosen: list[tuple[Encounter, Resident]] = []
    people: dict[str, Resident | None] = {}
    institutions: dict[str, Institution | None] = {}
    for header in iter_stays(connection):
        if header.end is None or local_date(header.end).year not in years:
            continue
        encounter = get_encounter(connection, header.id) or header  # with its fee lines
        if encounter.person_id not in people:
            people[encounter.person_id] = get_resident(connection, encounter.person_id)
        code = encounter.institution_code
        if code not in institutions:
            institutions[code] = get_institution(connection, code)
            found = institutions[code]
            loaded.levels[code] = None if found is None else payment_class(found)
            loaded.names[code] = code if found is None else found.name
        person, institution = people[encounter.person_id], institutions[code]
        if person is None or institution is None:
            loaded.issues.append(
                DomainError(
                    DRGPAY_NOT_SETTLED, stay=encounter.id, reason="person or institution unknown"
                ).as_issue()
            )
            continue
        chosen.append((encounter, person))
    chosen.sort(key=lambda pair: (pair[0].start, pair[0].id))
    groups = group_rows((drg_record(e, p) for e, p in chosen), scheme)
    book: AccumulatorBook = {}
    for (encounter, person), result in zip(chosen, groups, strict=True):
        institution = institutions[encounter.institution_code]
        assert institution is not None
        try:
            settlement = _settled(claim_record(encounter, person, institution), book)
        except DomainError as error:
            reason = f"{error.code} {error.path or ''}".strip()
            loaded.issues.append(DomainError(DRGPAY_NOT_SETTLED, stay=encounter.id, reason=reason).as_issue())
            continue
        split = settlement.split
        assert encounter.end is not None
        discharged = local_date(encounter.end)
        loaded.years[discharged.year] = loaded.years.get(discharged.year, 0) + 1
        loaded.stays.append(
            Stay(
                id=encounter.id,
                person_id=encounter.person_id,
                hospital=encounter.institution_code,
                drg=result.drg if result.grouped else "",
                group_status=result.status,
                cost_fen=split.medfee_sumamt,
                self_burden_fen=split.psn_part_amt,
                los_days=encounter.length_of_stay() or 1,
                discharge_type=encounter.discharge_type or "",
                admitted=local_date(encounter.start),
                discharged=discharged,
                principal_diagnosis=encounter.principal_diagnosis or "",
                department=encounter.department_code or "",
                doctor=encounter.doctor_code or "",
            )
        )
    return loaded
