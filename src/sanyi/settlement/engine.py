"""The settlement engine: claim + policy package + the person's accumulators → settlement.

Pure: no database, no clock, no framework. One pass in the national order (settlement.md):
classify each line (全自费, 超限价, 先行自付, 政策范围内), take the deductible from the first
policy-range yuan, pay the rest by segment at the ratio the package names (table or override, then
modifiers in order), limit by the annual cap, then the 大病 and 医疗救助 layers. Every step leaves a
trail entry with its parameter and source. Amounts are integer fen; a product with a ratio is rounded
half-up to the fen where it is stated, so the parts add up exactly.

The strategies are named in the package (``per_stay``, ``annual``, ``annual_highest_tier``, second
stay factor, referral continuity, exempt classes); no region is named here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import Final

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.policies import Condition, Override, PolicyPackage, PoolRules
from sanyi.settlement.claims import round_half_up
from sanyi.settlement.errors import (
    SETTLEMENT_NO_POLICY,
    SETTLEMENT_NOT_COVERED,
    SETTLEMENT_OUT_OF_EFFECT,
    SETTLEMENT_REGION_MISMATCH,
)
from sanyi.settlement.model import (
    TIER_CLASSES,
    Accumulators,
    Claim,
    LineSplit,
    PoolAccumulator,
    Settlement,
    Split,
    TrailStep,
)

_ONE: Final = Decimal(1)
_ZERO: Final = Decimal(0)


def _times(fen: int, ratio: Decimal) -> int:
    """An amount of fen times an exact decimal ratio, rounded half-up to the fen."""
    numerator, denominator = ratio.as_integer_ratio()
    return round_half_up(fen * numerator, denominator)


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


@cache
def _segment(low: int, high: int | None) -> str:
    """A segment's label; bounds are policy constants, so the labels are cached."""
    return f"{_yuan(low)}–{'∞' if high is None else _yuan(high)}"


def _clamp(ratio: Decimal) -> Decimal:
    return _ZERO if ratio < _ZERO else _ONE if ratio > _ONE else ratio


def _matches(condition: Condition, claim: Claim, payment_class: str) -> bool:
    encounter = claim.encounter
    institution = encounter.institution
    return (
        (condition.classes is None or payment_class in condition.classes)
        and (condition.referral is None or (encounter.referral is not None) == condition.referral)
        and (condition.emergency is None or encounter.is_emergency == condition.emergency)
        and (condition.offsite is None or (encounter.offsite or "none") in condition.offsite)
        and (condition.kinds is None or institution.kind in condition.kinds)
        and (condition.named_provincial is None or institution.named_provincial == condition.named_provincial)
        and (condition.groups is None or claim.person.group in condition.groups)
    )


def rules_for(claim: Claim, package: PolicyPackage) -> PoolRules:
    """The package's rules for this claim, or the rejection that says why there are none."""
    person = claim.person
    if not person.home_region.startswith(package.region):
        raise DomainError(
            SETTLEMENT_REGION_MISMATCH,
            path="person.home_region",
            home_region=person.home_region,
            region=package.region,
            package=package.name,
        )
    day = claim.encounter.start.date()
    if not package.covers(day):
        raise DomainError(
            SETTLEMENT_OUT_OF_EFFECT,
            path="encounter.start",
            day=day.isoformat(),
            package=package.name,
            effective=f"{package.effective_from.isoformat()} – {package.effective_to or '…'}",
        )

    def not_covered(path: str, what: str, what_zh: str, value: str) -> DomainError:
        return DomainError(
            SETTLEMENT_NOT_COVERED, path=path, package=package.name, what=what, what_zh=what_zh, value=value
        )

    if person.insurance_type != "basic":
        raise not_covered("person.insurance_type", "insurance type", "险种", person.insurance_type)
    scheme = package.schemes.get(person.scheme)
    if scheme is None:
        raise not_covered("person.scheme", "scheme", "参保类别", person.scheme)
    if person.group not in scheme.groups:
        raise not_covered("person.group", "population group", "人员类别", person.group)
    pool_name = package.encounter_pools.get(claim.encounter.type)
    rules = None if pool_name is None else scheme.pools.get(pool_name)
    if rules is None:
        raise not_covered("encounter.type", "encounter type", "就诊类型", claim.encounter.type)
    return rules


def settle(claim: Claim, package: PolicyPackage, accumulators: Accumulators | None = None) -> Settlement:
    """Settle one claim; ``accumulators`` are the person's totals for the claim's year (None: none yet)."""
    rules = rules_for(claim, package)
    year = claim.year
    before = accumulators if accumulators is not None and accumulators.year == year else Accumulators(year)
    return _Run(claim, package, rules, before).run()


class _Run:
    """One settlement's working state; kept as a class so each step stays a short method."""

    __slots__ = ("before", "claim", "group", "package", "payment_class", "rules", "trail")

    def __init__(self, claim: Claim, package: PolicyPackage, rules: PoolRules, before: Accumulators) -> None:
        self.claim = claim
        self.package = package
        self.rules = rules
        self.before = before
        self.payment_class = claim.encounter.institution.payment_class
        self.group = claim.person.group
        self.trail: list[TrailStep] = []

    def run(self) -> Settlement:
        lines, totals = self.classify_lines()
        total, fulamt, overlmt, preselfpay, inscp = totals
        override = self.override()
        pool_before = self.before.pool(self.rules.pool)
        deductible, counts = self.deductible(inscp, pool_before, override)
        ratios = self.ratios(override)
        raw_fund, pool_prop = self.pool_payment(pool_before.policy_range, deductible, inscp, ratios)
        hifp = self.cap(raw_fund, pool_before.fund_paid)
        pool_after = PoolAccumulator(
            policy_range=pool_before.policy_range + inscp,
            deductible_paid=pool_before.deductible_paid + (deductible if counts else 0),
            stays=pool_before.stays + (1 if self.claim.encounter.type == "inpatient" else 0),
            fund_paid=pool_before.fund_paid + hifp,
        )
        after = self.before.with_pool(self.rules.pool, pool_after)
        eligible = inscp - hifp + preselfpay
        hifmi, after = self.catastrophic(eligible, after)
        maf, after = self.assistance(eligible - hifmi, after)
        split = Split(
            medfee_sumamt=total,
            fulamt_ownpay_amt=fulamt,
            overlmt_selfpay=overlmt,
            preselfpay_amt=preselfpay,
            inscp_scp_amt=inscp,
            act_pay_dedc=deductible,
            pool_prop=pool_prop,
            hifp_pay=hifp,
            hifmi_pay=hifmi,
            maf_pay=maf,
        )
        self.step("total", "fund_pay_sumamt", split.fund_pay_sumamt, base=split.medfee_sumamt)
        return Settlement(
            claim_id=self.claim.claim_id,
            policy=self.package.name,
            person_id=self.claim.person.id,
            year=self.before.year,
            pool=self.rules.pool,
            split=split,
            lines=tuple(lines),
            trail=tuple(self.trail),
            before=self.before,
            after=after,
        )

    def step(
        self,
        step: str,
        rule: str,
        amount: int | None,
        *,
        parameter: str | None = None,
        base: int | None = None,
        source: str | None = None,
        note: str | None = None,
    ) -> None:
        self.trail.append(TrailStep(step, rule, amount, parameter, base, source, note))

    # -- 1. lines ------------------------------------------------------------------------------------
    def classify_lines(self) -> tuple[list[LineSplit], tuple[int, int, int, int, int]]:
        splits = []
        total = fulamt = overlmt = preselfpay = 0
        for line in self.claim.lines:
            line_total = line.amount
            if line.line_class == "C":
                own, over, pre = line_total, 0, 0
            else:
                own, over = 0, line.overlimit
                pre = _times(line_total - over, line.selfpay_prop) if line.selfpay_prop else 0
            splits.append(LineSplit(line.no, line_total, own, over, pre, line_total - own - over - pre))
            total += line_total
            fulamt += own
            overlmt += over
            preselfpay += pre
        inscp = total - fulamt - overlmt - preselfpay
        # The parts themselves are in the split; the trail states the step and its base.
        self.step("policy_range", "total_minus_selfpay", inscp, base=total)
        return splits, (total, fulamt, overlmt, preselfpay, inscp)

    # -- 2. deductible -------------------------------------------------------------------------------
    def override(self) -> Override | None:
        for override in self.rules.overrides:
            if _matches(override.when, self.claim, self.payment_class):
                return override
        return None

    def deductible(self, inscp: int, pool: PoolAccumulator, override: Override | None) -> tuple[int, bool]:
        """The deductible applied now, and whether it counts toward the annual amount paid."""
        rule = self.rules.deductible
        source = rule.source.cite()
        key = (self.payment_class, self.group)
        if override is not None and override.deductible_fen is not None:
            due, name, parameter = (
                override.deductible_fen,
                f"override:{override.name}",
                _yuan(override.deductible_fen),
            )
            source = override.source.cite()
        elif self.payment_class in rule.exempt_classes:
            applied = 0
            self.step("deductible", "exempt_class", 0, parameter=self.payment_class, source=source)
            return applied, False
        elif rule.strategy == "none":
            due, name, parameter = 0, "none", "0.00"
        elif rule.strategy == "per_stay":
            due, name, parameter = self.per_stay(rule.amounts_fen[key], pool)
        else:  # annual and annual_highest_tier: what is due this year less what was paid already
            amount = rule.amounts_fen[key]
            due = max(0, amount - pool.deductible_paid)
            name = rule.strategy
            parameter = (
                f"{self.payment_class}/{self.group} {_yuan(amount)} − 已付 {_yuan(pool.deductible_paid)}"
            )
        applied = min(due, max(inscp, 0))
        self.step("deductible", name, applied, parameter=parameter, base=due, source=source)
        return applied, True

    def per_stay(self, amount: int, pool: PoolAccumulator) -> tuple[int, str, str]:
        rule = self.rules.deductible
        name, parameter = "per_stay", f"{self.payment_class}/{self.group} {_yuan(amount)}"
        referral = self.claim.encounter.referral
        if rule.continuous_on_referral and referral is not None:
            if referral.direction == "down":
                return 0, "continuous_on_referral", "向下转诊 0.00"
            if referral.from_tier is not None:
                earlier = rule.amounts_fen[(TIER_CLASSES[referral.from_tier], self.group)]
                amount = max(0, amount - earlier)
                name, parameter = "continuous_on_referral", f"{parameter} − 转出机构 {_yuan(earlier)}"
        if rule.second_stay_factor is not None and pool.stays >= 1:
            amount = _times(amount, rule.second_stay_factor)
            name, parameter = f"{name}+second_stay_factor", f"{parameter} × {rule.second_stay_factor}"
        return amount, name, parameter

    # -- 3. ratio ------------------------------------------------------------------------------------
    def ratios(self, override: Override | None) -> tuple[Decimal, ...]:
        rules = self.rules
        row = rules.ratios.table[(self.payment_class, self.group)]
        if override is not None and override.ratio is not None:
            row = (override.ratio,) * len(row)
            self.step(
                "ratio",
                f"override:{override.name}",
                None,
                parameter=str(override.ratio),
                source=override.source.cite(),
            )
        else:
            self.step(
                "ratio",
                "table",
                None,
                parameter=f"{self.payment_class}/{self.group} {' / '.join(str(r) for r in row)}",
                source=rules.ratios.source.cite(),
            )
        for modifier in rules.modifiers:
            if _matches(modifier.when, self.claim, self.payment_class):
                row = tuple(_clamp(ratio + modifier.delta) for ratio in row)
                self.step(
                    "modifier",
                    modifier.name,
                    None,
                    parameter=f"{modifier.delta:+}",
                    source=modifier.source.cite(),
                )
        return row

    # -- 4. pool payment by segment ------------------------------------------------------------------
    def pool_payment(
        self, prior: int, deductible: int, inscp: int, ratios: tuple[Decimal, ...]
    ) -> tuple[int, Decimal]:
        bounds = self.rules.ratios.bounds_fen
        start, end = prior + deductible, prior + inscp
        paid = 0
        pool_prop: Decimal | None = None
        low = 0
        source = self.rules.ratios.source.cite()
        for index, ratio in enumerate(ratios):
            high = bounds[index] if index < len(bounds) else None
            piece_low = max(start, low)
            piece_high = end if high is None else min(end, high)
            if pool_prop is None and (high is None or start < high):
                pool_prop = ratio
            if piece_high > piece_low:
                piece = piece_high - piece_low
                amount = _times(piece, ratio)
                paid += amount
                self.step(
                    "pool",
                    f"segment {index + 1}",
                    amount,
                    parameter=f"{_segment(low, high)} × {ratio}",
                    base=piece,
                    source=source,
                )
            if high is None or end <= high:
                break
            low = high
        return paid, pool_prop if pool_prop is not None else ratios[0]

    def cap(self, raw: int, fund_paid: int) -> int:
        cap = self.rules.cap_fen
        if cap is None:
            return raw
        room = max(0, cap - fund_paid)
        paid = min(raw, room)
        source = self.rules.cap_source.cite() if self.rules.cap_source is not None else None
        self.step(
            "cap",
            "annual_fund_cap",
            paid,
            parameter=f"{_yuan(cap)} − 已付 {_yuan(fund_paid)}",
            base=raw,
            source=source,
        )
        return paid

    # -- 5. layers -----------------------------------------------------------------------------------
    def catastrophic(self, eligible: int, after: Accumulators) -> tuple[int, Accumulators]:
        layer = self.package.catastrophic
        if layer is None or self.rules.pool not in layer.pools:
            return 0, after
        first = after.catastrophic_self_burden
        last = first + eligible
        source = layer.source.cite()
        paid = 0
        low = layer.threshold_fen
        for index, ratio in enumerate(layer.ratios):
            high = layer.bounds_fen[index] if index < len(layer.bounds_fen) else None
            piece_low = max(first, low)
            piece_high = last if high is None else min(last, high)
            if piece_high > piece_low:
                amount = _times(piece_high - piece_low, ratio)
                paid += amount
                self.step(
                    "catastrophic",
                    f"segment {index + 1}",
                    amount,
                    parameter=f"{_segment(low, high)} × {ratio}",
                    base=piece_high - piece_low,
                    source=source,
                )
            if high is None or last <= high:
                break
            low = high
        if layer.cap_fen is not None:
            room = max(0, layer.cap_fen - after.catastrophic_paid)
            if paid > room:
                self.step(
                    "catastrophic",
                    "annual_cap",
                    room,
                    parameter=_yuan(layer.cap_fen),
                    base=paid,
                    source=source,
                )
                paid = room
        if paid == 0:
            self.step(
                "catastrophic",
                "below_threshold",
                0,
                parameter=f"起付 {_yuan(layer.threshold_fen)}，累计 {_yuan(last)}",
                source=source,
            )
        return paid, replace(
            after,
            catastrophic_self_burden=last,
            catastrophic_paid=after.catastrophic_paid + paid,
        )

    def assistance(self, remaining: int, after: Accumulators) -> tuple[int, Accumulators]:
        layer = self.package.assistance
        category = self.claim.person.assistance
        if layer is None or category is None:
            return 0, after
        terms = layer.categories.get(category)
        source = layer.source.cite()
        if terms is None:
            self.step("assistance", "category_not_in_package", 0, parameter=category, source=source)
            return 0, after
        deductible_amount, ratio = terms
        due = max(0, deductible_amount - after.assistance_deductible_paid)
        applied = min(due, max(remaining, 0))
        paid = _times(remaining - applied, ratio) if remaining > applied else 0
        self.step(
            "assistance",
            category,
            paid,
            parameter=f"起付 {_yuan(applied)}，× {ratio}",
            base=remaining,
            source=source,
        )
        if layer.cap_fen is not None:
            room = max(0, layer.cap_fen - after.assistance_paid)
            if paid > room:
                self.step(
                    "assistance", "annual_cap", room, parameter=_yuan(layer.cap_fen), base=paid, source=source
                )
                paid = room
        return paid, replace(
            after,
            assistance_deductible_paid=after.assistance_deductible_paid + applied,
            assistance_paid=after.assistance_paid + paid,
        )


def choose_package(claim: Claim, packages: Iterable[PolicyPackage]) -> PolicyPackage:
    """The package of the claim's home region in force on its date: the longest region code that
    matches, then the latest effective date (policies.md, "Which package"). A ``named_only`` package
    (an example) is never chosen this way."""
    day = claim.encounter.start.date()
    candidates = [
        p
        for p in packages
        if not p.named_only and claim.person.home_region.startswith(p.region) and p.covers(day)
    ]
    if not candidates:
        raise DomainError(
            SETTLEMENT_NO_POLICY,
            path="person.home_region",
            home_region=claim.person.home_region,
            day=day.isoformat(),
        )
    return max(candidates, key=lambda p: (len(p.region), p.effective_from))
