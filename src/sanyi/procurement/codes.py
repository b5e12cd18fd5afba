"""National codes of the procurement catalogue and of enterprises, validated once here.

医保药品编码: 23 characters ``X…`` for Western drugs and 20 ``Z…`` for Chinese patent drugs; 医用耗材编码:
20 characters ``C…``; enterprises carry the 18-character 统一社会信用代码 (GB 32100-2015) with its check
character.
"""

from __future__ import annotations

import re
from typing import Final

from sanyi.kernel.errors import DomainError
from sanyi.procurement.errors import PROCUREMENT_INVALID_CODE

_DRUG: Final = re.compile(r"X[A-Z0-9]{22}|Z[A-Z0-9]{19}")
_CONSUMABLE: Final = re.compile(r"C[0-9]{19}")
_CREDIT_CHARS: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT: Final = re.compile(f"[{_CREDIT_CHARS}]{{18}}")


def _invalid(
    kind: str, kind_zh: str, value: str, reason: str, reason_zh: str, path: str | None
) -> DomainError:
    return DomainError(
        PROCUREMENT_INVALID_CODE,
        path=path,
        kind=kind,
        kind_zh=kind_zh,
        value=value,
        reason=reason,
        reason_zh=reason_zh,
    )


def validate_drug_code(value: str, *, path: str | None = None) -> str:
    if not _DRUG.fullmatch(value):
        raise _invalid(
            "drug",
            "药品",
            value,
            "expected X + 22 or Z + 19 letters/digits",
            "应为 X 加 22 位或 Z 加 19 位字母数字",
            path,
        )
    return value


def validate_consumable_code(value: str, *, path: str | None = None) -> str:
    if not _CONSUMABLE.fullmatch(value):
        raise _invalid("consumable", "耗材", value, "expected C + 19 digits", "应为 C 加 19 位数字", path)
    return value


def validate_product_code(value: str, *, path: str | None = None) -> str:
    return (
        validate_consumable_code(value, path=path)
        if value.startswith("C")
        else validate_drug_code(value, path=path)
    )


def credit_check_char(first17: str) -> str:
    """The check character of a 统一社会信用代码 (GB 32100-2015, modulus 31)."""
    weighted = sum(
        _CREDIT_CHARS.index(char) * weight for char, weight in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return _CREDIT_CHARS[(31 - weighted % 31) % 31]


def validate_credit_code(value: str, *, path: str | None = None) -> str:
    if not _CREDIT.fullmatch(value):
        raise _invalid(
            "enterprise",
            "统一社会信用",
            value,
            "expected 18 characters of GB 32100",
            "应为 18 位（GB 32100）",
            path,
        )
    if credit_check_char(value[:17]) != value[17]:
        raise _invalid(
            "enterprise", "统一社会信用", value, "check character does not match", "校验码不符", path
        )
    return value
