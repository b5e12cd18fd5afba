"""Streaming writes and row counts of tabular files."""

from pathlib import Path

import pytest

from sanyi.infrastructure.tabular import TableWriter, count_rows, read_rows


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_written_in_batches_read_back_whole(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"t{suffix}"
    with TableWriter(path, ["编号", "名称"]) as writer:
        writer.write([["1", "甲"], ["2", None]])
        writer.write([])
        writer.write([["3", "丙"]])
    assert writer.count == 3
    assert count_rows(path) == 3
    header, rows = read_rows(path)
    assert header == ["编号", "名称"]
    assert [(row.number, row.values) for row in rows] == [
        (2, {"编号": "1", "名称": "甲"}),
        (3, {"编号": "2", "名称": ""}),
        (4, {"编号": "3", "名称": "丙"}),
    ]


def test_an_empty_parquet_still_has_its_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.parquet"
    TableWriter(path, ["a", "b"]).close()
    header, rows = read_rows(path)
    assert header == ["a", "b"]
    assert list(rows) == []
    assert count_rows(path) == 0
