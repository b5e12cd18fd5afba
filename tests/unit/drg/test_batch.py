"""Grouping files: every format, other headers, broken rows, worker processes."""

import csv
from pathlib import Path

import pytest

from sanyi.drg import api
from sanyi.infrastructure.tabular import read_rows, write_rows
from sanyi.kernel.errors import DomainError

SCHEME = "zhejiang_2022"


def cases(limit: int | None = None) -> list[dict[str, str]]:
    rows = api.conformance_cases(SCHEME)[:limit]
    return [{name: row[name] for name in api.INPUT_COLUMNS} for row in rows]


def write_cases(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> None:
    names = header or list(api.INPUT_COLUMNS)
    write_rows(path, names, [list(row.values()) for row in rows])


def test_csv_in_csv_out_with_broken_rows(tmp_path: Path) -> None:
    rows = cases(200)
    rows[5] = rows[5] | {"sex": "", "age": "abc"}
    rows[6] = rows[6] | {"diagnoses": "NOT.A.CODE"}
    write_cases(tmp_path / "in.csv", rows)
    summary = api.group_file(tmp_path / "in.csv", tmp_path / "out.csv", SCHEME)
    assert summary.total == 200
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as handle:
        out = list(csv.DictReader(handle))
    assert list(out[0]) == [*api.INPUT_COLUMNS, *api.RESULT_COLUMNS]
    expected = api.conformance_cases(SCHEME)[:200]
    for number, (got, want) in enumerate(zip(out, expected, strict=True)):
        if number in (5, 6):
            continue
        assert (got["status"], got["mdc"], got["adrg"], got["drg"]) == (
            want["status"],
            want["mdc"],
            want["adrg"],
            want["drg"],
        )
        assert got["trail"]
    assert out[5]["status"] == "INVALID"
    assert out[6]["status"] == "UNKNOWN_DIAGNOSIS_CODE"
    bad = {problem.row: problem for problem in summary.problems}
    assert bad[7].detail == "sex, age"  # row 7 of the file: header, then rows 2…
    assert bad[8].detail == "NOT.A.CODE"
    assert sum(summary.counts().values()) == 200
    assert summary.top_reasons()[0][1] >= 1


def test_excel_with_chinese_headers_and_a_column_map(tmp_path: Path) -> None:
    header = [
        "病案号",
        "性别",
        "年龄",
        "年龄天",
        "新生儿体重",
        "科室",
        "住院天数",
        "离院方式",
        "诊断编码",
        "手术编码",
    ]
    write_cases(tmp_path / "清单.xlsx", cases(30), header)
    mapping = api.parse_column_map(
        "病案号=id,性别=sex,年龄=age,年龄天=age_days,新生儿体重=weight_g,科室=dept,"
        "住院天数=los_days,离院方式=discharge_type,诊断编码=diagnoses,手术编码=procedures"
    )
    summary = api.group_file(tmp_path / "清单.xlsx", tmp_path / "结果.xlsx", SCHEME, columns=mapping)
    names, rows = read_rows(tmp_path / "结果.xlsx")
    assert names == [*header, *api.RESULT_COLUMNS]
    got = [(row.values["status"], row.values["drg"]) for row in rows]
    want = [(row["status"], row["drg"]) for row in api.conformance_cases(SCHEME)[:30]]
    assert got == want
    assert summary.problems[0].id == "zhejiang_2022-101-0"


def test_parquet_with_workers_gives_the_same_results(tmp_path: Path) -> None:
    write_cases(tmp_path / "in.parquet", cases() * 3)
    one = api.group_file(tmp_path / "in.parquet", tmp_path / "one.parquet", SCHEME, workers=1)
    two = api.group_file(tmp_path / "in.parquet", tmp_path / "two.parquet", SCHEME, workers=2)
    assert one.counts() == two.counts()
    assert one.total == 9000
    _, first = read_rows(tmp_path / "one.parquet")
    _, second = read_rows(tmp_path / "two.parquet")
    assert [row.values for row in first] == [row.values for row in second]


def test_missing_columns_and_bad_maps_are_refused(tmp_path: Path) -> None:
    write_rows(tmp_path / "in.csv", ["id", "诊断"], [["1", "K35.800"]])
    with pytest.raises(DomainError) as caught:
        api.group_file(tmp_path / "in.csv", tmp_path / "out.csv", SCHEME)
    assert caught.value.code == "DRG_MISSING_COLUMNS"
    assert "sex, age, diagnoses" in caught.value.message_en
    assert not (tmp_path / "out.csv").exists()
    for text in ("性别", "性别=gender", "=sex"):
        with pytest.raises(DomainError) as bad:
            api.parse_column_map(text)
        assert bad.value.code == "DRG_INVALID_COLUMN_MAP"
