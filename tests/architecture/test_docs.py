"""Whatever is registered is documented: error codes, CLI commands, ADRs are indexed."""

import importlib
import pkgutil
import re
from pathlib import Path

import typer

import sanyi
from sanyi.cli.main import app
from sanyi.kernel.errors import registered_errors

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _import_everything() -> None:
    for module in pkgutil.walk_packages(sanyi.__path__, prefix="sanyi."):
        importlib.import_module(module.name)


def test_every_error_code_is_documented() -> None:
    _import_everything()
    documented = set(
        re.findall(r"^\| `([A-Z0-9_]+)` \|", (DOCS / "errors.md").read_text(encoding="utf-8"), re.M)
    )
    declared = {spec.code for spec in registered_errors() if not spec.code.startswith("TEST_")}
    assert declared - documented == set(), "add these codes to docs/errors.md"
    assert documented - declared == set(), "docs/errors.md lists codes that no longer exist"


def _command_name(command: typer.models.CommandInfo) -> str:
    if command.name:
        return command.name
    assert command.callback is not None
    return command.callback.__name__.replace("_", "-")


def _command_paths(group: typer.Typer, prefix: str = "") -> set[str]:
    paths = {f"{prefix}{_command_name(command)}" for command in group.registered_commands}
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        paths |= _command_paths(sub.typer_instance, f"{prefix}{sub.name} ")
    return paths


def test_every_cli_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = {path for path in _command_paths(app) if f"`sanyi {path}" not in text}
    assert missing == set(), "add these commands to docs/cli.md"


def test_every_decision_record_is_indexed() -> None:
    index = (DOCS / "decisions" / "README.md").read_text(encoding="utf-8")
    for record in sorted((DOCS / "decisions").glob("[0-9][0-9][0-9][0-9]-*.md")):
        assert record.name in index, f"{record.name} is missing from docs/decisions/README.md"
