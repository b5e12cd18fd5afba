"""Base points from several years, trimming, minimum cases, coefficients and table comparison."""

from decimal import Decimal

import pytest

from sanyi.drgpay.api import HistoryCase, build_base_points, coefficients, compare, compare_rows
from sanyi.kernel.errors import DomainError
from tests.unit.drgpay.helpers import X, Y, rules, worked_history


def test_years_are_weighted_one_two_seven() -> None:
    # X costs 10,000 in 2021, 20,000 in 2022, 30,000 in 2023; Y 10,000 throughout.
    cases = [
        HistoryCase(year, "A", X, cost * 100, 5)
        for year, cost in ((2021, 10_000), (2022, 20_000), (2023, 30_000))
        for _ in range(5)
    ]
    cases += [HistoryCase(year, "A", Y, 1_000_000, 5) for year in (2021, 2022, 2023) for _ in range(5)]
    table, _ = build_base_points(cases, [2021, 2022, 2023], rules())
    x_mean = Decimal(1 * 10_000 + 2 * 20_000 + 7 * 30_000) / 10  # 26,000
    region = Decimal(1 * 10_000 + 2 * 15_000 + 7 * 20_000) / 10  # 18,000
    assert table.groups[X].mean_cost_fen == x_mean * 100
    assert table.region_mean_fen == region * 100
    assert table.groups[X].base_points == Decimal("144.4444")
    assert table.version.startswith("2021-2023-")


def test_fewer_years_take_the_newest_weights() -> None:
    cases = [HistoryCase(y, "A", X, c, 5) for y, c in ((2022, 100_00), (2023, 200_00)) for _ in range(5)]
    table, _ = build_base_points(cases, [2022, 2023], rules())
    assert table.weights == (Decimal(2), Decimal(7))
    with pytest.raises(DomainError) as error:
        build_base_points(cases, [2020, 2021, 2022, 2023], rules())
    assert error.value.code == "DRGPAY_INVALID_YEARS"


def test_outliers_beyond_three_sd_are_trimmed() -> None:
    cases = [HistoryCase(2023, "A", X, 1_000_000, 5) for _ in range(20)]
    cases.append(HistoryCase(2023, "A", X, 100_000_000, 5))
    table, _ = build_base_points(cases, [2023], rules())
    assert (table.groups[X].cases, table.groups[X].trimmed) == (20, 1)
    assert table.groups[X].mean_cost_fen == 1_000_000
    untrimmed, _ = build_base_points(cases, [2023], rules(trim_sd=None))
    assert untrimmed.groups[X].trimmed == 0


def test_small_groups_go_to_review() -> None:
    cases = worked_history() + [HistoryCase(2023, "A", "BB11", 500_000, 5) for _ in range(4)]
    table, issues = build_base_points(cases, [2023], rules())
    assert table.groups["BB11"].base_points is None
    assert [(i.code, i.field) for i in issues] == [("DRGPAY_TOO_FEW_CASES", "BB11")]


def test_no_history_is_an_error() -> None:
    with pytest.raises(DomainError) as error:
        build_base_points([], [2023], rules())
    assert error.value.code == "DRGPAY_NO_HISTORY"


def test_level_and_composite_coefficients() -> None:
    levels = {"A": "tertiary", "B": "secondary", "C": "tertiary"}
    cases = worked_history() + [HistoryCase(2023, "C", X, 2_500_000, 10) for _ in range(2)]
    table, _ = build_base_points(cases, [2023], rules())
    mean = table.groups[X].mean_cost_fen
    by_level = coefficients(cases, [2023], table, levels, rules(coefficient_method="level"))
    tertiary = Decimal(2 * 2_625_000 + 2 * 2_500_000) / 4 / mean
    assert by_level[("A", X)] == by_level[("C", X)] == tertiary.quantize(Decimal("0.0001"))
    composite = coefficients(
        cases,
        [2023],
        table,
        levels,
        rules(coefficient_method="composite", hospital_weight=Decimal("0.6"), level_weight=Decimal("0.4")),
    )
    own = Decimal(2_625_000) / mean
    assert composite[("A", X)] == (Decimal("0.6") * own + Decimal("0.4") * tertiary).quantize(
        Decimal("0.0001")
    )


def test_compare_lists_changed_groups() -> None:
    old, _ = build_base_points(worked_history(2022), [2022], rules())
    new, _ = build_base_points([*worked_history(), HistoryCase(2023, "A", X, 3000000, 10)], [2023], rules())
    changed = {row["drg"]: row for row in compare(old, new)}
    assert set(changed) >= {X}
    assert changed[X]["old"] == "250.0000"
    assert old.version != new.version
    assert [row["drg"] for row in old.rows()] == sorted(old.groups)


def test_saved_rows_compare_like_tables() -> None:
    old, _ = build_base_points(worked_history(2022), [2022], rules())
    new, _ = build_base_points([*worked_history(), HistoryCase(2023, "A", X, 3000000, 10)], [2023], rules())
    assert compare_rows(old.rows(), new.rows()) == compare(old, new)
    zero = [{**row, "base_points": "0"} for row in old.rows()]
    assert all(row["change"] == "" for row in compare_rows(zero, new.rows()))
