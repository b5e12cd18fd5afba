"""`sanyi import`, `sanyi export`, `sanyi import template` and the template downloads, end to end."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from sanyi.bootstrap import Container
from sanyi.care.api import encounters, import_specs
from sanyi.cli.main import app
from sanyi.identity.api import Role
from sanyi.infrastructure.audit import audit_log
from sanyi.infrastructure.tabular import read_rows
from sanyi.registry.api import residents
from sanyi.web.app import create_app
from tests.conftest import TEST_SECRET
from tests.integration.test_import_export import (
    ENCOUNTERS,
    INSTITUTIONS,
    PRACTITIONERS,
    RESIDENTS,
    WOMAN,
    seed_areas,
    write,
)
from tests.integration.web_helpers import add_user, browser_login

runner = CliRunner()


@pytest.fixture
def cli_db(container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SANYI_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("SANYI_ENV", "test")
    monkeypatch.setenv("SANYI_DATA_DIR", str(tmp_path))
    seed_areas(container)
    return container.settings.database_url


def flat(output: str) -> str:
    """Console output without Rich's line wrapping."""
    return " ".join(output.split())


def _count(container: Container, table: object) -> int:
    with container.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.mark.db
def test_cli_imports_reports_and_rejects(cli_db: str, container: Container, tmp_path: Path) -> None:
    for kind, records in (
        ("institutions", INSTITUTIONS),
        ("practitioners", PRACTITIONERS),
        ("residents", RESIDENTS),
    ):
        done = runner.invoke(
            app, ["import", kind, str(write(tmp_path / f"{kind}.xlsx", records, kind)), "--db", cli_db]
        )
        assert done.exit_code == 0, done.output
        assert "新增 2 inserted" in flat(done.output)
    bad = [{**ENCOUNTERS[0], "主要诊断": "Z99.999x999"}, ENCOUNTERS[2], {**ENCOUNTERS[3], "单价": "-1"}]
    path = write(tmp_path / "enc.csv", bad, "encounters")
    report = tmp_path / "report.csv"
    rejected = runner.invoke(
        app, ["import", "encounters", str(path), "--report", str(report), "--db", cli_db]
    )
    assert rejected.exit_code == 2
    assert "IMPORT_REJECTED" in rejected.output and "IMPORT_UNKNOWN_CODE" in rejected.output
    assert _count(container, encounters) == 0
    header, rows = read_rows(report)
    assert header == ["行号", "列", "错误代码", "错误说明", "message", "值"]
    assert [(r.values["行号"], r.values["列"], r.values["错误代码"], r.values["值"]) for r in rows] == [
        ("2", "主要诊断", "IMPORT_UNKNOWN_CODE", "Z99.999x999"),
        ("4", "单价", "IMPORT_NEGATIVE", "-1"),
    ]
    skipped = runner.invoke(
        app, ["import", "encounters", str(path), "--on-error", "skip", "--json", "--db", cli_db]
    )
    assert skipped.exit_code == 0, skipped.output
    summary = json.loads(skipped.stdout)
    assert (summary["inserted"], summary["skipped_records"], summary["bad_rows"]) == (0, 2, 2)
    assert summary["report"] == str(tmp_path / "enc.report.xlsx")
    assert Path(summary["report"]).exists()


@pytest.mark.db
def test_cli_exports_masked_or_audited_unmasked(cli_db: str, container: Container, tmp_path: Path) -> None:
    for kind, records in (("institutions", INSTITUTIONS), ("residents", RESIDENTS)):
        runner.invoke(
            app, ["import", kind, str(write(tmp_path / f"{kind}.csv", records, kind)), "--db", cli_db]
        )
    masked = runner.invoke(app, ["export", "residents", "-o", str(tmp_path / "r.xlsx"), "--db", cli_db])
    assert masked.exit_code == 0 and "masked" in masked.output
    _, rows = read_rows(tmp_path / "r.xlsx")
    assert WOMAN not in {row.values["身份证号"] for row in rows}
    full = runner.invoke(
        app, ["export", "residents", "-o", str(tmp_path / "r.parquet"), "--unmasked", "--db", cli_db]
    )
    assert full.exit_code == 0
    _, rows = read_rows(tmp_path / "r.parquet")
    assert WOMAN in {row.values["身份证号"] for row in rows}
    with container.engine.connect() as connection:
        actions = list(
            connection.execute(
                select(audit_log.c.action)
                .where(audit_log.c.record_type == "residents")
                .order_by(audit_log.c.id)
            ).scalars()
        )
    assert actions == ["import", "export", "export_unmasked"]
    again = runner.invoke(app, ["import", "residents", str(tmp_path / "r.parquet"), "--db", cli_db])
    assert again.exit_code == 0 and "更新 2 updated" in flat(again.output)
    assert _count(container, residents) == 2
    unknown = runner.invoke(app, ["export", "nothing", "-o", str(tmp_path / "x.csv"), "--db", cli_db])
    assert unknown.exit_code == 2


def test_cli_writes_each_template(tmp_path: Path) -> None:
    for kind, spec in import_specs().items():
        target = tmp_path / f"{kind}.xlsx"
        result = runner.invoke(app, ["import", "template", kind, "-o", str(target)])
        assert result.exit_code == 0, result.output
        workbook = load_workbook(target, read_only=True)
        assert workbook.sheetnames == ["数据", "说明"]
        header = [cell.value for cell in next(workbook["数据"].iter_rows(max_row=1))]
        assert header == spec.headers
        example = next(workbook["数据"].iter_rows(min_row=2, max_row=2))
        assert {cell.number_format for cell in example} == {"@"}  # typed IDs stay text in Excel
        help_rows = list(
            workbook["说明"].iter_rows(min_row=2, max_row=len(spec.columns) + 1, values_only=True)
        )
        assert [row[0] for row in help_rows] == spec.headers
        workbook.close()
    missing = runner.invoke(app, ["import", "template", "nothing", "-o", str(tmp_path / "n.xlsx")])
    assert missing.exit_code == 3 and "IMPORT_UNKNOWN_TEMPLATE" in missing.output


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def test_templates_are_listed_and_downloadable_when_signed_in(
    client: TestClient, container: Container
) -> None:
    anonymous = client.get("/registry/templates/residents.xlsx", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 307) and "/login" in anonymous.headers["location"]
    add_user(container, "clerk", Role.INSTITUTION_STAFF, institution_id="H33030200001")
    browser_login(client, "clerk")
    page = client.get("/registry/templates")
    assert page.status_code == 200
    for kind in import_specs():
        assert f'href="/registry/templates/{kind}.xlsx"' in page.text
    download = client.get("/registry/templates/encounters.xlsx")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(download.content), read_only=True)
    assert workbook.sheetnames == ["数据", "说明"]
    assert client.get("/registry/templates/nothing.xlsx").status_code == 404
