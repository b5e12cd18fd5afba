"""Procurement knowledge: the monitoring parameters (two-invoice chain, volume-based procurement, prices,
shortages), each with its title and source, checked against ``procurement/parameters.schema.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.tables import fail

PROCUREMENT_DIR: Final = KNOWLEDGE_ROOT / "procurement"
PARAMETERS_FILE: Final = PROCUREMENT_DIR / "parameters.yaml"
SCHEMA_FILE: Final = PROCUREMENT_DIR / "parameters.schema.json"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a parameter comes from: ``seed`` (a reform document of the region) or ``K`` (common practice)."""

    name: str
    value: str
    title_zh: str
    title_en: str
    document: str
    clause: str
    known: str


@dataclass(frozen=True, slots=True)
class ProcurementParameters:
    payment_term_days: int
    max_distributor_steps: int
    remote_extra_steps: int
    remote_divisions: tuple[str, ...]
    import_agent_as_manufacturer: bool
    completion_warning_ratio: Decimal
    retained_share: Decimal
    price_rise_threshold: Decimal
    price_spread_threshold: Decimal
    shortage_unfilled_days: int
    stock_days_floor: Decimal
    concentration_top_n: int
    agreed_volume_share: Decimal
    version: str = ""
    sources: tuple[Provenance, ...] = ()

    def is_remote(self, division_code: str) -> bool:
        return any(division_code.startswith(prefix) for prefix in self.remote_divisions)


_DECIMALS: Final = frozenset(
    {
        "completion_warning_ratio",
        "retained_share",
        "price_rise_threshold",
        "price_spread_threshold",
        "stock_days_floor",
        "agreed_volume_share",
    }
)


def read_parameters(path: Path = PARAMETERS_FILE, schema: Path = SCHEMA_FILE) -> ProcurementParameters:
    """Read and check a parameters file; a bad file fails with its path, line and reason."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(path, 0, "file is missing") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(path, (mark.line + 1) if mark else 1, f"not valid YAML: {error}") from None
    validator = jsonschema.Draft202012Validator(json.loads(schema.read_text(encoding="utf-8")))
    problems = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        pointer = "/" + "/".join(str(part) for part in first.absolute_path)
        raise fail(path, 1, f"at {pointer}: {first.message}")
    entries: dict[str, dict[str, Any]] = raw["parameters"]
    values: dict[str, Any] = {}
    for name, entry in entries.items():
        value = entry["value"]
        values[name] = (
            Decimal(value) if name in _DECIMALS else tuple(value) if isinstance(value, list) else value
        )
    sources = tuple(
        Provenance(
            name,
            json.dumps(entry["value"], ensure_ascii=False)
            if isinstance(entry["value"], list)
            else str(entry["value"]),
            entry["title_zh"],
            entry["title_en"],
            entry["document"],
            entry["clause"],
            entry["known"],
        )
        for name, entry in entries.items()
    )
    return ProcurementParameters(**values, version=str(raw["version"]), sources=sources)


@cache
def parameters() -> ProcurementParameters:
    """The shipped parameters (cached per process)."""
    return read_parameters()


def count_parameters(path: Path) -> int:
    return len(read_parameters(path, path.parent / SCHEMA_FILE.name).sources)
