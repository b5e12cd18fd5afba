"""Each rule of the format on a small scheme written for the purpose: nothing here is zhejiang-,
CHS- or Harbin-specific, which is the point — a scheme is data."""

from typing import Any

import pytest

from sanyi.drg.scheme import CompiledScheme, compile_scheme
from sanyi.drg.trail import as_text
from sanyi.knowledge.drg import DrgSchemeTables

RULES: dict[str, Any] = {
    "scheme": "mini",
    "mdc_order": ["A", "Z", "B", "P"],
    "retry_each_other_procedure_alone": True,
    "lists": {
        "aa1": ["01.0001"],
        "trauma": ["S01.000", "S21.000"],
        "head": ["S01.000"],
        "chest": ["S21.000"],
        "b": ["K35.800", "S01.000"],
        "bb1": ["47.0900"],
        "bc": ["02.0001", "02.0002"],
        "bc_codes": ["02.0001", "02.0002", "02.0001"],
        "bc_labels": ["1", "2", "2"],
        "p": ["P07.100"],
    },
    "mdcs": {
        "A": {
            "entry": {"and": [{"has_procedures": True}, {"main_proc_in": "@valid_procedures"}]},
            "steps": [{"adrg": "AA1"}],
        },
        "Z": {
            "entry": {"any_dx_in": "trauma"},
            "trauma_sites": {"头": "head", "胸": "chest"},
            "min_trauma_sites": 2,
            "steps": [{"adrg": "ZZ1"}],
        },
        "B": {
            "entry": {"main_dx_in": "b"},
            "steps": [
                {"adrg": "BB1"},
                {"adrg": "BC1"},
                {"ambiguous_if": {"has_procedures": True}, "result": "BQY"},
                {"adrg": "BZ1"},
            ],
        },
        "P": {
            "entry": {"and": [{"age_years_eq": 0}, {"age_days_le": 28}]},
            "steps": [{"adrg": "PA1"}],
        },
    },
    "adrgs": {
        "AA1": {
            "entry": {"main_proc_in": "aa1"},
            "drgs": [
                {"drg": "AA11", "condition": {"has_mcc": True}},
                {"drg": "AA13", "condition": {"has_cc": True}},
            ],
            "fallback": "",
        },
        "ZZ1": {
            "entry": {"true": True},
            "drgs": [{"drg": "ZZ19", "condition": {"true": True}}],
            "fallback": "",
        },
        "BB1": {
            "entry": {"and": [{"has_procedures": True}, {"main_proc_in": "bb1"}]},
            "drgs": [{"drg": "BB11", "condition": {"age_years_lt": 18}}],
            "fallback": "BB1",
        },
        "BC1": {
            "entry": {"any_proc_in": "bc"},
            "proc_classes": {"codes": "bc_codes", "labels": "bc_labels"},
            "drgs": [
                {"drg": "BC11", "condition": {"proc_class_matched": "2"}},
                {"drg": "BC13", "condition": {"proc_class_matched": "1"}},
            ],
            "fallback": "",
        },
        "BZ1": {
            "entry": {"true": True},
            "drgs": [
                {"drg": "BZ11", "condition": {"sex_eq": "1"}},
                {"drg": "BZ13", "condition": {"sex_eq": 2}},
            ],
            "fallback": "",
        },
        "PA1": {
            "entry": {"true": True},
            "drgs": [
                {"drg": "PA11", "condition": {"weight_g_lt": 1500}},
                {"drg": "PA13", "condition": {"weight_g_ge": 1500}},
            ],
            "fallback": "",
        },
    },
}
DIAGNOSES = ["K35.800", "S01.000", "S21.000", "P07.100", "I50.000", "J18.900", "E11.900", "K43.700"]
PROCEDURES = ["01.0001", "47.0900", "02.0001", "02.0002", "99.0000"]


@pytest.fixture(scope="module")
def mini() -> CompiledScheme:
    tables = DrgSchemeTables(
        name="mini",
        rules=RULES,
        mcc={"I50.000": "7"},
        cc={"J18.900": "8", "E11.900": "9"},
        cc_exclusion={"K35.800": "7", "S01.000": "9"},
        valid_procedures=frozenset({"01.0001", "47.0900", "02.0001"}),
        drg_names={"AA11": "甲组伴严重并发症", "BQY": "歧义组"},
    )
    dx_map = {code: code for code in DIAGNOSES} | {"K43.100": "K43.700"}
    return compile_scheme(tables, dx_map, {code: code for code in PROCEDURES})


def row(dx: str, procs: str = "", **fields: str) -> dict[str, str]:
    return {
        "id": "t",
        "sex": "1",
        "age": "40",
        "age_days": "",
        "weight_g": "",
        "dept": "",
        "diagnoses": dx,
        "procedures": procs,
    } | fields


def key(mini: CompiledScheme, record: dict[str, str]) -> tuple[str, str, str, str]:
    return mini.group_row(record).key()


def test_mcc_counts_unless_the_principal_excludes_it(mini: CompiledScheme) -> None:
    # K35.800 has exclusion table 7, the same as the MCC I50.000: excluded, so the CC decides.
    result = mini.group_row(row("K35.800|I50.000|J18.900", "01.0001"))
    assert result.key() == ("SUCCESS", "MDCA", "AA1", "AA13")
    text = as_text(result.trail)
    assert "MCC I50.000（排除表 7，主要诊断排除表 7）：被主要诊断排除，不计" in text
    assert "CC J18.900（排除表 8，主要诊断排除表 7）：有效" in text
    assert key(mini, row("S21.000|I50.000", "01.0001")) == ("SUCCESS", "MDCA", "AA1", "AA11")
    # Neither MCC nor CC: no DRG of AA1 holds and there is no fallback, so the search goes on.
    assert key(mini, row("S21.000", "01.0001")) == ("FAIL", "0000", "00", "0000")


def test_multiple_trauma_needs_enough_sites(mini: CompiledScheme) -> None:
    assert key(mini, row("S21.000|S01.000")) == ("SUCCESS", "MDCZ", "ZZ1", "ZZ19")
    # One site only: MDC Z is skipped and S01.000 falls to MDC B.
    assert key(mini, row("S01.000")) == ("SUCCESS", "MDCB", "BZ1", "BZ11")
    assert "多发创伤部位：头、胸（至少 2 个）" in as_text(mini.group_row(row("S21.000|S01.000")).trail)


def test_fallback_ambiguous_and_order_of_steps(mini: CompiledScheme) -> None:
    assert key(mini, row("K35.800", "47.0900", age="10")) == ("SUCCESS", "MDCB", "BB1", "BB11")
    assert key(mini, row("K35.800", "47.0900")) == ("SUCCESS", "MDCB", "BB1", "BB1")  # fallback
    ambiguous = mini.group_row(row("K35.800", "99.0000"))
    assert ambiguous.key() == ("QY", "MDCB", "QY", "BQY")
    assert ambiguous.drg_name == "歧义组"


def test_proc_class_takes_the_label_of_the_first_position(mini: CompiledScheme) -> None:
    assert key(mini, row("K35.800", "02.0002")) == ("SUCCESS", "MDCB", "BC1", "BC11")
    # 02.0001 is listed with label 1 first, then 2: it is class 1.
    assert key(mini, row("K35.800", "02.0001")) == ("SUCCESS", "MDCB", "BC1", "BC13")


def test_a_number_never_equals_a_text_field(mini: CompiledScheme) -> None:
    assert key(mini, row("K35.800", sex="1")) == ("SUCCESS", "MDCB", "BZ1", "BZ11")
    assert key(mini, row("K35.800", sex="2")) == ("FAIL", "0000", "00", "0000")


def test_newborn_weight(mini: CompiledScheme) -> None:
    newborn = {"age": "0", "age_days": "3"}
    assert key(mini, row("P07.100", weight_g="1200", **newborn)) == ("SUCCESS", "MDCP", "PA1", "PA11")
    assert key(mini, row("P07.100", weight_g="2500", **newborn)) == ("SUCCESS", "MDCP", "PA1", "PA13")
    # Zero weight is "not present": no condition on weight holds.
    assert key(mini, row("P07.100", weight_g="0", **newborn)) == ("FAIL", "0000", "00", "0000")
    assert key(mini, row("P07.100", weight_g="2500", age="0", age_days="40")) == (
        "FAIL",
        "0000",
        "00",
        "0000",
    )


def test_retry_with_each_other_procedure(mini: CompiledScheme) -> None:
    result = mini.group_row(row("S21.000|I50.000", "99.0000|02.0002|01.0001"))
    assert result.key() == ("SUCCESS", "MDCA", "AA1", "AA11")
    kinds = [step.kind for step in result.trail]
    assert kinds.count("retry") == 2
    assert result.trail[-1].args == ("SUCCESS", "AA11", "甲组伴严重并发症")


def test_translation_is_in_the_trail(mini: CompiledScheme) -> None:
    result = mini.group_row(row("S21.000|K43.100|I50.000", "01.0001"))
    assert result.key() == ("SUCCESS", "MDCA", "AA1", "AA11")
    assert result.trail[0].kind == "translated"
    assert result.trail[0].args == ("K43.100", "K43.700")


@pytest.mark.parametrize(
    ("fields", "status", "named"),
    [
        ({"diagnoses": "K35.800|X99.999"}, "UNKNOWN_DIAGNOSIS_CODE", "X99.999"),
        ({"diagnoses": "X99.999", "sex": ""}, "UNKNOWN_DIAGNOSIS_CODE", "X99.999"),  # codes first
        ({"procedures": "47.0900|88.8888"}, "UNKNOWN_PROCEDURE_CODE", "88.8888"),
        ({"sex": "3"}, "INVALID", "sex"),
        ({"sex": ""}, "INVALID", "sex"),
        ({"age": ""}, "INVALID", "age"),
        ({"age": "四十"}, "INVALID", "age"),
        ({"age": "-1"}, "INVALID", "age"),
        ({"diagnoses": ""}, "INVALID", "diagnoses"),
        ({"age": "0"}, "INVALID", "age_days"),
        ({"age": "0", "age_days": "10"}, "INVALID", "weight_g"),
        ({"age_days": "x"}, "INVALID", "age_days"),
        ({"sex": "9", "age": ""}, "INVALID", "sex, age"),
    ],
)
def test_bad_records_name_what_is_wrong(
    mini: CompiledScheme, fields: dict[str, str], status: str, named: str
) -> None:
    result = mini.group_row(row("K35.800") | fields)
    assert result.key() == (status, "0000", "00", "0000")
    assert result.trail[0].args == (named,)


def test_spreadsheet_numbers_and_blanks_in_lists(mini: CompiledScheme) -> None:
    assert key(mini, row("K35.800| ", "47.0900|", age="10.0")) == ("SUCCESS", "MDCB", "BB1", "BB11")
