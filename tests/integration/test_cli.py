"""The sanyi command line, end to end on each backend."""

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanyi.bootstrap import Container
from sanyi.cli.main import app
from sanyi.identity.api import TokenKind
from sanyi.infrastructure import migrate
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.registry.api import counts
from tests.conftest import TEST_SECRET

runner = CliRunner()


@pytest.fixture
def cli_env(container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Environment for CLI runs against the test database; yields its URL."""
    monkeypatch.setenv("SANYI_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("SANYI_ENV", "test")
    monkeypatch.setenv("SANYI_DATA_DIR", str(tmp_path))
    yield container.settings.database_url


def test_user_add_list_disable(cli_env: str) -> None:
    added = runner.invoke(
        app, ["user", "add", "chen.yi", "--role", "reform_office", "--display-name", "陈一", "--db", cli_env]
    )
    assert added.exit_code == 0, added.output
    assert "initial password" in added.output
    listed = runner.invoke(app, ["user", "list", "--json", "--db", cli_env])
    users = json.loads(listed.stdout)
    assert users == [
        {
            "username": "chen.yi",
            "display_name": "陈一",
            "role": "reform_office",
            "institution_id": None,
            "active": True,
        }
    ]
    assert runner.invoke(app, ["user", "disable", "chen.yi", "--db", cli_env]).exit_code == 0
    assert (
        json.loads(runner.invoke(app, ["user", "list", "--json", "--db", cli_env]).stdout)[0]["active"]
        is False
    )


def test_user_errors_have_codes_and_exit_codes(cli_env: str) -> None:
    missing = runner.invoke(app, ["user", "disable", "ghost", "--db", cli_env])
    assert missing.exit_code == 3
    assert "USER_NOT_FOUND" in missing.output
    institution_less = runner.invoke(
        app, ["user", "add", "doc.a", "--role", "family_doctor", "--db", cli_env]
    )
    assert institution_less.exit_code == 2 and "USER_INSTITUTION_REQUIRED" in institution_less.output


def test_db_upgrade_and_current(cli_env: str) -> None:
    upgraded = runner.invoke(app, ["db", "upgrade", "--db", cli_env])
    assert upgraded.exit_code == 0, upgraded.output
    current = runner.invoke(app, ["db", "current", "--db", cli_env])
    head = migrate.head_revision()
    assert f"current: {head}  head: {head}" in current.output


def test_production_without_a_secret_refuses_account_commands(
    cli_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANYI_ENV", "production")
    monkeypatch.delenv("SANYI_SECRET_KEY")
    result = runner.invoke(app, ["user", "add", "x.y.z", "--role", "admin", "--db", cli_env])
    assert result.exit_code == 7
    assert "CONFIG_MISSING_SECRET_KEY" in result.output


def test_demo_builds_the_region_and_accounts_that_can_log_in(cli_env: str, container: Container) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--db", cli_env])
    assert result.exit_code == 0, result.output
    users = {user.username: user for user in container.identity.list_users()}
    assert set(users) == {"demo", "yibao", "weijian", "yigai", "yiyuan", "jiating"}
    assert users["yiyuan"].institution_id and users["jiating"].institution_id
    printed = re.search(r"│ demo\s+│ (\S+)\s+│", result.output)
    assert printed is not None
    assert container.identity.login("demo", printed.group(1), TokenKind.SESSION, None).token
    with container.uow() as uow:
        assert counts(uow.connection)["residents"] == 20_000
    # A second start keeps the region and issues new passwords.
    again = runner.invoke(app, ["demo", "--no-serve", "--db", cli_env])
    assert again.exit_code == 0, again.output
    with container.uow() as uow:
        assert counts(uow.connection)["residents"] == 20_000


def test_knowledge_check_reports_counts() -> None:
    result = runner.invoke(app, ["knowledge", "check", "--json"])
    assert result.exit_code == 0, result.output
    rows = {entry["table"]: entry["rows"] for entry in json.loads(result.stdout)}
    assert rows["codes/diagnoses.tsv"] == 33304 and rows["drg/chs_drg_11/drg_names.tsv"] == 628


def test_knowledge_check_rejects_a_corrupted_copy(tmp_path: Path) -> None:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    table = root / "supervision" / "item_sex_limit.tsv"
    lines = table.read_text(encoding="utf-8").split("\n")
    lines[9] = "002101030280000\t阴茎海绵体造影\t未知\t"
    table.write_text("\n".join(lines), encoding="utf-8")
    result = runner.invoke(app, ["knowledge", "check", "--root", str(root)])
    assert result.exit_code == 7
    assert "KNOWLEDGE_INVALID_FILE" in result.output
    assert "supervision/item_sex_limit.tsv" in result.output and "line 10" in result.output
