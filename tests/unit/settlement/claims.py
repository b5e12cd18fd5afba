"""Claim records for tests, built as claim.md dictionaries (so they go through the parser too)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# (package, scheme, groups, a home region inside it, a year inside its effective dates)
PACKAGES = [
    ("hangzhou-2020", "employee", ["active", "retired"], "330102", 2023),
    ("hangzhou-2020", "resident", ["adult", "child", "student"], "330106", 2022),
    ("wenzhou-2018", "resident", ["adult", "child", "student"], "330302", 2019),
    ("harbin-2017", "resident", ["adult", "child", "student"], "230103", 2018),
    ("heilongjiang-example-2020", "employee", ["active", "retired"], "230102", 2020),
]


def line(
    no: int, unit_price: str, *, cls: str = "A", quantity: str = "1", selfpay: str = "0", **extra: Any
) -> dict[str, Any]:
    return {
        "no": no,
        "code": f"ITEM-{no}",
        "name": "项目",
        "category": "05",
        "class": cls,
        "selfpay_prop": selfpay,
        "quantity": quantity,
        "unit_price": unit_price,
        **extra,
    }


def claim(
    claim_id: str,
    lines: list[dict[str, Any]],
    *,
    person_id: str = "P1",
    scheme: str = "employee",
    group: str = "active",
    home_region: str = "330102",
    assistance: str | None = None,
    type_: str = "inpatient",
    tier: int = 3,
    primary_care: bool = False,
    kind: str = "general",
    named_provincial: bool = False,
    start: str = "2023-03-01T09:00:00+08:00",
    referral: dict[str, Any] | None = None,
    emergency: bool = False,
    offsite: str | None = None,
) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "person": {
            "id": person_id,
            "scheme": scheme,
            "group": group,
            "home_region": home_region,
            "assistance": assistance,
        },
        "encounter": {
            "type": type_,
            "institution": {
                "id": "H33010200001",
                "tier": tier,
                "primary_care": primary_care,
                "region": home_region,
                "kind": kind,
                "named_provincial": named_provincial,
            },
            "start": start,
            "referral": referral,
            "emergency": emergency,
            "offsite": offsite,
        },
        "lines": lines,
    }


def _money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


@st.composite
def fee_lines(draw: st.DrawFn, first_no: int = 1, max_size: int = 12) -> list[dict[str, Any]]:
    count = draw(st.integers(1, max_size))
    result = []
    for offset in range(count):
        cls = draw(st.sampled_from("AAABBC"))
        price_fen = draw(st.integers(1, 5_000_000))
        extra: dict[str, Any] = {}
        if cls != "C" and draw(st.booleans()):
            extra["price_ceiling"] = _money(draw(st.integers(0, price_fen * 2)))
        result.append(
            line(
                first_no + offset,
                _money(price_fen),
                cls=cls,
                quantity=str(draw(st.integers(1, 30))),
                selfpay=f"0.{draw(st.integers(0, 30)):02d}" if cls == "B" else "0",
                **extra,
            )
        )
    return result


@st.composite
def claims(
    draw: st.DrawFn, claim_id: str = "C1", person_id: str = "P1", package_index: int | None = None
) -> tuple[str, dict[str, Any]]:
    """(package name, a claim record) that the package covers."""
    index = draw(st.integers(0, len(PACKAGES) - 1)) if package_index is None else package_index
    package, scheme, groups, region, year = PACKAGES[index]
    type_ = (
        "inpatient"
        if package.startswith("heilongjiang")
        else draw(st.sampled_from(["inpatient", "outpatient", "pharmacy", "emergency"]))
    )
    tier = draw(st.integers(0, 3))
    record = claim(
        claim_id,
        draw(fee_lines()),
        person_id=person_id,
        scheme=scheme,
        group=draw(st.sampled_from(groups)),
        home_region=region,
        assistance=draw(st.sampled_from([None, None, "tekun", "dibao", "dibao_edge"])),
        type_=type_,
        tier=tier,
        primary_care=draw(st.booleans()),
        kind=draw(st.sampled_from(["general", "general", "psychiatric", "tcm"])),
        named_provincial=draw(st.booleans()),
        start=f"{year}-{draw(st.integers(1, 12)):02d}-10T09:00:00+08:00",
        referral=draw(
            st.sampled_from([None, {"id": "R1", "direction": "up", "from_tier": max(tier - 1, 0)}])
        ),
        emergency=draw(st.booleans()),
        offsite=draw(st.sampled_from([None, None, "long_term", "referred", "emergency", "temporary"])),
    )
    return package, record
