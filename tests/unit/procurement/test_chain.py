"""The two-invoice check on hand-made chains: each failure is found with its evidence, a valid chain
passes, and the parameterised exceptions (remote areas, import agents) apply."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sanyi.kernel.money import Money
from sanyi.knowledge.procurement import parameters
from sanyi.procurement.api import ChainChecker, Delivery, EnterpriseRole, Invoice, concentration, order_chain

MAKER, AGENT, DIST, DIST2 = "MAKER", "AGENT", "DIST", "DIST2"
HOSPITAL = "H330302000001"
PRODUCT = "XC08CAA040A001010104022"
ROLES = {
    MAKER: EnterpriseRole.MANUFACTURER,
    AGENT: EnterpriseRole.IMPORT_AGENT,
    DIST: EnterpriseRole.DISTRIBUTOR,
    DIST2: EnterpriseRole.DISTRIBUTOR,
}
PRICE = Decimal("12.3400")


def invoice(number: str, seller: str, buyer: str, **changes: object) -> Invoice:
    base = Invoice(
        number, seller, buyer, PRODUCT, "B2301", Decimal(100), PRICE, date(2023, 3, 1), date(2023, 3, 20)
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def delivery(*invoices: Invoice, institution: str = HOSPITAL) -> Delivery:
    return Delivery("D1", "O1", institution, DIST, PRODUCT, "B2301", Decimal(100), date(2023, 3, 1), invoices)


def checker(remote: frozenset[str] = frozenset(), **params: object) -> ChainChecker:
    return ChainChecker(
        replace(parameters(), **params),  # type: ignore[arg-type]
        ROLES,
        {PRODUCT: PRICE},
        remote,
        as_of=date(2023, 12, 31),
    )


def rules(found: list) -> list[str]:  # type: ignore[type-arg]
    return [f.rule for f in found]


VALID = (invoice("INV1", MAKER, DIST, unit_price=Decimal("10.00")), invoice("INV2", DIST, HOSPITAL))


def test_a_valid_two_invoice_chain_passes() -> None:
    assert checker().check(delivery(*VALID)) == []


def test_invoices_are_put_in_chain_order_whatever_their_order() -> None:
    chain = order_chain(delivery(VALID[1], VALID[0]))
    assert chain is not None
    assert [i.number for i in chain] == ["INV1", "INV2"]


def test_a_three_invoice_chain_is_found_with_every_invoice_number() -> None:
    found = checker().check(
        delivery(
            invoice("INV1", MAKER, DIST2), invoice("INV1b", DIST2, DIST), invoice("INV2", DIST, HOSPITAL)
        )
    )
    assert rules(found) == ["CHAIN_TOO_MANY_INVOICES"]
    evidence = found[0].evidence
    assert [i["number"] for i in evidence["invoices"]] == ["INV1", "INV1b", "INV2"]
    assert (evidence["distributors"], evidence["allowed"]) == (2, 1)
    assert "INV1b" in found[0].message_zh


def test_a_remote_institution_may_have_one_extra_step() -> None:
    three = delivery(
        invoice("INV1", MAKER, DIST2), invoice("INV1b", DIST2, DIST), invoice("INV2", DIST, HOSPITAL)
    )
    assert checker(frozenset({HOSPITAL})).check(three) == []
    assert rules(checker(frozenset({HOSPITAL}), remote_extra_steps=0).check(three)) == [
        "CHAIN_TOO_MANY_INVOICES"
    ]


def test_an_import_agent_counts_as_the_manufacturer_only_when_the_parameter_says_so() -> None:
    chain = delivery(invoice("INV1", AGENT, DIST), invoice("INV2", DIST, HOSPITAL))
    assert checker().check(chain) == []
    assert rules(checker(import_agent_as_manufacturer=False).check(chain)) == ["CHAIN_TOO_MANY_INVOICES"]


def test_a_chain_starting_at_a_distributor_is_not_from_the_manufacturer() -> None:
    found = checker().check(delivery(invoice("INV2", DIST, HOSPITAL)))
    assert rules(found) == ["CHAIN_NOT_FROM_MANUFACTURER"]


def test_invoices_that_do_not_reach_the_institution_are_a_broken_chain() -> None:
    found = checker().check(delivery(invoice("INV1", MAKER, DIST), invoice("INV2", DIST, "H330302000999")))
    assert rules(found) == ["CHAIN_BROKEN"]
    assert found[0].evidence["invoices"][0]["number"] == "INV1"


def test_a_price_mismatch_names_both_prices_and_the_difference() -> None:
    found = checker().check(
        delivery(VALID[0], invoice("INV2", DIST, HOSPITAL, unit_price=Decimal("13.0000")))
    )
    assert rules(found) == ["CHAIN_PRICE_MISMATCH"]
    # 100 × 13.00 − 100 × 12.34 = 1300.00 − 1234.00 = 66.00 yuan
    assert found[0].evidence["difference"] == "66.00"
    assert found[0].amount == Money.parse("66.00")
    assert found[0].evidence["platform_price"] == "12.3400"


def test_a_quantity_mismatch_names_the_differing_invoice() -> None:
    found = checker().check(delivery(VALID[0], invoice("INV2", DIST, HOSPITAL, quantity=Decimal(120))))
    assert rules(found) == ["CHAIN_QUANTITY_MISMATCH"]
    assert found[0].evidence["differing"] == ["INV2"]
    assert found[0].evidence["delivered"] == "100"


def test_batch_and_product_mismatches_are_found() -> None:
    found = checker().check(delivery(invoice("INV1", MAKER, DIST, batch="B9999"), VALID[1]))
    assert rules(found) == ["CHAIN_BATCH_MISMATCH"]
    other = "XC08CAA040A001010104023"
    found = checker().check(delivery(VALID[0], invoice("INV2", DIST, HOSPITAL, product_code=other)))
    assert "CHAIN_PRODUCT_MISMATCH" in rules(found)


def test_late_and_overdue_unpaid_payments_are_found_with_the_days() -> None:
    late = checker().check(delivery(VALID[0], invoice("INV2", DIST, HOSPITAL, paid_on=date(2023, 4, 5))))
    assert rules(late) == ["CHAIN_LATE_PAYMENT"]
    assert (late[0].evidence["days"], late[0].evidence["due_on"]) == (35, "2023-03-31")
    on_time = checker().check(delivery(VALID[0], invoice("INV2", DIST, HOSPITAL, paid_on=date(2023, 3, 31))))
    assert on_time == []
    unpaid = checker().check(delivery(VALID[0], invoice("INV2", DIST, HOSPITAL, paid_on=None)))
    assert rules(unpaid) == ["CHAIN_LATE_PAYMENT"]
    assert unpaid[0].evidence["unpaid"] is True
    assert (
        rules(checker(payment_term_days=400).check(delivery(VALID[0], replace(VALID[1], paid_on=None)))) == []
    )


def test_distribution_concentration_is_the_share_of_the_top_n() -> None:
    shares = concentration(
        {HOSPITAL: {"A": Money.parse("600"), "B": Money.parse("300"), "C": Money.parse("100")}}, top_n=2
    )
    # (600 + 300) ÷ 1000 = 0.9
    assert shares[HOSPITAL]["share"] == Decimal("0.9000")
    assert [code for code, _ in shares[HOSPITAL]["top"]] == ["A", "B"]
