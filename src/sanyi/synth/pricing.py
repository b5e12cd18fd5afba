"""Price schedules for the synthetic region, consistent with what its encounters bill.

Written per pricing area (every city of the region's institutions), in force from 1 January of the
year, each row's source saying it is synthetic:

- **service prices**: every service item of ``synth.catalogue`` (drugs and materials are not
  service items). At each level the price is the unit price billed most often for that item by the
  region's institutions of that level in the year (ties: the lower); an item a level never billed
  takes the catalogue's base price times that level's median billed/base ratio, to the fen.
- **按病种收费**: one disease per ADRG of the region's DRG scheme in the order of the synthetic stay
  mix (most admitted first), ``CASE_LIST_SIZE`` of them, each diagnosis once: for a medical ADRG its
  first main diagnosis; for a surgical ADRG a main operation of its principal list with the main
  diagnosis whose name shares the most terms with the operation's (see ``_disease``) — codes the
  synthetic stays are coded from. The fee at a level is the mean cost of the year's stays of that
  ADRG at that level, rounded half up to the yuan; a level without such stays takes the ADRG's mean
  over all levels, an ADRG without stays the mean of its MDC's stays of the same kind (surgical or
  medical), then of all stays of that kind.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import Any, Final

from sqlalchemy import Engine, func, insert, select

from sanyi.care.api import encounters, fee_lines
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.money import Money
from sanyi.knowledge.codes import CodeDictionary
from sanyi.knowledge.codes import diagnoses as diagnosis_names
from sanyi.knowledge.codes import procedures as procedure_names
from sanyi.knowledge.synth import load_profile
from sanyi.pricing.api import LEVELS, check_versions, price_level, pricing_case_prices, pricing_service_prices
from sanyi.pricing.api import CasePrice as CaseVersion
from sanyi.pricing.api import Validity as Period
from sanyi.registry.api import institutions
from sanyi.synth import catalogue as cat
from sanyi.synth.clinical import AdrgChoice, stay_mix

CASE_LIST_SIZE: Final = 120
BROAD: Final = 300  # an ADRG listing this many principal diagnoses takes the whole MDC's
MAIN_DX: Final = re.compile(r"^[A-Z]\d{2}\.[\dx]\d{2}$")  # e.g. K35.800, J90.x00
MIN_SHARED: Final = 2  # two-character terms an operation's and a diagnosis's names must share
MAIN_OP: Final = re.compile(r"^\d{2}\.[\dx]\d{3}$")  # e.g. 47.0100, 53.0x00
GOODS: Final = frozenset({"08", "09", "10", "11"})  # materials and drugs are not service items
PER_DAY: Final = frozenset({cat.WARD_BED, cat.NURSING_I, cat.NURSING_II, cat.INPATIENT_CONSULTATION})
SOURCE_SERVICES: Final = "合成数据（非真实价格）：合成目录基准价按本地区{year}年各级医院实际收费生成"
SOURCE_CASES: Final = "合成数据（非真实价格）：本地区{year}年该病组住院病例例均费用（取整到元）"
INCLUDES: Final = "住院期间诊疗、检查检验、手术、麻醉、护理、床位、药品和医用耗材"
EXCLUDES: Final = "院外会诊、自愿选择的特需服务、单价超过5000元的植入类耗材"


@dataclass(frozen=True)
class PricingSummary:
    areas: tuple[str, ...]
    service_items: int
    diseases: int


def _yuan(amount: Decimal) -> Money:
    return Money.parse(amount.quantize(Decimal("1"), ROUND_HALF_UP))


def _span(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=SHANGHAI), datetime(year + 1, 1, 1, tzinfo=SHANGHAI)


def service_prices(engine: Engine, year: int) -> dict[str, dict[int, Money]]:
    """Item code → level → price, from the catalogue and the year's billed unit prices."""
    items = cat.items()
    listed = zip(items.code.tolist(), items.price.tolist(), strict=True)
    base = {code: Decimal(str(price)) for code, price in listed}
    low, high = _span(year)
    e, line, i = encounters.c, fee_lines.c, institutions.c
    query = (
        select(i.tier, line.code, line.unit_price, func.count())
        .select_from(
            fee_lines.join(encounters, e.id == line.encounter_id).join(
                institutions, i.code == e.institution_code
            )
        )
        .where(line.category.not_in(GOODS) & (e.start_at >= low) & (e.start_at < high))
        .group_by(i.tier, line.code, line.unit_price)
    )
    billed: dict[tuple[int, str], Counter[Decimal]] = defaultdict(Counter)
    with engine.connect() as connection:
        for tier, code, unit_price, count in connection.execute(query):
            if code in base:
                billed[(price_level(tier), code)][Decimal(unit_price)] += count
    modes = {key: min(counts, key=lambda price: (-counts[price], price)) for key, counts in billed.items()}
    ratios = {
        level: median([modes[(lv, code)] / base[code] for (lv, code) in modes if lv == level and base[code]])
        if any(lv == level for lv, _ in modes)
        else Decimal(1)
        for level in LEVELS
    }
    out: dict[str, dict[int, Money]] = {}
    for code, price in base.items():
        out[code] = {
            level: Money.of(
                modes[(level, code)] if (level, code) in modes else price * Decimal(ratios[level])
            )
            for level in LEVELS
        }
    return out


def _stays(engine: Engine, year: int) -> list[tuple[int, str, str, int]]:
    """(level, principal diagnosis, principal operation or "", cost in fen) of the year's stays."""
    low, high = _span(year)
    e, line, i = encounters.c, fee_lines.c, institutions.c
    cost = (
        select(line.encounter_id, func.sum(line.amount).label("fen")).group_by(line.encounter_id).subquery()
    )
    query = (
        select(i.tier, e.diagnoses, e.procedures, cost.c.fen)
        .select_from(
            encounters.join(institutions, i.code == e.institution_code).join(
                cost, cost.c.encounter_id == e.id
            )
        )
        .where((e.type == "inpatient") & (e.start_at >= low) & (e.start_at < high))
    )
    with engine.connect() as connection:
        return [
            (price_level(tier), (dx or "").split("|")[0], (proc or "").split("|")[0], _fen(fen))
            for tier, dx, proc, fen in connection.execute(query)
            if dx
        ]


def _fen(total: Money | int | None) -> int:
    """A SUM over a money column comes back as Money (its type) or a plain integer."""
    return total.fen if isinstance(total, Money) else int(total or 0)


def _adrg_of(
    adrgs: Iterable[AdrgChoice],
) -> tuple[dict[str, list[AdrgChoice]], dict[str, set[str]]]:
    by_dx: dict[str, list[AdrgChoice]] = defaultdict(list)
    operations: dict[str, set[str]] = {}
    for adrg in adrgs:
        for code in adrg.diagnoses.tolist():
            by_dx[code].append(adrg)
        operations[adrg.code] = set(adrg.procedure_sets[0].tolist()) if adrg.procedure_sets else set()
    return by_dx, operations


def _grams(name: str) -> set[str]:
    return {name[k : k + 2] for k in range(len(name) - 1)}


def _disease(
    adrg: AdrgChoice, used: set[str], dx_known: CodeDictionary, op_known: CodeDictionary
) -> tuple[str, str] | None:
    """A medical ADRG: its first unused main diagnosis (no extension, no dagger/asterisk pair).

    A surgical ADRG lists its whole MDC's diagnoses, so the disease is the pair of a main operation of
    its principal list and a main diagnosis whose names share the most two-character terms (e.g.
    大隐静脉曲张结扎术 with 大隐静脉曲张伴有溃疡), at least ``MIN_SHARED``; ties: lowest codes."""
    mains = [
        c for c in sorted(adrg.diagnoses.tolist()) if MAIN_DX.match(c) and c in dx_known and c not in used
    ]
    if not adrg.procedure_sets:
        return (mains[0], "") if mains else None
    index: dict[str, set[str]] = defaultdict(set)
    for code in mains:
        for gram in _grams(dx_known.name(code) or ""):
            index[gram].add(code)
    best: tuple[int, str, str] | None = None
    for operation in sorted(adrg.procedure_sets[0].tolist()):
        if not (MAIN_OP.match(operation) and operation in op_known):
            continue
        shared: Counter[str] = Counter()
        for gram in _grams(op_known.name(operation) or ""):
            shared.update(index.get(gram, ()))
        for code, count in shared.items():
            candidate = (-count, code, operation)
            if count >= MIN_SHARED and (best is None or candidate < best):
                best = candidate
    return None if best is None else (best[1], best[2])


def _mean(costs: list[int]) -> Decimal:
    return Decimal(sum(costs)) / len(costs) / 100


def case_prices(engine: Engine, year: int, scheme: str, size: int = CASE_LIST_SIZE) -> list[dict[str, Any]]:
    """The 按病种收费 list: disease, operation, name and fee per level (see the module doc)."""
    mix = stay_mix(scheme)
    weights = mix.weights_male + mix.weights_female
    order = sorted(range(len(mix.adrgs)), key=lambda k: (-weights[k], mix.adrgs[k].code))
    by_dx, operations = _adrg_of(mix.adrgs)
    costs: dict[tuple[str, int], list[int]] = defaultdict(list)
    by_kind: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for level, dx, operation, fen in _stays(engine, year):
        for adrg in by_dx.get(dx, []):
            surgical = bool(adrg.procedure_sets)
            if (operation in operations[adrg.code]) if surgical else not operation:
                costs[(adrg.code, level)].append(fen)
                by_kind[(adrg.mdc, surgical)].append(fen)
                by_kind[("", surgical)].append(fen)
                break
    dx_known, op_known = diagnosis_names(), procedure_names()
    out: list[dict[str, Any]] = []
    used: set[str] = set()
    for index in order:
        adrg = mix.adrgs[index]
        surgical = bool(adrg.procedure_sets)
        chosen = _disease(adrg, used, dx_known, op_known)
        if chosen is None:
            continue
        disease, operation = chosen
        used.add(disease)
        every = [fen for level in LEVELS for fen in costs.get((adrg.code, level), [])]
        fallback = every or by_kind.get((adrg.mdc, surgical)) or by_kind.get(("", surgical))
        if not fallback:
            continue
        fees = {
            level: _yuan(_mean(costs[(adrg.code, level)] if costs.get((adrg.code, level)) else fallback))
            for level in LEVELS
        }
        name = dx_known.name(disease) or adrg.name
        if surgical:
            name = f"{name}（{op_known.name(operation)}）"
        out.append({"disease_code": disease, "operation_code": operation, "name": name[:200], "fees": fees})
        if len(out) == size:
            break
    return out


def generate_pricing(engine: Engine, year: int, profile: str, size: int = CASE_LIST_SIZE) -> PricingSummary:
    """Write the synthetic year's schedules for every city of the region (which must have none)."""
    with engine.connect() as connection:
        areas = sorted(
            {area[:4] + "00" for area in connection.execute(select(institutions.c.area_code)).scalars()}
        )
    services = service_prices(engine, year)
    diseases = case_prices(engine, year, load_profile(profile).drg_scheme, size)
    start = date(year, 1, 1)
    names = dict(zip(cat.items().code.tolist(), cat.items().name.tolist(), strict=True))
    version = f"{year}合成版"
    service_rows = [
        {
            "area_code": area,
            "code": code,
            "effective_from": start,
            "effective_to": None,
            "name": names[code][:200],
            "unit": "日" if code in PER_DAY else "次",
            **{f"price_{level}": price for level, price in prices.items()},
            "note": "",
            "version": version,
            "source": SOURCE_SERVICES.format(year=year),
        }
        for area in areas
        for code, prices in sorted(services.items())
    ]
    case_rows = [
        {
            "area_code": area,
            "disease_code": disease["disease_code"],
            "operation_code": disease["operation_code"],
            "effective_from": start,
            "effective_to": None,
            "name": disease["name"],
            **{f"fee_{level}": fee for level, fee in disease["fees"].items()},
            "includes": INCLUDES,
            "excludes": EXCLUDES,
            "version": version,
            "source": SOURCE_CASES.format(year=year),
        }
        for area in areas
        for disease in diseases
    ]
    # The schedule must satisfy its own rule: no two versions of one key overlap.
    check_versions("按病种收费病种", "per-case priced disease", [_version(row) for row in case_rows])
    with engine.begin() as connection:
        for table, rows in ((pricing_service_prices, service_rows), (pricing_case_prices, case_rows)):
            for first in range(0, len(rows), 2_000):
                connection.execute(insert(table), rows[first : first + 2_000])
    return PricingSummary(tuple(areas), len(services), len(diseases))


def _version(row: dict[str, Any]) -> CaseVersion:
    fees = {level: row[f"fee_{level}"] for level in LEVELS}
    validity = Period(row["effective_from"], row["effective_to"])
    return CaseVersion(
        row["area_code"], row["disease_code"], row["name"], fees, validity, row["operation_code"]
    )
