"""Coherent diagnoses and procedures.

Stays draw a target ADRG of the region's DRG scheme (weighted by the calibration's discharge mix by
MDC), then a principal diagnosis and, for surgical ADRGs, a principal procedure from the lists that
ADRG and its MDC name in ``rules.json`` — so the grouper groups most stays, as real coding does, and a
small share is left uncodable. Outpatient visits draw a reason by age band or the person's chronic
condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from sanyi.knowledge import codes as code_tables
from sanyi.knowledge.drg import VALID_PROCEDURES_LIST, load_scheme
from sanyi.knowledge.synth import load_catalogue

# MDCs whose stays are generated only for some people.
FEMALE_MDCS = frozenset({"N"})
MALE_MDCS = frozenset({"M"})
PREGNANCY_MDCS = frozenset({"O"})


@dataclass(frozen=True)
class AdrgChoice:
    code: str
    mdc: str
    name: str
    diagnoses: np.ndarray  # source codes usable as principal diagnosis
    procedure_sets: tuple[np.ndarray, ...]  # one code from each (the first is the principal); none if medical


@dataclass(frozen=True)
class StayMix:
    adrgs: tuple[AdrgChoice, ...]
    weights_male: np.ndarray
    weights_female: np.ndarray
    weights_pregnant: np.ndarray
    cc_codes: np.ndarray
    mcc_codes: np.ndarray
    uncodable_share: float

    def weights(self, sex: int, pregnant: bool) -> np.ndarray:
        if pregnant:
            return self.weights_pregnant
        return self.weights_male if sex == 1 else self.weights_female


def _positive_lists(condition: Any, key: str) -> Iterator[str]:
    """List ids a condition requires under ``key`` (never those under a ``not``)."""
    if isinstance(condition, dict):
        for name, value in condition.items():
            if name == key and isinstance(value, str):
                yield value
            elif name != "not":
                yield from _positive_lists(value, key)
    elif isinstance(condition, list):
        for item in condition:
            yield from _positive_lists(item, key)


def _usable(codes: set[str], mapping: dict[str, str]) -> np.ndarray:
    """Codes that a settlement list can carry as they are (they map to themselves)."""
    return np.array(sorted(code for code in codes if mapping.get(code) == code), dtype=object)


@cache
def stay_mix(scheme: str) -> StayMix:
    tables = load_scheme(scheme)
    rules = tables.rules
    lists: dict[str, list[str]] = rules["lists"]
    dx_map, proc_map = code_tables.diagnosis_map(), code_tables.procedure_map()
    catalogue = load_catalogue()
    names = dict(tables.drg_names)
    choices: list[AdrgChoice] = []
    weights: list[float] = []
    for mdc_code, weight in catalogue.admission_mdc_weights.items():
        mdc = rules["mdcs"].get(mdc_code)
        if mdc is None:
            continue
        mdc_dx = {code for list_id in _positive_lists(mdc["entry"], "main_dx_in") for code in lists[list_id]}
        members = []
        for step in mdc["steps"]:
            adrg_code = step.get("adrg")
            if adrg_code is None:
                continue
            adrg = rules["adrgs"][adrg_code]
            adrg_dx = {
                code for list_id in _positive_lists(adrg["entry"], "main_dx_in") for code in lists[list_id]
            }
            proc_ids = [
                list_id
                for key in ("main_proc_in", "any_proc_in")
                for list_id in _positive_lists(adrg["entry"], key)
                if list_id != VALID_PROCEDURES_LIST
            ]
            procedure_sets = tuple(
                dict.fromkeys(
                    tuple(_usable(set(lists[list_id]), proc_map)) for list_id in dict.fromkeys(proc_ids)
                )
            )
            diagnoses = _usable((adrg_dx & mdc_dx) or adrg_dx or mdc_dx, dx_map)
            if len(diagnoses) == 0 or any(len(codes) == 0 for codes in procedure_sets):
                continue
            first_drg = adrg["drgs"][0]["drg"] if adrg["drgs"] else adrg_code
            members.append(
                AdrgChoice(
                    adrg_code,
                    mdc_code,
                    names.get(first_drg, adrg_code),
                    diagnoses,
                    tuple(np.array(codes, dtype=object) for codes in procedure_sets),
                )
            )
        for member in members:
            choices.append(member)
            weights.append(weight / len(members))
    base = np.array(weights)
    mdcs = np.array([choice.mdc for choice in choices])
    male = base * ~np.isin(mdcs, list(FEMALE_MDCS | PREGNANCY_MDCS))
    female = base * ~np.isin(mdcs, list(MALE_MDCS | PREGNANCY_MDCS))
    pregnant = base * np.isin(mdcs, list(PREGNANCY_MDCS))
    return StayMix(
        adrgs=tuple(choices),
        weights_male=male / male.sum(),
        weights_female=female / female.sum(),
        weights_pregnant=pregnant / pregnant.sum() if pregnant.sum() else female / female.sum(),
        cc_codes=_usable(set(tables.cc), dx_map),
        mcc_codes=_usable(set(tables.mcc), dx_map),
        uncodable_share=catalogue.uncodable_stay_share,
    )


@dataclass(frozen=True)
class VisitReasons:
    codes: np.ndarray
    weights_by_band: np.ndarray  # (3, n): children, adults, elderly
    chronic: dict[str, str]


@cache
def visit_reasons() -> VisitReasons:
    catalogue = load_catalogue()
    codes = np.array([code for code, _ in catalogue.outpatient_conditions], dtype=object)
    weights = np.array([w for _, w in catalogue.outpatient_conditions]).T
    return VisitReasons(
        codes, weights / weights.sum(axis=1, keepdims=True), dict(catalogue.chronic_conditions)
    )
