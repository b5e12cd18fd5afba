"""The referral's continuous deductible (国办发〔2015〕70号) on each backend, through the tiered-care
settlement link and the illustrative ``referral-continuity-example`` package: a community stay pays
its deductible, the stay referred up pays only the difference, the stay referred back down in the same
episode pays none, and a tertiary stay without referral pays the whole deductible."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sanyi.kernel.errors import DomainError
from tests.integration.tiered.conftest import TieredRegion

pytestmark = pytest.mark.db

POLICY = "referral-continuity-example"
SESSION = datetime(2024, 3, 5, 0, 30, tzinfo=UTC)


def _claim(claim_id: str, person: str, institution: str, tier: int, day: str) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "person": {"id": person, "scheme": "resident", "group": "adult", "home_region": "330303"},
        "encounter": {
            "type": "inpatient",
            "institution": {"id": institution, "tier": tier, "primary_care": tier <= 1, "region": "330303"},
            "start": f"{day}T09:00:00+08:00",
        },
        "lines": [
            {
                "no": 1,
                "code": "A-1",
                "name": "治疗费",
                "category": "05",
                "class": "A",
                "quantity": "1",
                "unit_price": "10000.00",
            }
        ],
    }


def _schedule(region: TieredRegion, institution: str) -> str:
    desk = region.desk(institution)
    created = region.container.tiered.booking.create_schedule(
        desk, department="03", starts_at=SESSION, capacity=10, reserved_percent=30, release_hours=48
    )
    return str(created["id"])


def _attend(region: TieredRegion, referral_id: str, receiving: str) -> None:
    referrals = region.container.tiered.referrals
    desk = region.desk(receiving)
    referrals.act(desk, referral_id, "accept")
    referrals.act(desk, referral_id, "schedule", schedule_id=_schedule(region, receiving))
    referrals.act(desk, referral_id, "arrive")


def test_referred_stays_continue_the_deductible(region: TieredRegion) -> None:
    settlement = region.container.settlement
    referrals = region.container.tiered.referrals
    person = region.people[5]
    centre_tier = 1  # the community centre's tier as the referral records it (from_tier)

    first = settlement.settle(
        _claim("RC-1", person, region.centre, centre_tier, "2024-03-01"),
        region.desk(region.centre).actor,
        policy=POLICY,
    ).to_dict()
    assert first["split"]["act_pay_dedc"] == "300.00"

    up = referrals.create(
        region.doctor(),
        person_id=person,
        to_institution=region.hospital,
        direction="up",
        diagnosis="I10.x00",
        reason="血压控制不佳，请上级医院调整方案",
    )
    _attend(region, up["id"], region.hospital)
    referred = referrals.settle(
        region.desk(), up["id"], _claim("RC-2", person, region.hospital, 3, "2024-03-05"), policy=POLICY
    ).to_dict()
    assert referred["split"]["act_pay_dedc"] == "500.00"  # 800 − 300 paid at the referring tier
    assert referred["split"]["hifp_pay"] == "7600.00" and referred["split"]["psn_part_amt"] == "2400.00"
    deductible = next(step for step in referred["trail"] if step["step"] == "deductible")
    assert deductible["rule"] == "continuous_on_referral" and "转出机构 300.00" in deductible["parameter"]

    down = referrals.create(
        region.desk(),
        person_id=person,
        to_institution=region.centre,
        direction="down",
        diagnosis="I10.x00",
        reason="病情稳定，转回社区康复",
        care_plan="每周随访血压，调整用药",
    )
    _attend(region, down["id"], region.centre)
    back = referrals.settle(
        region.desk(region.centre),
        down["id"],
        _claim("RC-3", person, region.centre, centre_tier, "2024-03-05"),
        policy=POLICY,
    ).to_dict()
    assert back["split"]["act_pay_dedc"] == "0.00" and back["split"]["hifp_pay"] == "9000.00"

    plain = settlement.settle(
        _claim("RC-4", region.people[6], region.hospital, 3, "2024-03-05"), region.desk().actor, policy=POLICY
    ).to_dict()
    assert plain["split"]["act_pay_dedc"] == "800.00"


def test_an_unknown_package_is_refused_and_nothing_is_stored(region: TieredRegion) -> None:
    referrals = region.container.tiered.referrals
    person = region.people[7]
    up = referrals.create(
        region.doctor(),
        person_id=person,
        to_institution=region.hospital,
        direction="up",
        diagnosis="I10.x00",
        reason="血压控制不佳",
    )
    _attend(region, up["id"], region.hospital)
    claim = _claim("RC-9", person, region.hospital, 3, "2024-03-05")
    with pytest.raises(DomainError) as error:
        referrals.settle(region.desk(), up["id"], claim, policy="no-such-package")
    assert error.value.code == "KNOWLEDGE_UNKNOWN"
    with pytest.raises(DomainError):
        region.container.settlement.get("RC-9", region.desk().actor)
