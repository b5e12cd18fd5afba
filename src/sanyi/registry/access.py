"""Who is looking: the viewer every scoped service takes, and the errors of scoped access.

A viewer is built by the web layer from the authenticated principal. Regional authorities see the
whole region; institution roles see their own institution's records and the persons it treated.
Out-of-scope records answer "not found", so a scoped user cannot even learn that they exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sanyi.infrastructure.audit import Actor
from sanyi.kernel.errors import ErrorKind, ErrorSpec

RECORD_NOT_FOUND = ErrorSpec(
    "RECORD_NOT_FOUND",
    ErrorKind.NOT_FOUND,
    "未找到{kind_zh} {id}，或不在您的查看范围内",
    "{kind} {id} not found, or outside what you may see",
)
REVEAL_FORBIDDEN = ErrorSpec(
    "REVEAL_FORBIDDEN",
    ErrorKind.FORBIDDEN,
    "您的角色无权查看完整身份证号和姓名",
    "your role may not see full citizen IDs and names",
)

# Matches nothing: an institution role without an institution sees no records at all.
NO_INSTITUTION: Final = "-"


@dataclass(frozen=True, slots=True)
class Viewer:
    username: str
    role: str
    institution: str | None
    regional: bool  # sees the whole region
    may_reveal: bool = False  # may see full citizen IDs and names (each reveal is audited)
    source_ip: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role, self.source_ip)

    @property
    def scope(self) -> str | None:
        """The one institution this viewer is limited to, or None for the whole region."""
        if self.regional:
            return None
        return self.institution or NO_INSTITUTION

    def sees_institution(self, code: str) -> bool:
        return self.regional or (self.institution is not None and self.institution == code)
