"""Mutual recognition on each backend: the regional index, proposals, decisions, rates, audit."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sanyi.cli.main import app
from sanyi.infrastructure.audit import audit_log
from sanyi.kernel.errors import DomainError
from sanyi.supervision.api import supervision_findings
from tests.conftest import TEST_SECRET
from tests.integration.tiered.conftest import TieredRegion

runner = CliRunner()

pytestmark = pytest.mark.db


def test_propose_accept_repeat_and_rates(region: TieredRegion) -> None:
    results = region.container.tiered.results
    person = region.people[0]
    now = region.clock.now()
    results.record_result(region.desk(), person_id=person, item="LAB001", taken_at=now - timedelta(days=3))
    results.record_result(region.desk(), person_id=person, item="IMG002", taken_at=now - timedelta(days=100))
    order = results.order(region.doctor(), person_id=person, item="LAB001")
    assert order["outcome"] == "proposed" and order["proposal"]["institution"] == region.hospital
    stale = results.order(region.doctor(), person_id=person, item="IMG002")  # CT valid 90 days
    assert stale["outcome"] == "no_candidate" and stale["proposal"] is None
    with pytest.raises(DomainError) as error:
        results.decide(region.doctor(), order["id"], accept=False)
    assert error.value.code == "REFERRAL_REASON_REQUIRED"
    with pytest.raises(DomainError) as error:
        results.decide(region.desk(), order["id"], accept=True)  # another institution's order
    assert error.value.code == "TIERED_NOT_FOUND"
    assert results.decide(region.doctor(), order["id"], accept=True)["outcome"] == "recognised"
    with pytest.raises(DomainError) as error:
        results.decide(region.doctor(), order["id"], accept=True)
    assert error.value.code == "TIERED_TRANSITION_REFUSED"
    second = results.order(region.doctor(), person_id=person, item="LAB001")
    repeat = results.decide(region.doctor(), second["id"], accept=False, reason="patient_request")
    assert repeat["outcome"] == "repeated" and repeat["justified"] is False
    rates = {r["item"]: r for r in results.rates(region.bureau)}
    assert rates["LAB001"]["rate"] == 0.5 and rates["LAB001"]["unjustified_repeats"] == 1
    assert rates["IMG002"]["eligible"] == 0 and rates["IMG002"]["rate"] is None
    assert results.rates(region.desk()) == []
    with pytest.raises(DomainError) as error:
        results.order(region.doctor(), person_id=person, item="LAB999")
    assert error.value.code == "RESULT_ITEM_UNKNOWN"
    found = results.lookup(region.doctor(), person)
    assert [r["item"] for r in found] == ["LAB001", "IMG002"]
    with region.container.engine.connect() as connection:
        actions = set(
            connection.execute(select(audit_log.c.action).where(audit_log.c.record_id == person)).scalars()
        )
    assert {
        "tiered.result.record",
        "tiered.result.order",
        "tiered.result.decide",
        "tiered.result.lookup",
    } <= actions


def test_lower_tier_result_is_not_proposed_to_a_higher_tier(region: TieredRegion) -> None:
    results = region.container.tiered.results
    person = region.people[1]
    results.record_result(region.doctor(), person_id=person, item="LAB002", taken_at=region.clock.now())
    assert results.order(region.desk(), person_id=person, item="LAB002")["outcome"] == "no_candidate"
    assert results.order(region.doctor(region.other_centre), person_id=person, item="LAB002")["outcome"] == (
        "proposed"
    )


def test_unjustified_repeats_become_supervision_findings_once(
    region: TieredRegion, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANYI_ENV", "test")
    monkeypatch.setenv("SANYI_SECRET_KEY", TEST_SECRET)
    results = region.container.tiered.results
    person = region.people[0]
    now = region.clock.now()
    results.record_result(region.desk(), person_id=person, item="LAB001", taken_at=now - timedelta(days=3))
    justified = results.order(region.doctor(), person_id=person, item="LAB001")
    results.decide(region.doctor(), justified["id"], accept=False, reason="condition_changed")
    unjustified = results.order(region.doctor(), person_id=person, item="LAB001")
    results.decide(region.doctor(), unjustified["id"], accept=False, reason="patient_request")
    url = region.container.settings.database_url
    handed = runner.invoke(app, ["tiered", "repeats-to-supervision", "--json", "--db", url])
    assert handed.exit_code == 0, handed.output
    assert json.loads(handed.stdout) == {"repeats": 1, "new_findings": 1}
    with region.container.engine.connect() as connection:
        found = connection.execute(select(supervision_findings)).all()
    assert [(f.claim_id, f.rule_id, f.result, f.person_id) for f in found] == [
        (unjustified["id"], "REPEAT_TEST", "suspect", person)
    ]
    assert found[0].institution_id == region.centre and "重复检查" in found[0].message_zh
    again = runner.invoke(app, ["tiered", "repeats-to-supervision", "--json", "--db", url])
    assert json.loads(again.stdout) == {"repeats": 1, "new_findings": 0}
    with region.container.engine.begin() as connection:
        connection.execute(supervision_findings.delete())
