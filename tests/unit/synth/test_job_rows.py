"""The batch jobs' rows from Arrow: the values ``to_pylist`` gives, read as attributes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pyarrow as pa

from sanyi.synth.jobs import _rows


def test_rows_carry_the_values_to_pylist_gives_zone_aware_times_and_nulls_included() -> None:
    moments = [
        datetime(2023, 4, 16, 7, 59, 15, 123456, tzinfo=UTC),
        None,
        datetime(1969, 12, 31, 23, 0, tzinfo=UTC),
    ]
    table = pa.table(
        {
            "id": ["a", "b", None],
            "no": pa.array([1, None, 3], pa.int16()),
            "at": pa.chunked_array(
                [
                    pa.array(moments[:2], pa.timestamp("us", tz="UTC")),
                    pa.array(moments[2:], pa.timestamp("us", tz="UTC")),
                ]
            ),
            "local": pa.array([datetime(2023, 1, 1), None, None], pa.timestamp("us")),  # noqa: DTZ001
            "shanghai": pa.array(moments, pa.timestamp("us", tz="Asia/Shanghai")),
            "price": pa.array([Decimal("1.25"), None, Decimal("0")], pa.decimal128(10, 2)),
            "flag": [True, False, None],
        }
    )
    rows = _rows(table)
    assert [row._asdict() for row in rows] == table.to_pylist()
    assert [row.at for row in rows] == moments
    assert rows[0].at.tzinfo == table.to_pylist()[0]["at"].tzinfo and rows[0].at.utcoffset() is not None


def test_no_rows_from_an_empty_table() -> None:
    assert _rows(pa.table({"id": pa.array([], pa.string())})) == []
