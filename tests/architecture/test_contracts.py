"""The import rules themselves: the custom contract catches what it should, and the repo keeps them."""

import subprocess
import sys
from pathlib import Path

import grimp

from tests.architecture.contracts import ContextApiContract

ROOT = Path(__file__).resolve().parents[2]


def _graph(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported, line_number=3, line_contents="import x")
    return graph


def _contract() -> ContextApiContract:
    return ContextApiContract(
        name="test", session_options={}, contract_options={"contexts": ["app.billing", "app.people"]}
    )


def test_importing_another_contexts_api_is_allowed() -> None:
    graph = _graph(("app.billing.services", "app.people.api"), ("app.people.api", "app.people.services"))
    assert _contract().check(graph, verbose=False).kept


def test_reaching_into_another_contexts_internals_is_refused() -> None:
    graph = _graph(("app.billing.services", "app.people.tables"), ("app.people.api", "app.people.tables"))
    check = _contract().check(graph, verbose=False)
    assert not check.kept
    assert check.metadata["violations"] == [
        {
            "importer": "app.billing.services",
            "imported": "app.people.tables",
            "line": 3,
            "public": "app.people.api",
        }
    ]


def test_the_repository_keeps_its_import_contracts() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-3000:]
