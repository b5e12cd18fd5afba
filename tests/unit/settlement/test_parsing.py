"""Parsing a claim's numbers and the flat table row of a settled claim."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import load_package
from sanyi.settlement.api import parse_claim, result_record, settle, table_row
from sanyi.settlement.claims import summary_record
from tests.unit.settlement.claims import claim, line

PACKAGE = "hangzhou-2020"


def _line_with(**fields: Any) -> dict[str, Any]:
    return claim("C1", [{**line(1, "10.00"), **fields}])


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("unit_price", "12.5.0", "not a decimal number"),
        ("unit_price", "NaN", "not a decimal number"),
        ("unit_price", "Infinity", "not a decimal number"),
        ("unit_price", True, "not a decimal number"),
        ("unit_price", [], "not a decimal number"),
        ("quantity", 1.5, "must be a decimal string, not a float"),
        ("selfpay_prop", "-0.1", "must be between 0 and 1"),
    ],
)
def test_a_bad_number_names_its_field_and_reason(field: str, value: Any, reason: str) -> None:
    with pytest.raises(DomainError) as raised:
        parse_claim(_line_with(**{field: value}))
    assert raised.value.code == "SETTLEMENT_INVALID_FIELD"
    assert raised.value.path == f"lines[0].{field}"
    assert reason in raised.value.message_en


def test_a_missing_number_is_a_missing_field_and_an_optional_one_is_not() -> None:
    record = _line_with()
    del record["lines"][0]["unit_price"]
    with pytest.raises(DomainError) as raised:
        parse_claim(record)
    assert (raised.value.code, raised.value.path) == ("SETTLEMENT_MISSING_FIELD", "lines[0].unit_price")
    parsed = parse_claim(_line_with(selfpay_prop=None, price_ceiling=None))
    assert parsed.lines[0].selfpay_prop == 0 and parsed.lines[0].price_ceiling is None


@pytest.mark.parametrize(("written", "parsed"), [(" 2.50 ", "2.50"), (3, "3"), (Decimal("1.25"), "1.25")])
def test_numbers_are_read_exactly_from_text_integers_and_decimals(written: Any, parsed: str) -> None:
    line_ = parse_claim(_line_with(quantity=written)).lines[0]
    assert line_.quantity == Decimal(parsed) and str(line_.quantity) == parsed


def test_the_table_row_of_a_settlement_is_that_of_its_full_result() -> None:
    package = load_package(PACKAGE)
    record = claim("C1", [line(1, "800.00"), line(2, "120.50", cls="B", selfpay="0.1")])
    settled = settle(parse_claim(record), package)
    assert table_row(summary_record(settled)) == table_row(result_record(settled, explain=False))
    assert table_row(summary_record(settled))[3] == "920.50"
