"""The traceability knowledge file: loads with provenance, and a corrupted copy fails naming the field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.trace import TRACE_DIR, enterprises, read_config, trace_config


def test_the_shipped_configuration_loads_with_its_sources() -> None:
    config = trace_config()
    assert config.code.length == 20 and config.code.check_rule == "none"
    assert "NMPAB/T 1011-2022" in config.code.source
    assert config.duplicate_rule.id == "TRACE_DUPLICATE_DISPENSE"
    assert "第十五条" in config.duplicate_rule.basis
    assert config.public_query.max_misses < config.public_query.max_queries
    roles = {e.role for e in enterprises()}
    assert roles == {"manufacturer", "distributor"}


@pytest.mark.parametrize(
    ("before", "after", "where"),
    [
        ("max_misses: 10", "max_misses: 0", "public_query/max_misses"),
        ("result: violation", "result: maybe", "duplicate_rule/result"),
        ("length: 20", "length: twenty", "code/length"),
    ],
)
def test_a_bad_value_is_refused_with_its_path(tmp_path: Path, before: str, after: str, where: str) -> None:
    shutil.copy(TRACE_DIR / "trace.schema.json", tmp_path / "trace.schema.json")
    text = (TRACE_DIR / "trace.yaml").read_text(encoding="utf-8")
    assert before in text
    (tmp_path / "trace.yaml").write_text(text.replace(before, after), encoding="utf-8")
    with pytest.raises(DomainError) as caught:
        read_config(tmp_path / "trace.yaml")
    assert caught.value.code == "KNOWLEDGE_INVALID_FILE" and where in caught.value.message_en
