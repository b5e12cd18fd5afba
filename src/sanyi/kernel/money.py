"""Exact money in yuan with fen precision.

Money never passes through a float: amounts are parsed from strings, ints or Decimals, held as an
integer number of fen, and every product with a ratio or price is rounded ROUND_HALF_UP to the fen at
the point where the amount is stated.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import total_ordering
from typing import Final, TypeAlias

from sanyi.kernel.errors import INVALID_DECIMAL, INVALID_MONEY, DomainError

FEN: Final = Decimal("0.01")
_FEN_PER_YUAN: Final = 100

DecimalInput: TypeAlias = str | int | Decimal


def to_decimal(value: DecimalInput, *, path: str | None = None) -> Decimal:
    """Parse an exact decimal (a ratio, a quantity, a unit price); floats are refused."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise DomainError(
            INVALID_DECIMAL, path=path, value=str(value), reason="must be a decimal string, not a float"
        )
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise DomainError(INVALID_DECIMAL, path=path, value=str(value), reason="not a number") from None
    if not number.is_finite():
        raise DomainError(INVALID_DECIMAL, path=path, value=str(value), reason="not a finite number")
    return number


def round_fen(amount: Decimal) -> Decimal:
    """Round a yuan amount half-up to the fen."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


@total_ordering
class Money:
    """An amount of yuan, exact to the fen. Immutable and hashable."""

    __slots__ = ("_fen",)
    _fen: int

    def __init__(self, fen: int) -> None:
        if isinstance(fen, bool) or not isinstance(fen, int):
            raise TypeError("Money is built from an integer number of fen; use Money.parse for yuan")
        object.__setattr__(self, "_fen", fen)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Money is immutable")

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def parse(cls, value: DecimalInput, *, path: str | None = None) -> Money:
        """Parse yuan ("12.50", 12, Decimal("12.5")); more than two decimals is an error."""
        try:
            number = to_decimal(value, path=path)
        except DomainError as error:
            raise DomainError(
                INVALID_MONEY, path=path, value=str(value), reason=error.params["reason"]
            ) from None
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -2 and number != round_fen(number):
            raise DomainError(
                INVALID_MONEY, path=path, value=str(value), reason="more than two decimals (fen)"
            )
        return cls(int(number * _FEN_PER_YUAN))

    @classmethod
    def of(cls, amount: Decimal) -> Money:
        """Money from any exact decimal amount of yuan, rounded half-up to the fen."""
        return cls(int(round_fen(amount) * _FEN_PER_YUAN))

    @classmethod
    def zero(cls) -> Money:
        return _ZERO

    # -- views --------------------------------------------------------------------------------
    @property
    def fen(self) -> int:
        return self._fen

    @property
    def yuan(self) -> Decimal:
        return (Decimal(self._fen) / _FEN_PER_YUAN).quantize(FEN)

    def is_zero(self) -> bool:
        return self._fen == 0

    def is_negative(self) -> bool:
        return self._fen < 0

    # -- arithmetic ---------------------------------------------------------------------------
    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self._fen + other._fen)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self._fen - other._fen)

    def __neg__(self) -> Money:
        return Money(-self._fen)

    def __abs__(self) -> Money:
        return Money(abs(self._fen))

    def times(self, factor: Decimal | int) -> Money:
        """This amount times a ratio or quantity, rounded half-up to the fen."""
        if isinstance(factor, float):
            raise TypeError("Money cannot be multiplied by a float")
        return Money.of(self.yuan * factor)

    def min(self, other: Money) -> Money:
        return self if self._fen <= other._fen else other

    def max(self, other: Money) -> Money:
        return self if self._fen >= other._fen else other

    def clamp(self, low: Money, high: Money) -> Money:
        return self.max(low).min(high)

    # -- comparison and display ---------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Money) and self._fen == other._fen

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        return self._fen < other._fen

    def __hash__(self) -> int:
        return hash(("Money", self._fen))

    def __bool__(self) -> bool:
        return self._fen != 0

    def __str__(self) -> str:
        return str(self.yuan)

    def __repr__(self) -> str:
        return f"Money('{self.yuan}')"

    def __reduce__(self) -> tuple[type[Money], tuple[int]]:
        return (Money, (self._fen,))


_ZERO: Final = Money(0)


def total(amounts: list[Money] | tuple[Money, ...]) -> Money:
    """The sum of amounts (zero for none)."""
    return Money(sum(amount.fen for amount in amounts))


def line_amount(quantity: Decimal, unit_price: Decimal) -> Money:
    """quantity × unit price, rounded half-up to the fen (unit prices may carry four decimals)."""
    return Money.of(quantity * unit_price)


def allocate(amount: Money, weights: list[Decimal]) -> list[Money]:
    """Split an amount in proportion to weights so that the parts add up to the amount exactly.

    Each part is rounded down to the fen; the fen left over go to the parts with the largest
    remainders (ties to the earlier part), so the allocation is deterministic.
    """
    if not weights:
        return []
    weight_sum = sum(weights, Decimal(0))
    if weight_sum == 0:
        raise ValueError("cannot allocate over weights that sum to zero")
    sign = -1 if amount.fen < 0 else 1
    fen = abs(amount.fen)
    exact = [Decimal(fen) * weight / weight_sum for weight in weights]
    floors = [int(part) for part in exact]
    leftover = fen - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in order[:leftover]:
        floors[index] += 1
    return [Money(sign * part) for part in floors]
