"""Policy packages: the four shipped packages load with their provenance; a broken package is refused."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import POLICIES_DIR, load_package, package_dir, read_package


def test_hangzhou_parameters_are_the_published_table() -> None:
    package = load_package("hangzhou-2020")
    assert package.region == "3301" and package.grade == "A"
    inpatient = package.schemes["employee"].pools["inpatient"]
    assert inpatient.deductible.strategy == "per_stay"
    assert inpatient.deductible.amounts_fen[("tertiary", "active")] == 80000
    assert inpatient.deductible.amounts_fen[("unrated", "retired")] == 50000
    assert inpatient.ratios.bounds_fen == (4_000_000, 36_000_000)
    assert inpatient.ratios.table[("secondary", "retired")] == (
        Decimal("0.88"),
        Decimal("0.94"),
        Decimal("0.90"),
    )
    assert inpatient.ratios.source.document.startswith("杭州市主城区")
    assert package.catastrophic is None and package.assistance is None


def test_wenzhou_layers_are_marked_illustrative() -> None:
    package = load_package("wenzhou-2018")
    assert package.catastrophic is not None and package.catastrophic.source.illustrative
    assert package.catastrophic.threshold_fen == 1_200_000
    assert package.assistance is not None and package.assistance.categories["dibao_edge"] == (
        300_000,
        Decimal("0.70"),
    )
    outpatient = package.schemes["resident"].pools["outpatient"]
    assert outpatient.cap_fen == 150_000 and outpatient.deductible.exempt_classes == frozenset({"primary"})


def test_unknown_package_is_a_stable_error() -> None:
    with pytest.raises(DomainError) as caught:
        package_dir("nowhere-2030")
    assert caught.value.code == "KNOWLEDGE_UNKNOWN"
    assert "hangzhou-2020" in caught.value.message_en


def _copy(tmp_path: Path, name: str = "harbin-2017") -> Path:
    target = tmp_path / name
    shutil.copytree(POLICIES_DIR / name, target)
    return target / "policy.yaml"


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ('secondary: "480"', 'secondary: "480.123"', "/schemes/resident/pools/inpatient/deductible/amounts"),
        ("source: hrb-special", "source: nowhere", "unknown source 'nowhere'"),
        ('secondary: ["0.80"]', 'secondary: ["0.80", "0.70"]', "2 ratios for 1 segments"),
        ('unrated: "100", ', "", "no value for unrated/adult"),
        ("first_primary: [first, primary]", "first_primary: [first, primary, unrated]", "given twice"),
        ('tertiary: {adult: ["0.65"]', 'tertiary: {elder: ["0.65"]', "group 'elder' is not a group"),
        ('delta: "-0.03"', 'delta: "-3"', "/modifiers/0/delta"),
    ],
)
def test_broken_package_names_file_line_and_reason(tmp_path: Path, old: str, new: str, reason: str) -> None:
    path = _copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        read_package(path)
    assert caught.value.code == "KNOWLEDGE_INVALID_FILE"
    assert reason in caught.value.message_en
    assert caught.value.params["line"] >= 1


def test_package_name_must_match_its_folder(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    renamed = path.parent.with_name("harbin-copy")
    path.parent.rename(renamed)
    with pytest.raises(DomainError, match="folder name"):
        read_package(renamed / "policy.yaml")
