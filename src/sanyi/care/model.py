"""Encounters and fee lines (no framework, no storage)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Final

from sanyi.kernel.clock import local_date
from sanyi.kernel.money import Money, line_amount


class EncounterType(enum.StrEnum):
    OUTPATIENT = "outpatient"
    EMERGENCY = "emergency"
    INPATIENT = "inpatient"
    PHARMACY = "pharmacy"  # a purchase at a designated retail pharmacy

    @property
    def label_zh(self) -> str:
        return {"outpatient": "门诊", "emergency": "急诊", "inpatient": "住院", "pharmacy": "药店购药"}[
            self.value
        ]


VISIT_TYPES: Final = frozenset({EncounterType.OUTPATIENT, EncounterType.EMERGENCY})


class PayClass(enum.StrEnum):
    """医保支付类别: 甲类 fully in scope, 乙类 with a self-pay share first, 丙类 out of catalogue."""

    A = "A"
    B = "B"
    C = "C"

    @property
    def label_zh(self) -> str:
        return {"A": "甲类", "B": "乙类", "C": "丙类"}[self.value]


# 医疗收费项目类别 of the NHSA settlement list.
FEE_CATEGORIES: Final = {
    "01": "床位费",
    "02": "诊察费",
    "03": "检查费",
    "04": "化验费",
    "05": "治疗费",
    "06": "手术费",
    "07": "护理费",
    "08": "卫生材料费",
    "09": "西药费",
    "10": "中药饮片费",
    "11": "中成药费",
    "12": "一般诊疗费",
    "13": "挂号费",
    "14": "其他费",
}
DRUG_CATEGORIES: Final = frozenset({"09", "10", "11"})
DISCHARGE_TYPES: Final = {
    "1": "医嘱离院",
    "2": "医嘱转院",
    "3": "医嘱转社区卫生服务机构/乡镇卫生院",
    "4": "非医嘱离院",
    "5": "死亡",
    "9": "其他",
}


class OffsiteCategory(enum.StrEnum):
    """Why care was given outside the home pooling region (异地就医)."""

    LONG_TERM = "long_term"  # 异地长期居住
    REFERRED = "referred"  # 转诊
    EMERGENCY = "emergency"  # 急诊抢救
    TEMPORARY = "temporary"  # 其他临时外出


@dataclass(frozen=True, slots=True)
class FeeLine:
    no: int
    code: str
    name: str
    category: str
    pay_class: PayClass
    selfpay_prop: Decimal
    quantity: Decimal
    unit_price: Decimal
    time: datetime
    days_supply: int | None = None
    doctor_code: str | None = None
    price_ceiling: Decimal | None = None

    @property
    def amount(self) -> Money:
        """quantity × unit price, to the fen; negative for a refund line."""
        return line_amount(self.quantity, self.unit_price)

    @property
    def is_drug(self) -> bool:
        return self.category in DRUG_CATEGORIES


@dataclass(frozen=True, slots=True)
class Encounter:
    id: str
    institution_code: str
    encounter_no: str  # 就诊流水号: unique within the institution (the natural key)
    person_id: str
    type: EncounterType
    start: datetime
    end: datetime | None
    department_code: str | None
    doctor_code: str | None
    diagnoses: tuple[str, ...]  # principal first
    procedures: tuple[str, ...] = ()  # principal first
    discharge_type: str | None = None
    emergency: bool = False
    offsite: OffsiteCategory | None = None
    referral_id: str | None = None  # reserved for the tiered-care referral that led here
    lines: tuple[FeeLine, ...] = ()

    @property
    def total(self) -> Money:
        return Money(sum(line.amount.fen for line in self.lines))

    @property
    def principal_diagnosis(self) -> str | None:
        return self.diagnoses[0] if self.diagnoses else None

    def length_of_stay(self) -> int | None:
        """Days in hospital as the settlement list counts them: discharge date − admission date (Shanghai
        calendar dates), at least 1."""
        if self.type is not EncounterType.INPATIENT or self.end is None:
            return None
        return max((local_date(self.end) - local_date(self.start)).days, 1)
