"""The task ledger on the database (SQLite and PostgreSQL): seeding, the status machine with its
role rules, verification by another person, 销号 only after verification, 督办, adjustments with a
reason, evidence limits, the append-only history, overdue views, Excel export and import."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from sanyi.bootstrap import Container
from sanyi.infrastructure.importer import OnError
from sanyi.kernel.clock import FixedClock
from sanyi.kernel.errors import DomainError
from sanyi.ledger.api import TASKS, NewTask, Status, TaskFilter, ledger_task_events, ledger_tasks
from sanyi.registry.api import Viewer

pytestmark = pytest.mark.db

OFFICE = Viewer("office", "reform_office", None, regional=True)
OFFICE2 = Viewer("office2", "reform_office", None, regional=True)
HEALTH = Viewer("health", "health_commission", None, regional=True)
HEALTH2 = Viewer("health2", "health_commission", None, regional=True)
BUREAU = Viewer("bureau", "insurance_bureau", None, regional=True)
STAFF = Viewer("staff", "institution_staff", "H001", regional=False)
SYSTEM = Viewer("cli", "system", None, regional=True)


def _code(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.code


def _events(container: Container, task_id: str) -> list[str]:
    e = ledger_task_events
    with container.engine.connect() as connection:
        query = select(e.c.action).where(e.c.task_id == task_id).order_by(e.c.id)
        return list(connection.execute(query).scalars())


@pytest.fixture
def seeded(container: Container) -> Container:
    result = container.ledger.seed(SYSTEM)
    assert result.added == {"shaoxing-2016-36": 103, "wenzhou-2016-57": 12, "zhejiang-2022-2": 35}
    return container


def test_seeding_twice_adds_nothing_and_keeps_provenance(seeded: Container) -> None:
    again = seeded.ledger.seed(SYSTEM)
    assert sum(again.added.values()) == 0 and again.existing == 150
    task = seeded.ledger.task(OFFICE, "WZ2016-01")
    assert task["source"].startswith(
        "温政发〔2016〕57号《温州市深化医药卫生体制综合改革先行先试实施方案》附件"
    )
    assert task["status"] == "未启动" and task["events"][0]["action"] == "seed"
    assert _code(seeded.ledger.seed, HEALTH) == "LEDGER_FORBIDDEN"


def test_a_task_moves_to_closed_only_after_verification_by_another_person(seeded: Container) -> None:
    ledger = seeded.ledger
    task_id = "WZ2016-01"  # led by 市卫计委 → health_commission
    assert _code(ledger.report, BUREAU, task_id, "进展") == "LEDGER_NOT_LEAD"
    assert _code(ledger.report, OFFICE, task_id, "进展") == "LEDGER_NOT_LEAD"
    ledger.report(HEALTH, task_id, "已起草绩效工资总额核定办法")
    assert ledger.task(OFFICE, task_id)["status"] == Status.IN_PROGRESS
    assert _code(ledger.approve, OFFICE, task_id) == "LEDGER_ILLEGAL_TRANSITION"
    ledger.report(HEALTH, task_id, "办法已印发", completed=True, attachment=("印发通知.pdf", b"%PDF-1.4"))
    assert ledger.task(OFFICE, task_id)["status"] == Status.AWAITING_VERIFICATION
    # Not verified yet: 销号 refused, nothing changes.
    assert _code(ledger.approve, OFFICE, task_id) == "LEDGER_NOT_VERIFIED"
    assert _code(ledger.verify, HEALTH, task_id, True) == "LEDGER_SAME_PERSON"
    assert _code(ledger.verify, STAFF, task_id, True) == "LEDGER_FORBIDDEN"
    assert _code(ledger.approve, HEALTH2, task_id) == "LEDGER_FORBIDDEN"
    ledger.verify(HEALTH2, task_id, True, "文件已核对")
    ledger.approve(OFFICE, task_id, "同意销号")
    task = ledger.task(OFFICE, task_id)
    assert task["status"] == Status.CLOSED
    assert (task["submitted_by"], task["verified_by"], task["approved_by"]) == ("health", "health2", "office")
    assert task["verified_at"] is not None and task["approved_at"] is not None
    assert not task["overdue"]  # closed tasks are never overdue
    assert _events(seeded, task_id) == ["seed", "report", "submit", "verify", "approve"]
    assert _code(ledger.report, HEALTH, task_id, "再报") == "LEDGER_ILLEGAL_TRANSITION"
    assert task["reports"][1]["attachment_name"] == "印发通知.pdf"
    name, media, data = ledger.evidence(OFFICE, task_id, task["reports"][1]["id"])
    assert (name, media, data) == ("印发通知.pdf", "application/pdf", b"%PDF-1.4")


def test_a_failed_verification_goes_back_to_work_and_needs_a_reason(seeded: Container) -> None:
    ledger = seeded.ledger
    task_id = "WZ2016-02"  # led by 市发改委: no platform role, the reform office reports for it
    ledger.report(OFFICE, task_id, "价格改革方案已完成", completed=True)
    assert _code(ledger.verify, BUREAU, task_id, False) == "LEDGER_REASON_REQUIRED"
    ledger.verify(BUREAU, task_id, False, "缺少印发文件")
    task = ledger.task(OFFICE, task_id)
    assert task["status"] == Status.IN_PROGRESS and task["verified_by"] is None
    assert task["events"][-1]["reason"] == "缺少印发文件"
    assert task["events"][-1]["before"] == {"status": "待核验", "verified_by": None}


def test_overdue_is_derived_from_the_clock_and_listed_by_department(
    seeded: Container, clock: FixedClock
) -> None:
    ledger = seeded.ledger
    clock.set(datetime(2017, 12, 31, 12, 0, tzinfo=UTC))
    assert ledger.overdue(OFFICE) == []
    clock.set(datetime(2018, 1, 2, 1, 0, tzinfo=UTC))
    assert len(ledger.overdue(OFFICE)) > 9  # 绍兴 tasks due "到2017年" too
    overdue = ledger.tasks(OFFICE, TaskFilter(status="逾期", region="330300"))
    assert {t["id"] for t in overdue} == {f"WZ2016-{n:02d}" for n in (1, 2, 3, 4, 5, 7, 10, 11, 12)}
    assert all(t["days_overdue"] == 2 for t in overdue)
    led = ledger.tasks(OFFICE, TaskFilter(department="市卫计委", status="逾期"))
    assert {t["lead"] for t in led} == {"市卫计委"} and len(led) == 5  # 1, 7, 10, 11, 12
    rows = {r["department"]: r for r in ledger.by_department(OFFICE, region="330300")}
    assert rows["市卫计委"]["total"] == 8 and rows["市卫计委"]["overdue"] == 5
    assert (
        ledger.tasks(OFFICE, TaskFilter(due_by=date(2017, 12, 31), region="330300"))[0]["id"] == "WZ2016-01"
    )
    assert _code(ledger.tasks, STAFF) == "LEDGER_FORBIDDEN"


def test_flags_and_adjustments_are_the_reform_offices_and_kept_in_the_history(seeded: Container) -> None:
    ledger = seeded.ledger
    task_id = "ZJ2022-11"
    assert _code(ledger.flag, HEALTH, task_id, True) == "LEDGER_FORBIDDEN"
    ledger.flag(OFFICE, task_id, True, "逾期未报")
    assert ledger.tasks(OFFICE, TaskFilter(supervised=True))[0]["id"] == task_id
    assert (
        _code(ledger.adjust, OFFICE, task_id, {"deadline": date(2023, 6, 30)}, " ")
        == "LEDGER_REASON_REQUIRED"
    )
    assert (
        _code(ledger.adjust, HEALTH, task_id, {"deadline": date(2023, 6, 30)}, "延期") == "LEDGER_FORBIDDEN"
    )
    assert (
        _code(ledger.adjust, OFFICE, task_id, {"lead": "省不存在厅"}, "换牵头") == "LEDGER_UNKNOWN_DEPARTMENT"
    )
    bad = {"indicators": [{"code": "bad", "target": "x"}]}
    assert _code(ledger.adjust, OFFICE, task_id, bad, "加指标") == "LEDGER_UNKNOWN_INDICATOR"
    ledger.adjust(OFFICE, task_id, {"deadline": date(2023, 6, 30), "leader": "王某"}, "国家要求顺延")
    task = ledger.task(OFFICE, task_id)
    assert task["adjusted"] and task["deadline"] == date(2023, 6, 30) and task["leader"] == "王某"
    event = task["events"][-1]
    assert event["action"] == "adjust" and event["reason"] == "国家要求顺延" and event["actor"] == "office"
    assert event["before"] == {"deadline": "2022-12-31", "leader": None}
    assert event["after"] == {"deadline": "2023-06-30", "leader": "王某"}
    assert _events(seeded, task_id) == ["seed", "flag", "adjust"]  # refused changes left no trace


def test_evidence_size_and_type_limits_change_nothing(seeded: Container, tmp_path: Path) -> None:
    ledger = seeded.ledger
    assert (
        _code(ledger.report, HEALTH, "WZ2016-01", "见附件", attachment=("x.exe", b"MZ"))
        == "LEDGER_ATTACHMENT_TYPE"
    )
    big = b"0" * (10 * 1024 * 1024 + 1)
    assert (
        _code(ledger.report, HEALTH, "WZ2016-01", "见附件", attachment=("a.pdf", big))
        == "LEDGER_ATTACHMENT_TOO_LARGE"
    )
    assert ledger.task(OFFICE, "WZ2016-01")["status"] == Status.NOT_STARTED
    assert _events(seeded, "WZ2016-01") == ["seed"]
    evidence_dir = tmp_path / "ledger" / "evidence"
    assert not evidence_dir.exists() or not any(evidence_dir.iterdir())


def test_create_refuses_duplicates_and_unknown_departments(seeded: Container) -> None:
    ledger = seeded.ledger
    task = NewTask(
        "WZ2018-01",
        "330300",
        "市医改办 2018 年重点任务 第1项",
        "推进DRG付费",
        "市卫计委",
        cooperating=("市人力社保局",),
    )
    assert _code(ledger.create, HEALTH, task) == "LEDGER_FORBIDDEN"
    ledger.create(OFFICE, task)
    assert _code(ledger.create, OFFICE, task) == "LEDGER_DUPLICATE_TASK"
    unknown = NewTask("WZ2018-02", "330300", "x", "y", "市不存在局")
    assert _code(ledger.create, OFFICE, unknown) == "LEDGER_UNKNOWN_DEPARTMENT"
    assert ledger.task(OFFICE, "WZ2018-01")["events"][0]["actor"] == "office"


def _workbook(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(TASKS.headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_excel_import_reports_every_bad_row_and_export_reads_back(seeded: Container, tmp_path: Path) -> None:
    ledger = seeded.ledger
    good = [
        "WZ2018-11",
        "330300",
        "2018 年重点任务 第1项",
        "推进医共体",
        "市卫计委",
        "",
        "市财政局|市编办",
        "李某",
        "2018-12-31",
        "2018年底前",
        "FJ03:70%",
    ]
    dup = ["WZ2016-01", "330300", "x", "重复", "市卫计委", "", "", "", "", "", ""]
    bad_dept = ["WZ2018-12", "330300", "x", "y", "市不存在局", "", "", "", "", "", ""]
    bad_date = ["WZ2018-13", "330300", "x", "y", "市卫计委", "", "", "", "2018-13-40", "", ""]
    path = _workbook(tmp_path / "tasks.xlsx", [good, dup, bad_dept, bad_date])
    rejected = ledger.import_file(OFFICE, path)
    assert not rejected.committed and rejected.bad_rows == 3
    assert [(i.row, i.code) for i in rejected.issues] == [
        (3, "LEDGER_DUPLICATE_TASK"),
        (4, "LEDGER_UNKNOWN_DEPARTMENT"),
        (5, "IMPORT_BAD_DATE"),
    ]
    assert _code(ledger.task, OFFICE, "WZ2018-11") == "LEDGER_NOT_FOUND"
    kept = ledger.import_file(OFFICE, path, OnError.SKIP)
    assert kept.committed and kept.inserted == 1
    task = ledger.task(OFFICE, "WZ2018-11")
    assert task["indicators"] == [{"code": "FJ03", "target": "70%"}] and task["cooperating"] == [
        "市财政局",
        "市编办",
    ]
    assert task["events"][0]["action"] == "import"
    assert _code(ledger.import_file, HEALTH, path) == "LEDGER_FORBIDDEN"

    exported = tmp_path / "export.xlsx"
    exported.write_bytes(ledger.export(OFFICE, TaskFilter(region="330300")))
    sheet = load_workbook(exported).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][: len(TASKS.headers)] == tuple(TASKS.headers)
    assert len(rows) == 1 + 12 + 1
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["WZ2018-11"][10] == "FJ03:70%" and by_id["WZ2016-01"][len(TASKS.headers)] == "逾期"


def test_history_rows_are_only_ever_added(seeded: Container) -> None:
    ledger = seeded.ledger
    with seeded.engine.connect() as connection:
        before = connection.execute(select(ledger_task_events).order_by(ledger_task_events.c.id)).all()
    ledger.report(BUREAU, "WZ2016-04", "推进中")  # led by 市人力社保局
    ledger.flag(OFFICE, "WZ2016-04", True)
    with seeded.engine.connect() as connection:
        after = connection.execute(select(ledger_task_events).order_by(ledger_task_events.c.id)).all()
        tasks = connection.execute(select(func.count()).select_from(ledger_tasks)).scalar_one()
    assert after[: len(before)] == before and len(after) == len(before) + 2
    assert tasks == 150
