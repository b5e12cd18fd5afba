"""Synthetic-region profiles and the clinical catalogue, read from ``synth/`` and schema-checked.

Tier-keyed tables use the keys 3, 2, 1, 0 (医院等级) and ``primary`` (基层); the loader turns them into
``ByClass`` values so generators index them without string keys.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.errors import KNOWLEDGE_UNKNOWN
from sanyi.knowledge.quality import antibacterial_products, complication_prefixes
from sanyi.knowledge.tables import Column, TableSchema, fail, read_table

SYNTH_DIR: Final = KNOWLEDGE_ROOT / "synth"
PROFILES_DIR: Final = SYNTH_DIR / "profiles"
CLASSES: Final = ("3", "2", "1", "0", "primary")


@dataclass(frozen=True, slots=True)
class ByClass:
    """A value per institution class: tiers 3/2/1/0 of hospitals and primary care."""

    tertiary: float
    secondary: float
    first: float
    unrated: float
    primary: float

    @classmethod
    def of(cls, raw: dict[str, Any], primary_default: float | None = None) -> ByClass:
        primary = raw.get("primary", primary_default)
        if primary is None:
            raise ValueError("missing the primary-care value")
        return cls(float(raw["3"]), float(raw["2"]), float(raw["1"]), float(raw["0"]), float(primary))

    def as_tuple(self) -> tuple[float, float, float, float, float]:
        """Values in class order: unrated, first, secondary, tertiary, primary (index = tier, 4 = primary)."""
        return (self.unrated, self.first, self.secondary, self.tertiary, self.primary)


@dataclass(frozen=True, slots=True)
class County:
    code: str
    weight: float
    urban: bool


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    name_zh: str
    name_en: str
    province: str
    city: str
    drg_scheme: str
    real_population: int
    urban_share: float
    male_share: float
    age_bands: tuple[tuple[int, int, float], ...]
    counties: tuple[County, ...]
    insurance: dict[str, Any]
    prevalence: dict[str, float]
    visits_per_capita: float
    primary_share_of_visits: float
    emergency_share_of_hospital_visits: float
    hospital_visit_tier_mix: ByClass  # primary unused
    admissions_per_100: float
    primary_share_of_admissions: float
    hospital_admission_tier_mix: ByClass  # primary unused
    alos: ByClass
    cost_per_visit: ByClass
    cost_per_admission: ByClass
    drug_share_outpatient: float
    drug_share_inpatient: float
    drug_share_primary_outpatient: float
    pharmacy_purchases_per_capita: float
    resources: dict[str, Any]
    doctor_visits_per_day: ByClass  # unrated as first
    choice: dict[str, Any]
    outpatient_ratio_primary: float
    outpatient_ratio_other: float
    inpatient_ratio: ByClass
    irregularities: dict[str, float]
    sources: dict[str, str]


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    code: str
    name: str
    category: str
    price: Decimal
    national: bool


@dataclass(frozen=True, slots=True)
class Catalogue:
    extra_items: tuple[CatalogueEntry, ...]
    consumables: tuple[CatalogueEntry, ...]
    herbal_pieces: tuple[CatalogueEntry, ...]
    item_category_by_prefix: dict[str, str]
    price_ranges: dict[str, tuple[Decimal, Decimal]]
    drug_pay_class: dict[str, float]
    item_pay_class: dict[str, float]
    selfpay_prop_b: Decimal
    outpatient_conditions: tuple[tuple[str, tuple[float, float, float]], ...]
    chronic_conditions: dict[str, str]
    admission_mdc_weights: dict[str, float]
    uncodable_stay_share: float


def _stringify_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(key): _stringify_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_stringify_keys(item) for item in node]
    return node


def _load_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail(path, 0, "file is missing") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(path, (mark.line + 1) if mark else 1, f"not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise fail(path, 1, "expected a mapping at the top")
    return dict(_stringify_keys(raw))


def _validate(path: Path, data: dict[str, Any], schema_file: Path) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(schema_file.read_text(encoding="utf-8")))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        pointer = "/" + "/".join(str(part) for part in first.absolute_path)
        raise fail(path, _line_of(path, first.absolute_path), f"at {pointer}: {first.message}")


def _line_of(path: Path, parts: Any) -> int:
    keys = [str(part) for part in parts if not isinstance(part, int)]
    if not keys:
        return 1
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith((keys[-1] + ":", f'"{keys[-1]}":')):
            return number
    return 1


def profile_names() -> list[str]:
    return sorted(path.stem for path in PROFILES_DIR.glob("*.yaml"))


@cache
def load_profile(name: str) -> Profile:
    if name not in profile_names():
        raise DomainError(
            KNOWLEDGE_UNKNOWN,
            kind_zh="合成地区画像",
            kind_en="synthetic-region profile",
            name=name,
            available=", ".join(profile_names()),
        )
    return parse_profile(PROFILES_DIR / f"{name}.yaml")


def parse_profile(path: Path) -> Profile:
    data = _load_yaml(path)
    _validate(path, data, SYNTH_DIR / "profile.schema.json")
    if path.stem != data["profile"]:
        raise fail(path, _line_of(path, ["profile"]), f"profile {data['profile']!r} must match the file name")
    bands = tuple((int(a), int(b), float(s)) for a, b, s in data["age_bands"]["bands"])
    if abs(sum(share for _, _, share in bands) - 1) > 1e-6:
        raise fail(path, _line_of(path, ["bands"]), "age band shares must add up to 1")
    use = data["utilisation"]
    sources = {key: value["source"] for key, value in use.items()}
    sources.update(
        {key: data[key]["source"] for key in ("real_population", "urban_share", "age_bands", "counties")}
    )
    visits_per_day = data["resources"]["doctor_visits_per_day"]["value"]
    return Profile(
        name=data["profile"],
        name_zh=data["name_zh"],
        name_en=data["name_en"],
        province=data["province"],
        city=data["city"],
        drg_scheme=data["drg_scheme"],
        real_population=int(data["real_population"]["value"]),
        urban_share=float(data["urban_share"]["value"]),
        male_share=float(data["male_share"]["value"]),
        age_bands=bands,
        counties=tuple(
            County(code, float(w), bool(u)) for code, (w, u) in data["counties"]["weights"].items()
        ),
        insurance=data["insurance"],
        prevalence={k: float(v) for k, v in data["prevalence"].items() if k != "source"},
        visits_per_capita=float(use["visits_per_capita"]["value"]),
        primary_share_of_visits=float(use["primary_share_of_visits"]["value"]),
        emergency_share_of_hospital_visits=float(use["emergency_share_of_hospital_visits"]["value"]),
        hospital_visit_tier_mix=ByClass.of(use["hospital_visit_tier_mix"]["value"], 0.0),
        admissions_per_100=float(use["admissions_per_100"]["value"]),
        primary_share_of_admissions=float(use["primary_share_of_admissions"]["value"]),
        hospital_admission_tier_mix=ByClass.of(use["hospital_admission_tier_mix"]["value"], 0.0),
        alos=ByClass.of(use["alos"]["value"]),
        cost_per_visit=ByClass.of(use["cost_per_visit"]["value"]),
        cost_per_admission=ByClass.of(use["cost_per_admission"]["value"]),
        drug_share_outpatient=float(use["drug_share"]["value"]["outpatient"]),
        drug_share_inpatient=float(use["drug_share"]["value"]["inpatient"]),
        drug_share_primary_outpatient=float(use["drug_share"]["value"]["primary_outpatient"]),
        pharmacy_purchases_per_capita=float(use["pharmacy_purchases_per_capita"]["value"]),
        resources=data["resources"],
        doctor_visits_per_day=ByClass.of({**visits_per_day, "0": visits_per_day["1"]}),
        choice=data["choice"],
        outpatient_ratio_primary=float(data["choice"]["outpatient_ratio"]["primary"]),
        outpatient_ratio_other=float(data["choice"]["outpatient_ratio"]["other"]),
        inpatient_ratio=ByClass.of(data["choice"]["inpatient_ratio"]),
        irregularities={k: float(v) for k, v in data["irregularities"].items() if k != "source"},
        sources=sources,
    )


def _entries(raw: list[dict[str, Any]], category: str | None = None) -> tuple[CatalogueEntry, ...]:
    return tuple(
        CatalogueEntry(
            str(entry["code"]),
            str(entry["name"]),
            str(entry.get("category", category)),
            Decimal(str(entry["price"])),
            bool(entry.get("national", False)),
        )
        for entry in raw
    )


@cache
def load_catalogue() -> Catalogue:
    path = SYNTH_DIR / "catalogue.yaml"
    data = _load_yaml(path)
    required = (
        "extra_items",
        "consumables",
        "herbal_pieces",
        "item_category_by_prefix",
        "price_ranges",
        "drug_pay_class",
        "item_pay_class",
        "selfpay_prop_b",
        "outpatient_conditions",
        "chronic_conditions",
        "admission_mdc_weights",
        "uncodable_stay_share",
    )
    for key in required:
        if key not in data:
            raise fail(path, 1, f"missing {key!r}")
    return Catalogue(
        extra_items=_entries(data["extra_items"]),
        consumables=_entries(data["consumables"], "08"),
        herbal_pieces=_entries(data["herbal_pieces"], "10"),
        item_category_by_prefix={str(k): str(v) for k, v in data["item_category_by_prefix"].items()},
        price_ranges={k: (Decimal(lo), Decimal(hi)) for k, (lo, hi) in data["price_ranges"].items()},
        drug_pay_class={k: float(v) for k, v in data["drug_pay_class"].items()},
        item_pay_class={k: float(v) for k, v in data["item_pay_class"].items()},
        selfpay_prop_b=Decimal(str(data["selfpay_prop_b"])),
        outpatient_conditions=tuple(
            (str(entry["code"]), tuple(float(w) for w in entry["weights"]))  # type: ignore[misc]
            for entry in data["outpatient_conditions"]
        ),
        chronic_conditions={k: str(v) for k, v in data["chronic_conditions"].items()},
        admission_mdc_weights={k: float(v) for k, v in data["admission_mdc_weights"].items()},
        uncodable_stay_share=float(data["uncodable_stay_share"]),
    )


ANTIBACTERIAL_USE: Final = TableSchema(
    (
        Column("code", re.compile(r"X[A-Z0-9]{22}")),
        Column("name"),
        Column("purpose", choices=frozenset({"prophylaxis", "therapy"})),
        Column("units_per_day", re.compile(r"[1-9][0-9]?")),
        Column("weight", re.compile(r"[0-9]+(\.[0-9]+)?")),
    ),
    unique=("code", "purpose"),
    description="合成区域抗菌药物用法: units a day and relative use of each product",
)


@dataclass(frozen=True, slots=True)
class AntibacterialUse:
    code: str
    purpose: str
    units_per_day: int
    weight: float


@cache
def antibacterial_use() -> tuple[AntibacterialUse, ...]:
    return read_antibacterial_use(SYNTH_DIR / "antibacterial_use.tsv", frozenset(antibacterial_products()))


def read_antibacterial_use(path: Path, products: frozenset[str]) -> tuple[AntibacterialUse, ...]:
    """How the synthetic region uses each antibacterial product; every code must be a known product."""
    out = []
    for line, (code, _name, purpose, units, weight) in enumerate(
        read_table(path, ANTIBACTERIAL_USE), start=2
    ):
        if code not in products:
            raise fail(path, line, f"{code} is not in indicators/antibacterial_products.tsv")
        out.append(AntibacterialUse(code, purpose, int(units), float(weight)))
    return tuple(out)


COMPLICATION_CODES: Final = TableSchema(
    (
        Column("code", re.compile(r"[A-Z][0-9]{2}\.[0-9]{3}")),
        Column("name"),
        Column("weight", re.compile(r"[0-9]+(\.[0-9]+)?")),
    ),
    unique=("code",),
    description="合成区域手术并发症诊断: codes planted on surgical stays and their relative frequency",
)


@cache
def complication_codes() -> tuple[tuple[str, float], ...]:
    return read_complication_codes(SYNTH_DIR / "complication_codes.tsv", complication_prefixes())


def read_complication_codes(path: Path, prefixes: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """(code, weight) of the complications the region plants; each must fall under a counted category."""
    out = []
    for line, (code, _name, weight) in enumerate(read_table(path, COMPLICATION_CODES), start=2):
        if not code.startswith(prefixes):
            raise fail(path, line, f"{code} is under no category of indicators/complications.tsv")
        out.append((code, float(weight)))
    return tuple(out)
