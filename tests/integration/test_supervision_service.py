"""Supervision on the database: a run stores findings once, a case walks 初审 → 处理 with deadlines,
assignment, comments, evidence and the institution's appeal; the decision records the doctor's points;
scope, stage and outcome errors change nothing; every change is audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from sanyi.bootstrap import Container
from sanyi.infrastructure.audit import audit_log
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer
from sanyi.supervision.api import Outcome, practitioner_points, supervision_findings
from sanyi.synth.api import DatabaseSink, RegionRequest, generate

BUREAU = Viewer("bureau", "insurance_bureau", None, regional=True)


def _staff(institution: str) -> Viewer:
    return Viewer("staff", "institution_staff", institution, regional=False)


def _audits(container: Container, action: str) -> int:
    with container.engine.connect() as connection:
        query = select(func.count()).select_from(audit_log).where(audit_log.c.action == action)
        return int(connection.execute(query).scalar_one())


@pytest.fixture
def region(container: Container) -> Container:
    generate(RegionRequest("wenzhou", 500, 2023, 3), [DatabaseSink(container.engine)])
    return container


def test_a_run_stores_findings_once_and_the_dashboard_groups_them(region: Container) -> None:
    service = region.supervision
    stored = service.run_stored(BUREAU, date(2023, 1, 1), date(2023, 12, 31))
    assert stored > 0
    assert service.run_stored(BUREAU, date(2023, 1, 1), date(2023, 12, 31)) == 0
    total, rows = service.findings(BUREAU, limit=500)
    assert total == stored and all(r["amount"] > 0 for r in rows)
    board = service.dashboard(BUREAU)
    assert sum(x["count"] for x in board["by_rule"]) == stored
    assert sum(x["count"] for x in board["by_month"]) == stored
    assert all(x["key"].startswith("2023-") for x in board["by_month"])
    assert all(x["name"] for x in board["by_institution"])  # names from the registry
    institution = rows[0]["institution_id"]
    own_total, own = service.findings(_staff(institution), limit=500)
    assert 0 < own_total < total and {r["institution_id"] for r in own} == {institution}
    with pytest.raises(DomainError) as refused:
        service.run_stored(_staff(institution))
    assert refused.value.code == "SUPERVISION_FORBIDDEN"
    assert _audits(region, "supervision.run") == 2


def test_a_case_walks_from_first_review_to_decision(region: Container) -> None:
    service = region.supervision
    service.run_stored(BUREAU)
    with region.engine.connect() as connection:
        finding = connection.execute(
            select(supervision_findings)
            .where(supervision_findings.c.doctor_id.is_not(None), supervision_findings.c.line_no.is_not(None))
            .order_by(supervision_findings.c.id)
        ).first()
    assert finding is not None
    case_id = service.open_case(BUREAU, finding.id)
    assert service.open_case(BUREAU, finding.id) == case_id
    case = service.case(BUREAU, case_id)
    today = region.clock.now().date()
    assert case["stage"] == "初审" and case["due_on"] == today + timedelta(days=10)
    service.assign(BUREAU, case_id, "reviewer1")
    service.comment(BUREAU, case_id, "查看病历", ("病历.pdf", "application/pdf", b"%PDF-1.4 test"))
    staff = _staff(finding.institution_id)
    with pytest.raises(DomainError) as early:
        service.appeal(staff, case_id, "too early")
    assert early.value.code == "SUPERVISION_WRONG_STAGE"
    assert service.advance(BUREAU, case_id) == "复审"
    assert service.advance(BUREAU, case_id, "通知机构申诉") == "申诉"
    assert service.case(BUREAU, case_id)["due_on"] == today + timedelta(days=15)
    service.appeal(staff, case_id, "该药品为患者自带处方，申请复核")
    other = _staff("H00000000000")
    with pytest.raises(DomainError) as hidden:
        service.appeal(other, case_id, "not mine")
    assert hidden.value.code == "SUPERVISION_NOT_FOUND"
    with pytest.raises(DomainError) as not_staff:
        service.advance(staff, case_id)
    assert not_staff.value.code == "SUPERVISION_FORBIDDEN"
    assert service.advance(BUREAU, case_id) == "调查核实"
    with pytest.raises(DomainError) as too_soon:
        service.decide(BUREAU, case_id, Outcome(100, "较重", 5, "主要责任", False, ""))
    assert too_soon.value.code == "SUPERVISION_WRONG_STAGE"
    assert service.advance(BUREAU, case_id) == "处理"
    with pytest.raises(DomainError) as bad_points:
        service.decide(BUREAU, case_id, Outcome(100, "较重", 9, "主要责任", False, ""))
    assert bad_points.value.code == "SUPERVISION_INVALID_OUTCOME"
    assert service.case(BUREAU, case_id)["stage"] == "处理"  # the refused decision changed nothing
    points = service.decide(BUREAU, case_id, Outcome(finding.amount, "严重", 9, "重要责任", True, "追回基金"))
    assert points == 5  # ceil(9 × 0.5)
    closed = service.case(BUREAU, case_id)
    assert closed["stage"] == "结案" and closed["outcome"]["deduction"] == finding.amount
    assert closed["outcome"]["referral"] is True
    assert [e["action"] for e in closed["events"]] == [
        "open", "assign", "evidence", "advance", "advance", "appeal", "advance", "advance", "decide",
    ]  # fmt: skip
    with pytest.raises(DomainError):
        service.advance(BUREAU, case_id)

    score = service.score(BUREAU, finding.doctor_id)
    assert score["points"] == 5 and score["status"] == "正常" and len(score["history"]) == 1
    assert score["name"]
    with region.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(practitioner_points)).scalar_one() == 1
    assert _audits(region, "supervision.case.decide") == 1
    assert _audits(region, "supervision.case.appeal") == 1
    assert _audits(region, "supervision.case.advance") == 4
    assert service.cases(BUREAU, stage="结案")[0]["id"] == case_id
    assert service.cases(_staff("H00000000000")) == []
