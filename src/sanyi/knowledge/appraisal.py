"""The performance-appraisal scheme (绩效考核方案): dimensions, weighted components over catalogue
indicators with a scoring rule each, and grade bands.

``knowledge/indicators/appraisal.yaml`` is read with every scalar a string, checked against
``appraisal.schema.json`` and then against the indicator catalogue beside it: every component names
a known indicator once, weights are positive and add up to exactly 100, each rule's ``full`` lies
beyond its ``zero`` in the indicator's direction, ``applies_to`` is a known institution class, and
the grade bands run from 0 to 100 with no gap and no overlap. A bad file fails naming file, line and
reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from sanyi.knowledge.indicators import INDICATORS_DIR, Catalogue, read_catalogue
from sanyi.knowledge.tables import fail

SCHEME_FILE: Final = "appraisal.yaml"
SCHEMA_FILE: Final = "appraisal.schema.json"
FULL_SCORE: Final = Decimal(100)


@dataclass(frozen=True, slots=True)
class Rule:
    """Linear scoring: fraction 1 at or beyond ``full`` in the indicator's direction, 0 at or beyond
    ``zero`` the other way, a straight line between."""

    kind: str
    full: Decimal
    zero: Decimal


@dataclass(frozen=True, slots=True)
class Component:
    indicator: str
    dimension: str
    weight: Decimal
    rule: Rule
    national: str  # the national indicator it stands for, or "local …"
    basis: str  # where the thresholds come from


@dataclass(frozen=True, slots=True)
class Dimension:
    id: str
    name_zh: str
    name_en: str
    components: tuple[Component, ...]
    pending: tuple[str, ...]  # national indicators of this dimension the platform has no data for

    @property
    def weight(self) -> Decimal:
        return sum((c.weight for c in self.components), Decimal(0))


@dataclass(frozen=True, slots=True)
class Grade:
    grade: str
    name_zh: str
    name_en: str
    low: Decimal  # inclusive
    high: Decimal  # exclusive, except the top band, which holds 100


@dataclass(frozen=True, slots=True)
class Scheme:
    id: str
    name_zh: str
    name_en: str
    document: str
    clause: str
    applies_to: str  # an institution class of the indicator catalogue
    minimum_coverage: Decimal  # the weight that must be scored for a total and a grade
    dimensions: tuple[Dimension, ...]
    grades: tuple[Grade, ...]  # lowest first

    @property
    def components(self) -> tuple[Component, ...]:
        return tuple(c for d in self.dimensions for c in d.components)

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(c.indicator for c in self.components)

    def grade_of(self, score: Decimal | None) -> Grade | None:
        if score is None:
            return None
        top = self.grades[-1]
        for band in self.grades:
            if band.low <= score < band.high or (band is top and score == band.high):
                return band
        return None


@cache
def _validator(path: Path) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def _line(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def read_scheme(root: Path = INDICATORS_DIR, loaded: Catalogue | None = None) -> Scheme:
    """Read and check ``appraisal.yaml`` under ``root`` against the catalogue of the same folder."""
    path = root / SCHEME_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(path, 0, "file is missing") from None
    try:
        document: Any = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(path, (mark.line + 1) if mark else 1, f"not valid YAML: {error}") from None
    errors = sorted(_validator(root / SCHEMA_FILE).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(part) for part in errors[0].absolute_path) or "(top)"
        keys = [str(p) for p in errors[0].absolute_path if isinstance(p, str)]
        raise fail(path, _line(text, f"{keys[-1]}:") if keys else 1, f"{where}: {errors[0].message}")
    loaded = loaded or read_catalogue(root)
    if document["applies_to"] not in loaded.classes:
        raise fail(path, _line(text, "applies_to:"), f"unknown institution class {document['applies_to']!r}")
    dimensions = []
    seen: set[str] = set()
    for raw in document["dimensions"]:
        components = []
        for item in raw["components"]:
            code = item["indicator"]
            line = _line(text, f"indicator: {code}")
            components.append(_component(path, line, loaded, raw["id"], item, seen))
        dimensions.append(
            Dimension(raw["id"], raw["name_zh"], raw["name_en"], tuple(components), tuple(raw["pending"]))
        )
    if len({d.id for d in dimensions}) != len(dimensions):
        raise fail(path, _line(text, "dimensions:"), "dimension ids must be unique")
    total = sum((d.weight for d in dimensions), Decimal(0))
    if total != FULL_SCORE:
        raise fail(path, _line(text, "dimensions:"), f"component weights add up to {total}, not 100")
    coverage = Decimal(document["minimum_coverage"])
    if not 0 < coverage <= FULL_SCORE:
        raise fail(path, _line(text, "minimum_coverage:"), "minimum_coverage must lie in (0, 100]")
    grades = _grades(path, text, document["grades"])
    return Scheme(
        document["id"],
        document["name_zh"],
        document["name_en"],
        document["document"],
        document["clause"],
        document["applies_to"],
        coverage,
        tuple(dimensions),
        grades,
    )


def _component(
    path: Path, line: int, loaded: Catalogue, dimension: str, item: dict[str, Any], seen: set[str]
) -> Component:
    code = item["indicator"]
    if code not in loaded.indicators:
        raise fail(path, line, f"unknown indicator {code!r}")
    if code in seen:
        raise fail(path, line, f"indicator {code} is scored twice")
    seen.add(code)
    weight = Decimal(item["weight"])
    if weight <= 0:
        raise fail(path, line, f"{code}: weight must be positive")
    rule = Rule(item["rule"]["kind"], Decimal(item["rule"]["full"]), Decimal(item["rule"]["zero"]))
    direction = loaded.indicators[code].direction
    if (direction == "up" and rule.full <= rule.zero) or (direction == "down" and rule.full >= rule.zero):
        raise fail(
            path,
            line,
            f"{code} points {direction}: full ({rule.full}) must lie beyond zero ({rule.zero}) that way",
        )
    return Component(code, dimension, weight, rule, item["national"], item["basis"])


def _grades(path: Path, text: str, raw: list[dict[str, str]]) -> tuple[Grade, ...]:
    grades = sorted(
        (Grade(g["grade"], g["name_zh"], g["name_en"], Decimal(g["from"]), Decimal(g["to"])) for g in raw),
        key=lambda g: g.low,
    )

    def bad(grade: Grade, reason: str) -> Exception:
        return fail(path, _line(text, f"grade: {grade.grade}"), f"grade {grade.grade}: {reason}")

    if len({g.grade for g in grades}) != len(grades):
        raise fail(path, _line(text, "grades:"), "grade names must be unique")
    if grades[0].low != 0:
        raise bad(grades[0], f"the lowest band must start at 0, not {grades[0].low}")
    if grades[-1].high != FULL_SCORE:
        raise bad(grades[-1], f"the highest band must end at 100, not {grades[-1].high}")
    for number, grade in enumerate(grades):
        if grade.low >= grade.high:
            raise bad(grade, f"from {grade.low} is not below to {grade.high}")
        if number:
            previous = grades[number - 1].high
            if grade.low > previous:
                raise bad(grade, f"gap between {previous} and {grade.low}")
            if grade.low < previous:
                raise bad(grade, f"overlaps the band below ({grade.low}–{previous})")
    return tuple(grades)


@cache
def scheme() -> Scheme:
    """The shipped scheme (cached)."""
    return read_scheme()


def count_components(path: Path) -> int:
    """Scored components of the scheme (for ``sanyi knowledge check``), after checking it."""
    return len(read_scheme(path.parent).components)
