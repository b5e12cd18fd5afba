"""Price alerts, shortage signals, code formats and the parameter file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.procurement import PARAMETERS_FILE, SCHEMA_FILE, parameters, read_parameters
from sanyi.procurement.api import (
    PricePoint,
    StockReport,
    credit_check_char,
    low_stock,
    price_alerts,
    unfilled_orders,
    validate_credit_code,
    validate_product_code,
)

P = "XC08CAA040A001010104022"


def point(institution: str, area: str, month: str, quantity: int, amount: str) -> PricePoint:
    return PricePoint(institution, area, P, month, Decimal(quantity), Decimal(amount))


def test_price_alerts_above_platform_rise_and_spread() -> None:
    points = [
        point("H1", "330302", "2023-01", 10, "100"),
        point("H2", "330302", "2023-01", 10, "100"),
        point("H3", "330303", "2023-01", 10, "100"),
        point("H1", "330302", "2023-02", 10, "100"),
        point("H2", "330302", "2023-02", 10, "100"),
        point("H3", "330303", "2023-02", 10, "150"),  # 15.00 a unit, platform 10.00
    ]
    alerts = price_alerts(points, {P: Decimal("10")}, Decimal("0.10"), Decimal("0.10"))
    kinds = {(a.kind, a.month, a.scope) for a in alerts}
    assert ("above_platform", "2023-02", "H3") in kinds
    # region average Feb: 350 ÷ 30 = 11.6667 vs Jan 10 → +16.7 % > 10 %
    assert ("rise", "2023-02", "region") in kinds
    # H3 pays 15 against the median 10 of three buyers
    assert ("spread", "2023-02", "H3") in kinds
    assert not any(a.month == "2023-01" for a in alerts)


def test_shortage_signals() -> None:
    orders = [
        ("O1", "H1", P, date(2023, 12, 1), Decimal(10), Decimal(0)),  # 30 days unfilled
        ("O2", "H1", P, date(2023, 12, 28), Decimal(10), Decimal(0)),  # 3 days: not yet
        ("O3", "H1", P, date(2023, 11, 1), Decimal(10), Decimal(10)),  # filled
    ]
    signals = unfilled_orders(orders, date(2023, 12, 31), 7)
    assert [(s.reference, s.observed) for s in signals] == [("O1", Decimal(30))]
    stock = [
        StockReport("H1", P, date(2023, 12, 31), Decimal(12), Decimal(4)),  # 3 days
        StockReport("H2", P, date(2023, 12, 31), Decimal(80), Decimal(4)),  # 20 days
    ]
    assert [(s.institution, s.observed) for s in low_stock(stock, Decimal(7))] == [("H1", Decimal("3.0"))]


def test_code_formats() -> None:
    assert validate_product_code("XC08CAA040A001010104022")
    assert validate_product_code("ZA01AAA0001010101234")
    assert validate_product_code("C1234567890123456789")
    for bad in ("X123", "C12345678901234567AB", "Y" * 23):
        with pytest.raises(DomainError) as error:
            validate_product_code(bad)
        assert error.value.code == "PROCUREMENT_INVALID_CODE"
    body = "91330300MA2AB1234"
    good = body + credit_check_char(body)
    assert validate_credit_code(good) == good
    wrong = body + ("0" if good[-1] != "0" else "1")
    with pytest.raises(DomainError):
        validate_credit_code(wrong)


def test_parameters_carry_their_sources_and_a_bad_file_names_the_field(tmp_path: Path) -> None:
    params = parameters()
    assert params.payment_term_days == 30
    assert {s.known for s in params.sources} <= {"seed", "K"}
    assert params.is_remote("330329101000")
    bad = tmp_path / "parameters.yaml"
    bad.write_text(
        PARAMETERS_FILE.read_text(encoding="utf-8").replace("value: 30", "value: thirty"), encoding="utf-8"
    )
    with pytest.raises(DomainError) as error:
        read_parameters(bad, SCHEMA_FILE)
    assert "payment_term_days" in error.value.message_en
