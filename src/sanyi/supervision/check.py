"""The per-claim face (事中): one function per rule family over one claim and the person's history.

``history`` is the person's other claims known at the time of the check (at settlement: the stored
ones); rules over several claims order them by (start, claim_id), and lines by (time, claim_id, no),
exactly as the set-based query does, so both faces give the same findings on the same claims.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sanyi.kernel.errors import DomainError
from sanyi.supervision.catalog import (
    INSURANCE_CODES,
    INSURANCE_NAMES,
    LEVEL_NUMBERS,
    SEX_CODES,
    SEX_NAMES,
    VISIT_NAMES,
    Catalog,
    catalog,
)
from sanyi.supervision.model import ClaimFacts, Finding, LineFacts, Rule

# A hit: line number (None: the claim), the code, what was observed, the limit it broke.
Hit = tuple[int | None, str, Any, Any]
Family = Callable[[Rule, ClaimFacts, Sequence[ClaimFacts], Catalog], Iterator[Hit]]


def text(value: Any) -> str:
    """One spelling of an evidence value for both faces (decimals without trailing zeros)."""
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f")
            if value == value.to_integral_value()
            else format(value, "f").rstrip("0")
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def age_years(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def finding(rule: Rule, claim_id: str, hit: Hit) -> Finding:
    line_no, code, observed, limit = hit
    evidence = {"code": code, "observed": text(observed), "limit": text(limit)}
    return Finding(
        claim_id=claim_id,
        line_no=line_no,
        rule_id=rule.id,
        result=rule.result,
        evidence=evidence,
        message_zh=rule.message_zh.format(**evidence),
        message_en=rule.message_en.format(**evidence),
    )


def _code_sex(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    table = cat.values[rule.knowledge or ""]
    if claim.sex not in SEX_NAMES:
        return
    for line in claim.lines:
        limit = table.get(line.code)
        if limit is not None and SEX_CODES[limit] != claim.sex:
            yield line.no, line.code, SEX_NAMES[claim.sex], limit


def population_fits(population: str, birth: date, on: date, parameters: dict[str, Any]) -> bool:
    if population == "新生儿":
        return (on - birth).days <= int(parameters["newborn_days"])
    years = age_years(birth, on)
    limit = parameters["infant_years"] if population == "婴幼儿" else parameters["child_years"]
    return years < int(limit)


def _code_population(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    table = cat.values[rule.knowledge or ""]
    birth = claim.birth_date
    if birth is None:
        return
    for line in claim.lines:
        population = table.get(line.code)
        if population is not None and not population_fits(
            population, birth, claim.start_day, rule.parameters
        ):
            observed = (
                f"{(claim.start_day - birth).days}天"
                if population == "新生儿"
                else f"{age_years(birth, claim.start_day)}岁"
            )
            yield line.no, line.code, observed, population


def _working_age(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    if claim.birth_date is None or claim.sex not in SEX_NAMES:
        return
    p = rule.parameters
    years = age_years(claim.birth_date, claim.start_day)
    top = int(p["max_age_male"] if claim.sex == "1" else p["max_age_female"])
    if int(p["min_age"]) <= years < top:
        return
    for line in claim.lines:
        if line.code in cat.working_age:
            yield line.no, line.code, years, f"{p['min_age']}-{top}"


def _insurance_type(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    table = cat.values[rule.knowledge or ""]
    for line in claim.lines:
        limit = table.get(line.code)
        if limit is not None and INSURANCE_CODES[limit] != claim.insurance_type:
            yield line.no, line.code, INSURANCE_NAMES.get(claim.insurance_type, claim.insurance_type), limit


def _visit_type(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    table = cat.values[rule.knowledge or ""]
    inpatient = claim.type == "inpatient"
    for line in claim.lines:
        limit = table.get(line.code)
        if limit is not None and (limit == "住院") != inpatient:
            yield line.no, line.code, VISIT_NAMES[claim.type], limit


def _institution_level(
    rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog
) -> Iterator[Hit]:
    table = cat.values[rule.knowledge or ""]
    for line in claim.lines:
        limit = table.get(line.code)
        if limit is not None and LEVEL_NUMBERS[limit] > claim.level:
            yield line.no, line.code, claim.level, LEVEL_NUMBERS[limit]


def _drug_course(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    """Days paid of a drug in one claim: its days of supply, or one per billed day without them."""
    table = cat.values[rule.knowledge or ""]
    by_day: dict[str, dict[date, list[LineFacts]]] = defaultdict(lambda: defaultdict(list))
    for line in claim.lines:
        if line.code in table:
            by_day[line.code][line.day].append(line)
    for code, days in by_day.items():
        limit, total = int(table[code]), 0
        for day in sorted(days):
            total += max(1, *(line.days_supply or 1 for line in days[day]))
            if total > limit:
                for line in days[day]:
                    yield line.no, code, total, limit


def _item_course(rule: Rule, claim: ClaimFacts, history: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    """A course starts at a use more than ``restart_days`` after the previous one."""
    restart = int(rule.parameters["restart_days"])
    mine = [line for line in claim.lines if line.code in cat.item_course]
    if not mine:
        return
    used: dict[str, set[date]] = defaultdict(set)
    for other in (claim, *history):
        for line in other.lines:
            if line.code in cat.item_course:
                used[line.code].add(line.day)
    starts: dict[tuple[str, date], date] = {}
    for code, days in used.items():
        start = previous = None
        for day in sorted(days):
            if start is None or previous is None or (day - previous).days > restart:
                start = day
            starts[(code, day)] = start
            previous = day
    for line in mine:
        limit = cat.item_course[line.code]
        elapsed = (line.day - starts[(line.code, line.day)]).days
        if elapsed >= limit:
            yield line.no, line.code, elapsed, limit


def window_holds(window: str, included: LineFacts, main: LineFacts) -> bool:
    if window == "单次就诊":
        return True
    if window == "单日":
        return included.day == main.day
    if window == "同一小时":
        return included.time // 3600 == main.time // 3600
    hours = int(window.removesuffix("小时"))
    return abs(included.time - main.time) < hours * 3600


def _duplicate_charge(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    by_code: dict[str, list[LineFacts]] = defaultdict(list)
    for line in claim.lines:
        by_code[line.code].append(line)
    for line in claim.lines:
        matches = [
            (pair.main_code, pair.window)
            for pair in cat.included.get(line.code, ())
            for main in by_code.get(pair.main_code, ())
            if main.no != line.no and window_holds(pair.window, line, main)
        ]
        if matches:
            main_code, window = min(matches)
            yield line.no, line.code, main_code, window


def _frequency(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    running: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for line in sorted(claim.lines, key=lambda x: (x.time, x.no)):
        limit = cat.frequency.get(line.code)
        if limit is None:
            continue
        maximum, per = limit
        bucket = line.time // 3600 if per == "小时" else line.day.toordinal()
        running[(line.code, bucket)] += line.quantity
        if running[(line.code, bucket)] > maximum:
            yield line.no, line.code, "小时" if per == "小时" else "日", maximum


def _cycle(rule: Rule, claim: ClaimFacts, history: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    mine = [line for line in claim.lines if line.code in cat.cycle]
    if not mine:
        return
    uses = [
        ((line.time, other.claim_id, line.no), line)
        for other in (claim, *history)
        for line in other.lines
        if line.code in cat.cycle
    ]
    for line in mine:
        times, days = cat.cycle[line.code]
        me = (line.time, claim.claim_id, line.no)
        count = sum(
            (
                use.quantity
                for key, use in uses
                if use.code == line.code and key <= me and (line.day - use.day).days < days
            ),
            Decimal(0),
        )
        if count > times:
            yield line.no, line.code, count, f"{days}天"


def _primary_secondary(
    rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog
) -> Iterator[Hit]:
    """In each surgery group the highest-priced surgery is primary; later ones must be discounted."""
    discount = Decimal(str(rule.parameters["discount"]))
    groups: dict[str, list[LineFacts]] = defaultdict(list)
    for line in claim.lines:
        for group in cat.surgery_groups.get(line.code, ()):
            groups[group].append(line)
    flagged: set[int] = set()
    for group in sorted(groups):
        ordered = sorted(groups[group], key=lambda x: (-x.unit_price, x.no))
        for line in ordered[1:]:
            if line.quantity > discount and line.no not in flagged:
                flagged.add(line.no)
                yield line.no, line.code, line.quantity, discount


def related(first: str, second: str) -> bool:
    """Two diagnoses are related when they share the ICD-10 category (first three characters)."""
    return first[:3] == second[:3]


def _split_admission(
    rule: Rule, claim: ClaimFacts, history: Sequence[ClaimFacts], cat: Catalog
) -> Iterator[Hit]:
    days = int(rule.parameters["days"])
    exempt = tuple(str(x) for x in rule.parameters["exempt_diagnoses"])
    if not claim.diagnoses or claim.diagnoses[0].startswith(exempt):
        return
    earlier = [
        c
        for c in history
        if c.type == "inpatient"
        and c.claim_id != claim.claim_id
        and (c.start, c.claim_id) < (claim.start, claim.claim_id)
    ]
    if not earlier:
        return
    previous = max(earlier, key=lambda c: (c.start, c.claim_id))
    gap = (claim.start_day - previous.end_day).days
    if 0 <= gap <= days and previous.diagnoses and related(previous.diagnoses[0], claim.diagnoses[0]):
        yield None, previous.claim_id, gap, days


def _overlapping_stay(
    rule: Rule, claim: ClaimFacts, history: Sequence[ClaimFacts], cat: Catalog
) -> Iterator[Hit]:
    """A claim that starts strictly inside a stay (the admission and discharge days are allowed)."""
    if claim.type == "inpatient":
        stays = [
            s
            for s in history
            if s.type == "inpatient"
            and s.claim_id != claim.claim_id
            and (s.start, s.claim_id) < (claim.start, claim.claim_id)
            and s.start_day < claim.start_day < s.end_day
        ]
    else:
        stays = [
            s
            for s in history
            if s.type == "inpatient"
            and s.claim_id != claim.claim_id
            and s.start_day < claim.start_day < s.end_day
        ]
    if stays:
        stay = min(stays, key=lambda s: s.claim_id)
        yield (
            None,
            stay.claim_id,
            f"{VISIT_NAMES[claim.type]} {claim.start_day}",
            f"{stay.start_day}至{stay.end_day}",
        )


def supply_limit(parameters: dict[str, Any], claim: ClaimFacts) -> int:
    if set(claim.diagnoses) & set(parameters["chronic_diagnoses"]):
        return int(parameters["chronic_days"])
    if claim.type == "emergency":
        return int(parameters["emergency_days"])
    return int(parameters["outpatient_days"])


def _excess_supply(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    limit = supply_limit(rule.parameters, claim)
    for line in claim.lines:
        if line.days_supply is not None and line.days_supply > limit:
            yield line.no, line.code, line.days_supply, limit


def _over_price(rule: Rule, claim: ClaimFacts, _h: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    for line in claim.lines:
        if line.price_ceiling is not None and line.unit_price > line.price_ceiling:
            yield line.no, line.code, line.unit_price, line.price_ceiling


def _repeat_test(rule: Rule, claim: ClaimFacts, history: Sequence[ClaimFacts], cat: Catalog) -> Iterator[Hit]:
    prefixes = tuple(str(x) for x in rule.parameters["code_prefixes"])
    window = int(rule.parameters["window_days"])
    earlier = [
        (line.time, other.claim_id, line.no, line)
        for other in history
        if other.institution_id != claim.institution_id and other.claim_id != claim.claim_id
        for line in other.lines
        if line.code.startswith(prefixes)
    ]
    if not earlier:
        return
    for line in claim.lines:
        if not line.code.startswith(prefixes):
            continue
        before = [
            e
            for e in earlier
            if e[3].code == line.code and e[0] < line.time and 0 <= (line.day - e[3].day).days <= window
        ]
        if before:
            yield line.no, line.code, max(before, key=lambda e: e[:3])[3].day, window


FAMILIES: dict[str, Family] = {
    "code_sex": _code_sex,
    "code_population": _code_population,
    "working_age": _working_age,
    "insurance_type": _insurance_type,
    "visit_type": _visit_type,
    "institution_level": _institution_level,
    "drug_course": _drug_course,
    "item_course": _item_course,
    "duplicate_charge": _duplicate_charge,
    "frequency": _frequency,
    "cycle": _cycle,
    "primary_secondary": _primary_secondary,
    "split_admission": _split_admission,
    "overlapping_stay": _overlapping_stay,
    "excess_supply": _excess_supply,
    "over_price": _over_price,
    "repeat_test": _repeat_test,
}


def applies(rule: Rule, claim: ClaimFacts) -> bool:
    return claim.type in rule.scenes and claim.level in rule.levels


def check_claim(
    claim: ClaimFacts, rules: Iterable[Rule], history: Sequence[ClaimFacts] = ()
) -> list[Finding]:
    """Every finding of the rules on one claim, given the person's other claims; pure."""
    cat = catalog()
    found: list[Finding] = []
    for rule in rules:
        if applies(rule, claim):
            found.extend(
                finding(rule, claim.claim_id, hit) for hit in FAMILIES[rule.family](rule, claim, history, cat)
            )
    return found


def screen_record(record: Mapping[str, Any], rules: Iterable[Rule] | None = None) -> list[dict[str, Any]]:
    """The 事中 check at settlement: a claim.md record → finding records, by the rules of stage 事中.

    A record the settlement reader accepted but that lacks what supervision reads (a sex, a line's
    time) is checked on what it has; one this reader refuses yields no findings rather than a second
    rejection — settlement has already said what is wrong with it.
    """
    from sanyi.supervision.claims import parse_claim
    from sanyi.supervision.rules import load_rules

    try:
        claim = parse_claim(record)
    except DomainError:
        return []
    chosen = [r for r in (load_rules() if rules is None else rules) if "事中" in r.stage]
    return [f.record() for f in check_claim(claim, chosen)]
