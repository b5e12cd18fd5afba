"""What other parts of Sanyi may use of the mark-up compensation calculator."""

from sanyi.compensation.model import Compensation, Step, calculate, months_in_force, top_up_months
from sanyi.compensation.services import CompensationService, drug_costs

__all__ = [
    "Compensation",
    "CompensationService",
    "Step",
    "calculate",
    "drug_costs",
    "months_in_force",
    "top_up_months",
]
