"""The settlement vocabulary: a claim, a person's annual accumulators and a settlement result.

Plain frozen dataclasses; amounts are integer fen so the engine adds and compares ints, and only a
product with a ratio goes through ``Decimal`` (rounded half-up to the fen where it is stated).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Final

SCHEMES: Final = frozenset({"employee", "resident"})
GROUPS: Final = {
    "employee": frozenset({"active", "retired"}),
    "resident": frozenset({"adult", "child", "student"}),
}
ASSISTANCE: Final = frozenset({"tekun", "dibao", "dibao_edge"})
INSURANCE_TYPES: Final = frozenset({"basic", "work_injury", "maternity"})
ENCOUNTER_TYPES: Final = frozenset({"inpatient", "outpatient", "emergency", "pharmacy"})
OFFSITE_CATEGORIES: Final = frozenset({"long_term", "referred", "emergency", "temporary"})
FEE_CATEGORIES: Final = frozenset(f"{n:02d}" for n in range(1, 15))
LINE_CLASSES: Final = frozenset({"A", "B", "C"})
POOLS: Final = ("inpatient", "outpatient")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    scheme: str
    group: str
    home_region: str
    assistance: str | None = None
    insurance_type: str = "basic"
    sex: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True, slots=True)
class Institution:
    id: str
    tier: int
    primary_care: bool
    region: str
    kind: str = "general"
    named_provincial: bool = False

    @property
    def payment_class(self) -> str:
        """policies.md: primary when primary_care, otherwise by tier."""
        if self.primary_care:
            return "primary"
        return TIER_CLASSES[self.tier]


TIER_CLASSES: Final = {3: "tertiary", 2: "secondary", 1: "first", 0: "unrated"}


@dataclass(frozen=True, slots=True)
class Referral:
    id: str
    direction: str
    from_institution: str | None
    from_tier: int | None


@dataclass(frozen=True, slots=True)
class Encounter:
    type: str
    institution: Institution
    start: datetime
    end: datetime | None
    referral: Referral | None = None
    emergency: bool = False
    offsite: str | None = None

    @property
    def is_emergency(self) -> bool:
        return self.emergency or self.type == "emergency"


@dataclass(frozen=True, slots=True)
class Line:
    """A fee line; ``amount`` (quantity × unit price) and ``overlimit`` (the part above the price
    ceiling) are facts of the bill, stated in fen once when the line is read."""

    no: int
    code: str
    name: str
    category: str
    line_class: str
    selfpay_prop: Decimal
    quantity: Decimal
    unit_price: Decimal
    price_ceiling: Decimal | None
    amount: int
    overlimit: int


@dataclass(frozen=True, slots=True)
class Claim:
    claim_id: str
    person: Person
    encounter: Encounter
    lines: tuple[Line, ...]

    @property
    def year(self) -> int:
        """The insurance year (calendar year of the encounter's start, in its own offset)."""
        return self.encounter.start.year


@dataclass(frozen=True, slots=True)
class PoolAccumulator:
    """One pool's running totals for a person and year (fen)."""

    policy_range: int = 0
    deductible_paid: int = 0
    stays: int = 0
    fund_paid: int = 0


@dataclass(frozen=True, slots=True)
class Accumulators:
    """Everything a person's later claims of the same year depend on."""

    year: int
    inpatient: PoolAccumulator = field(default_factory=PoolAccumulator)
    outpatient: PoolAccumulator = field(default_factory=PoolAccumulator)
    catastrophic_self_burden: int = 0
    catastrophic_paid: int = 0
    assistance_deductible_paid: int = 0
    assistance_paid: int = 0

    def pool(self, name: str) -> PoolAccumulator:
        return self.inpatient if name == "inpatient" else self.outpatient

    def with_pool(self, name: str, value: PoolAccumulator) -> Accumulators:
        inpatient, outpatient = (value, self.outpatient) if name == "inpatient" else (self.inpatient, value)
        return Accumulators(
            self.year,
            inpatient,
            outpatient,
            self.catastrophic_self_burden,
            self.catastrophic_paid,
            self.assistance_deductible_paid,
            self.assistance_paid,
        )

    def to_fields(self) -> dict[str, int]:
        """Flat integer-fen fields (stays is a count) for storage and the result record."""
        values: dict[str, int] = {}
        for name in POOLS:
            pool = self.pool(name)
            values[f"{name}_policy_range"] = pool.policy_range
            values[f"{name}_deductible_paid"] = pool.deductible_paid
            values[f"{name}_stays"] = pool.stays
            values[f"{name}_fund_paid"] = pool.fund_paid
        values["catastrophic_self_burden"] = self.catastrophic_self_burden
        values["catastrophic_paid"] = self.catastrophic_paid
        values["assistance_deductible_paid"] = self.assistance_deductible_paid
        values["assistance_paid"] = self.assistance_paid
        return values

    @classmethod
    def from_fields(cls, year: int, values: dict[str, int]) -> Accumulators:
        pools = {
            name: PoolAccumulator(
                policy_range=values[f"{name}_policy_range"],
                deductible_paid=values[f"{name}_deductible_paid"],
                stays=values[f"{name}_stays"],
                fund_paid=values[f"{name}_fund_paid"],
            )
            for name in POOLS
        }
        return cls(
            year=year,
            inpatient=pools["inpatient"],
            outpatient=pools["outpatient"],
            catastrophic_self_burden=values["catastrophic_self_burden"],
            catastrophic_paid=values["catastrophic_paid"],
            assistance_deductible_paid=values["assistance_deductible_paid"],
            assistance_paid=values["assistance_paid"],
        )


COUNT_FIELDS: Final = frozenset({"inpatient_stays", "outpatient_stays"})


@dataclass(frozen=True, slots=True)
class Split:
    """The national 2304 money fields of one settlement (fen); ``pool_prop`` is a ratio."""

    medfee_sumamt: int
    fulamt_ownpay_amt: int
    overlmt_selfpay: int
    preselfpay_amt: int
    inscp_scp_amt: int
    act_pay_dedc: int
    pool_prop: Decimal
    hifp_pay: int
    hifmi_pay: int
    maf_pay: int

    @property
    def fund_pay_sumamt(self) -> int:
        return self.hifp_pay + self.hifmi_pay + self.maf_pay

    @property
    def psn_part_amt(self) -> int:
        return self.medfee_sumamt - self.fund_pay_sumamt


@dataclass(frozen=True, slots=True)
class LineSplit:
    no: int
    total: int
    fulamt_ownpay_amt: int
    overlmt_selfpay: int
    preselfpay_amt: int
    inscp_scp_amt: int


@dataclass(frozen=True, slots=True)
class TrailStep:
    """One step of the calculation: what rule, with which parameter, gave which amount, on what source."""

    step: str
    rule: str
    amount: int | None
    parameter: str | None = None
    base: int | None = None
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    claim_id: str
    policy: str
    person_id: str
    year: int
    pool: str
    split: Split
    lines: tuple[LineSplit, ...]
    trail: tuple[TrailStep, ...]
    before: Accumulators
    after: Accumulators
