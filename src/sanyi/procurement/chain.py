"""The two-invoice check (两票制) of one delivery: pure, over the delivery, its invoices, the catalogue's
platform price and the enterprise roles, with the parameters of ``knowledge/procurement``.

Checks, each a finding with its evidence: the invoices form one path from the manufacturer (or an
import general agent, when it counts as one) to the institution, ending at the delivering distributor;
at most ``max_distributor_steps`` distributors between them (plus ``remote_extra_steps`` in a remote
area); product, batch and quantity agree along the chain; the last invoice's unit price equals the
platform price; the institution pays within ``payment_term_days``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from sanyi.kernel.money import Money, total
from sanyi.knowledge.procurement import ProcurementParameters
from sanyi.procurement.model import ChainFinding, Delivery, EnterpriseRole, Invoice


@dataclass(frozen=True, slots=True)
class ChainRule:
    code: str
    title_zh: str
    title_en: str


RULES: Final = {
    rule.code: rule
    for rule in (
        ChainRule("CHAIN_BROKEN", "票据链不完整", "the invoices do not form one chain to the institution"),
        ChainRule(
            "CHAIN_NOT_FROM_MANUFACTURER",
            "票据链未从生产企业开始",
            "the chain does not start at a manufacturer",
        ),
        ChainRule("CHAIN_TOO_MANY_INVOICES", "超过两票", "more invoices than the two-invoice rule allows"),
        ChainRule("CHAIN_PRODUCT_MISMATCH", "票货不符：品种", "the product differs along the chain"),
        ChainRule("CHAIN_BATCH_MISMATCH", "票货不符：批号", "the batch differs along the chain"),
        ChainRule("CHAIN_QUANTITY_MISMATCH", "票货不符：数量", "the quantity differs along the chain"),
        ChainRule(
            "CHAIN_PRICE_MISMATCH",
            "发票价格与挂网价不符",
            "the invoice price differs from the platform price",
        ),
        ChainRule("CHAIN_LATE_PAYMENT", "超期回款", "the institution paid after the contract term"),
    )
}


def _yuan(amount: Money | Decimal) -> str:
    return str(amount.yuan if isinstance(amount, Money) else amount)


def _invoice_evidence(invoice: Invoice) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "product": invoice.product_code,
        "batch": invoice.batch,
        "quantity": str(invoice.quantity),
        "unit_price": _yuan(invoice.unit_price),
        "amount": _yuan(invoice.amount),
        "issued_on": invoice.issued_on.isoformat(),
        "paid_on": invoice.paid_on.isoformat() if invoice.paid_on else None,
    }


def order_chain(delivery: Delivery) -> list[Invoice] | None:
    """The invoices in order from the first seller to the institution, or None if they are not one path."""
    by_seller: dict[str, Invoice] = {}
    for invoice in delivery.invoices:
        if invoice.seller in by_seller:
            return None
        by_seller[invoice.seller] = invoice
    buyers = {invoice.buyer for invoice in delivery.invoices}
    starts = [invoice for invoice in delivery.invoices if invoice.seller not in buyers]
    if len(starts) != 1:
        return None
    path = [starts[0]]
    while path[-1].buyer in by_seller and len(path) <= len(delivery.invoices):
        path.append(by_seller[path[-1].buyer])
    if len(path) != len(delivery.invoices) or path[-1].buyer != delivery.institution:
        return None
    return path


class ChainChecker:
    """Checks deliveries against the parameters; built once per run (look-ups are plain dicts)."""

    def __init__(
        self,
        params: ProcurementParameters,
        roles: Mapping[str, EnterpriseRole],
        platform_prices: Mapping[str, Decimal],
        remote_institutions: frozenset[str],
        as_of: date,
    ) -> None:
        self.params = params
        self.roles = roles
        self.prices = platform_prices
        self.remote = remote_institutions
        self.as_of = as_of
        self.term = timedelta(days=params.payment_term_days)

    def check(self, delivery: Delivery) -> list[ChainFinding]:
        found: list[ChainFinding] = []
        path = order_chain(delivery)
        if path is None or path[-1].seller != delivery.distributor:
            invoices = sorted(delivery.invoices, key=lambda i: (i.issued_on, i.number))
            found.append(
                self._finding(
                    delivery,
                    "CHAIN_BROKEN",
                    {
                        "invoices": [_invoice_evidence(i) for i in invoices],
                        "distributor": delivery.distributor,
                    },
                    "送货单 {d} 的发票（{n} 张）不能连成从生产企业经配送企业 {x} 到本机构的一条链",
                    "the {n} invoice(s) of delivery {d} do not form one chain through distributor {x}",
                    n=len(invoices),
                    x=delivery.distributor,
                )
            )
            return found
        found += self._steps(delivery, path)
        found += self._goods(delivery, path)
        found += self._price(delivery, path[-1])
        found += self._payment(delivery, path[-1])
        return found

    # -- the checks ---------------------------------------------------------------------------
    def _steps(self, delivery: Delivery, path: list[Invoice]) -> list[ChainFinding]:
        first = self.roles.get(path[0].seller)
        origin_ok = first is EnterpriseRole.MANUFACTURER or (
            first is EnterpriseRole.IMPORT_AGENT and self.params.import_agent_as_manufacturer
        )
        evidence: dict[str, Any] = {"invoices": [_invoice_evidence(i) for i in path]}
        if first is EnterpriseRole.DISTRIBUTOR or first is None:
            return [
                self._finding(
                    delivery,
                    "CHAIN_NOT_FROM_MANUFACTURER",
                    evidence,
                    "送货单 {d} 的第一张发票 {x} 由非生产企业 {s} 开具",
                    "the first invoice {x} of delivery {d} was issued by {s}, not a manufacturer",
                    x=path[0].number,
                    s=path[0].seller,
                )
            ]
        # An import agent that does not count as a manufacturer is itself a distribution step.
        distributors = len(path) - 1 + (0 if origin_ok else 1)
        allowed = self.params.max_distributor_steps + (
            self.params.remote_extra_steps if delivery.institution in self.remote else 0
        )
        if distributors <= allowed:
            return []
        evidence.update({"distributors": distributors, "allowed": allowed})
        return [
            self._finding(
                delivery,
                "CHAIN_TOO_MANY_INVOICES",
                evidence,
                "送货单 {d} 经过 {k} 家配送企业（允许 {a} 家），发票 {x}",
                "delivery {d} passed through {k} distributors ({a} allowed); invoices {x}",
                k=distributors,
                a=allowed,
                x="、".join(i.number for i in path),
            )
        ]

    def _goods(self, delivery: Delivery, path: list[Invoice]) -> list[ChainFinding]:
        found = []
        for rule, attribute, label in (
            ("CHAIN_PRODUCT_MISMATCH", "product_code", "品种"),
            ("CHAIN_BATCH_MISMATCH", "batch", "批号"),
            ("CHAIN_QUANTITY_MISMATCH", "quantity", "数量"),
        ):
            delivered = getattr(delivery, attribute)
            wrong = [i for i in path if getattr(i, attribute) != delivered]
            if wrong:
                found.append(
                    self._finding(
                        delivery,
                        rule,
                        {
                            "delivered": str(delivered),
                            "invoices": [_invoice_evidence(i) for i in path],
                            "differing": [i.number for i in wrong],
                        },
                        "送货单 {d} 的{l}为 {v}，发票 {x} 不符",
                        "delivery {d} has {a} {v}; invoice(s) {x} differ",
                        l=label,
                        a=attribute.replace("_code", ""),
                        v=str(delivered),
                        x="、".join(f"{i.number}（{getattr(i, attribute)}）" for i in wrong),
                    )
                )
        return found

    def _price(self, delivery: Delivery, last: Invoice) -> list[ChainFinding]:
        platform = self.prices.get(last.product_code)
        if platform is None or last.unit_price == platform:
            return []
        expected = Money.of(last.quantity * platform)
        difference = last.amount - expected
        return [
            self._finding(
                delivery,
                "CHAIN_PRICE_MISMATCH",
                {
                    "invoice": _invoice_evidence(last),
                    "platform_price": _yuan(platform),
                    "expected_amount": _yuan(expected),
                    "difference": _yuan(difference),
                },
                "发票 {x} 单价 {p} 元，挂网价 {q} 元，金额差 {m} 元",
                "invoice {x} unit price {p} yuan, platform price {q} yuan, difference {m} yuan",
                x=last.number,
                p=_yuan(last.unit_price),
                q=_yuan(platform),
                m=_yuan(difference),
                amount=abs(difference),
            )
        ]

    def _payment(self, delivery: Delivery, last: Invoice) -> list[ChainFinding]:
        due = last.issued_on + self.term
        paid = last.paid_on
        if (paid is not None and paid <= due) or (paid is None and self.as_of <= due):
            return []
        days = ((paid or self.as_of) - last.issued_on).days
        return [
            self._finding(
                delivery,
                "CHAIN_LATE_PAYMENT",
                {
                    "invoice": _invoice_evidence(last),
                    "due_on": due.isoformat(),
                    "days": days,
                    "term_days": self.params.payment_term_days,
                    "unpaid": paid is None,
                },
                "发票 {x}（{i} 开具）{w}，距开票 {n} 天，超过 {t} 天回款期限",
                "invoice {x} (issued {i}) {we} {n} days after issue, beyond the {t}-day term",
                x=last.number,
                i=last.issued_on.isoformat(),
                w=f"于 {paid.isoformat()} 付款" if paid else "尚未付款",
                we=f"paid on {paid.isoformat()}," if paid else "still unpaid",
                n=days,
                t=self.params.payment_term_days,
            )
        ]

    def _finding(
        self,
        delivery: Delivery,
        rule: str,
        evidence: dict[str, Any],
        zh: str,
        en: str,
        amount: Money | None = None,
        **values: Any,
    ) -> ChainFinding:
        invoices = delivery.invoices
        value = amount if amount is not None else (invoices[-1].amount if invoices else Money.zero())
        return ChainFinding(
            delivery_id=delivery.id,
            institution=delivery.institution,
            rule=rule,
            day=delivery.delivered_on,
            amount=value,
            evidence={"delivery": delivery.id, "batch": delivery.batch, **evidence},
            message_zh=zh.format(d=delivery.id, **values),
            message_en=en.format(d=delivery.id, **values),
        )


def concentration(purchases: Mapping[str, Mapping[str, Money]], top_n: int) -> dict[str, dict[str, Any]]:
    """配送集中度: per institution, the share of its purchase amount handled by its top-N distributors."""
    result: dict[str, dict[str, Any]] = {}
    for institution, by_distributor in purchases.items():
        ranked = sorted(by_distributor.items(), key=lambda item: (-item[1].fen, item[0]))
        whole = total([amount for _, amount in ranked])
        top = ranked[:top_n]
        share = (
            Decimal(total([amount for _, amount in top]).fen) / Decimal(whole.fen)
            if whole.fen
            else Decimal(0)
        )
        result[institution] = {
            "distributors": len(ranked),
            "amount": whole,
            "top": [(code, amount) for code, amount in top],
            "share": share.quantize(Decimal("0.0001")),
        }
    return result
