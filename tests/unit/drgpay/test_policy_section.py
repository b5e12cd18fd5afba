"""The drg_payment section of a policy package: loaded with provenance, bad values refused."""

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from sanyi.drgpay.api import payment_rules
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import POLICIES_DIR, flatten, load_package, read_package


def test_hangzhou_carries_the_section_with_sources() -> None:
    rules = payment_rules("hangzhou-2020")
    assert rules.history_weights == (Decimal(1), Decimal(2), Decimal(7))
    assert rules.high_cost_threshold["tertiary"] == 3 and rules.high_cost_threshold["secondary"] == 2
    assert rules.prepayment_share >= Decimal("0.85")
    assert rules.readmission_days == 15 and "Z51.1" in rules.readmission_exempt_diagnoses
    assert rules.sources["prepayment_share"].key == "zj-drg-2019"
    assert rules.sources["trim_sd"].illustrative
    assert flatten(load_package("hangzhou-2020"))["drg_payment.history_weights"] == "1:2:7"


def test_a_package_without_the_section_is_reported() -> None:
    with pytest.raises(DomainError) as error:
        payment_rules("harbin-2017")
    assert error.value.code == "DRGPAY_NO_POLICY"


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "hangzhou-2020"
    shutil.copytree(POLICIES_DIR / "hangzhou-2020", folder)
    path = folder / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ('prepayment_share: {value: "0.85"', 'prepayment_share: {value: "0.80"', "at least 0.85"),
        ("[TR19, TR29,", "[ZZ99, TR29,", "not groups of"),
        ('other: "2", primary: "2"', 'other: "2"', "no high-cost threshold for primary"),
        (
            'min_cases: {value: "5", source: zj-drg-2019}',
            'min_cases: {value: "5", source: nowhere}',
            "unknown source",
        ),
        ('low_cost_threshold: {value: "0.4"', 'low_cost_threshold: {value: "1.4"', "low_cost_threshold"),
    ],
)
def test_bad_values_name_the_line(tmp_path: Path, old: str, new: str, reason: str) -> None:
    path = _copy(tmp_path, old, new)
    with pytest.raises(DomainError) as error:
        read_package(path)
    assert reason in str(error.value)
