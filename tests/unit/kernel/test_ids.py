from datetime import UTC, date, datetime, timedelta

import pytest

from sanyi.kernel.clock import FixedClock, ensure_aware, local_date
from sanyi.kernel.errors import DomainError
from sanyi.kernel.ids import (
    birth_date,
    citizen_id_check_char,
    new_id,
    sex_of,
    validate_citizen_id,
    validate_institution_code,
    validate_practitioner_code,
)
from sanyi.kernel.masking import mask_citizen_id, mask_name, mask_phone

# The worked example of GB 11643-1999: 11010519491231002X.
EXAMPLE_ID = "11010519491231002X"


def test_check_character_of_the_standard_example() -> None:
    assert citizen_id_check_char("11010519491231002") == "X"
    assert validate_citizen_id(EXAMPLE_ID.lower()) == EXAMPLE_ID
    assert birth_date(EXAMPLE_ID) == date(1949, 12, 31)
    assert sex_of(EXAMPLE_ID) == "2"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("110105194912310021", "check digit"),
        ("11010519491331002X", "birth date"),
        ("1101051949123100", "17 digits"),
        ("11010519491231002Y", "17 digits"),
    ],
)
def test_invalid_citizen_ids_name_the_problem(value: str, reason: str) -> None:
    with pytest.raises(DomainError) as caught:
        validate_citizen_id(value, path="residents[3].citizen_id")
    assert caught.value.code == "INVALID_ID"
    assert reason in caught.value.message_en
    assert caught.value.path == "residents[3].citizen_id"


def test_national_codes() -> None:
    assert validate_institution_code("H33030200001") == "H33030200001"
    assert validate_practitioner_code("D330302000001") == "D330302000001"
    for bad in ("H3303020000", "X33030200001"):
        with pytest.raises(DomainError):
            validate_institution_code(bad)
    with pytest.raises(DomainError):
        validate_practitioner_code("D33030200001")


def test_generated_ids_are_unique_and_time_ordered() -> None:
    clock = FixedClock(datetime(2024, 1, 1, tzinfo=UTC))
    first = new_id(clock)
    clock.advance(timedelta(milliseconds=1))
    second = new_id(clock)
    assert len(first) == 26 and first < second
    assert len({new_id() for _ in range(2000)}) == 2000


def test_masking_keeps_little() -> None:
    assert mask_citizen_id(EXAMPLE_ID) == "110105********002X"
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "*"
    assert mask_phone("13812345678") == "138****5678"


def test_clock_refuses_naive_times_and_dates_are_shanghai() -> None:
    with pytest.raises(ValueError, match="naive"):
        ensure_aware(datetime(2024, 1, 1))  # noqa: DTZ001 - the point of the test
    # 2023-12-31 17:00 UTC is already 2024-01-01 in Shanghai.
    assert local_date(datetime(2023, 12, 31, 17, 0, tzinfo=UTC)) == date(2024, 1, 1)
