from datetime import UTC, datetime, timedelta

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.tiered import recognisable_items, service_packages
from sanyi.tiered.recognition import Result, decide, propose, recognition_rate

AT = datetime(2024, 3, 20, tzinfo=UTC)


def result(id: str, tier: int, days_ago: int, qc: bool = True, item: str = "LAB001") -> Result:
    return Result(id, "p1", item, f"I{tier}", tier, AT - timedelta(days=days_ago), qc)


def test_the_knowledge_lists_load() -> None:
    items = recognisable_items()
    assert sum(i.category == "lab" for i in items.values()) == 44
    assert {i.name for i in items.values() if i.category == "imaging"} == {"X线平片", "CT", "MRI", "超声"}
    assert all(
        p.fund_fen + p.public_health_fen + p.resident_fen == p.price_fen for p in service_packages().values()
    )


def test_proposes_the_newest_valid_result_from_same_or_higher_tier() -> None:
    item = recognisable_items()["LAB001"]  # 14 days
    results = [
        result("old", 3, 15),
        result("lower", 1, 1),
        result("noqc", 3, 1, qc=False),
        result("other", 3, 1, item="LAB002"),
        result("good", 2, 3),
        result("best", 3, 2),
    ]
    proposal = propose(item, 2, AT, results)
    assert proposal is not None and proposal.result.id == "best"
    assert proposal.valid_until == AT - timedelta(days=2) + timedelta(days=14)
    assert propose(item, 3, AT, [result("good", 2, 3)]) is None
    assert propose(item, 2, AT, [result("edge", 2, 14)]) is not None


def test_decisions() -> None:
    item = recognisable_items()["IMG002"]
    proposal = propose(item, 2, AT, [result("ct", 3, 10, item="IMG002")])
    assert decide(proposal, True, None).outcome == "recognised"
    repeat = decide(proposal, False, "patient_request")
    assert repeat.outcome == "repeated" and not repeat.justified
    assert decide(proposal, False, "condition_changed").justified
    assert decide(None, False, None).outcome == "no_candidate"
    with pytest.raises(DomainError) as error:
        decide(proposal, False, None)
    assert error.value.code == "REFERRAL_REASON_REQUIRED"
    with pytest.raises(DomainError) as error:
        decide(proposal, False, "because")
    assert error.value.code == "TIERED_INVALID"
    assert recognition_rate(3, 4) == 0.75 and recognition_rate(0, 0) is None
