"""The ``drg_payment`` section of a region's policy package."""

from sanyi.drgpay.errors import DRGPAY_NO_POLICY
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import DrgPaymentRules, load_package


def payment_rules(package: str) -> DrgPaymentRules:
    rules = load_package(package).drg_payment
    if rules is None:
        raise DomainError(DRGPAY_NO_POLICY, package=package)
    return rules
