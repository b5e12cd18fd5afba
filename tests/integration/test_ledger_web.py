"""Ledger and compensation pages: Chinese first, role rules through the forms, the overdue badge,
Excel export and import, the calculator held to the staff's own hospital; the CLI commands."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from sanyi.bootstrap import Container
from sanyi.care.api import encounters, fee_lines
from sanyi.cli.main import app as cli
from sanyi.identity.api import Role
from sanyi.kernel.money import Money
from sanyi.ledger.api import TASKS
from sanyi.registry.api import Viewer
from sanyi.synth.api import DatabaseSink, RegionRequest, generate
from sanyi.web.app import create_app
from tests.integration.web_helpers import add_user, browser_login

pytestmark = pytest.mark.db
SYSTEM = Viewer("cli", "system", None, regional=True)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    container.ledger.seed(SYSTEM)
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def _login(
    client: TestClient, container: Container, name: str, role: Role, institution: str | None = None
) -> str:
    add_user(container, name, role, institution)
    return browser_login(client, name)


def test_pages_walk_a_task_and_refuse_closing_before_verification(
    client: TestClient, container: Container
) -> None:
    office_csrf = _login(client, container, "lg.office", Role.REFORM_OFFICE)
    page = client.get("/ledger")
    assert page.status_code == 200 and "任务台账" in page.text and "共 150 项任务" in page.text
    assert 'data-testid="lg-overdue-badge">' in page.text  # the clock (2024) makes the 2017 tasks overdue
    assert (
        client.get("/ledger?department=市卫计委&status=逾期").text.count('data-testid="lg-row-WZ2016') == 8
    )  # all due by 2018
    refused = client.post("/ledger/tasks/WZ2016-01/approve", data={"csrf_token": office_csrf})
    assert refused.status_code == 422 and "LEDGER_ILLEGAL_TRANSITION" in refused.text
    departments = client.get("/ledger/departments?region=330300")
    assert (
        departments.status_code == 200 and "市卫计委" in departments.text and "data-chart" in departments.text
    )
    workbook = load_workbook(io.BytesIO(client.get("/ledger/export.xlsx?region=330300").content))
    assert workbook.worksheets[0].max_row == 13
    client.post("/logout", data={"csrf_token": office_csrf})

    health_csrf = _login(client, container, "lg.health", Role.HEALTH_COMMISSION)
    done = client.post(
        "/ledger/tasks/WZ2016-01/submit",
        data={"csrf_token": health_csrf, "text": "办法已印发"},
        files={"attachment": ("通知.pdf", b"%PDF-1.4", "application/pdf")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    task = client.get("/ledger/tasks/WZ2016-01")
    assert "待核验" in task.text and "通知.pdf" in task.text
    same = client.post("/ledger/tasks/WZ2016-01/verify", data={"csrf_token": health_csrf})
    assert same.status_code == 422 and "LEDGER_SAME_PERSON" in same.text
    client.post("/logout", data={"csrf_token": health_csrf})

    office_csrf = browser_login(client, "lg.office")
    early = client.post("/ledger/tasks/WZ2016-01/approve", data={"csrf_token": office_csrf})
    assert early.status_code == 422 and "LEDGER_NOT_VERIFIED" in early.text and "尚未核验通过" in early.text
    verified = client.post(
        "/ledger/tasks/WZ2016-01/verify", data={"csrf_token": office_csrf}, follow_redirects=False
    )
    assert verified.status_code == 303
    client.post("/ledger/tasks/WZ2016-01/approve", data={"csrf_token": office_csrf, "note": "同意"})
    closed = client.get("/ledger/tasks/WZ2016-01")
    assert "已销号" in closed.text and "lg.office" in closed.text
    assert 'data-testid="lg-report-form"' not in closed.text


def test_scoped_users_and_languages(client: TestClient, container: Container) -> None:
    _login(client, container, "lg.staff", Role.INSTITUTION_STAFF, "H001")
    assert client.get("/ledger").status_code == 403
    client.cookies.clear()
    _login(client, container, "lg.bureau", Role.INSURANCE_BUREAU)
    english = client.get("/ledger/tasks/ZJ2022-12?lang=en")
    assert english.status_code == 200 and "Lead department" in english.text and "省医保局" in english.text
    assert 'data-testid="lg-report-form"' in english.text  # 省医保局 leads → the bureau reports
    assert 'data-testid="lg-approve"' not in english.text


def test_import_through_the_page(client: TestClient, container: Container, tmp_path: Path) -> None:
    csrf = _login(client, container, "lg.office2", Role.REFORM_OFFICE)
    template = load_workbook(io.BytesIO(client.get("/ledger/template.xlsx").content))
    assert [c.value for c in template["数据"][1]] == TASKS.headers
    sheet = template["数据"]
    sheet.delete_rows(2, sheet.max_row)
    sheet.append(
        [
            "WZ2019-01",
            "330300",
            "2019 年要点 第1项",
            "推进按病种收费",
            "市发改委",
            "",
            "市卫计委",
            "",
            "2019-12-31",
            "",
            "ZF01:100个",
        ]
    )
    buffer = io.BytesIO()
    template.save(buffer)
    result = client.post(
        "/ledger/import",
        data={"csrf_token": csrf},
        files={"file": ("新任务.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    assert result.status_code == 200 and "新增 1 项" in result.text
    assert "ZF01" in client.get("/ledger/tasks/WZ2019-01").text


@pytest.fixture
def region(container: Container) -> Container:
    generate(RegionRequest("wenzhou", 300, 2023, 3), [DatabaseSink(container.engine)])
    return container


def _drug_totals(container: Container, institution: str) -> dict[str, Money]:
    """The 2023 fee lines of a hospital summed in Python, by category (an independent check)."""
    query = (
        select(fee_lines.c.category, fee_lines.c.amount)
        .join(encounters, encounters.c.id == fee_lines.c.encounter_id)
        .where(encounters.c.institution_code == institution)
    )
    totals = {"09": 0, "10": 0, "11": 0}
    with container.engine.connect() as connection:
        for category, amount in connection.execute(query):
            if category in totals:
                totals[category] += amount.fen
    return {key: Money(value) for key, value in totals.items()}


def _busiest(container: Container) -> str:
    """A hospital with 2023 drug lines, given one 中药饮片 line of 1,234.56 (synth bills none)."""
    f = fee_lines
    with container.engine.begin() as connection:
        line = connection.execute(
            select(f, encounters.c.institution_code)
            .join(encounters, encounters.c.id == f.c.encounter_id)
            .where(f.c.category == "09")
            .order_by(f.c.encounter_id, f.c.line_no)
        ).first()
        assert line is not None
        herbal = {c.name: getattr(line, c.name) for c in f.columns}
        herbal |= {"line_no": 999, "category": "10", "amount": Money.parse("1234.56"), "name": "饮片"}
        existing = connection.execute(
            select(f.c.line_no).where(f.c.encounter_id == line.encounter_id, f.c.line_no == 999)
        ).first()
        if existing is None:
            connection.execute(f.insert().values(**herbal))
    return str(line.institution_code)


def test_compensation_reads_last_years_drug_cost_without_herbal_pieces(region: Container) -> None:
    hospital = _busiest(region)
    totals = _drug_totals(region, hospital)
    assert totals["10"] == Money.parse("1234.56")  # sold, so leaving 中药饮片 out matters
    _, _, result = region.compensation.calculate(SYSTEM, hospital, 2024)
    assert result.drug_cost == totals["09"] + totals["11"]
    assert result.excluded_cost == totals["10"]
    assert result.loss == result.annual_loss == (totals["09"] + totals["11"]).times(Decimal("0.15"))
    staff = Viewer("staff", "institution_staff", "OTHER", regional=False)
    with pytest.raises(Exception) as caught:
        region.compensation.calculate(staff, hospital, 2024)
    assert getattr(caught.value, "code", "") == "COMPENSATION_NOT_FOUND"
    doctor = Viewer("doc", "family_doctor", hospital, regional=False)
    with pytest.raises(Exception) as refused:
        region.compensation.calculate(doctor, hospital, 2024)
    assert getattr(refused.value, "code", "") == "COMPENSATION_FORBIDDEN"


def test_compensation_page_and_export_for_the_staffs_own_hospital(region: Container) -> None:
    hospital = _busiest(region)
    with TestClient(create_app(region), base_url="http://testserver") as client:
        _login(client, region, "cp.staff", Role.INSTITUTION_STAFF, hospital)
        query = "institution=SOMEONE-ELSE&year=2024&drug_cost=1000000.00&adjusted_on=2024-04-01"
        moved = client.get(f"/compensation?{query}", follow_redirects=False)
        assert moved.status_code == 301 and moved.headers["location"] == f"/indicators/compensation?{query}"
        page = client.get(f"/indicators/compensation?{query}")
        assert page.status_code == 200 and hospital in page.text and "政府动态兜底" in page.text
        assert 'data-testid="cp-loss">150,000.00' in page.text
        assert 'data-testid="cp-government">52,500.00' in page.text  # 22,500 + 120,000 × 3 ÷ 12
        book = load_workbook(
            io.BytesIO(client.get(f"/indicators/compensation.xlsx?institution={hospital}&year=2024").content)
        )
        assert book.worksheets[0].max_row > 10
        old_export = client.get(
            f"/compensation.xlsx?institution={hospital}&year=2024", follow_redirects=False
        )
        assert (
            old_export.headers["location"]
            == f"/indicators/compensation.xlsx?institution={hospital}&year=2024"
        )
        assert 'data-testid="ind-compensation-link"' in page.text  # beside the other indicator pages
        early = client.get(f"/indicators/compensation?institution={hospital}&year=2016")
        assert early.status_code == 422 and "COMPENSATION_BEFORE_REFORM" in early.text


def test_cli_seed_overdue_export_and_compensation(region: Container, tmp_path: Path) -> None:
    runner = CliRunner()
    url = region.settings.database_url
    seeded = runner.invoke(cli, ["ledger", "seed", "--db", url, "--json"])
    assert seeded.exit_code == 0, seeded.output
    assert '"wenzhou-2016-57": 12' in seeded.output
    overdue = runner.invoke(cli, ["ledger", "overdue", "--db", url, "--region", "330300", "--json"])
    assert overdue.exit_code == 1 and '"WZ2016-01"' in overdue.output  # any overdue task → exit 1
    out = tmp_path / "ledger.xlsx"
    exported = runner.invoke(cli, ["ledger", "export", str(out), "--db", url, "--status", "逾期"])
    assert exported.exit_code == 0 and out.exists()
    hospital = _busiest(region)
    calc = runner.invoke(
        cli,
        [
            "compensation",
            "calc",
            "--institution",
            hospital,
            "--year",
            "2018",
            "--drug-cost",
            "1000000",
            "--json",
            "--db",
            url,
        ],
    )
    assert calc.exit_code == 0, calc.output
    assert '"value": "150,000.00"' in calc.output
    unknown = runner.invoke(
        cli, ["compensation", "calc", "--institution", "NOPE", "--year", "2018", "--db", url]
    )
    assert unknown.exit_code == 3


def test_adjusting_deadline_and_milestones_through_the_form(client: TestClient, container: Container) -> None:
    csrf = _login(client, container, "lg.office3", Role.REFORM_OFFICE)
    form = {
        "csrf_token": csrf,
        "reason": "分解季度节点",
        "milestones": "2022-04-10 一季度报送\n2022-13-01 错误",
    }
    bad = client.post("/ledger/tasks/ZJ2022-33/adjust", data=form)
    assert bad.status_code == 422 and "LEDGER_INVALID_FIELD" in bad.text
    form["milestones"] = "2022-04-10 一季度报送\n2022-07-10 二季度报送"
    form["deadline"] = "2023-01-10"
    done = client.post("/ledger/tasks/ZJ2022-33/adjust", data=form, follow_redirects=False)
    assert done.status_code == 303
    task = container.ledger.task(SYSTEM, "ZJ2022-33")
    assert task["milestones"] == [
        {"date": "2022-04-10", "text": "一季度报送"},
        {"date": "2022-07-10", "text": "二季度报送"},
    ]
    assert task["adjusted"] and task["events"][-1]["reason"] == "分解季度节点"
    assert (
        client.post(
            "/ledger/tasks/ZJ2022-33/adjust",
            data={"csrf_token": csrf, "reason": "x", "deadline": "2023-02-30"},
        ).status_code
        == 422
    )
