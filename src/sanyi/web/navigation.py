"""The parts of the platform as they appear in the navigation, with who may open them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sanyi.identity.api import Role

ALL_ROLES: Final = frozenset(Role)


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # message keys: nav.<key>, section.<key>.summary
    path: str
    roles: frozenset[Role] = ALL_ROLES


SECTIONS: Final = (
    Section("registry", "/registry"),
    Section("care", "/care"),
    Section("tiered_care", "/tiered-care"),
    Section(
        "settlement", "/settlement", frozenset({Role.ADMIN, Role.INSURANCE_BUREAU, Role.INSTITUTION_STAFF})
    ),
    Section("drg", "/drg"),
    Section("supervision", "/supervision"),
    Section(
        "procurement",
        "/procurement",
        frozenset(
            {
                Role.ADMIN,
                Role.INSURANCE_BUREAU,
                Role.HEALTH_COMMISSION,
                Role.REFORM_OFFICE,
                Role.INSTITUTION_STAFF,
            }
        ),
    ),
    Section(
        "pricing",
        "/pricing",
        frozenset(
            {
                Role.ADMIN,
                Role.INSURANCE_BUREAU,
                Role.HEALTH_COMMISSION,
                Role.REFORM_OFFICE,
                Role.INSTITUTION_STAFF,
            }
        ),
    ),
    Section("indicators", "/indicators"),
    Section(
        "ledger",
        "/ledger",
        frozenset({Role.ADMIN, Role.REFORM_OFFICE, Role.HEALTH_COMMISSION, Role.INSURANCE_BUREAU}),
    ),
    Section("admin", "/admin/users", frozenset({Role.ADMIN})),
)


def sections_for(role: Role) -> list[Section]:
    return [section for section in SECTIONS if role in section.roles]


def section(key: str) -> Section:
    for candidate in SECTIONS:
        if candidate.key == key:
            return candidate
    raise KeyError(key)
