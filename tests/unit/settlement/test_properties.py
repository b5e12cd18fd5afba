"""Properties of the engine over generated claims (hypothesis)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sanyi.knowledge.policies import load_package
from sanyi.settlement.api import Accumulators, Settlement, parse_claim, result_record, settle, settle_records
from tests.unit.settlement.claims import PACKAGES, claims, fee_lines

SETTINGS = settings(max_examples=150, deadline=None)


def _history(draw: st.DrawFn, package_index: int) -> list[dict[str, Any]]:
    """Earlier claims of the same person, so accumulators are not always zero."""
    earlier = draw(st.lists(claims(package_index=package_index), max_size=3))
    return [record for _, record in earlier]


def _accumulators(package: str, history: list[dict[str, Any]], year: int) -> Accumulators | None:
    book: dict[tuple[str, int], Accumulators] = {}
    for outcome in settle_records(history, load_package(package), book):
        assert outcome.error is None
    return book.get(("P1", year))


def _settle(package: str, record: dict[str, Any], before: Accumulators | None) -> Settlement:
    return settle(parse_claim(record), load_package(package), before)


@st.composite
def scenario(draw: st.DrawFn) -> tuple[str, dict[str, Any], Accumulators | None]:
    index = draw(st.integers(0, len(PACKAGES) - 1))
    package, record = draw(claims(package_index=index))
    history = _history(draw, index)
    before = _accumulators(package, history, int(record["encounter"]["start"][:4]))
    return package, record, before


@SETTINGS
@given(scenario())
def test_parts_add_up_to_the_cent(case: tuple[str, dict[str, Any], Accumulators | None]) -> None:
    package, record, before = case
    result = _settle(package, record, before)
    split = result.split
    assert split.medfee_sumamt == (
        split.fulamt_ownpay_amt + split.overlmt_selfpay + split.preselfpay_amt + split.inscp_scp_amt
    )
    assert split.fund_pay_sumamt + split.psn_part_amt == split.medfee_sumamt
    assert split.psn_part_amt >= split.fulamt_ownpay_amt + split.overlmt_selfpay
    assert 0 <= split.act_pay_dedc <= split.inscp_scp_amt
    assert 0 <= split.hifp_pay <= split.inscp_scp_amt - split.act_pay_dedc
    assert min(split.hifmi_pay, split.maf_pay) >= 0
    for field in ("total", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt"):
        assert sum(getattr(line, field) for line in result.lines) == (
            split.medfee_sumamt if field == "total" else getattr(split, field)
        )
    for line in result.lines:
        assert (
            line.total
            == line.fulamt_ownpay_amt + line.overlmt_selfpay + line.preselfpay_amt + line.inscp_scp_amt
        )
    fields = result.after.to_fields()
    previous = result.before.to_fields()
    assert all(fields[key] >= previous[key] for key in fields)
    # The record states the same numbers as strings that add up too.
    text = result_record(result)["split"]
    assert text["psn_part_amt"] == f"{split.psn_part_amt // 100}.{split.psn_part_amt % 100:02d}"


@SETTINGS
@given(scenario(), fee_lines(first_no=100, max_size=3))
def test_adding_a_line_never_lowers_the_patient_share(
    case: tuple[str, dict[str, Any], Accumulators | None], extra: list[dict[str, Any]]
) -> None:
    package, record, before = case
    larger = copy.deepcopy(record)
    larger["lines"].extend(extra)
    assert (
        _settle(package, larger, before).split.psn_part_amt
        >= _settle(package, record, before).split.psn_part_amt
    )


@SETTINGS
@given(scenario())
def test_a_valid_referral_never_leaves_the_patient_worse_off(
    case: tuple[str, dict[str, Any], Accumulators | None],
) -> None:
    package, record, before = case
    tier = record["encounter"]["institution"]["tier"]
    without, referred = copy.deepcopy(record), copy.deepcopy(record)
    without["encounter"]["referral"] = None
    referred["encounter"]["referral"] = {"id": "R9", "direction": "up", "from_tier": max(tier - 1, 0)}
    assert (
        _settle(package, referred, before).split.psn_part_amt
        <= _settle(package, without, before).split.psn_part_amt
    )


@SETTINGS
@given(st.data())
def test_permuting_independent_persons_gives_the_same_results(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(PACKAGES) - 1))
    package = load_package(PACKAGES[index][0])
    records = []
    for person in range(data.draw(st.integers(2, 4))):
        for number in range(data.draw(st.integers(1, 3))):
            _, record = data.draw(claims(f"C{person}-{number}", f"P{person}", package_index=index))
            records.append(record)
    shuffled = data.draw(st.permutations(records))
    # Each person's own claims keep their order; only the interleaving of persons changes.
    by_person: dict[str, list[dict[str, Any]]] = {}
    for record in shuffled:
        by_person.setdefault(record["person"]["id"], []).append(record)
    positions = {pid: iter(sorted(rs, key=records.index)) for pid, rs in by_person.items()}
    reordered = [next(positions[r["person"]["id"]]) for r in shuffled]

    def results(batch: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            str(outcome.claim_id): result_record(outcome.settlement)
            if outcome.settlement
            else outcome.error.code  # type: ignore[union-attr]
            for outcome in settle_records(batch, package)
        }

    assert results(records) == results(reordered)
