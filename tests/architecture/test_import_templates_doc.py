"""docs/import-templates.md is generated from the template definitions and must be current."""

from pathlib import Path

from sanyi.bootstrap import import_specs
from sanyi.infrastructure.sheets import markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-templates.md"


def test_import_templates_doc_is_current() -> None:
    expected = markdown(import_specs().values()) + "\n"
    assert DOC.read_text(encoding="utf-8") == expected, "run scripts/generate-import-templates-doc"
