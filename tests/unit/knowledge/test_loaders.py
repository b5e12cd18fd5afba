"""Every shipped table loads; a corrupted copy is refused with its file, line and reason."""

import json
import shutil
from pathlib import Path

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT, codes, drg, supervision
from sanyi.knowledge.catalog import check_all
from sanyi.knowledge.tables import read_table


def test_codes_load_with_their_counts() -> None:
    assert len(codes.diagnoses()) == 33304
    assert len(codes.procedures()) == 13686
    assert codes.diagnosis_map()["A00.000"] == "A00.000"
    assert codes.diagnoses().name("A00.000") == "霍乱，由于O1群霍乱弧菌，霍乱生物型所致"
    assert codes.diagnoses() is codes.diagnoses()  # cached


@pytest.mark.parametrize(("scheme", "drgs"), [("zhejiang_2022", 1006), ("chs_drg_11", 628)])
def test_drg_schemes_load(scheme: str, drgs: int) -> None:
    tables = drg.load_scheme(scheme)
    assert tables.drg_count == drgs
    assert len(drg.conformance_cases(scheme)) == 3000
    assert "@valid_procedures" not in tables.rules["lists"]


def test_unknown_scheme_names_the_available_ones() -> None:
    with pytest.raises(DomainError) as caught:
        drg.load_scheme("shanghai_2030")
    assert caught.value.code == "KNOWLEDGE_UNKNOWN"
    assert "zhejiang_2022" in caught.value.message_en


def test_supervision_tables_are_typed() -> None:
    course = {limit.code: limit for limit in supervision.code_limits("drug_course_limit")}
    assert course["XB01AXA223B004010180963"].value == "14"
    cycles = supervision.cycle_limits()
    assert cycles[0].max_times == 1 and cycles[0].cycle_days == 7
    assert {item.window for item in supervision.included_items()} == {"单日", "单次就诊", "6小时", "同一小时"}


def test_check_all_counts_every_table() -> None:
    summaries = {summary.table: summary.rows for summary in check_all()}
    # 5 policy packages (4 + 1 illustrative), tiered 3, indicators 4 + the appraisal scheme,
    # procurement parameters 1, ledger 4 (departments + 3 documents), compensation 1, trace 2
    # (trace.yaml, enterprises.tsv), quality tables 3 (antibacterials, products, complications),
    # synthetic-region use tables 2
    assert len(summaries) == 6 + 3 * 7 + 14 + 5 * 2 + 3 + 4 + 1 + 1 + 4 + 1 + 2 + 3 + 2
    assert summaries["indicators/appraisal.yaml"] == 12
    assert summaries["indicators/indicators.yaml"] == 38
    assert summaries["indicators/antibacterial_products.tsv"] == 15
    assert summaries["indicators/complications.tsv"] == 18
    assert summaries["procurement/parameters.yaml"] == 13
    assert summaries["tiered/recognisable_items.tsv"] == 48
    assert summaries["supervision/drug_sex_limit.tsv"] == 6472
    assert summaries["drg/zhejiang_2022/rules.json"] == 1006
    assert summaries["trace/enterprises.tsv"] == 7


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def _replace_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[number - 1] = text
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize(
    ("table", "line", "content", "reason"),
    [
        ("codes/diagnoses.tsv", 120, "not-a-code\t某病", "does not match"),
        ("codes/diagnoses.tsv", 1, "code\tname\textra", "header is"),
        ("supervision/drug_sex_limit.tsv", 50, "XL02BBA326A001010102180\t阿帕他胺片", "2 fields, expected 4"),
        (
            "supervision/drug_sex_limit.tsv",
            3,
            "XL02BBA326A001010102180\t阿帕他胺片\t男\t重复",
            "duplicate key",
        ),
        (
            "supervision/item_cycle_limit.tsv",
            4,
            "002503020030000\t糖化血红蛋白测定\tzero\t15\t",
            "not a positive integer",
        ),
        ("drg/zhejiang_2022/mcc.tsv", 10, "A02.100\t", "is empty"),
    ],
)
def test_a_corrupted_table_is_refused_with_file_and_line(
    knowledge_copy: Path, table: str, line: int, content: str, reason: str
) -> None:
    _replace_line(knowledge_copy / table, line, content)
    with pytest.raises(DomainError) as caught:
        check_all(knowledge_copy)
    error = caught.value
    assert error.code == "KNOWLEDGE_INVALID_FILE"
    assert error.params["file"].endswith(table)
    assert error.params["line"] == line
    assert reason in error.params["reason"]
    assert f"line {line}" in error.message_en and f"第 {line} 行" in error.message_zh


def test_a_rules_file_with_a_bad_condition_is_refused(knowledge_copy: Path) -> None:
    path = knowledge_copy / "drg" / "chs_drg_11" / "rules.json"
    rules = json.loads(path.read_text(encoding="utf-8"))
    rules["adrgs"]["AA1"]["drgs"][0]["condition"] = {"age_decades_lt": 3}
    path.write_text(json.dumps(rules, ensure_ascii=False, indent=1), encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        check_all(knowledge_copy)
    assert "/adrgs/AA1/drgs/0/condition" in caught.value.params["reason"]
    assert caught.value.params["line"] > 1


def test_a_rules_file_naming_a_missing_list_is_refused(knowledge_copy: Path) -> None:
    path = knowledge_copy / "drg" / "zhejiang_2022" / "rules.json"
    rules = json.loads(path.read_text(encoding="utf-8"))
    rules["mdcs"]["B"]["entry"] = {"main_dx_in": "no-such-list"}
    path.write_text(json.dumps(rules, ensure_ascii=False, indent=1), encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        check_all(knowledge_copy)
    assert "unknown list 'no-such-list'" in caught.value.params["reason"]


def test_broken_json_reports_its_line(knowledge_copy: Path) -> None:
    path = knowledge_copy / "drg" / "haerbin_2022" / "rules.json"
    _replace_line(path, 5, '  "A",,')
    with pytest.raises(DomainError) as caught:
        check_all(knowledge_copy)
    assert caught.value.params["line"] == 5


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="file is missing"):
        read_table(tmp_path / "absent.tsv", codes.DIAGNOSES_SCHEMA)
    bad = tmp_path / "gbk.tsv"
    bad.write_bytes("code\tname\nA00.000\t霍乱\n".encode("gbk"))
    with pytest.raises(DomainError, match="UTF-8") as caught:
        read_table(bad, codes.DIAGNOSES_SCHEMA)
    assert caught.value.params["line"] == 2
