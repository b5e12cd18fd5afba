"""The 事中 check at settlement: by configuration a finding is returned with the result (flag) or a
violation refuses the claim (block), which then changes nothing but the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sanyi.bootstrap import Container
from sanyi.infrastructure.audit import Actor, audit_log
from sanyi.kernel.errors import DomainError
from sanyi.settlement.api import settlements
from tests.unit.settlement.claims import claim, line

ACTOR = Actor("clerk", "insurance_bureau")


def _record(claim_id: str) -> dict[str, object]:
    over = line(2, "25.00", price_ceiling="20.00", code="001102000050000")
    return claim(claim_id, [line(1, "100.00"), over])


def _with_mode(container: Container, mode: str) -> Container:
    return Container(
        settings=container.settings.model_copy(update={"supervision_mode": mode}), clock=container.clock
    )


def test_flag_returns_the_findings_with_the_settlement(container: Container) -> None:
    view = _with_mode(container, "flag").settlement.settle(_record("SV1"), ACTOR, policy="hangzhou-2020")
    result = view.to_dict()
    assert result["status"] == "settled"
    assert [(f["rule_id"], f["line_no"], f["result"]) for f in result["supervision"]] == [
        ("OVER_PRICE", 2, "violation")
    ]
    clean = container.settlement.settle(claim("SV2", [line(1, "100.00")]), ACTOR, policy="hangzhou-2020")
    assert "supervision" not in clean.to_dict()


def test_block_refuses_a_violation_and_stores_nothing(container: Container) -> None:
    blocking = _with_mode(container, "block")
    with pytest.raises(DomainError) as refused:
        blocking.settlement.settle(_record("SV3"), ACTOR, policy="hangzhou-2020")
    assert refused.value.code == "SETTLEMENT_BLOCKED_BY_SUPERVISION"
    assert refused.value.path == "lines[no=2]" and "OVER_PRICE" in refused.value.message_en
    with container.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(settlements)).scalar_one() == 0
        blocked = (
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "settlement.blocked")
        )
        assert connection.execute(blocked).scalar_one() == 1
    off = _with_mode(container, "off").settlement.settle(_record("SV4"), ACTOR, policy="hangzhou-2020")
    assert "supervision" not in off.to_dict()
