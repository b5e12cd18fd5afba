"""The shipped catalogue, its checks, legends without gaps or overlaps, targets and achievement."""

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sanyi.indicators.api import (
    LEGEND_BANDS_INVALID,
    Achievement,
    Band,
    Figure,
    Span,
    achieved,
    build_legend,
    catalogue,
    judge,
    target_for,
)
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.indicators import INDICATORS_DIR, parse_expression, read_catalogue

DOC_CODES = [
    "FJ01", "FJ02", "FJ03", "FJ04", "FJ05", "FJ06", "YY01", "YY02", "YY03", "YY04", "YY05", "YY06",
    "YB01", "YB02", "ZY01", "ZY02", "ZY03", "ZY04", "XX01", "XX02", "ZF01", "ZF02",
]  # fmt: skip
# Figures of 国卫办发〔2021〕43号 (YY07–YY15, YB03) and its 质量安全 heading (ZL01, ZL02).
DISCLOSURE_CODES = [
    "YY07", "YY08", "YY09", "YY10", "YY11", "YY12", "YY13", "YY14", "YY15", "YB03", "ZL01", "ZL02",
]  # fmt: skip


def test_the_catalogue_ships_the_22_indicators_of_the_doc_and_the_drg_set() -> None:
    loaded = catalogue()
    shipped = [code for code in loaded.indicators if not code.startswith("DRG")]
    assert [code for code in shipped if code not in DISCLOSURE_CODES] == DOC_CODES
    assert set(DISCLOSURE_CODES) <= set(shipped)
    assert {"DRG01", "DRG02", "DRG03", "DRG04"} <= set(loaded.indicators)
    for definition in loaded.indicators.values():
        assert definition.caliber.version and definition.caliber.text_zh and definition.caliber.text_en
        assert definition.numerator
    assert loaded.indicators["YY01"].numerator_text == "income_drug - income_herbal"
    assert all(target.document and target.clause for target in loaded.targets)


def test_expressions_parse_into_signed_terms_with_classes() -> None:
    terms = parse_expression("income_medical - income_drug + visits[primary]")
    assert [(t.sign, t.element, t.klass) for t in terms] == [
        (1, "income_medical", None),
        (-1, "income_drug", None),
        (1, "visits", "primary"),
    ]
    with pytest.raises(ValueError, match="not 'element"):
        parse_expression("visits * 2")


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "indicators"
    shutil.copytree(INDICATORS_DIR, root)
    return root


@pytest.mark.parametrize(
    ("file", "old", "new", "reason"),
    [
        (
            "indicators.yaml",
            'numerator: "visits[primary]"',
            'numerator: "visits[nowhere]"',
            "unknown institution class",
        ),
        ("indicators.yaml", "numerator: staff_costs", "numerator: staf_costs", "unknown data element"),
        ("indicators.yaml", 'unit: "‰"', 'unit: "per mille"', "unit"),
        ("targets.yaml", "{indicator: FJ06,", "{indicator: FJ99,", "unknown indicator"),
        ("legends.yaml", '{from: "50", to: "75"', '{from: "55", to: "75"', "gap after 50 up to 55"),
        ("legends.yaml", '{from: "30", to: "40"', '{from: "25", to: "40"', "overlaps the previous band"),
    ],
)
def test_a_bad_catalogue_fails_naming_file_and_reason(
    tmp_path: Path, file: str, old: str, new: str, reason: str
) -> None:
    root = _copy(tmp_path)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DomainError) as raised:
        read_catalogue(root)
    assert raised.value.code == "KNOWLEDGE_INVALID_FILE"
    assert file in raised.value.message_en and reason in raised.value.message_en


def _band(low: str | None, high: str | None) -> Band:
    return Band(Decimal(low) if low else None, Decimal(high) if high else None, "#000000", "段", "band")


def test_legends_have_no_gaps_and_no_overlaps() -> None:
    legend = build_legend("x", "x", "x", [_band(None, "10"), _band("10", "20"), _band("20", None)])
    assert legend.band_of(Decimal("9.99")) == legend.bands[0]
    assert legend.band_of(Decimal("10")) == legend.bands[1]
    assert legend.band_of(Decimal("1e9")) == legend.bands[2]
    assert legend.band_of(None) is None
    cases = [
        ([_band(None, "10"), _band("11", None)], "gap after 10 up to 11"),
        ([_band(None, "10"), _band("9", None)], "overlaps the previous band"),
        ([_band("5", "5")], "lower bound 5"),
        ([_band(None, "10"), _band(None, "20")], "only the first band"),
        ([_band(None, None), _band("10", "20")], "only the last band"),
        ([], "at least one band"),
    ]
    for bands, reason in cases:
        with pytest.raises(DomainError) as raised:
            build_legend("bad", "坏", "bad", bands)
        assert raised.value.code == LEGEND_BANDS_INVALID.code
        assert reason in raised.value.message_en
        assert (
            raised.value.message_zh
            and raised.value.path
            and raised.value.path.startswith("legends.bad.bands[")
        )


def test_the_most_specific_area_and_latest_start_give_the_target() -> None:
    targets = catalogue().targets
    wenzhou = target_for(targets, "FJ06", "330302", date(2023, 12, 31))
    assert wenzhou is not None and wenzhou.value == 35 and "温政发〔2016〕57号" in wenzhou.document
    assert target_for(targets, "FJ06", "330602", date(2023, 12, 31)) is None  # Shaoxing has none
    early = target_for(targets, "FJ04", "330102", date(2018, 6, 30))
    late = target_for(targets, "FJ04", "330102", date(2021, 6, 30))
    assert early is not None and early.value == 30 and late is not None and late.value == 50
    # Wenzhou's own 35 % overrides Zhejiang's 50 % for its counties.
    city = target_for(targets, "FJ04", "330381", date(2021, 6, 30))
    assert city is not None and city.value == 35 and city.area == "330300"
    assert target_for(targets, "FJ01", "330302", date(2017, 6, 30)) is None  # not yet in force


def test_achievement_follows_the_comparator() -> None:
    targets = {t.comparator: t for t in catalogue().targets}
    ge, lt, about = targets["ge"], targets["lt"], targets["about"]
    assert achieved(ge, ge.value) is Achievement.MET
    assert achieved(ge, ge.value - Decimal("0.0001")) is Achievement.NOT_MET
    assert achieved(lt, lt.value) is Achievement.NOT_MET
    assert achieved(lt, lt.value - 1) is Achievement.MET
    assert about.tolerance is not None
    assert achieved(about, about.value + about.tolerance) is Achievement.MET
    assert achieved(about, about.value - about.tolerance - Decimal("0.01")) is Achievement.NOT_MET
    assert achieved(ge, None) is Achievement.NO_DATA
    assert achieved(None, Decimal(1)) is Achievement.NO_TARGET


def test_judge_adds_target_band_and_caliber() -> None:
    loaded = catalogue()
    figure = Figure("FJ06", "330300", Span.parse("2023"), Decimal(30), Decimal(100), Decimal(30))
    value = judge(
        figure, loaded.indicators["FJ06"], "温州市", "330300", loaded.targets, loaded.legend_of("FJ06")
    )
    assert value.achievement is Achievement.NOT_MET and value.target is not None
    assert value.band is not None and value.band.label_en == "low"
    assert value.caliber_version == "2016.1" and value.elements == ("referred_visits", "visits")
    row = value.row()
    assert row["numerator"] == "30" and row["denominator"] == "100" and row["unit"] == "%"
    assert row["target"]["clause"].startswith("二、（二）1.")  # type: ignore[index]
