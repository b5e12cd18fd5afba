"""The four worked examples of settlement.md, the strategies, and bad input."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import load_package
from sanyi.settlement.api import (
    Accumulators,
    PoolAccumulator,
    choose_package,
    parse_claim,
    result_record,
    settle,
    settle_records,
)
from tests.unit.settlement.claims import claim, line


def _settle(package: str, record: dict[str, Any], before: Accumulators | None = None) -> dict[str, Any]:
    return result_record(settle(parse_claim(record), load_package(package), before))


def test_example_1_heilongjiang_official() -> None:
    record = claim(
        "E1",
        [line(1, "2000.00"), line(2, "3000.00"), line(3, "5000.00", cls="B", selfpay="0.10")],
        home_region="230102",
        start="2020-05-01T09:00:00+08:00",
    )
    split = _settle("heilongjiang-example-2020", record)["split"]
    assert (split["preselfpay_amt"], split["inscp_scp_amt"]) == ("500.00", "9500.00")
    assert (split["hifp_pay"], split["psn_part_amt"]) == ("6560.00", "3440.00")


def test_example_2_catastrophic_segments() -> None:
    # Residual eligible self-burden 150000 reached over two claims: the segments are on the annual total.
    first = claim(
        "E2a",
        [line(1, "400000.00")],
        scheme="resident",
        group="adult",
        home_region="330302",
        tier=2,
        start="2019-02-01T09:00:00+08:00",
    )
    second = claim(
        "E2b",
        [line(1, "348400.00")],
        scheme="resident",
        group="adult",
        home_region="330302",
        tier=2,
        start="2019-06-01T09:00:00+08:00",
    )
    outcomes = list(settle_records([first, second], load_package("wenzhou-2018")))
    paid = [o.settlement.split.hifmi_pay for o in outcomes if o.settlement]
    assert sum(paid) == 93_800_00
    assert outcomes[1].settlement is not None
    assert outcomes[1].settlement.after.catastrophic_self_burden == 150_000_00


def test_example_3_hangzhou_employee() -> None:
    record = claim(
        "E3",
        [line(1, "35000.00"), line(2, "20000.00", cls="B", selfpay="0.10"), line(3, "5000.00", cls="C")],
    )
    result = _settle("hangzhou-2020", record)
    assert result["split"]["hifp_pay"] == "43584.00" and result["split"]["psn_part_amt"] == "16416.00"
    pool_steps = [step for step in result["trail"] if step["step"] == "pool"]
    assert [(s["base"], s["amount"]) for s in pool_steps] == [
        ("39200.00", "32144.00"),
        ("13000.00", "11440.00"),
    ]
    assert all("杭州" in step["source"] for step in pool_steps)


def test_example_4_wenzhou_highest_tier_difference() -> None:
    before = Accumulators(
        2019, inpatient=PoolAccumulator(policy_range=500_000, deductible_paid=40_000, stays=1)
    )
    record = claim(
        "E4",
        [line(1, "5000.00")],
        scheme="resident",
        group="adult",
        home_region="330302",
        tier=3,
        start="2019-08-01T09:00:00+08:00",
        referral={"id": "R", "direction": "up", "from_tier": 2},
    )
    result = _settle("wenzhou-2018", record, before)
    assert result["split"]["act_pay_dedc"] == "300.00"
    step = next(s for s in result["trail"] if s["step"] == "deductible")
    assert step["rule"] == "annual_highest_tier" and "400.00" in step["parameter"]


def test_accumulators_of_another_year_do_not_count() -> None:
    before = Accumulators(
        2022, inpatient=PoolAccumulator(policy_range=10_000_000, deductible_paid=80_000, stays=3)
    )
    result = _settle("hangzhou-2020", claim("Y", [line(1, "1000.00")]), before)
    assert result["split"]["act_pay_dedc"] == "800.00"
    assert result["accumulators"]["year"] == 2023 and result["accumulators"]["inpatient_stays"] == 1


def test_continuous_deductible_on_referral_is_a_named_strategy() -> None:
    package = load_package("harbin-2017")
    pool = package.schemes["resident"].pools["inpatient"]
    continuous = dataclasses.replace(
        pool,
        deductible=dataclasses.replace(pool.deductible, continuous_on_referral=True, second_stay_factor=None),
    )
    scheme = dataclasses.replace(
        package.schemes["resident"], pools={**package.schemes["resident"].pools, "inpatient": continuous}
    )
    variant = dataclasses.replace(package, schemes={"resident": scheme})
    base: dict[str, Any] = {
        "scheme": "resident",
        "group": "adult",
        "home_region": "230103",
        "start": "2018-03-01T09:00:00+08:00",
    }
    up = claim(
        "R-up", [line(1, "5000.00")], tier=3, referral={"id": "R", "direction": "up", "from_tier": 2}, **base
    )
    down = claim(
        "R-down",
        [line(1, "5000.00")],
        tier=2,
        referral={"id": "R", "direction": "down", "from_tier": 3},
        **base,
    )
    assert settle(parse_claim(up), variant).split.act_pay_dedc == 72_000 - 48_000
    assert settle(parse_claim(down), variant).split.act_pay_dedc == 0
    assert settle(parse_claim(up), package).split.act_pay_dedc == 72_000


def _rejection(package: str, record: Any) -> DomainError:
    outcome = next(iter(settle_records([record], load_package(package))))
    assert outcome.error is not None and outcome.settlement is None
    return outcome.error


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        (
            lambda r: r["lines"][0].update(unit_price="12.5.0"),
            "SETTLEMENT_INVALID_FIELD",
            "lines[0].unit_price",
        ),
        (lambda r: r["lines"][0].update(quantity=1.5), "SETTLEMENT_INVALID_FIELD", "lines[0].quantity"),
        (lambda r: r["lines"][0].update(category="99"), "SETTLEMENT_INVALID_FIELD", "lines[0].category"),
        (
            lambda r: r["lines"][0].update(selfpay_prop="1.5", **{"class": "B"}),
            "SETTLEMENT_INVALID_FIELD",
            "lines[0].selfpay_prop",
        ),
        (
            lambda r: r["lines"].append(line(2, "10.00", quantity="-1")),
            "SETTLEMENT_REFUND_WITHOUT_ORIGINAL",
            "lines[1].quantity",
        ),
        (lambda r: r["lines"].append(line(1, "10.00")), "SETTLEMENT_DUPLICATE_LINE", "lines[1].no"),
        (
            lambda r: r["person"].update(home_region="230103"),
            "SETTLEMENT_REGION_MISMATCH",
            "person.home_region",
        ),
        (
            lambda r: r["person"].update(insurance_type="maternity"),
            "SETTLEMENT_NOT_COVERED",
            "person.insurance_type",
        ),
        (
            lambda r: r["encounter"].update(start="2020-06-01T09:00:00+08:00"),
            "SETTLEMENT_OUT_OF_EFFECT",
            "encounter.start",
        ),
        (
            lambda r: r["encounter"].update(start="2023-06-01T09:00:00"),
            "SETTLEMENT_INVALID_FIELD",
            "encounter.start",
        ),
        (lambda r: r["encounter"].update(offsite="moon"), "SETTLEMENT_INVALID_FIELD", "encounter.offsite"),
        (
            lambda r: r["encounter"]["institution"].update(tier=5),
            "SETTLEMENT_INVALID_FIELD",
            "encounter.institution.tier",
        ),
        (lambda r: r.pop("claim_id"), "SETTLEMENT_MISSING_FIELD", "claim_id"),
        (lambda r: r.update(lines=[]), "SETTLEMENT_INVALID_FIELD", "lines"),
    ],
)
def test_bad_input_is_rejected_with_code_messages_and_path(change: Any, code: str, path: str) -> None:
    record = claim("BAD", [line(1, "100.00")])
    change(record)
    error = _rejection("hangzhou-2020", record)
    assert (error.code, error.path) == (code, path)
    assert error.message_zh and error.message_en and error.message_zh != error.message_en


def test_a_rejected_claim_changes_no_accumulator() -> None:
    book: dict[tuple[str, int], Accumulators] = {}
    good = claim("G1", [line(1, "1000.00")])
    bad = claim("B1", [line(1, "1000.00"), line(2, "5.00", quantity="-1")])
    again = claim("G2", [line(1, "1000.00")])
    outcomes = list(settle_records([good, bad, again], load_package("hangzhou-2020"), book))
    assert [o.error.code if o.error else "ok" for o in outcomes] == [
        "ok",
        "SETTLEMENT_REFUND_WITHOUT_ORIGINAL",
        "ok",
    ]
    assert book[("P1", 2023)].inpatient.stays == 2
    assert book[("P1", 2023)].inpatient.policy_range == 200_000


def test_the_package_is_chosen_by_longest_region_and_date() -> None:
    packages = [load_package(name) for name in ("harbin-2017", "heilongjiang-example-2020", "hangzhou-2020")]
    harbin = claim("P1", [line(1, "1.00")], home_region="230103", start="2020-05-01T09:00:00+08:00")
    assert choose_package(parse_claim(harbin), packages).name == "harbin-2017"
    elsewhere = claim("P2", [line(1, "1.00")], home_region="230200", start="2020-05-01T09:00:00+08:00")
    assert choose_package(parse_claim(elsewhere), packages).name == "heilongjiang-example-2020"
    too_early = claim("P3", [line(1, "1.00")], home_region="330102", start="2020-05-01T09:00:00+08:00")
    with pytest.raises(DomainError) as caught:
        choose_package(parse_claim(too_early), packages)
    assert (caught.value.code, caught.value.path) == ("SETTLEMENT_NO_POLICY", "person.home_region")


def test_a_named_only_package_is_never_chosen_by_region_and_date() -> None:
    packages = [load_package(name) for name in ("wenzhou-2018", "referral-continuity-example")]
    assert packages[1].named_only and not packages[0].named_only
    recent = claim("P1", [line(1, "1.00")], home_region="330302", start="2023-05-01T09:00:00+08:00")
    assert choose_package(parse_claim(recent), packages).name == "wenzhou-2018"
    # Before wenzhou-2018 only the example covers 3303 by date: it is still not chosen.
    old = claim("P2", [line(1, "1.00")], home_region="330302", start="2016-05-01T09:00:00+08:00")
    with pytest.raises(DomainError) as caught:
        choose_package(parse_claim(old), packages)
    assert caught.value.code == "SETTLEMENT_NO_POLICY"


def test_a_record_that_is_not_an_object_is_rejected_and_the_batch_goes_on() -> None:
    outcomes = list(
        settle_records([["not", "a", "claim"], claim("OK", [line(1, "1.00")])], load_package("hangzhou-2020"))
    )
    assert outcomes[0].error is not None and outcomes[0].error.code == "SETTLEMENT_INVALID_FIELD"
    assert outcomes[1].settlement is not None
