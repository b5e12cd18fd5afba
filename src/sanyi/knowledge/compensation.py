"""Parameters of the drug mark-up removal compensation (取消药品加成补偿), one YAML file per rule set.

Each parameter names its source (document, clause, quoted text) so a calculation can cite where
every rate comes from. Checked against ``compensation.schema.json`` and for consistency: the three
shares add up to 1, the rate lies in (0, 1), drug and excluded fee categories do not overlap, every
source reference resolves.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.errors import KNOWLEDGE_UNKNOWN
from sanyi.knowledge.tables import fail

COMPENSATION_DIR: Final = KNOWLEDGE_ROOT / "compensation"
SCHEMA_FILE: Final = COMPENSATION_DIR / "compensation.schema.json"
DEFAULT_RULES: Final = "harbin-2017"


@dataclass(frozen=True, slots=True)
class Source:
    document: str
    clause: str
    quote: str

    def cite(self) -> str:
        return f"{self.document} {self.clause}"


@dataclass(frozen=True, slots=True)
class CompensationRules:
    key: str
    title_zh: str
    title_en: str
    region: str
    reform_start: date
    markup_rate: Decimal
    basis_zh: str
    drug_categories: frozenset[str]
    excluded_categories: frozenset[str]
    price_share: Decimal
    government_share: Decimal
    hospital_share: Decimal
    sources: dict[str, Source]
    cited: dict[str, str]  # parameter → source key


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def read_rules(path: Path) -> CompensationRules:
    try:
        document: Any = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506
    except FileNotFoundError:
        raise fail(path, 0, "file is missing") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(path, (mark.line + 1) if mark else 1, f"not valid YAML: {error}") from None
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        pointer = "/" + "/".join(str(part) for part in errors[0].absolute_path)
        raise fail(path, 1, f"at {pointer}: {errors[0].message}")
    if document["key"] != path.stem:
        raise fail(path, 1, "key must equal the file name")
    sources = {key: Source(v["document"], v["clause"], v["quote"]) for key, v in document["sources"].items()}
    parameters = document["parameters"]
    cited = {name: value["source"] for name, value in parameters.items()}
    for name, key in cited.items():
        if key not in sources:
            raise fail(path, 1, f"parameter {name} cites unknown source {key}")
    shares = parameters["shares"]
    price, government, hospital = (Decimal(shares[k]) for k in ("price_adjustment", "government", "hospital"))
    if price + government + hospital != 1:
        raise fail(path, 1, "shares must add up to 1")
    rate = Decimal(parameters["markup_rate"]["value"])
    if not 0 < rate < 1:
        raise fail(path, 1, "markup_rate must lie between 0 and 1")
    drugs = frozenset(parameters["drug_categories"]["value"])
    excluded = frozenset(parameters["excluded_categories"]["value"])
    if drugs & excluded or not drugs:
        raise fail(path, 1, "drug_categories must be non-empty and disjoint from excluded_categories")
    try:
        start = date.fromisoformat(parameters["reform_start"]["value"])
    except ValueError:
        raise fail(path, 1, "reform_start is not a date") from None
    return CompensationRules(
        key=document["key"],
        title_zh=document["title_zh"],
        title_en=document["title_en"],
        region=document["region"],
        reform_start=start,
        markup_rate=rate,
        basis_zh=parameters["markup_rate"]["basis_zh"],
        drug_categories=drugs,
        excluded_categories=excluded,
        price_share=price,
        government_share=government,
        hospital_share=hospital,
        sources=sources,
        cited=cited,
    )


def rule_names(root: Path = COMPENSATION_DIR) -> list[str]:
    return sorted(path.stem for path in root.glob("*.yaml"))


@cache
def load_rules(name: str = DEFAULT_RULES) -> CompensationRules:
    path = COMPENSATION_DIR / f"{name}.yaml"
    if not path.exists():
        raise DomainError(
            KNOWLEDGE_UNKNOWN,
            kind_zh="补偿测算规则",
            kind_en="compensation rule set",
            name=name,
            available="、".join(rule_names()),
        )
    return read_rules(path)


def count_parameters(path: Path) -> int:
    return len(read_rules(path).cited)
