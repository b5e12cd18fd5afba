"""The quality reference tables: WHO DDDs, the product map (checked against them) and complication
categories, and the synthetic region's tables that must refer to them."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT, synth
from sanyi.knowledge.catalog import check_all
from sanyi.knowledge.quality import (
    QUALITY_DIR,
    antibacterial_products,
    complication_prefixes,
    read_antibacterials,
    read_products,
)


def test_ddds_per_billed_unit_are_strength_over_the_who_ddd() -> None:
    ddds = read_antibacterials()
    assert ddds[("J01DD04", "P")].ddd == Decimal(2) and ddds[("J01MA12", "O")].ddd == Decimal("0.5")
    products = antibacterial_products()
    ceftriaxone = products["XJ01DDS999B001000000000"]  # 1 g vial; DDD 2 g parenteral
    assert ceftriaxone.substance.inn_en == "ceftriaxone" and ceftriaxone.ddd_per_unit == Decimal("0.5")
    # 1 g of cefazolin against a 3 g DDD: a third, to 10 places.
    assert products["XJ01DBS999B002000000000"].ddd_per_unit == Decimal("0.3333333333")
    assert all(p.code.startswith("XJ01") and len(p.code) == 23 for p in products.values())
    assert {"T81", "T88", "J95", "K91"} <= set(complication_prefixes())


@pytest.fixture
def tables(tmp_path: Path) -> Path:
    root = tmp_path / "indicators"
    shutil.copytree(QUALITY_DIR, root)
    return root


def _append(path: Path, line: str) -> int:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def test_a_product_without_a_ddd_fails_with_its_line(tables: Path) -> None:
    line = _append(
        tables / "antibacterial_products.tsv", "XJ01DDS999B099000000000\t注射用X\tJ01DD99\tP\t粉针剂\t1\tg"
    )
    with pytest.raises(DomainError) as caught:
        read_products(tables)
    assert caught.value.spec.code == "KNOWLEDGE_INVALID_FILE"
    assert f"antibacterial_products.tsv, line {line}:" in caught.value.message_en
    assert "J01DD99" in caught.value.message_en


def test_a_product_in_another_unit_than_its_ddd_fails(tables: Path) -> None:
    _append(
        tables / "antibacterial_products.tsv",
        "XJ01DDS999B098000000000\t注射用头孢曲松钠\tJ01DD04\tP\t粉针剂\t500\tmg",
    )
    with pytest.raises(DomainError) as caught:
        read_products(tables)
    assert "unit 'mg'" in caught.value.message_en


def test_the_synthetic_tables_must_refer_to_the_quality_tables(tmp_path: Path) -> None:
    use = tmp_path / "antibacterial_use.tsv"
    shutil.copy(KNOWLEDGE_ROOT / "synth" / "antibacterial_use.tsv", use)
    _append(use, "XJ01ZZS999B001000000000\t不存在\ttherapy\t2\t1")
    with pytest.raises(DomainError, match="antibacterial_products"):
        synth.read_antibacterial_use(use, frozenset(antibacterial_products()))
    codes = tmp_path / "complication_codes.tsv"
    shutil.copy(KNOWLEDGE_ROOT / "synth" / "complication_codes.tsv", codes)
    _append(codes, "J18.900\t肺炎\t1")
    with pytest.raises(DomainError, match="no category"):
        synth.read_complication_codes(codes, complication_prefixes())
    assert {u.purpose for u in synth.antibacterial_use()} == {"prophylaxis", "therapy"}
    assert all(code.startswith(complication_prefixes()) for code, _ in synth.complication_codes())


def test_the_knowledge_check_reads_the_new_tables() -> None:
    summaries = {s.table: s.rows for s in check_all()}
    assert summaries["indicators/antibacterials.tsv"] == len(read_antibacterials())
    assert summaries["synth/antibacterial_use.tsv"] == len(synth.antibacterial_use())
    assert summaries["synth/complication_codes.tsv"] == len(synth.complication_codes())
