from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money, allocate, line_amount, to_decimal, total

fen_amounts = st.integers(min_value=-(10**12), max_value=10**12)


def test_parse_keeps_fen_exact() -> None:
    assert Money.parse("12.50").fen == 1250
    assert Money.parse(3).fen == 300
    assert Money.parse(Decimal("0.1")).fen == 10
    assert Money.parse("-0.01").fen == -1
    assert Money.parse("12.500").fen == 1250  # trailing zeros are not extra precision


@pytest.mark.parametrize("bad", ["abc", "1.234", "NaN", "Infinity", ""])
def test_parse_rejects_bad_amounts_with_a_code(bad: str) -> None:
    with pytest.raises(DomainError) as caught:
        Money.parse(bad, path="lines[0].unit_price")
    assert caught.value.code == "INVALID_MONEY"
    assert caught.value.path == "lines[0].unit_price"
    assert caught.value.message_zh and caught.value.message_en


def test_floats_never_become_money() -> None:
    with pytest.raises(DomainError):
        Money.parse(0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.parse("1").times(0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(DomainError):
        to_decimal(1.5)  # type: ignore[arg-type]


def test_rounding_is_half_up_to_the_fen() -> None:
    assert Money.parse("3").times(Decimal("0.825")) == Money.parse("2.48")  # 2.475 → 2.48
    assert Money.parse("3").times(Decimal("0.815")) == Money.parse("2.45")  # 2.445 → 2.45
    assert Money.parse("-3").times(Decimal("0.825")) == Money.parse("-2.48")
    assert line_amount(Decimal("3"), Decimal("0.0325")) == Money.parse("0.10")  # 0.0975 → 0.10


def test_arithmetic_comparison_and_display() -> None:
    a, b = Money.parse("10.05"), Money.parse("0.95")
    assert a + b == Money.parse("11.00")
    assert a - b == Money.parse("9.10")
    assert -a == Money.parse("-10.05")
    assert b < a and a.max(b) == a and a.min(b) == b
    assert str(a) == "10.05" and repr(a) == "Money('10.05')"
    assert total([a, b, b]) == Money.parse("11.95")
    assert not Money.zero() and Money.zero().is_zero()
    assert Money.parse("5").clamp(Money.zero(), Money.parse("3")) == Money.parse("3")


def test_money_is_immutable() -> None:
    amount = Money.parse("1")
    with pytest.raises(AttributeError):
        amount._fen = 5


@given(fen_amounts, st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12))
def test_allocation_adds_up_exactly(fen: int, weights: list[int]) -> None:
    if sum(weights) == 0:
        weights = [*weights[:-1], 1]
    parts = allocate(Money(fen), [Decimal(w) for w in weights])
    assert total(parts) == Money(fen)
    assert len(parts) == len(weights)
    for part, weight in zip(parts, weights, strict=True):
        if weight == 0:
            assert part.is_zero()


@given(fen_amounts, fen_amounts)
def test_addition_matches_integer_fen(a: int, b: int) -> None:
    assert (Money(a) + Money(b)).fen == a + b
    assert Money.parse(str(Money(a).yuan)) == Money(a)
