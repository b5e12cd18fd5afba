"""claim.md records: parsing, the field path of a bad one."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.supervision.api import parse_claim


def records() -> tuple[dict[str, Any], dict[str, Any]]:
    good: dict[str, Any] = {
        "claim_id": "C1",
        "person": {"id": "P1", "sex": "2", "birth_date": "1960-05-01", "scheme": "employee"},
        "encounter": {
            "type": "inpatient",
            "institution": {"id": "H1", "tier": 3, "primary_care": False, "region": "330102"},
            "start": "2023-03-01T09:00:00+08:00",
            "end": "2023-03-08T10:00:00+08:00",
            "diagnoses": ["I10.x00"],
        },
        "lines": [
            {"no": 1, "code": "001102000050000", "quantity": "1", "unit_price": "20.00",
             "time": "2023-03-01T10:00:00+08:00", "price_ceiling": None, "days_supply": None},
            {"no": 2, "code": "001102000050000", "quantity": "1", "unit_price": "25.00",
             "time": "2023-03-02T10:00:00+08:00", "price_ceiling": "20.00", "days_supply": None},
        ],
    }  # fmt: skip
    bad = copy.deepcopy(good)
    bad["claim_id"] = "C2"
    del bad["lines"][0]["quantity"]
    return good, bad


def test_a_line_without_a_time_is_read_as_billed_at_the_start() -> None:
    record = records()[0]
    del record["lines"][0]["time"]
    assert parse_claim(record).lines[0].day == date(2023, 3, 1)


def test_a_record_is_read_in_shanghai_days() -> None:
    claim = parse_claim(records()[0])
    assert claim.start_day == date(2023, 3, 1) and claim.end_day == date(2023, 3, 8)
    assert claim.level == 3 and claim.sex == "2" and claim.insurance_type == "basic"
    assert claim.lines[1].price_ceiling == Decimal("20.00")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda r: r["lines"][0].pop("quantity"), "lines[0].quantity"),
        (lambda r: r["lines"][0].update(time="yesterday"), "lines[0].time"),
        (lambda r: r["lines"][1].update(quantity="x"), "lines[1].quantity"),
        (lambda r: r["encounter"].update(type="spa"), "encounter.type"),
        (lambda r: r["encounter"]["institution"].update(tier=7), "encounter.institution.tier"),
        (lambda r: r["person"].update(sex="3"), "person.sex"),
        (lambda r: r.pop("person"), "person"),
    ],
)
def test_a_bad_record_names_its_field(change: Any, path: str) -> None:
    record = records()[0]
    change(record)
    with pytest.raises(DomainError) as caught:
        parse_claim(record)
    assert caught.value.path == path
