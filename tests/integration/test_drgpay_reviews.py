"""特病单议 reviews, saved base-point tables and runs: stored, audited, and used by later runs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from sanyi.bootstrap import Container
from sanyi.drgpay.api import build_base_points, payment_rules
from sanyi.infrastructure.audit import Actor, audit_log
from sanyi.kernel.errors import DomainError
from sanyi.synth.api import DatabaseSink, RegionRequest, generate

pytestmark = pytest.mark.db
HOSPITAL_STAFF = Actor("staff", "institution_staff")
BUREAU = Actor("bureau", "insurance_bureau")
POLICY = "hangzhou-2020"


def _actions(container: Container) -> list[str]:
    with container.uow() as uow:
        return list(uow.connection.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars())


def test_review_workflow_sets_points_in_later_runs(container: Container) -> None:
    generate(RegionRequest("wenzhou", 600, 2023, 5), [DatabaseSink(container.engine)])
    service = container.drgpay
    before = service.run(2023, POLICY, min_cases=1)
    pending = next(c for c in before.cases if c.pending_review)
    request = service.submit_review(
        HOSPITAL_STAFF, pending.stay_id, pending.hospital, 2023, " 新技术 ", POLICY
    )
    assert (request.status, request.reason, request.points) == ("submitted", "新技术", None)
    with pytest.raises(DomainError) as twice:
        service.submit_review(HOSPITAL_STAFF, pending.stay_id, pending.hospital, 2023, "again", POLICY)
    assert twice.value.code == "DRGPAY_REVIEW_EXISTS"
    with pytest.raises(DomainError) as unknown:
        service.submit_review(HOSPITAL_STAFF, "E-NONE", pending.hospital, 2023, "x", POLICY)
    assert unknown.value.code == "DRGPAY_INVALID_REVIEW"
    for bad in ("-1", "abc", "1.23456", ""):
        with pytest.raises(DomainError) as invalid:
            service.decide_review(BUREAU, request.id, approve=True, points=bad)
        assert invalid.value.code == "DRGPAY_INVALID_POINTS"
    decided = service.decide_review(BUREAU, request.id, approve=True, points="321.5", note="专家组同意")
    assert (decided.status, decided.points, decided.reviewed_by) == ("approved", Decimal("321.5"), "bureau")
    with pytest.raises(DomainError) as again:
        service.decide_review(BUREAU, request.id, approve=False, points=None)
    assert again.value.code == "DRGPAY_REVIEW_DECIDED"
    with pytest.raises(DomainError) as missing:
        service.decide_review(BUREAU, 9999, approve=False, points=None)
    assert missing.value.code == "DRGPAY_REVIEW_NOT_FOUND"
    after = service.run(2023, POLICY, min_cases=1)
    case = next(c for c in after.cases if c.stay_id == pending.stay_id)
    assert (case.points, case.pending_review) == (Decimal("321.5"), False)
    assert "新技术" in case.reason_zh
    assert after.settlement.pool.total_points == before.settlement.pool.total_points + Decimal("321.5")
    assert [r.id for r in service.reviews(2023, pending.hospital)] == [request.id]
    assert _actions(container)[-2:] == ["drg_review.submit", "drg_review.approved"]


def test_tables_and_runs_are_saved_and_audited(container: Container) -> None:
    generate(RegionRequest("wenzhou", 400, 2023, 6), [DatabaseSink(container.engine)])
    service = container.drgpay
    loaded = service.stays(2023, POLICY)
    table, _ = build_base_points(loaded.history(), [2023], payment_rules(POLICY))
    assert service.save_table(BUREAU, table, POLICY) is True
    assert service.save_table(BUREAU, table, POLICY) is False  # the same version is kept once
    assert service.table_lines(table.version) == table.rows()
    assert [t["version"] for t in service.saved_tables()] == [table.version]
    with pytest.raises(DomainError) as unknown:
        service.table_lines("nope")
    assert unknown.value.code == "DRGPAY_UNKNOWN_TABLE"
    run_id = service.save_run(BUREAU, service.run(2023, POLICY, min_cases=1), POLICY)
    assert run_id > 0
    assert _actions(container)[-2:] == ["drg_table.save", "drg_run.save"]
