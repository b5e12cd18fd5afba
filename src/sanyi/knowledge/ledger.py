"""Reform task tables (任务台账) and the departments of each region, read as data.

``ledger/<document>.yaml`` holds one source document's tasks (parsed once from the seed texts by
``scripts/parse-ledger-seeds``), each with its clause, lead (▲ or first-listed), co-leads,
cooperating departments, deadline and linked indicators; ``ledger/departments.yaml`` lists the
departments of each region in Chinese with the platform roles that act for them. Both are checked
against their JSON schema and for names that do not resolve (a task naming a department its region
does not list, a task id used twice).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.tables import fail

LEDGER_DIR: Final = KNOWLEDGE_ROOT / "ledger"
DEPARTMENTS_FILE: Final = "departments.yaml"
_SCHEMAS: Final = {"tasks": "tasks.schema.json", "departments": "departments.schema.json"}


@dataclass(frozen=True, slots=True)
class IndicatorLink:
    code: str  # a code of the indicator catalogue, e.g. "FJ03"
    target: str  # the sentence of the document stating the target


@dataclass(frozen=True, slots=True)
class SeedTask:
    id: str
    clause: str
    content: str
    lead: str
    co_leads: tuple[str, ...]
    cooperating: tuple[str, ...]
    departments_text: str
    deadline: date | None
    deadline_text: str
    indicators: tuple[IndicatorLink, ...]


@dataclass(frozen=True, slots=True)
class SeedDocument:
    key: str
    title: str
    number: str
    region: str
    issued: date
    seed: str
    tasks: tuple[SeedTask, ...]

    def cite(self, clause: str) -> str:
        return f"{self.number}《{self.title}》{clause}"


@dataclass(frozen=True, slots=True)
class Department:
    name: str
    roles: frozenset[str]


@dataclass(frozen=True, slots=True)
class RegionDepartments:
    region: str
    name: str
    departments: tuple[Department, ...]

    def named(self, name: str) -> Department | None:
        return next((d for d in self.departments if d.name == name), None)


@cache
def _validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((LEDGER_DIR / _SCHEMAS[kind]).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _read(path: Path, kind: str) -> dict[str, Any]:
    try:
        # BaseLoader keeps every scalar a string (ids, region codes and dates stay text).
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506
    except FileNotFoundError:
        raise fail(path, 0, "file is missing") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(path, (mark.line + 1) if mark else 1, f"not valid YAML: {error}") from None
    document = _nulls(document)
    if not isinstance(document, dict):
        raise fail(path, 1, "expected a mapping at the top")
    errors = sorted(_validator(kind).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        pointer = "/" + "/".join(str(part) for part in errors[0].absolute_path)
        raise fail(path, 1, f"at {pointer}: {errors[0].message}")
    return document


def _nulls(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _nulls(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_nulls(value) for value in node]
    return None if node in ("null", "~") else node


def document_files(root: Path = LEDGER_DIR) -> list[Path]:
    return sorted(path for path in root.glob("*.yaml") if path.name != DEPARTMENTS_FILE)


def read_departments(path: Path) -> dict[str, RegionDepartments]:
    raw = _read(path, "departments")
    regions: dict[str, RegionDepartments] = {}
    for entry in raw["regions"]:
        names = [d["name"] for d in entry["departments"]]
        if len(set(names)) != len(names):
            raise fail(path, 1, f"region {entry['region']} lists a department twice")
        regions[entry["region"]] = RegionDepartments(
            entry["region"],
            entry["name"],
            tuple(Department(d["name"], frozenset(d["roles"])) for d in entry["departments"]),
        )
    return regions


def read_document(path: Path, departments: dict[str, RegionDepartments]) -> SeedDocument:
    raw = _read(path, "tasks")
    meta = raw["document"]
    region = departments.get(meta["region"])
    if region is None:
        raise fail(path, 1, f"region {meta['region']} is not in {DEPARTMENTS_FILE}")
    tasks = []
    for number, task in enumerate(raw["tasks"]):
        for name in [task["lead"], *task["co_leads"], *task["cooperating"]]:
            if region.named(name) is None:
                raise fail(path, 1, f"at /tasks/{number}: department {name} is not listed for {region.name}")
        try:
            deadline = date.fromisoformat(task["deadline"]) if task["deadline"] else None
        except ValueError:
            raise fail(path, 1, f"at /tasks/{number}/deadline: not a date") from None
        tasks.append(
            SeedTask(
                id=task["id"],
                clause=task["clause"],
                content=task["content"],
                lead=task["lead"],
                co_leads=tuple(task["co_leads"]),
                cooperating=tuple(task["cooperating"]),
                departments_text=task["departments_text"],
                deadline=deadline,
                deadline_text=task["deadline_text"],
                indicators=tuple(IndicatorLink(i["code"], i["target"]) for i in task["indicators"]),
            )
        )
    return SeedDocument(
        key=meta["key"],
        title=meta["title"],
        number=meta["number"],
        region=meta["region"],
        issued=date.fromisoformat(meta["issued"]),
        seed=meta["seed"],
        tasks=tuple(tasks),
    )


def load_all(root: Path = LEDGER_DIR) -> tuple[dict[str, RegionDepartments], tuple[SeedDocument, ...]]:
    departments = read_departments(root / DEPARTMENTS_FILE)
    documents = tuple(read_document(path, departments) for path in document_files(root))
    seen: dict[str, str] = {}
    for document in documents:
        for task in document.tasks:
            if task.id in seen:
                raise fail(root / f"{document.key}.yaml", 1, f"task {task.id} is also in {seen[task.id]}")
            seen[task.id] = document.key
    return departments, documents


@cache
def load_ledger() -> tuple[dict[str, RegionDepartments], tuple[SeedDocument, ...]]:
    return load_all()


def count_tasks(path: Path) -> int:
    return len(read_document(path, read_departments(path.parent / DEPARTMENTS_FILE)).tasks)


def count_departments(path: Path) -> int:
    return sum(len(region.departments) for region in read_departments(path).values())
