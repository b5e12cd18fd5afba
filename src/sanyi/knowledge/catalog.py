"""Everything shipped under ``knowledge/``, checked in one pass (``sanyi knowledge check``).

The check reads each file with the same schema its loader uses, so a file that passes here loads
in production, and a corrupted file is reported with its path, line and reason. ``root`` lets the
check run on a copy of the tree (a region's edited tables before they are installed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sanyi.knowledge import (
    KNOWLEDGE_ROOT,
    appraisal,
    codes,
    compensation,
    drg,
    indicators,
    ledger,
    policies,
    procurement,
    quality,
    supervision,
    synth,
    tiered,
    trace,
)
from sanyi.knowledge.tables import TableSchema, read_table


@dataclass(frozen=True, slots=True)
class TableSummary:
    kind: str
    table: str
    rows: int
    description: str


def _tables_of(
    root: Path,
) -> list[tuple[str, str, str, Callable[[Path], int]]]:
    entries: list[tuple[str, str, str, Callable[[Path], int]]] = []
    for file_name, schema in codes.TABLES.items():
        entries.append(("codes", f"codes/{file_name}", schema.description, _counter(schema)))
    for scheme in sorted(path.parent.name for path in (root / "drg").glob("*/rules.json")):
        entries.append(("drg", f"drg/{scheme}/rules.json", "grouping rules", drg.count_rules))
        for file_name, schema in drg.TABLES.items():
            entries.append(("drg", f"drg/{scheme}/{file_name}", schema.description, _counter(schema)))
        entries.append(
            (
                "drg",
                f"drg/{scheme}/conformance_cases.csv",
                drg.CONFORMANCE_SCHEMA.description,
                drg.count_cases,
            )
        )
    for name, schema in supervision.TABLES.items():
        entries.append(("supervision", f"supervision/{name}.tsv", schema.description, _counter(schema)))
    for name, schema in tiered.TABLES.items():
        entries.append(("tiered", f"tiered/{name}.tsv", schema.description, _counter(schema)))
    for name in indicators.FILES:
        entries.append(
            ("indicators", f"indicators/{name}", "reform indicator catalogue", indicators.count_entries)
        )
    for name, schema in quality.TABLES.items():
        count = quality.count_products if name == "antibacterial_products" else _counter(schema)
        entries.append(("indicators", f"indicators/{name}.tsv", schema.description, count))
    entries.append(
        ("synth", "synth/antibacterial_use.tsv", synth.ANTIBACTERIAL_USE.description, _antibacterial_use)
    )
    entries.append(
        ("synth", "synth/complication_codes.tsv", synth.COMPLICATION_CODES.description, _complications)
    )
    entries.append(
        (
            "indicators",
            f"indicators/{appraisal.SCHEME_FILE}",
            "performance-appraisal scheme (绩效考核)",
            appraisal.count_components,
        )
    )
    entries.append(
        (
            "procurement",
            "procurement/parameters.yaml",
            "procurement monitoring parameters with sources",
            procurement.count_parameters,
        )
    )
    entries.append(
        (
            "trace",
            f"trace/{trace.CONFIG_FILE}",
            "code format, query limits, duplicate rule",
            trace.count_config,
        )
    )
    for name, schema in trace.TABLES.items():
        entries.append(("trace", f"trace/{name}.tsv", schema.description, _counter(schema)))
    for package in policies.package_names(root / "policies"):
        entries.append(
            (
                "policies",
                f"policies/{package}/policy.yaml",
                "settlement policy parameters",
                policies.count_parameters,
            )
        )
        entries.append(
            ("policies", f"policies/{package}/cases", "claims with expected splits", policies.count_cases)
        )
    entries.append(
        ("ledger", f"ledger/{ledger.DEPARTMENTS_FILE}", "departments per region", ledger.count_departments)
    )
    for path in ledger.document_files(root / "ledger"):
        entries.append(("ledger", f"ledger/{path.name}", "reform tasks of a document", ledger.count_tasks))
    for name in compensation.rule_names(root / "compensation"):
        entries.append(
            (
                "compensation",
                f"compensation/{name}.yaml",
                "mark-up compensation parameters",
                compensation.count_parameters,
            )
        )
    return entries


def _antibacterial_use(path: Path) -> int:
    # Checked against the products of the same tree, as the loader checks the installed one.
    products = frozenset(quality.read_products(path.parent.parent / "indicators"))
    return len(synth.read_antibacterial_use(path, products))


def _complications(path: Path) -> int:
    prefixes = quality.read_complications(path.parent.parent / "indicators")
    return len(synth.read_complication_codes(path, prefixes))


def _counter(schema: TableSchema) -> Callable[[Path], int]:
    return lambda path: len(read_table(path, schema))


def check_all(
    root: Path = KNOWLEDGE_ROOT, progress: Callable[[str], None] | None = None
) -> list[TableSummary]:
    """Validate every knowledge file under ``root``; raise on the first bad one."""
    summaries = []
    for kind, relative, description, count in _tables_of(root):
        if progress is not None:
            progress(relative)
        summaries.append(TableSummary(kind, relative, count(root / relative), description))
    return summaries
