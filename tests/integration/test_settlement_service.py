"""The settlement service on each backend: idempotent, reversible, serialised per person."""

from __future__ import annotations

import copy
import threading
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sanyi.bootstrap import Container
from sanyi.infrastructure.audit import Actor
from sanyi.kernel.errors import DomainError
from sanyi.settlement.api import Accumulators, accumulators, settlement_lines, settlements
from tests.unit.settlement.claims import claim, claims, line

pytestmark = pytest.mark.db

CLERK = Actor("clerk", "insurance_bureau")


def _count(container: Container, table: Any) -> int:
    with container.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _accumulators(container: Container, person: str, year: int) -> Accumulators:
    return container.settlement.person_accumulators(person, year, CLERK)


def test_settle_stores_the_result_and_a_repeat_is_a_duplicate(container: Container) -> None:
    record = claim(
        "S1", [line(1, "35000.00"), line(2, "20000.00", cls="B", selfpay="0.10"), line(3, "5000.00", cls="C")]
    )
    first = container.settlement.settle(record, CLERK).to_dict()
    assert first["policy"] == "hangzhou-2020" and first["split"]["hifp_pay"] == "43584.00"
    assert first["duplicate"] is False and first["attempt"] == 1
    again = container.settlement.settle(copy.deepcopy(record), CLERK).to_dict()
    assert (
        again["duplicate"] is True and again["split"] == first["split"] and again["trail"] == first["trail"]
    )
    assert _count(container, settlements) == 1 and _count(container, settlement_lines) == 3
    assert _accumulators(container, "P1", 2023).inpatient.stays == 1
    stored = container.settlement.get("S1", CLERK).to_dict()
    assert stored["status"] == "settled" and stored["lines"] == first["lines"]


def test_same_claim_id_with_other_content_is_a_conflict(container: Container) -> None:
    container.settlement.settle(claim("S2", [line(1, "100.00")]), CLERK)
    with pytest.raises(DomainError) as caught:
        container.settlement.settle(claim("S2", [line(1, "101.00")]), CLERK)
    assert caught.value.code == "SETTLEMENT_CONFLICT"
    assert _accumulators(container, "P1", 2023).inpatient.policy_range == 10_000


def test_reverse_restores_accumulators_and_allows_a_new_settlement(container: Container) -> None:
    service = container.settlement
    service.settle(claim("R1", [line(1, "1000.00")]), CLERK)
    before = _accumulators(container, "P1", 2023)
    service.settle(claim("R2", [line(1, "50000.00")]), CLERK)
    reversed_view = service.reverse("R2", CLERK).to_dict()
    assert reversed_view["status"] == "reversed" and "reversed_at" in reversed_view
    assert _accumulators(container, "P1", 2023) == before
    with pytest.raises(DomainError) as caught:
        service.reverse("R2", CLERK)
    assert caught.value.code == "SETTLEMENT_ALREADY_REVERSED"
    # Re-settle a corrected claim under the same id: a new attempt.
    resettled = service.settle(claim("R2", [line(1, "40000.00")]), CLERK).to_dict()
    assert resettled["attempt"] == 2 and resettled["duplicate"] is False
    assert _accumulators(container, "P1", 2023).inpatient.policy_range == 4_100_000


def test_unknown_claim_and_rejected_claims_change_nothing(container: Container) -> None:
    with pytest.raises(DomainError) as caught:
        container.settlement.reverse("NOPE", CLERK)
    assert caught.value.code == "SETTLEMENT_NOT_FOUND"
    bad = claim("B1", [line(1, "100.00", category="99")])
    with pytest.raises(DomainError) as caught:
        container.settlement.settle(bad, CLERK)
    assert caught.value.path == "lines[0].category"
    nowhere = claim("B2", [line(1, "100.00")], home_region="110101")
    with pytest.raises(DomainError) as caught:
        container.settlement.settle(nowhere, CLERK)
    assert caught.value.code == "SETTLEMENT_NO_POLICY"
    assert _count(container, settlements) == 0 and _count(container, accumulators) == 0


def test_dry_run_uses_the_accumulators_and_writes_nothing(container: Container) -> None:
    service = container.settlement
    service.settle(claim("D1", [line(1, "500.00")]), CLERK)
    preview = service.settle(claim("D2", [line(1, "1000.00")]), CLERK, dry_run=True).to_dict()
    assert preview["status"] == "dry_run" and preview["split"]["act_pay_dedc"] == "800.00"
    assert _count(container, settlements) == 1
    with pytest.raises(DomainError):
        service.get("D2", CLERK)


def test_institution_scope(container: Container) -> None:
    service = container.settlement
    record = claim("SC1", [line(1, "100.00")])
    with pytest.raises(DomainError) as caught:
        service.settle(record, Actor("staff", "institution_staff"), scope="H99999999999")
    assert caught.value.code == "SETTLEMENT_OUT_OF_SCOPE"
    service.settle(record, Actor("staff", "institution_staff"), scope="H33010200001")
    with pytest.raises(DomainError):
        service.get("SC1", CLERK, scope="H99999999999")
    assert service.get("SC1", CLERK, scope="H33010200001").record["claim_id"] == "SC1"


def test_concurrent_settlements_of_one_person_are_serialised(container: Container) -> None:
    # Outpatient, annual deductible 300: a lost update would let more than one claim pay it in full.
    records = [
        claim(
            f"T{n}",
            [line(1, "100.00")],
            scheme="resident",
            group="adult",
            type_="outpatient",
            tier=2,
            person_id="PT",
            start="2023-05-01T09:00:00+08:00",
        )
        for n in range(12)
    ]
    errors: list[BaseException] = []

    duplicates: list[bool] = []

    def work(record: dict[str, Any]) -> None:
        try:
            duplicates.append(container.settlement.settle(record, CLERK).duplicate)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    # Every claim is sent twice at the same time: one settles, the other is answered as a duplicate.
    threads = [threading.Thread(target=work, args=(record,)) for record in records for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(duplicates) == [False] * 12 + [True] * 12
    totals = _accumulators(container, "PT", 2023).outpatient
    assert totals.deductible_paid == 30_000
    assert totals.policy_range == 120_000
    assert totals.fund_paid == 54_000  # (1200 − 300) × 0.60
    with container.engine.connect() as connection:
        fund = connection.execute(select(func.sum(settlements.c.fund_pay_sumamt))).scalar_one()
    assert int(fund) == 54_000 and _count(container, settlements) == 12


PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(st.data())
def test_settle_then_reverse_restores_and_a_repeat_changes_nothing(
    container: Container, data: st.DataObject
) -> None:
    person = f"H{uuid.uuid4().hex[:12]}"
    history = [
        data.draw(claims(f"{person}-{n}", person, package_index=2))[1]
        for n in range(data.draw(st.integers(0, 3)))
    ]
    _, last = data.draw(claims(f"{person}-last", person, package_index=2))
    service = container.settlement
    for record in history:
        service.settle(record, CLERK)
    year = int(last["encounter"]["start"][:4])
    before = _accumulators(container, person, year)
    first = service.settle(last, CLERK).to_dict()
    after = _accumulators(container, person, year)
    repeat = service.settle(copy.deepcopy(last), CLERK).to_dict()
    assert repeat["duplicate"] is True and repeat["split"] == first["split"]
    assert _accumulators(container, person, year) == after
    service.reverse(last["claim_id"], CLERK)
    assert _accumulators(container, person, year) == before
