"""Masking of personal data for pages, logs and exports.

Masks keep just enough to recognise a record (region and birth year of an ID, a surname) without
disclosing the person.
"""

from __future__ import annotations


def mask_citizen_id(value: str) -> str:
    """330102********123X → keep the division (6) and the last 4 characters."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 → 张**; a one-character name is shown as *."""
    if len(value) <= 1:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 1)


def mask_phone(value: str) -> str:
    """13812345678 → 138****5678."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
