"""The viewer a request acts as, for the scoped registry and care services.

Which roles see the region and which may reveal full citizen IDs is decided here, once, from the
principal's role; the services only read the resulting flags.
"""

from __future__ import annotations

from typing import Final

from fastapi import Request

from sanyi.identity.api import REGIONAL_ROLES, Role
from sanyi.registry.api import Viewer
from sanyi.web.context import client_ip
from sanyi.web.security import current_principal

# The bureau settles claims against citizen IDs and the administrator answers data requests;
# everyone else works with masked IDs.
REVEAL_ROLES: Final = frozenset({Role.ADMIN, Role.INSURANCE_BUREAU})


def viewer(request: Request) -> Viewer:
    who = current_principal(request)
    return Viewer(
        username=who.username,
        role=who.role.value,
        institution=who.institution_id,
        regional=who.role in REGIONAL_ROLES,
        may_reveal=who.role in REVEAL_ROLES,
        source_ip=client_ip(request),
    )
