"""Price schedules as values: the price by level and day, the most specific area winning, versions
that may not overlap, the count of diseases per area, and the zero mark-up check of a drug."""

from datetime import date
from decimal import Decimal

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.pricing.api import (
    CasePrice,
    DrugPrice,
    ServicePrice,
    Validity,
    area_chain,
    check_versions,
    count_by_area,
    drug_lines,
    in_force,
    price_level,
)


def _item(area: str, code: str, start: date, end: date | None, **prices: str) -> ServicePrice:
    by_level = {int(level[1:]): Money.parse(value) for level, value in prices.items()}
    return ServicePrice(area, code, "项目", "次", by_level, Validity(start, end), version="v", source="doc")


def test_price_by_level_and_day() -> None:
    old = _item("330300", "001101000010000", date(2023, 1, 1), date(2023, 6, 30), l3="10.00", l2="8.00")
    new = _item("330300", "001101000010000", date(2023, 7, 1), None, l3="12.50", l2="9.50", l1="7.05")
    schedule = [old, new]
    [june] = in_force(schedule, date(2023, 6, 30))
    [july] = in_force(schedule, date(2023, 7, 1))
    assert june is old and july is new
    assert june.price_at(3) == Money.parse("10.00") and june.price_at(1) is None  # not priced at 一级
    assert july.price_at(1) == Money(705)
    assert in_force(schedule, date(2022, 12, 31)) == []
    assert price_level(0) == 1 and price_level(2) == 2 and price_level(3) == 3


def test_the_most_specific_pricing_area_wins() -> None:
    province = _item("330000", "A", date(2023, 1, 1), None, l3="20.00")
    city = _item("330300", "A", date(2023, 1, 1), None, l3="18.00")
    other = _item("330000", "B", date(2023, 1, 1), None, l3="5.00")
    elsewhere = _item("330400", "A", date(2023, 1, 1), None, l3="1.00")
    assert area_chain("330302") == ("330302", "330300", "330000")
    chosen = {i.code: i for i in in_force([province, city, other, elsewhere], date(2023, 5, 1), "330302")}
    assert chosen["A"] is city and chosen["B"] is other
    outside = {i.code: i for i in in_force([province, city, other], date(2023, 5, 1), "330102")}
    assert outside["A"] is province


def test_overlapping_versions_are_refused_with_both_periods() -> None:
    first = _item("330300", "A", date(2023, 1, 1), date(2023, 6, 30), l3="1.00")
    adjoining = _item("330300", "A", date(2023, 7, 1), None, l3="2.00")
    check_versions("医疗服务项目", "service item", [first, adjoining])  # adjoining periods are fine
    clash = _item("330300", "A", date(2023, 6, 30), None, l3="3.00")
    with pytest.raises(DomainError) as refused:
        check_versions("医疗服务项目", "service item", [first, clash])
    error = refused.value
    assert error.code == "PRICING_OVERLAP" and error.path == "effective_from"
    assert "2023-06-30" in error.message_zh and "2023-01-01～2023-06-30" in error.message_zh
    assert "overlaps" in error.message_en
    # Another area or another item never clashes.
    check_versions(
        "医疗服务项目", "service item", [first, _item("330400", "A", date(2023, 6, 30), None, l3="1")]
    )
    open_ended = _item("330300", "B", date(2023, 1, 1), None, l3="1.00")
    later = _item("330300", "B", date(2030, 1, 1), None, l3="1.00")
    with pytest.raises(DomainError):
        check_versions("医疗服务项目", "service item", [open_ended, later])


def test_bad_periods_and_missing_prices_are_refused() -> None:
    with pytest.raises(DomainError) as backwards:
        Validity(date(2023, 2, 1), date(2023, 1, 31))
    assert backwards.value.code == "PRICING_BAD_PERIOD"
    with pytest.raises(DomainError) as empty:
        CasePrice("330300", "K35.800", "急性阑尾炎", {}, Validity(date(2023, 1, 1)))
    assert empty.value.code == "PRICING_NO_PRICE" and "K35.800" in empty.value.message_zh


def test_diseases_are_counted_per_area_on_a_day() -> None:
    fee = {3: Money.parse("5000"), 2: Money.parse("4200")}
    listed = [
        CasePrice("330300", "K35.800", "阑尾炎", fee, Validity(date(2023, 1, 1)), "47.0100"),
        CasePrice(
            "330300", "K35.800", "阑尾炎", fee, Validity(date(2022, 1, 1), date(2022, 12, 31)), "47.0100"
        ),
        CasePrice("330300", "K40.900", "腹股沟疝", fee, Validity(date(2023, 7, 1))),
        CasePrice("330400", "I63.900", "脑梗死", fee, Validity(date(2023, 1, 1), date(2023, 3, 31))),
    ]
    assert listed[0].key == "K35.800/47.0100" and listed[2].key == "K40.900"
    assert count_by_area(listed, date(2023, 3, 31)) == {"330300": 1, "330400": 1}
    assert count_by_area(listed, date(2023, 12, 31)) == {"330300": 2}
    assert count_by_area(listed, date(2022, 6, 1)) == {"330300": 1}


def test_a_sale_above_the_purchase_price_is_a_mark_up() -> None:
    zero = DrugPrice("X1", "氨氯地平片", Decimal(28), [Decimal("0.8500")], Decimal("0.8500"), "invoice")
    assert zero.markup == 0 and not zero.marked_up
    marked = DrugPrice(
        "X2", "阿莫西林胶囊", Decimal(10), [Decimal("1.20"), Decimal("1.38")], Decimal("1.20"), "platform"
    )
    assert marked.sale_price == Decimal("1.38") and marked.markup == Decimal("0.18") and marked.marked_up
    below = DrugPrice("X3", "二甲双胍片", Decimal(5), [Decimal("0.50")], Decimal("0.55"), "invoice")
    assert below.markup == Decimal("-0.05") and not below.marked_up
    unknown = DrugPrice("X4", "某药", Decimal(1), [Decimal("3")], None, "")
    assert unknown.markup is None and not unknown.marked_up


def test_drug_lines_sum_per_drug_take_the_invoice_first_and_put_mark_ups_first() -> None:
    sold = [
        ("X1", "氨氯地平片", "0.8500", "28", Money.parse("23.80")),
        ("X1", "氨氯地平片", "0.8500", "-28", Money.parse("-23.80")),  # a refund line
        ("X1", "氨氯地平片", "0.8500", "14", Money.parse("11.90")),
        ("X2", "阿莫西林胶囊", "1.3800", "10", Money.parse("13.80")),
        ("Z3", "板蓝根颗粒", "2.0000", "3", Money.parse("6.00")),
    ]
    lines = drug_lines(sold, {"X1": Decimal("0.8500")}, {"X1": Decimal("0.9000"), "X2": Decimal("1.2000")})
    assert [d.code for d in lines] == ["X2", "X1", "Z3"]
    x2, x1, z3 = lines
    assert x2.marked_up and x2.purchase_basis == "platform" and x2.markup == Decimal("0.1800")
    assert x1.purchase_basis == "invoice" and x1.purchase_price == Decimal("0.8500") and not x1.marked_up
    assert x1.quantity == 14 and x1.amount == Money.parse("11.90")
    assert z3.purchase_price is None and z3.purchase_basis == ""
