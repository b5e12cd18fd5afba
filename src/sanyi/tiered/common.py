"""Helpers the tiered-care services share: scope checks, lookups and masked persons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from sanyi.kernel.errors import DomainError
from sanyi.kernel.masking import mask_citizen_id, mask_name
from sanyi.registry.api import Institution, Resident, Viewer, get_institution, get_resident
from sanyi.tiered.errors import TIERED_INVALID, TIERED_NOT_FOUND

KINDS_ZH = {
    "contract": "签约",
    "team": "家庭医生团队",
    "referral": "转诊单",
    "schedule": "排班",
    "booking": "预约",
    "result": "检查检验结果",
    "order": "检查申请",
    "institution": "机构",
    "person": "居民",
}


def not_found(kind: str, key: str, path: str | None = None) -> DomainError:
    return DomainError(TIERED_NOT_FOUND, path=path, kind=kind, kind_zh=KINDS_ZH[kind], key=key)


def invalid(field: str, value: Any, reason: str, reason_zh: str) -> DomainError:
    return DomainError(
        TIERED_INVALID, path=field, field=field, value=value, reason=reason, reason_zh=reason_zh
    )


def own_institution(viewer: Viewer) -> str:
    """The institution an acting user works for; regional users act for none."""
    if viewer.regional or viewer.institution is None:
        raise invalid(
            "institution",
            viewer.username,
            "this action is done by staff of an institution",
            "该操作须由机构工作人员办理",
        )
    return viewer.institution


def institution(connection: Connection, code: str, path: str = "institution") -> Institution:
    found = get_institution(connection, code)
    if found is None:
        raise not_found("institution", code, path)
    return found


def resident(connection: Connection, person_id: str, path: str = "person_id") -> Resident:
    found = get_resident(connection, person_id)
    if found is None:
        raise not_found("person", person_id, path)
    return found


def masked(person: Resident | None) -> dict[str, str | None]:
    if person is None:
        return {"name": None, "citizen_id": None}
    return {"name": mask_name(person.name), "citizen_id": mask_citizen_id(person.citizen_id)}
