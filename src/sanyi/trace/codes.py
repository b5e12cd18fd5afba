"""The traceability code format: 20 digits (7 product, 9 serial, 4 check digits whose algorithm is not
public), so only length and digits are verified; the parameters live in knowledge/trace/trace.yaml."""

from __future__ import annotations

from sanyi.infrastructure.sheets import Format
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.trace import trace_config
from sanyi.trace.errors import TRACE_BAD_CODE


def check_code(value: str) -> str:
    """The code, stripped of spaces a scanner or a person may add, or TRACE_BAD_CODE."""
    fmt = trace_config().code
    code = value.replace(" ", "").strip()
    if not fmt.pattern.fullmatch(code):
        raise DomainError(TRACE_BAD_CODE, value=value, length=fmt.length)
    return code


def product_prefix(code: str) -> str:
    """The product resource part of a code (产品资源码)."""
    return code[: trace_config().code.product_prefix_length]


CODE_FORMAT = Format(
    check_code,
    lambda value: "" if value is None else str(value),
    "20 位数字（药品追溯码）",
    "20 digits (drug traceability code)",
)
