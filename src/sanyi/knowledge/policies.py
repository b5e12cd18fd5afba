"""Settlement policy packages: one folder per package under ``policies/``, read as data.

A package folder holds ``policy.yaml`` (region, schemes and groups, effective dates, version and
every parameter with the source it comes from), checked against ``policy.schema.json`` and for
references that do not resolve (an unknown source, class or alias, a table that misses a payment
class or group, a ratio row whose length does not match its segments), and ``cases/*.yaml``: claims
with the splits they must give, run by the test suite. Adding a region means adding a folder;
nothing here names a region.

Amounts are held as integer fen and ratios as exact ``Decimal`` so the engine never converts on its
hot path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
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
from sanyi.knowledge import drg as drg_knowledge
from sanyi.knowledge.errors import KNOWLEDGE_UNKNOWN
from sanyi.knowledge.tables import fail

POLICIES_DIR: Final = KNOWLEDGE_ROOT / "policies"
POLICY_SCHEMA_FILE: Final = POLICIES_DIR / "policy.schema.json"

# Payment classes of an institution (policies.md, "Payment class of an institution").
PAYMENT_CLASSES: Final = ("tertiary", "secondary", "first", "unrated", "primary")
ALL_CLASSES_KEY: Final = "all"
ALL_GROUPS_KEY: Final = "all"
OFFSITE_NONE: Final = "none"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a parameter comes from, and how much to trust it."""

    key: str
    document: str
    clause: str
    grade: str
    illustrative: bool
    url: str | None = None
    note: str | None = None

    def cite(self) -> str:
        return f"{self.document}：{self.clause}（{self.grade}{'，示例' if self.illustrative else ''}）"


@dataclass(frozen=True, slots=True)
class Condition:
    """When a modifier or an override applies; ``None`` means "any"."""

    classes: frozenset[str] | None = None
    referral: bool | None = None
    emergency: bool | None = None
    offsite: frozenset[str] | None = None
    kinds: frozenset[str] | None = None
    named_provincial: bool | None = None
    groups: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Modifier:
    name: str
    when: Condition
    delta: Decimal
    source: Source


@dataclass(frozen=True, slots=True)
class Override:
    """Replaces the table's ratio and/or deductible (a special hospital, a flat offsite ratio)."""

    name: str
    when: Condition
    ratio: Decimal | None
    deductible_fen: int | None
    source: Source


@dataclass(frozen=True, slots=True)
class DeductibleRule:
    strategy: str
    amounts_fen: Mapping[tuple[str, str], int]
    second_stay_factor: Decimal | None
    continuous_on_referral: bool
    exempt_classes: frozenset[str]
    source: Source


@dataclass(frozen=True, slots=True)
class RatioRule:
    bounds_fen: tuple[int, ...]
    table: Mapping[tuple[str, str], tuple[Decimal, ...]]
    source: Source


@dataclass(frozen=True, slots=True)
class PoolRules:
    pool: str
    deductible: DeductibleRule
    ratios: RatioRule
    overrides: tuple[Override, ...]
    modifiers: tuple[Modifier, ...]
    cap_fen: int | None
    cap_source: Source | None


@dataclass(frozen=True, slots=True)
class SchemeRules:
    scheme: str
    groups: tuple[str, ...]
    pools: Mapping[str, PoolRules]


@dataclass(frozen=True, slots=True)
class CatastrophicLayer:
    """大病保险: segments of the annual cumulative eligible self-burden above the threshold."""

    threshold_fen: int
    bounds_fen: tuple[int, ...]
    ratios: tuple[Decimal, ...]
    cap_fen: int | None
    pools: frozenset[str]
    source: Source


@dataclass(frozen=True, slots=True)
class AssistanceLayer:
    """医疗救助: by assistance category, an annual deductible and a ratio; one annual cap."""

    categories: Mapping[str, tuple[int, Decimal]]
    cap_fen: int | None
    source: Source


@dataclass(frozen=True, slots=True)
class DrgPaymentRules:
    """DRG point-method payment (drg-payment.md): every parameter with the source it comes from.

    ``history_weights`` run oldest year first (1:2:7); ``high_cost_threshold`` is expanded to one
    multiple per payment class; ratios are exact ``Decimal``.
    """

    scheme: str
    history_weights: tuple[Decimal, ...]
    trim_sd: Decimal | None
    min_cases: int
    per_diem_groups: frozenset[str]
    coefficient_method: str
    hospital_weight: Decimal
    level_weight: Decimal
    high_cost_threshold: Mapping[str, Decimal]
    low_cost_threshold: Decimal
    incomplete_discharge_types: frozenset[str]
    readmission_days: int
    readmission_factor: Decimal
    readmission_exempt_diagnoses: tuple[str, ...]
    prepayment_share: Decimal
    reserve_ratio: Decimal
    surplus_retain_ratio: Decimal
    overspend_share_ratio: Decimal
    sources: Mapping[str, Source]  # parameter name → source

    def flat(self) -> dict[str, str]:
        """Every parameter as ``name → value`` (for show and diff)."""
        return {
            "scheme": self.scheme,
            "history_weights": ":".join(str(w) for w in self.history_weights),
            "trim_sd": "—" if self.trim_sd is None else str(self.trim_sd),
            "min_cases": str(self.min_cases),
            "per_diem_groups": ",".join(sorted(self.per_diem_groups)),
            "coefficient.method": self.coefficient_method,
            "coefficient.hospital_weight": str(self.hospital_weight),
            "coefficient.level_weight": str(self.level_weight),
            **{f"high_cost_threshold.{c}": str(v) for c, v in sorted(self.high_cost_threshold.items())},
            "low_cost_threshold": str(self.low_cost_threshold),
            "incomplete_discharge_types": ",".join(sorted(self.incomplete_discharge_types)),
            "readmission.days": str(self.readmission_days),
            "readmission.factor": str(self.readmission_factor),
            "readmission.exempt_diagnoses": ",".join(self.readmission_exempt_diagnoses),
            "prepayment_share": str(self.prepayment_share),
            "reserve_ratio": str(self.reserve_ratio),
            "surplus_retain_ratio": str(self.surplus_retain_ratio),
            "overspend_share_ratio": str(self.overspend_share_ratio),
        }


# Zhejiang rules: monthly prepayment at no less than 85 % of a hospital's fund amount (drg-payment.md).
MIN_PREPAYMENT_SHARE: Final = Decimal("0.85")


@dataclass(frozen=True, slots=True)
class PolicyPackage:
    name: str
    title_zh: str
    title_en: str
    region: str
    version: str
    effective_from: date
    effective_to: date | None
    grade: str
    illustrative: bool
    named_only: bool  # an example package settles only when named, never by the choice by region and date
    sources: Mapping[str, Source]
    encounter_pools: Mapping[str, str]
    schemes: Mapping[str, SchemeRules]
    catastrophic: CatastrophicLayer | None
    assistance: AssistanceLayer | None
    document: Mapping[str, Any]
    drg_payment: DrgPaymentRules | None = None

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True, slots=True)
class PolicyCase:
    """Claims settled in order from zero accumulators, and what each must give."""

    package: str
    name: str
    description: str
    claims: tuple[Mapping[str, Any], ...]
    expected: tuple[Mapping[str, Any], ...]


# -- discovery ---------------------------------------------------------------------------------------


def package_names(root: Path = POLICIES_DIR) -> list[str]:
    """Every folder under ``policies/`` that holds a ``policy.yaml``, sorted."""
    return sorted(path.parent.name for path in root.glob("*/policy.yaml"))


def package_dir(name: str) -> Path:
    names = package_names()
    if name not in names:
        raise DomainError(
            KNOWLEDGE_UNKNOWN,
            kind_zh="结算政策包",
            kind_en="policy package",
            name=name,
            available=", ".join(names),
        )
    return POLICIES_DIR / name


@cache
def load_package(name: str) -> PolicyPackage:
    """Load and check one package (cached)."""
    return read_package(package_dir(name) / "policy.yaml")


@cache
def package_cases(name: str) -> tuple[PolicyCase, ...]:
    folder = package_dir(name) / "cases"
    return tuple(read_case(path, name) for path in sorted(folder.glob("*.yaml")))


# -- reading -----------------------------------------------------------------------------------------


class _CaseLoader(yaml.SafeLoader):
    """YAML 1.2 booleans only: a line's ``no:`` key must stay the string "no", not ``False``."""


_CaseLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CaseLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(POLICY_SCHEMA_FILE.read_text(encoding="utf-8")))


def _read_yaml(path: Path, *, typed: bool = False) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(path, 0, "file is missing") from None
    try:
        if typed:
            # Case claims are claim.md records: numbers and booleans typed, amounts quoted strings.
            return yaml.load(text, Loader=_CaseLoader)  # noqa: S506 - a SafeLoader subclass
        # BaseLoader keeps every scalar a string, so "0.10" never becomes a float and dates stay text.
        return yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(path, (mark.line + 1) if mark else 1, f"not valid YAML: {error}") from None


def _line_of_key(path: Path, key: str) -> int:
    needle = f"{key}:"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip().startswith(needle) or f" {needle}" in line or f"{{{needle}" in line:
            return number
    return 1


def _typed(document: Any) -> Any:
    """BaseLoader reads ``null``, ``true`` and ``false`` as strings; restore them for the schema."""
    if isinstance(document, dict):
        return {key: _typed(value) for key, value in document.items()}
    if isinstance(document, list):
        return [_typed(value) for value in document]
    return {"null": None, "~": None, "true": True, "false": False}.get(document, document)


def read_package(path: Path) -> PolicyPackage:
    """Read and check a ``policy.yaml``; a problem names the file, line and reason."""
    document = _typed(_read_yaml(path))
    if not isinstance(document, dict):
        raise fail(path, 1, "a policy package is a mapping")
    errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        parts = [str(part) for part in first.absolute_path]
        keys = [part for part in parts if not part.isdigit()]
        pointer = "/" + "/".join(parts)
        raise fail(path, _line_of_key(path, keys[-1]) if keys else 1, f"at {pointer}: {first.message}")
    if document["package"] != path.parent.name:
        raise fail(path, _line_of_key(path, "package"), "package name must equal its folder name")
    return _Builder(path, document).build()


class _Builder:
    """Turns a schema-valid document into typed rules, resolving every reference."""

    def __init__(self, path: Path, document: dict[str, Any]) -> None:
        self.path = path
        self.document = document
        self.sources = {
            key: Source(
                key=key,
                document=value["document"],
                clause=value["clause"],
                grade=value["grade"],
                illustrative=value["illustrative"],
                url=value.get("url"),
                note=value.get("note"),
            )
            for key, value in document["sources"].items()
        }
        self.aliases: dict[str, tuple[str, ...]] = {
            key: tuple(value) for key, value in document.get("class_aliases", {}).items()
        }
        for alias in self.aliases:
            if alias in PAYMENT_CLASSES or alias == ALL_CLASSES_KEY:
                self._fail(alias, f"alias {alias!r} shadows a payment class")

    def _fail(self, key: str, reason: str) -> DomainError:
        raise fail(self.path, _line_of_key(self.path, key), reason)

    def source(self, key: str) -> Source:
        found = self.sources.get(key)
        if found is None:
            raise self._fail(key, f"unknown source {key!r} (declare it under sources)")
        return found

    def classes_of(self, key: str) -> tuple[str, ...]:
        if key == ALL_CLASSES_KEY:
            return PAYMENT_CLASSES
        if key in PAYMENT_CLASSES:
            return (key,)
        if key in self.aliases:
            return self.aliases[key]
        raise self._fail(key, f"unknown payment class or alias {key!r}")

    def _expand(
        self, where: str, table: Mapping[str, Any], groups: tuple[str, ...], *, required: bool
    ) -> dict[tuple[str, str], Any]:
        """A class → (group →) value table as one value per (payment class, group); no overlaps."""
        cells: dict[tuple[str, str], Any] = {}
        for class_key, value in table.items():
            by_group = value if isinstance(value, dict) else {ALL_GROUPS_KEY: value}
            for group_key, cell in by_group.items():
                targets = groups if group_key == ALL_GROUPS_KEY else (group_key,)
                if group_key != ALL_GROUPS_KEY and group_key not in groups:
                    raise self._fail(group_key, f"{where}: group {group_key!r} is not a group of the scheme")
                for payment_class in self.classes_of(class_key):
                    for group in targets:
                        if (payment_class, group) in cells:
                            raise self._fail(class_key, f"{where}: {payment_class}/{group} is given twice")
                        cells[(payment_class, group)] = cell
        if required:
            missing = [f"{c}/{g}" for c in PAYMENT_CLASSES for g in groups if (c, g) not in cells]
            if missing:
                raise self._fail(where.rsplit(".", 1)[-1], f"{where}: no value for {', '.join(missing)}")
        return cells

    def condition(self, raw: Mapping[str, Any]) -> Condition:
        def classes(key: str) -> frozenset[str] | None:
            values = raw.get(key)
            if values is None:
                return None
            return frozenset(c for value in values for c in self.classes_of(value))

        def names(key: str) -> frozenset[str] | None:
            values = raw.get(key)
            return None if values is None else frozenset(values)

        return Condition(
            classes=classes("classes"),
            referral=raw.get("referral"),
            emergency=raw.get("emergency"),
            offsite=names("offsite"),
            kinds=names("kinds"),
            named_provincial=raw.get("named_provincial"),
            groups=names("groups"),
        )

    def pool(self, scheme: str, pool: str, raw: Mapping[str, Any], groups: tuple[str, ...]) -> PoolRules:
        where = f"{scheme}.{pool}"
        deductible = raw["deductible"]
        strategy = deductible["strategy"]
        amounts_raw = deductible.get("amounts")
        if strategy == "none":
            amounts: dict[tuple[str, str], int] = {}
        elif amounts_raw is None:
            raise self._fail("deductible", f"{where}: strategy {strategy} needs amounts")
        else:
            amounts = {
                key: _fen(value)
                for key, value in self._expand(
                    f"{where}.deductible", amounts_raw, groups, required=True
                ).items()
            }
        ratio_raw = raw["ratios"]
        bounds = tuple(_fen(value) for value in ratio_raw["bounds"])
        if list(bounds) != sorted(set(bounds)) or (bounds and bounds[0] <= 0):
            raise self._fail("bounds", f"{where}: segment bounds must be positive and increasing")
        table = {
            key: tuple(Decimal(value) for value in row)
            for key, row in self._expand(f"{where}.ratios", ratio_raw["table"], groups, required=True).items()
        }
        for (payment_class, group), row in table.items():
            if len(row) != len(bounds) + 1:
                raise self._fail(
                    "table",
                    f"{where}.ratios: {payment_class}/{group} has {len(row)} ratios for "
                    f"{len(bounds) + 1} segments",
                )
        cap = raw["cap"]
        cap_source = raw.get("cap_source")
        if cap is not None and cap_source is None:
            raise self._fail("cap", f"{where}: a cap needs its cap_source")
        return PoolRules(
            pool=pool,
            deductible=DeductibleRule(
                strategy=strategy,
                amounts_fen=amounts,
                second_stay_factor=_ratio(deductible.get("second_stay_factor")),
                continuous_on_referral=bool(deductible.get("continuous_on_referral", False)),
                exempt_classes=frozenset(
                    c for key in deductible.get("exempt_classes", []) for c in self.classes_of(key)
                ),
                source=self.source(deductible["source"]),
            ),
            ratios=RatioRule(bounds_fen=bounds, table=table, source=self.source(ratio_raw["source"])),
            overrides=tuple(
                Override(
                    name=item["name"],
                    when=self.condition(item["when"]),
                    ratio=_ratio(item.get("ratio")),
                    deductible_fen=None if item.get("deductible") is None else _fen(item["deductible"]),
                    source=self.source(item["source"]),
                )
                for item in raw.get("overrides", [])
            ),
            modifiers=tuple(
                Modifier(
                    name=item["name"],
                    when=self.condition(item["when"]),
                    delta=Decimal(item["delta"]),
                    source=self.source(item["source"]),
                )
                for item in raw.get("modifiers", [])
            ),
            cap_fen=None if cap is None else _fen(cap),
            cap_source=None if cap_source is None else self.source(cap_source),
        )

    def build(self) -> PolicyPackage:
        document = self.document
        schemes: dict[str, SchemeRules] = {}
        for scheme, raw in document["schemes"].items():
            groups = tuple(raw["groups"])
            schemes[scheme] = SchemeRules(
                scheme=scheme,
                groups=groups,
                pools={pool: self.pool(scheme, pool, rules, groups) for pool, rules in raw["pools"].items()},
            )
        pools_used = set(document["encounter_pools"].values())
        for scheme_rules in schemes.values():
            unknown = set(scheme_rules.pools) - pools_used
            if unknown:
                raise self._fail(
                    "encounter_pools", f"pools {sorted(unknown)} are reached by no encounter type"
                )
        effective_from = _date(self.path, document["effective_from"], "effective_from")
        effective_to = (
            None
            if document["effective_to"] is None
            else _date(self.path, document["effective_to"], "effective_to")
        )
        if effective_to is not None and effective_to < effective_from:
            raise self._fail("effective_to", "effective_to is before effective_from")
        return PolicyPackage(
            name=document["package"],
            title_zh=document["title_zh"],
            title_en=document["title_en"],
            region=document["region"],
            version=document["version"],
            effective_from=effective_from,
            effective_to=effective_to,
            grade=document["grade"],
            illustrative=bool(document.get("illustrative", False)),
            named_only=bool(document.get("named_only", False)),
            sources=self.sources,
            encounter_pools=dict(document["encounter_pools"]),
            schemes=schemes,
            catastrophic=self.catastrophic(document.get("catastrophic")),
            assistance=self.assistance(document.get("assistance")),
            document=document,
            drg_payment=self.drg_payment(document.get("drg_payment")),
        )

    def drg_payment(self, raw: Mapping[str, Any] | None) -> DrgPaymentRules | None:
        if raw is None:
            return None
        sources = {name: self.source(item["source"]) for name, item in raw.items()}
        scheme = raw["scheme"]["value"]
        if scheme not in drg_knowledge.scheme_names():
            raise self._fail("scheme", f"drg_payment: unknown DRG scheme {scheme!r}")
        rules = drg_knowledge.load_scheme(scheme).rules
        known = {item["drg"] for adrg in rules["adrgs"].values() for item in adrg["drgs"]}
        per_diem = frozenset(raw["per_diem_groups"]["value"])
        if per_diem - known:
            raise self._fail(
                "per_diem_groups", f"drg_payment: not groups of {scheme}: {sorted(per_diem - known)}"
            )
        weights = tuple(Decimal(value) for value in raw["history_weights"]["value"])
        if sum(weights) == 0:
            raise self._fail("history_weights", "drg_payment: history weights must not all be zero")
        coefficient = raw["coefficient"]
        hospital_weight, level_weight = (
            Decimal(coefficient["hospital_weight"]),
            Decimal(coefficient["level_weight"]),
        )
        if coefficient["method"] == "composite" and hospital_weight + level_weight != 1:
            raise self._fail("coefficient", "drg_payment: composite weights must add up to 1")
        thresholds: dict[str, Decimal] = {}
        for key, value in raw["high_cost_threshold"]["value"].items():
            for payment_class in self.classes_of(key):
                if payment_class in thresholds:
                    raise self._fail(
                        key, f"drg_payment: high-cost threshold for {payment_class} is given twice"
                    )
                thresholds[payment_class] = Decimal(value)
        missing = [c for c in PAYMENT_CLASSES if c not in thresholds]
        if missing:
            raise self._fail(
                "high_cost_threshold", f"drg_payment: no high-cost threshold for {', '.join(missing)}"
            )
        if any(value <= 1 for value in thresholds.values()):
            raise self._fail(
                "high_cost_threshold", "drg_payment: a high-cost threshold is a multiple above 1"
            )
        prepayment = Decimal(raw["prepayment_share"]["value"])
        if prepayment < MIN_PREPAYMENT_SHARE:
            raise self._fail(
                "prepayment_share", f"drg_payment: prepayment share must be at least {MIN_PREPAYMENT_SHARE}"
            )
        trim = raw["trim_sd"]["value"]
        readmission = raw["readmission"]
        return DrgPaymentRules(
            scheme=scheme,
            history_weights=weights,
            trim_sd=None if trim is None else Decimal(trim),
            min_cases=int(raw["min_cases"]["value"]),
            per_diem_groups=per_diem,
            coefficient_method=coefficient["method"],
            hospital_weight=hospital_weight,
            level_weight=level_weight,
            high_cost_threshold=thresholds,
            low_cost_threshold=Decimal(raw["low_cost_threshold"]["value"]),
            incomplete_discharge_types=frozenset(raw["incomplete_discharge_types"]["value"]),
            readmission_days=int(readmission["days"]),
            readmission_factor=Decimal(readmission["factor"]),
            readmission_exempt_diagnoses=tuple(readmission["exempt_diagnoses"]),
            prepayment_share=prepayment,
            reserve_ratio=Decimal(raw["reserve_ratio"]["value"]),
            surplus_retain_ratio=Decimal(raw["surplus_retain_ratio"]["value"]),
            overspend_share_ratio=Decimal(raw["overspend_share_ratio"]["value"]),
            sources=sources,
        )

    def catastrophic(self, raw: Mapping[str, Any] | None) -> CatastrophicLayer | None:
        if raw is None:
            return None
        threshold = _fen(raw["threshold"])
        bounds = tuple(_fen(value) for value in raw["bounds"])
        if list(bounds) != sorted(set(bounds)) or (bounds and bounds[0] <= threshold):
            raise self._fail("bounds", "catastrophic: bounds must be increasing and above the threshold")
        if len(raw["ratios"]) != len(bounds) + 1:
            raise self._fail("ratios", "catastrophic: one ratio per segment (bounds + 1)")
        return CatastrophicLayer(
            threshold_fen=threshold,
            bounds_fen=bounds,
            ratios=tuple(Decimal(value) for value in raw["ratios"]),
            cap_fen=None if raw["cap"] is None else _fen(raw["cap"]),
            pools=frozenset(raw["pools"]),
            source=self.source(raw["source"]),
        )

    def assistance(self, raw: Mapping[str, Any] | None) -> AssistanceLayer | None:
        if raw is None:
            return None
        return AssistanceLayer(
            categories={
                name: (_fen(value["deductible"]), Decimal(value["ratio"]))
                for name, value in raw["categories"].items()
            },
            cap_fen=None if raw["cap"] is None else _fen(raw["cap"]),
            source=self.source(raw["source"]),
        )


def _fen(value: str) -> int:
    # The schema allows at most two decimals, so this is exact.
    return int(Decimal(value) * 100)


def _ratio(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(path: Path, value: str, key: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(path, _line_of_key(path, key), f"{key}: {value!r} is not a date") from None


# -- cases -------------------------------------------------------------------------------------------


def read_case(path: Path, package: str) -> PolicyCase:
    """A case file: ``description``, ``claims`` (claim.md records) and ``expected`` (one per claim)."""
    document = _read_yaml(path, typed=True)
    if not isinstance(document, dict) or set(document) != {"description", "claims", "expected"}:
        raise fail(path, 1, "a case has exactly the keys description, claims and expected")
    claims, expected = document["claims"], document["expected"]
    if not isinstance(claims, list) or not claims or not all(isinstance(c, dict) for c in claims):
        raise fail(path, _line_of_key(path, "claims"), "claims must be a non-empty list of claims")
    if not isinstance(expected, list) or len(expected) != len(claims):
        raise fail(path, _line_of_key(path, "expected"), "expected must give one result per claim")
    for number, item in enumerate(expected):
        if not isinstance(item, dict) or item.get("status") not in {"settled", "rejected"}:
            raise fail(path, _line_of_key(path, "expected"), f"expected[{number}] needs a status")
    return PolicyCase(
        package=package,
        name=path.stem,
        description=str(document["description"]),
        claims=tuple(claims),
        expected=tuple(expected),
    )


def count_parameters(path: Path) -> int:
    """Check a policy.yaml and count its parameter cells (for ``sanyi knowledge check``)."""
    package = read_package(path)
    count = 0
    for scheme in package.schemes.values():
        for pool in scheme.pools.values():
            count += len(pool.deductible.amounts_fen) + len(pool.ratios.table)
            count += len(pool.overrides) + len(pool.modifiers) + (pool.cap_fen is not None)
    if package.drg_payment is not None:
        count += len(package.drg_payment.flat())
    return count


def count_cases(folder: Path) -> int:
    return sum(len(read_case(path, folder.parent.name).claims) for path in sorted(folder.glob("*.yaml")))


# -- a flat view (show and diff) ---------------------------------------------------------------------


def _money_text(fen: int | None) -> str:
    if fen is None:
        return "—"
    whole, cents = divmod(fen, 100)
    return f"{whole}.{cents:02d}"


def _condition_text(condition: Condition) -> str:
    parts = []
    for name in ("classes", "referral", "emergency", "offsite", "kinds", "named_provincial", "groups"):
        value = getattr(condition, name)
        if value is None:
            continue
        shown = ",".join(sorted(value)) if isinstance(value, frozenset) else str(value).lower()
        parts.append(f"{name}={shown}")
    return " ".join(parts)


def flatten(package: PolicyPackage) -> dict[str, str]:
    """Every parameter as ``path → value``, aliases expanded, so two packages compare cell by cell."""
    flat: dict[str, str] = {
        "region": package.region,
        "version": package.version,
        "effective_from": package.effective_from.isoformat(),
        "effective_to": package.effective_to.isoformat() if package.effective_to else "—",
        "grade": package.grade,
    }
    for encounter_type, pool_name in sorted(package.encounter_pools.items()):
        flat[f"encounter_pools.{encounter_type}"] = pool_name
    for scheme in package.schemes.values():
        flat[f"{scheme.scheme}.groups"] = ",".join(scheme.groups)
        for rules in scheme.pools.values():
            flat.update(_flatten_pool(f"{scheme.scheme}.{rules.pool}", rules))
    if package.catastrophic is not None:
        layer = package.catastrophic
        flat["catastrophic.threshold"] = _money_text(layer.threshold_fen)
        bounds = [layer.threshold_fen, *layer.bounds_fen]
        for index, ratio in enumerate(layer.ratios):
            flat[f"catastrophic.ratio.from_{_money_text(bounds[index])}"] = str(ratio)
        flat["catastrophic.cap"] = _money_text(layer.cap_fen)
        flat["catastrophic.pools"] = ",".join(sorted(layer.pools))
    if package.assistance is not None:
        for category, (fen, ratio) in sorted(package.assistance.categories.items()):
            flat[f"assistance.{category}.deductible"] = _money_text(fen)
            flat[f"assistance.{category}.ratio"] = str(ratio)
        flat["assistance.cap"] = _money_text(package.assistance.cap_fen)
    if package.drg_payment is not None:
        flat.update({f"drg_payment.{key}": value for key, value in package.drg_payment.flat().items()})
    return flat


def _flatten_pool(where: str, pool: PoolRules) -> dict[str, str]:
    flat: dict[str, str] = {}
    rule = pool.deductible
    flat[f"{where}.deductible.strategy"] = rule.strategy
    for (payment_class, group), fen in sorted(rule.amounts_fen.items()):
        flat[f"{where}.deductible.{payment_class}.{group}"] = _money_text(fen)
    if rule.second_stay_factor is not None:
        flat[f"{where}.deductible.second_stay_factor"] = str(rule.second_stay_factor)
    if rule.continuous_on_referral:
        flat[f"{where}.deductible.continuous_on_referral"] = "true"
    if rule.exempt_classes:
        flat[f"{where}.deductible.exempt_classes"] = ",".join(sorted(rule.exempt_classes))
    bounds = [0, *pool.ratios.bounds_fen]
    for (payment_class, group), row in sorted(pool.ratios.table.items()):
        for index, ratio in enumerate(row):
            flat[f"{where}.ratio.{payment_class}.{group}.from_{_money_text(bounds[index])}"] = str(ratio)
    for override in pool.overrides:
        key = f"{where}.override.{override.name}"
        flat[f"{key}.when"] = _condition_text(override.when)
        if override.ratio is not None:
            flat[f"{key}.ratio"] = str(override.ratio)
        if override.deductible_fen is not None:
            flat[f"{key}.deductible"] = _money_text(override.deductible_fen)
    for modifier in pool.modifiers:
        key = f"{where}.modifier.{modifier.name}"
        flat[f"{key}.when"] = _condition_text(modifier.when)
        flat[f"{key}.delta"] = f"{modifier.delta:+}"
    flat[f"{where}.cap"] = _money_text(pool.cap_fen)
    return flat


def diff(first: PolicyPackage, second: PolicyPackage) -> list[tuple[str, str | None, str | None]]:
    """The parameters that differ: (path, value in first or None, value in second or None)."""
    a, b = flatten(first), flatten(second)
    return [(key, a.get(key), b.get(key)) for key in sorted(a.keys() | b.keys()) if a.get(key) != b.get(key)]
