"""The public functions on the real schemes: records from JSON, broken batches, explanations."""

from typing import Any

import pytest

from sanyi.drg import api
from sanyi.kernel.errors import DomainError

CASE = {
    "id": "c1",
    "sex": "1",
    "age": "49",
    "age_days": "18219",
    "weight_g": "0",
    "dept": "ICU",
    "los_days": "41",
    "discharge_type": "4",
    "diagnoses": "T50.900x005",
    "procedures": "86.7400x040",
}


def test_schemes_list_their_counts() -> None:
    found = {info.name: (info.drg_count, info.adrg_count, info.ambiguous_count) for info in api.schemes()}
    assert found == {
        "zhejiang_2022": (1006, 376, 0),
        "chs_drg_11": (628, 376, 0),
        "haerbin_2022": (668, 379, 20),
    }


def test_a_json_record_with_lists_and_numbers() -> None:
    record = CASE | {
        "age": 49,
        "age_days": 18219,
        "diagnoses": ["T50.900x005"],
        "procedures": ["86.7400x040"],
    }
    result = api.group(record, "zhejiang_2022")
    assert result.key() == ("SUCCESS", "MDCV", "VB1", "VB15")
    assert result.drg_name == "损伤的皮肤移植，不伴并发症与合并症"
    assert result.row_id == "c1"
    lines = api.render_all(result.trail)
    assert lines[0].startswith("进入 MDCV（主要诊断 T50.900x005 属于列表")
    assert api.render_all(result.trail, "en")[0].startswith("entered MDCV (principal diagnosis T50.900x005")


def test_a_broken_batch_groups_every_good_row() -> None:
    rows: list[Any] = [
        CASE,
        CASE | {"diagnoses": "NOPE"},
        {"id": "empty"},
        CASE | {"age": None},
        {"id": 7, "sex": 1, "age": 49, "diagnoses": ["T50.900x005"], "procedures": ["86.7400x040"]},
        CASE | {"procedures": "86.7400x040|00.0000"},
        ["not", "a", "mapping"],
    ]
    results = list(api.group_rows(rows, "zhejiang_2022"))
    assert [r.status for r in results] == [
        "SUCCESS",
        "UNKNOWN_DIAGNOSIS_CODE",
        "INVALID",
        "INVALID",
        "SUCCESS",
        "UNKNOWN_PROCEDURE_CODE",
        "INVALID",
    ]
    assert api.render(results[2].trail[0]) == "字段缺失或格式有误：sex, age, diagnoses"
    assert results[4].row_id == "7"


def test_what_if_a_different_principal_diagnosis() -> None:
    before = api.group(CASE, "zhejiang_2022")
    after = api.group(CASE | {"diagnoses": "S06.000x001", "procedures": ""}, "zhejiang_2022")
    assert before.drg != after.drg


def test_explain_a_group_in_chinese() -> None:
    explanation = api.explain("VB15", "zhejiang_2022")
    text = "\n".join(explanation.lines())
    assert explanation.adrg == "VB1"
    assert "进入 MDCV：主要诊断属于列表" in text
    assert "先于它检查的病组条件" in text
    assert explanation.earlier and explanation.earlier[0][0] == "VB11"
    assert "伴严重并发症或合并症" in text


def test_explain_an_ambiguous_group_and_an_unknown_one() -> None:
    assert "歧义组规则" in api.explain("BQY", "haerbin_2022").condition
    with pytest.raises(DomainError) as caught:
        api.explain("ZZ99", "zhejiang_2022")
    assert caught.value.code == "DRG_UNKNOWN_GROUP"
    with pytest.raises(DomainError) as unknown:
        api.group(CASE, "nowhere_2030")
    assert unknown.value.code == "KNOWLEDGE_UNKNOWN"
