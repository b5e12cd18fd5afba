"""Sheet definitions: formats parse and render symmetrically, problems name row, column and code."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from sanyi.care.api import import_specs
from sanyi.infrastructure.sheets import (
    DATE,
    DATETIME,
    FLAG,
    INTEGER,
    Column,
    SheetSpec,
    choice,
    code_list,
    decimal,
    text,
)
from sanyi.infrastructure.tabular import SheetRow
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Tier

SPEC = SheetSpec(
    "things",
    "东西",
    "things",
    (
        Column(
            "code", "编码", "编码", "code", text(5, r"[A-Z]\d{4}", "字母加四位数字", "a letter and 4 digits")
        ),
        Column("tier", "等级", "等级", "tier", choice({tier: tier.label_zh for tier in Tier})),
        Column("price", "单价", "单价", "price", decimal(4), False),
        Column("on", "日期", "日期", "date", DATE, False),
        Column("flag", "标志", "标志", "flag", FLAG, False, default=False),
        Column("codes", "编码组", "编码组", "codes", code_list(text(3)), False, default=()),
    ),
)


def test_a_good_row_parses_into_typed_values() -> None:
    values, issues = SPEC.parse_row(
        SheetRow(
            2, {"编码": "A1234", "等级": "三级", "单价": "1,234.5", "日期": "2023/3/01", "编码组": "a|b|"}
        )
    )
    assert issues == []
    assert values == {
        "code": "A1234",
        "tier": Tier.THIRD,
        "price": Decimal("1234.5"),
        "on": date(2023, 3, 1),
        "flag": False,
        "codes": ("a", "b"),
    }


def test_every_bad_cell_of_a_row_is_reported() -> None:
    _, issues = SPEC.parse_row(
        SheetRow(
            7,
            {
                "编码": "",
                "等级": "四级",
                "单价": "-1",
                "日期": "2023-13-01",
                "标志": "也许",
                "编码组": "abcd",
            },
        )
    )
    assert [(i.row, i.field, i.code) for i in issues] == [
        (7, "编码", "IMPORT_REQUIRED"),
        (7, "等级", "IMPORT_BAD_CHOICE"),
        (7, "单价", "IMPORT_NEGATIVE"),
        (7, "日期", "IMPORT_BAD_DATE"),
        (7, "标志", "IMPORT_BAD_CHOICE"),
        (7, "编码组", "IMPORT_TOO_LONG"),
    ]
    assert issues[1].message_zh == "“四级”不是允许的取值（可选：未定级、一级、二级、三级）"
    assert issues[2].extra == {"value": "-1"}


def test_a_file_without_required_columns_is_refused_up_front() -> None:
    with pytest.raises(DomainError) as caught:
        SPEC.check_header(["编码", "单价"])
    assert caught.value.code == "IMPORT_MISSING_COLUMNS" and "等级" in caught.value.message_zh


@pytest.mark.parametrize(
    ("fmt", "text_in", "value"),
    [
        (DATE, "2023-03-01", date(2023, 3, 1)),
        (DATETIME, "2023-03-01 08:00:00", datetime(2023, 3, 1, 0, 0, tzinfo=UTC)),
        (DATETIME, "2023-03-01", datetime(2023, 2, 28, 16, 0, tzinfo=UTC)),
        (INTEGER, "14", 14),
        (FLAG, "是", True),
        (decimal(4), "25.8050", Decimal("25.805")),
    ],
)
def test_formats_parse_and_render_back(fmt: object, text_in: str, value: object) -> None:
    parsed = fmt.parse(text_in)  # type: ignore[attr-defined]
    assert parsed == value
    assert fmt.parse(fmt.render(parsed)) == value  # type: ignore[attr-defined]


def test_too_many_decimals_and_non_numbers_are_refused() -> None:
    for bad in ("1.23456", "abc", "NaN"):
        with pytest.raises(DomainError) as caught:
            decimal(4).parse(bad)
        assert caught.value.code == "IMPORT_BAD_NUMBER"


def test_every_template_example_row_is_well_formed() -> None:
    """The example rows users copy must pass the template's own cell checks."""
    for spec in import_specs().values():
        _, issues = spec.parse_row(SheetRow(2, {c.header: c.example for c in spec.columns}))
        assert issues == [], (spec.kind, issues)
        assert len(spec.headers) == len(set(spec.headers)), spec.kind
