"""Users, roles and the principal a request acts as."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final


class Role(enum.Enum):
    """What a user may see and do. Institution roles are scoped to their own institution."""

    ADMIN = "admin"
    INSURANCE_BUREAU = "insurance_bureau"
    HEALTH_COMMISSION = "health_commission"
    REFORM_OFFICE = "reform_office"
    INSTITUTION_STAFF = "institution_staff"
    FAMILY_DOCTOR = "family_doctor"

    @property
    def label_zh(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    @property
    def institution_scoped(self) -> bool:
        return self in (Role.INSTITUTION_STAFF, Role.FAMILY_DOCTOR)


_LABELS: Final = {
    Role.ADMIN: ("系统管理员", "Administrator"),
    Role.INSURANCE_BUREAU: ("医保局", "Insurance bureau"),
    Role.HEALTH_COMMISSION: ("卫健委", "Health commission"),
    Role.REFORM_OFFICE: ("医改办", "Reform office"),
    Role.INSTITUTION_STAFF: ("医疗机构人员", "Institution staff"),
    Role.FAMILY_DOCTOR: ("家庭医生", "Family doctor"),
}

# Regional authorities see the whole region; institution roles see their institution.
REGIONAL_ROLES: Final = frozenset(
    {Role.ADMIN, Role.INSURANCE_BUREAU, Role.HEALTH_COMMISSION, Role.REFORM_OFFICE}
)

USERNAME_RE: Final = re.compile(r"[a-z][a-z0-9_.-]{2,31}")
MIN_PASSWORD_LENGTH: Final = 10


@dataclass(frozen=True, slots=True)
class User:
    username: str
    display_name: str
    role: Role
    institution_id: str | None
    active: bool
    created_at: datetime
    last_login_at: datetime | None = None


class TokenKind(enum.Enum):
    SESSION = "session"  # browser pages, cookie
    API = "api"  # scripts and integrations, bearer


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user a request acts for."""

    username: str
    display_name: str
    role: Role
    institution_id: str | None
    token_hash: str
    token_kind: TokenKind

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def can_see_institution(self, institution_id: str) -> bool:
        """Regional roles see every institution; institution roles only their own."""
        if self.role in REGIONAL_ROLES:
            return True
        return self.institution_id is not None and self.institution_id == institution_id
