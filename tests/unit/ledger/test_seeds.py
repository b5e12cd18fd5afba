"""The three seed task tables load with their task counts, leads and provenance, and a broken file
is refused with its path and reason."""

import shutil
from pathlib import Path

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.catalog import check_all
from sanyi.knowledge.compensation import COMPENSATION_DIR, read_rules
from sanyi.knowledge.indicators import catalogue
from sanyi.knowledge.ledger import LEDGER_DIR, load_all, load_ledger


def test_task_counts_per_document() -> None:
    documents = {d.key: d for d in load_ledger()[1]}
    assert len(documents["wenzhou-2016-57"].tasks) == 12
    assert len(documents["zhejiang-2022-2"].tasks) == 35
    assert len(documents["shaoxing-2016-36"].tasks) == 103


def test_every_linked_indicator_is_in_the_indicator_catalogue() -> None:
    known = catalogue().indicators
    linked = {
        link.code for document in load_ledger()[1] for task in document.tasks for link in task.indicators
    }
    assert linked and linked <= known.keys()


def test_leads_cooperating_deadlines_and_clauses_come_from_the_tables() -> None:
    documents = {d.key: d for d in load_ledger()[1]}
    wz = documents["wenzhou-2016-57"].tasks[1]
    assert (wz.id, wz.lead, wz.cooperating) == (
        "WZ2016-02",
        "市发改委",
        ("市财政局", "市人力社保局", "市卫计委"),
    )
    assert wz.deadline is not None and wz.deadline.isoformat() == "2017-12-31"
    assert wz.clause == "附件 先行先试重点工作分解表 第2项"
    # 绍兴: ▲ marks the lead group; two ▲ departments lead jointly; without ▲ the first listed leads.
    sx = {t.clause: t for t in documents["shaoxing-2016-36"].tasks}
    joint = sx["附件 重点任务及分工 (一)4.(3)"]
    assert (joint.lead, joint.co_leads) == ("市卫生计生委", ("市人力社保局",))
    unmarked = sx["附件 重点任务及分工 (一)1.(4)"]
    assert (unmarked.lead, unmarked.cooperating) == ("绍兴文理学院", ("市教育局", "市卫生计生委"))
    assert sx["附件 重点任务及分工 (一)2.(4)"].indicators[0].code == "YY01"
    # 浙江 2022: first listed leads; "今年6月底前" brings the deadline forward.
    zj = {t.id: t for t in documents["zhejiang-2022-2"].tasks}
    assert zj["ZJ2022-11"].lead == "省卫生健康委"
    assert {i.code for i in zj["ZJ2022-11"].indicators} == {"YY02", "YY03", "YY04", "YY06"}
    assert zj["ZJ2022-30"].deadline is not None and zj["ZJ2022-30"].deadline.isoformat() == "2022-06-30"
    assert documents["zhejiang-2022-2"].cite(zj["ZJ2022-01"].clause).startswith("浙医改联席办〔2022〕2号")


def test_departments_carry_the_roles_acting_for_them() -> None:
    departments = load_ledger()[0]
    wenzhou = departments["330300"]
    assert wenzhou.named("市卫计委") is not None
    assert wenzhou.named("市卫计委").roles == frozenset({"health_commission"})  # type: ignore[union-attr]
    assert wenzhou.named("市财政局").roles == frozenset()  # type: ignore[union-attr]


def test_knowledge_check_lists_the_ledger_and_compensation_files() -> None:
    tables = {s.table: s.rows for s in check_all()}
    assert tables["ledger/wenzhou-2016-57.yaml"] == 12
    assert tables["ledger/zhejiang-2022-2.yaml"] == 35
    assert tables["compensation/harbin-2017.yaml"] == 6


def test_a_task_naming_an_unlisted_department_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    shutil.copytree(LEDGER_DIR, root)
    path = root / "wenzhou-2016-57.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("lead: 市发改委", "lead: 市不存在局"), encoding="utf-8"
    )
    with pytest.raises(DomainError) as caught:
        load_all(root)
    assert caught.value.code == "KNOWLEDGE_INVALID_FILE"
    assert "市不存在局" in caught.value.message_en


def test_a_schema_violation_names_the_pointer(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    shutil.copytree(LEDGER_DIR, root)
    path = root / "zhejiang-2022-2.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("- code: YY02", "- code: Y2", 1), encoding="utf-8"
    )
    with pytest.raises(DomainError) as caught:
        load_all(root)
    assert "/tasks/" in caught.value.message_en


def test_compensation_shares_must_add_up(tmp_path: Path) -> None:
    path = tmp_path / "harbin-2017.yaml"
    text = (COMPENSATION_DIR / "harbin-2017.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace('hospital: "0.05"', 'hospital: "0.06"'), encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        read_rules(path)
    assert "add up to 1" in caught.value.message_en
