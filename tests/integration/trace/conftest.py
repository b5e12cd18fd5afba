"""Events of a few codes walking the chain, for the traceability tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sanyi.registry.api import Viewer

MAKER, DISTRIBUTOR = "91330300SY00000011", "91330300SY00000066"
HOSPITAL, CLINIC = "330302001", "330302002"
T0 = datetime(2023, 1, 2, 1, 0, tzinfo=UTC)
REGION = Viewer("tester", "insurance_bureau", None, regional=True)


def code(n: int) -> str:
    return f"8123456{n:09d}0000"


def chain(n: int, at: str = HOSPITAL, *, start: int = 0) -> list[dict[str, Any]]:
    """Produced, to the distributor, to the institution ``at``, received there (five events)."""

    def when(days: int) -> str:
        return (T0 + timedelta(days=start + days)).isoformat()

    c = code(n)
    return [
        {
            "code": c,
            "event": "produced",
            "at": when(0),
            "party": MAKER,
            "party_name": "温州瓯江制药有限公司",
            "drug_code": "XJ01CAA040A001010101234",
            "generic_name": "阿莫西林胶囊",
            "spec": "0.25g×24粒/盒",
            "batch": "B2301",
            "production_date": date(2023, 1, 2).isoformat(),
            "expiry_date": "2025-01-01",
        },
        {
            "code": c,
            "event": "shipped",
            "at": when(1),
            "party": MAKER,
            "counterpart": DISTRIBUTOR,
            "counterpart_name": "温州医药配送有限公司",
        },
        {"code": c, "event": "received", "at": when(2), "party": DISTRIBUTOR},
        {
            "code": c,
            "event": "shipped",
            "at": when(3),
            "party": DISTRIBUTOR,
            "counterpart": at,
            "counterpart_name": "温州市第一人民医院" if at == HOSPITAL else "社区卫生服务中心",
        },
        {"code": c, "event": "received", "at": when(4), "party": at},
    ]


def dispensing(n: int, at: str, day: int, person: str, encounter: str | None = None) -> dict[str, Any]:
    return {
        "code": code(n),
        "event": "dispensed",
        "at": (T0 + timedelta(days=day)).isoformat(),
        "party": at,
        "person_id": person,
        "encounter_id": encounter,
    }
