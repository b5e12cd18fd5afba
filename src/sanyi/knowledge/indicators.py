"""The reform indicator catalogue: data elements, institution classes, indicators, targets, legends.

Four YAML files under ``knowledge/indicators/`` are read with every scalar a string, checked against
``indicators.schema.json`` and then for references: expression terms name known elements and
classes, targets name known indicators, legend bands follow one another with no gap and no overlap.
A bad file fails naming the file, line and reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

import jsonschema
import yaml

from sanyi.kernel.errors import DomainError, ErrorKind, ErrorSpec
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.tables import fail

INDICATORS_DIR: Final = KNOWLEDGE_ROOT / "indicators"
FILES: Final = ("elements.yaml", "indicators.yaml", "targets.yaml", "legends.yaml")

LEGEND_BANDS_INVALID = ErrorSpec(
    "LEGEND_BANDS_INVALID",
    ErrorKind.INVALID,
    "图例 {legend} 的第 {band} 段有误：{reason_zh}",
    "legend {legend}, band {band}: {reason}",
)

Scope = Literal["institution", "area"]
Aggregation = Literal["sum", "last"]
Comparator = Literal["ge", "gt", "le", "lt", "about"]
DISAGGREGATIONS: Final = ("ownership", "category", "tier", "community")

_TERM = r"([a-z][a-z0-9_]*)(?:\[([a-z][a-z0-9_]*)\])?"
_TERM_RE = re.compile(_TERM)
_EXPRESSION_RE = re.compile(rf"^\s*{_TERM}(\s*[+-]\s*{_TERM})*\s*$")


@dataclass(frozen=True, slots=True)
class Element:
    id: str
    name_zh: str
    name_en: str
    scope: Scope
    aggregation: Aggregation
    source: str
    caliber_zh: str
    caliber_en: str
    money: bool = False  # amounts in yuan


@dataclass(frozen=True, slots=True)
class InstitutionClass:
    id: str
    name_zh: str
    name_en: str
    ownership: frozenset[str] | None
    category: frozenset[str] | None
    tier: frozenset[int] | None

    def matches(self, ownership: str, category: str, tier: int) -> bool:
        return (
            (self.ownership is None or ownership in self.ownership)
            and (self.category is None or category in self.category)
            and (self.tier is None or tier in self.tier)
        )


@dataclass(frozen=True, slots=True)
class Term:
    """One signed term of an expression: ``sign × element`` restricted to ``klass`` when given."""

    sign: int
    element: str
    klass: str | None = None

    def __str__(self) -> str:
        return self.element + (f"[{self.klass}]" if self.klass else "")


@dataclass(frozen=True, slots=True)
class Caliber:
    version: str
    effective_from: date
    effective_to: date | None
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class IndicatorDef:
    id: str
    theme: str
    name_zh: str
    name_en: str
    type: Literal["ratio", "growth"]
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]  # empty: the numerator alone (counts, growth of a total)
    factor: Decimal
    unit: str
    direction: Literal["up", "down"]
    disaggregations: tuple[str, ...]
    caliber: Caliber
    offset_years: int = 1
    numerator_text: str = ""
    denominator_text: str = ""

    @property
    def elements(self) -> tuple[str, ...]:
        """Every element the indicator reads, in order of first use."""
        return tuple(dict.fromkeys(t.element for t in (*self.numerator, *self.denominator)))


@dataclass(frozen=True, slots=True)
class TargetDef:
    indicator: str
    area: str
    comparator: Comparator
    value: Decimal
    tolerance: Decimal | None
    effective_from: date
    effective_to: date | None
    document: str
    clause: str

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True, slots=True)
class Band:
    low: Decimal | None  # inclusive; None = minus infinity
    high: Decimal | None  # exclusive; None = infinity
    colour: str
    label_zh: str
    label_en: str

    def holds(self, value: Decimal) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)


@dataclass(frozen=True, slots=True)
class Legend:
    id: str
    name_zh: str
    name_en: str
    bands: tuple[Band, ...]

    def band_of(self, value: Decimal | None) -> Band | None:
        if value is None:
            return None
        return next((band for band in self.bands if band.holds(value)), None)


@dataclass(frozen=True, slots=True)
class Catalogue:
    elements: Mapping[str, Element]
    classes: Mapping[str, InstitutionClass]
    themes: Mapping[str, tuple[str, str]]
    indicators: Mapping[str, IndicatorDef]
    targets: tuple[TargetDef, ...]
    legends: Mapping[str, Legend]
    assignments: Mapping[str, str]  # indicator → legend

    def legend_of(self, indicator: str) -> Legend | None:
        name = self.assignments.get(indicator)
        return self.legends[name] if name else None


def parse_expression(text: str) -> tuple[Term, ...]:
    """``a + b[klass] - c`` → terms; raises ``ValueError`` on anything else."""
    if not _EXPRESSION_RE.match(text):
        raise ValueError(f"expression {text!r} is not 'element[class] ± element[class] …'")
    terms: list[Term] = []
    sign = 1
    position = 0
    stripped = text.strip()
    while position < len(stripped):
        char = stripped[position]
        if char in "+-":
            sign = 1 if char == "+" else -1
            position += 1
            continue
        if char.isspace():
            position += 1
            continue
        match = _TERM_RE.match(stripped, position)
        if match is None:  # pragma: no cover - the whole-expression pattern matched already
            raise ValueError(text)
        terms.append(Term(sign, match[1], match[2]))
        sign = 1
        position = match.end()
    return tuple(terms)


def build_legend(legend_id: str, name_zh: str, name_en: str, bands: Sequence[Band]) -> Legend:
    """A legend whose bands follow one another with no gap and no overlap, or ``LEGEND_BANDS_INVALID``."""

    def bad(number: int, reason_zh: str, reason: str) -> DomainError:
        return DomainError(
            LEGEND_BANDS_INVALID,
            path=f"legends.{legend_id}.bands[{number}]",
            legend=legend_id,
            band=number + 1,
            reason_zh=reason_zh,
            reason=reason,
        )

    if not bands:
        raise bad(0, "图例至少要有一段", "a legend needs at least one band")
    for number, band in enumerate(bands):
        if band.low is not None and band.high is not None and band.low >= band.high:
            raise bad(
                number,
                f"下限 {band.low} 不小于上限 {band.high}",
                f"lower bound {band.low} ≥ upper {band.high}",
            )
        if number and band.low is None:
            raise bad(number, "只有第一段可以没有下限", "only the first band may lack a lower bound")
        if number < len(bands) - 1 and band.high is None:
            raise bad(number, "只有最后一段可以没有上限", "only the last band may lack an upper bound")
        if number:
            previous = bands[number - 1].high
            assert previous is not None and band.low is not None
            if band.low > previous:
                raise bad(
                    number,
                    f"与上一段之间有空缺（{previous}–{band.low}）",
                    f"gap after {previous} up to {band.low}",
                )
            if band.low < previous:
                raise bad(
                    number,
                    f"与上一段重叠（{band.low}–{previous}）",
                    f"overlaps the previous band ({band.low}–{previous})",
                )
    return Legend(legend_id, name_zh, name_en, tuple(bands))


@cache
def _definitions() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (INDICATORS_DIR / "indicators.schema.json").read_text(encoding="utf-8")
    )
    return dict(schema["$defs"])


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({"$defs": _definitions()})


def _read(path: Path, kind: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(path, 0, "file is missing") from None
    try:
        document = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(path, (mark.line + 1) if mark else 1, f"not valid YAML: {error}") from None
    validator = _validator()
    schema = {"$ref": f"#/$defs/{kind}", "$defs": _definitions()}
    errors = sorted(
        validator.evolve(schema=schema).iter_errors(document), key=lambda e: list(e.absolute_path)
    )
    if errors:
        where = "/".join(str(part) for part in errors[0].absolute_path) or "(top)"
        raise fail(path, _line_of(text, errors[0].absolute_path), f"{where}: {errors[0].message}")
    return document


def _line_of(text: str, path: Sequence[Any]) -> int:
    keys = [str(part) for part in path if isinstance(part, str)]
    if not keys:
        return 1
    needle = f"{keys[-1]}:"
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def read_catalogue(root: Path = INDICATORS_DIR) -> Catalogue:
    """Read and check the four files under ``root``."""
    raw_elements = _read(root / "elements.yaml", "elements_file")
    elements = {
        e["id"]: Element(
            e["id"],
            e["name_zh"],
            e["name_en"],
            e["scope"],
            e["aggregation"],
            e["source"],
            e["caliber_zh"],
            e["caliber_en"],
            e.get("unit") == "yuan",
        )
        for e in raw_elements["elements"]
    }
    if len(elements) != len(raw_elements["elements"]):
        raise fail(root / "elements.yaml", 1, "element ids must be unique")
    classes = {
        name: InstitutionClass(
            name,
            c["name_zh"],
            c["name_en"],
            frozenset(c["ownership"]) if "ownership" in c else None,
            frozenset(c["category"]) if "category" in c else None,
            frozenset(int(t) for t in c["tier"]) if "tier" in c else None,
        )
        for name, c in raw_elements["classes"].items()
    }
    path = root / "indicators.yaml"
    raw = _read(path, "indicators_file")
    text = path.read_text(encoding="utf-8")
    themes = {code: (t["name_zh"], t["name_en"]) for code, t in raw["themes"].items()}
    indicators: dict[str, IndicatorDef] = {}
    for item in raw["indicators"]:
        code = item["id"]
        line = _line_of(text, [f"id: {code}"]) if f"id: {code}" in text else 1

        def terms(
            key: str, item: Mapping[str, Any] = item, code: str = code, line: int = line
        ) -> tuple[Term, ...]:
            if key not in item:
                return ()
            try:
                parsed = parse_expression(item[key])
            except ValueError as error:
                raise fail(path, line, f"{code}.{key}: {error}") from None
            for term in parsed:
                if term.element not in elements:
                    raise fail(path, line, f"{code}.{key}: unknown data element {term.element!r}")
                if term.klass is not None and term.klass not in classes:
                    raise fail(path, line, f"{code}.{key}: unknown institution class {term.klass!r}")
                if term.klass is not None and elements[term.element].scope == "area":
                    raise fail(path, line, f"{code}.{key}: area element {term.element!r} takes no class")
            return parsed

        if code in indicators:
            raise fail(path, line, f"indicator {code} appears twice")
        if item["theme"] not in themes:
            raise fail(path, line, f"{code}: unknown theme {item['theme']!r}")
        caliber = item["caliber"]
        indicators[code] = IndicatorDef(
            id=code,
            theme=item["theme"],
            name_zh=item["name_zh"],
            name_en=item["name_en"],
            type=item["type"],
            numerator=terms("numerator"),
            denominator=terms("denominator"),
            factor=Decimal(item["factor"]),
            unit=item["unit"],
            direction=item["direction"],
            disaggregations=tuple(item["disaggregations"]),
            caliber=Caliber(
                caliber["version"],
                date.fromisoformat(caliber["effective_from"]),
                _day(caliber.get("effective_to")),
                caliber["text_zh"],
                caliber["text_en"],
            ),
            offset_years=int(item.get("offset_years", "1")),
            numerator_text=item["numerator"],
            denominator_text=item.get("denominator", ""),
        )
    path = root / "targets.yaml"
    targets = []
    for number, t in enumerate(_read(path, "targets_file")["targets"]):
        if t["indicator"] not in indicators:
            raise fail(path, 1, f"targets[{number}]: unknown indicator {t['indicator']!r}")
        if (t["comparator"] == "about") != ("tolerance" in t):
            raise fail(path, 1, f"targets[{number}]: a tolerance goes with the comparator 'about' only")
        targets.append(
            TargetDef(
                t["indicator"],
                t["area"],
                t["comparator"],
                Decimal(t["value"]),
                _decimal(t.get("tolerance")),
                date.fromisoformat(t["effective_from"]),
                _day(t.get("effective_to")),
                t["document"],
                t["clause"],
            )
        )
    path = root / "legends.yaml"
    raw_legends = _read(path, "legends_file")
    legends: dict[str, Legend] = {}
    for name, spec in raw_legends["legends"].items():
        bands = [
            Band(_decimal(b.get("from")), _decimal(b.get("to")), b["colour"], b["label_zh"], b["label_en"])
            for b in spec["bands"]
        ]
        try:
            legends[name] = build_legend(name, spec["name_zh"], spec["name_en"], bands)
        except DomainError as error:
            raise fail(path, _line_of(path.read_text(encoding="utf-8"), [name]), error.message_en) from None
    assignments = dict(raw_legends["assignments"])
    for indicator, legend in assignments.items():
        if indicator not in indicators or legend not in legends:
            raise fail(path, 1, f"assignments: {indicator} → {legend} names an unknown indicator or legend")
    return Catalogue(elements, classes, themes, indicators, tuple(targets), legends, assignments)


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue (cached)."""
    return read_catalogue()


def count_entries(path: Path) -> int:
    """Entries of one catalogue file (for ``sanyi knowledge check``), after checking the whole set."""
    loaded = read_catalogue(path.parent)
    return {
        "elements.yaml": len(loaded.elements),
        "indicators.yaml": len(loaded.indicators),
        "targets.yaml": len(loaded.targets),
        "legends.yaml": len(loaded.legends),
    }[path.name]
