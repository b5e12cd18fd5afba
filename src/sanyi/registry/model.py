"""The registry's records and their invariants (no framework, no storage)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final


class AreaLevel(enum.StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"


@dataclass(frozen=True, slots=True)
class Area:
    """A division on the GB/T 2260 tree (townships carry 9-digit statistical codes)."""

    code: str
    name: str
    level: AreaLevel
    parent_code: str | None
    urban: bool | None = None  # townships and counties: urban (街道/区) or rural (乡镇/县)

    @property
    def city_code(self) -> str:
        """The 6-digit city (地级市) code this area belongs to: the pooling region of insurance."""
        return self.code[:4] + "00"

    @property
    def county_code(self) -> str | None:
        return None if self.level in (AreaLevel.PROVINCE, AreaLevel.CITY) else self.code[:6]


class Tier(enum.IntEnum):
    """医院等级. 0 = 未定级 (unrated); primary-care institutions are usually unrated or 一级."""

    UNRATED = 0
    FIRST = 1
    SECOND = 2
    THIRD = 3

    @property
    def label_zh(self) -> str:
        return ("未定级", "一级", "二级", "三级")[self.value]


class Grade(enum.StrEnum):
    A = "甲"
    B = "乙"
    C = "丙"


class InstitutionKind(enum.StrEnum):
    """Type of institution; the last five are 基层 (primary care)."""

    GENERAL = "general"  # 综合医院
    TCM = "tcm"  # 中医医院
    SPECIALIST = "specialist"  # 专科医院
    PSYCHIATRIC = "psychiatric"  # 精神病专科医院
    TUBERCULOSIS = "tuberculosis"  # 结核病专科医院
    MATERNAL_CHILD = "maternal_child"  # 妇幼保健院
    TOWNSHIP_CENTRE = "township_centre"  # 乡镇卫生院
    COMMUNITY_CENTRE = "community_centre"  # 社区卫生服务中心
    COMMUNITY_STATION = "community_station"  # 社区卫生服务站
    VILLAGE_CLINIC = "village_clinic"  # 村卫生室
    CLINIC = "clinic"  # 诊所
    PHARMACY = "pharmacy"  # 定点零售药店

    @property
    def primary_care(self) -> bool:
        return self in PRIMARY_CARE_KINDS

    @property
    def label_zh(self) -> str:
        return _KIND_LABELS[self]


PRIMARY_CARE_KINDS: Final = frozenset(
    {
        InstitutionKind.TOWNSHIP_CENTRE,
        InstitutionKind.COMMUNITY_CENTRE,
        InstitutionKind.COMMUNITY_STATION,
        InstitutionKind.VILLAGE_CLINIC,
        InstitutionKind.CLINIC,
    }
)
HOSPITAL_KINDS: Final = frozenset(
    {
        InstitutionKind.GENERAL,
        InstitutionKind.TCM,
        InstitutionKind.SPECIALIST,
        InstitutionKind.PSYCHIATRIC,
        InstitutionKind.TUBERCULOSIS,
        InstitutionKind.MATERNAL_CHILD,
    }
)
_KIND_LABELS: Final = {
    InstitutionKind.GENERAL: "综合医院",
    InstitutionKind.TCM: "中医医院",
    InstitutionKind.SPECIALIST: "专科医院",
    InstitutionKind.PSYCHIATRIC: "精神病专科医院",
    InstitutionKind.TUBERCULOSIS: "结核病专科医院",
    InstitutionKind.MATERNAL_CHILD: "妇幼保健院",
    InstitutionKind.TOWNSHIP_CENTRE: "乡镇卫生院",
    InstitutionKind.COMMUNITY_CENTRE: "社区卫生服务中心",
    InstitutionKind.COMMUNITY_STATION: "社区卫生服务站",
    InstitutionKind.VILLAGE_CLINIC: "村卫生室",
    InstitutionKind.CLINIC: "诊所",
    InstitutionKind.PHARMACY: "定点零售药店",
}


class Ownership(enum.StrEnum):
    PUBLIC = "public"  # 公立
    PRIVATE = "private"  # 社会办医


@dataclass(frozen=True, slots=True)
class Institution:
    code: str  # 医保定点机构代码: H + 11 digits (P + 11 for pharmacies)
    name: str
    area_code: str
    kind: InstitutionKind
    tier: Tier
    grade: Grade | None
    ownership: Ownership
    for_profit: bool
    beds: int
    departments: tuple[str, ...]
    opened_on: date | None
    named_provincial: bool = False  # one of the province's named hospitals (some policies adjust ratios)

    @property
    def primary_care(self) -> bool:
        return self.kind.primary_care

    @property
    def region_code(self) -> str:
        """The 6-digit county code (the first six digits of the national code are the division)."""
        return self.area_code[:6]


@dataclass(frozen=True, slots=True)
class BedChange:
    """An institution's bed count changed on a date (the new count holds from that day)."""

    changed_on: date
    beds_before: int
    beds_after: int


@dataclass(frozen=True, slots=True)
class BedSpan:
    """A bed count and the days it held: ``[start, end)``, None meaning unbounded."""

    start: date | None
    end: date | None
    beds: int


def bed_spans(beds: int, changes: Sequence[BedChange]) -> list[BedSpan]:
    """The spans of an institution's bed count, given its current count and its changes.

    Before the first change the count is that change's count before; between changes, the next
    change's count before; after the last, the current count (so the registered count always wins).
    """
    ordered = sorted(changes, key=lambda change: change.changed_on)
    starts: list[date | None] = [None, *(change.changed_on for change in ordered)]
    ends: list[date | None] = [*(change.changed_on for change in ordered), None]
    counts = [*(change.beds_before for change in ordered), beds]
    return [BedSpan(start, end, count) for start, end, count in zip(starts, ends, counts, strict=True)]


class GroupKind(enum.StrEnum):
    COUNTY_COMMUNITY = "county_community"  # 县域医共体
    CITY_ALLIANCE = "city_alliance"  # 城市医联体
    HOSPITAL_GROUP = "hospital_group"  # 医疗集团


@dataclass(frozen=True, slots=True)
class MedicalGroup:
    code: str
    name: str
    kind: GroupKind
    area_code: str
    lead_institution: str
    members: tuple[str, ...]  # institution codes, the lead included


class LicenceType(enum.StrEnum):
    DOCTOR = "doctor"  # 医师
    NURSE = "nurse"  # 护士
    PHARMACIST = "pharmacist"  # 药师
    TECHNICIAN = "technician"  # 技师


@dataclass(frozen=True, slots=True)
class PracticeSite:
    institution_code: str
    department_code: str | None
    main: bool  # 第一执业地点


@dataclass(frozen=True, slots=True)
class Practitioner:
    code: str  # 医保医师代码: D + 12 digits
    name: str
    sex: str
    licence_type: LicenceType
    specialty: str | None  # department code
    general_practitioner: bool
    sites: tuple[PracticeSite, ...] = field(default_factory=tuple)  # 多点执业: several institutions

    @property
    def main_institution(self) -> str | None:
        for site in self.sites:
            if site.main:
                return site.institution_code
        return self.sites[0].institution_code if self.sites else None


class Scheme(enum.StrEnum):
    EMPLOYEE = "employee"  # 职工医保
    RESIDENT = "resident"  # 城乡居民医保


class PopulationGroup(enum.StrEnum):
    ACTIVE = "active"  # 在职
    RETIRED = "retired"  # 退休
    ADULT = "adult"  # 成年居民
    CHILD = "child"  # 少儿
    STUDENT = "student"  # 大学生


GROUPS_OF_SCHEME: Final = {
    Scheme.EMPLOYEE: frozenset({PopulationGroup.ACTIVE, PopulationGroup.RETIRED}),
    Scheme.RESIDENT: frozenset({PopulationGroup.ADULT, PopulationGroup.CHILD, PopulationGroup.STUDENT}),
}


class Assistance(enum.StrEnum):
    """医疗救助 category."""

    TEKUN = "tekun"  # 特困
    DIBAO = "dibao"  # 低保
    DIBAO_EDGE = "dibao_edge"  # 低保边缘


@dataclass(frozen=True, slots=True)
class Enrollment:
    scheme: Scheme
    group: PopulationGroup
    home_region: str  # 参保地: 6-digit division code
    assistance: Assistance | None = None


class KeyGroup(enum.StrEnum):
    """Key groups of public health and family-doctor signing (重点人群)."""

    ELDERLY = "elderly_65"  # ≥ 65 years
    YOUNG_CHILD = "child_0_6"  # 0-6 years
    PREGNANT = "pregnant"  # 孕产妇
    DISABLED = "disabled"  # 残疾人
    SEVERE_MENTAL = "severe_mental"  # 严重精神障碍
    HYPERTENSION = "hypertension"
    DIABETES = "diabetes"
    TUBERCULOSIS = "tuberculosis"


FLAG_GROUPS: Final = (
    KeyGroup.PREGNANT,
    KeyGroup.DISABLED,
    KeyGroup.SEVERE_MENTAL,
    KeyGroup.HYPERTENSION,
    KeyGroup.DIABETES,
    KeyGroup.TUBERCULOSIS,
)


@dataclass(frozen=True, slots=True)
class Resident:
    person_id: str  # opaque id used by every other record, so the citizen ID travels nowhere
    citizen_id: str
    name: str
    sex: str  # "1" male, "2" female
    birth_date: date
    household_area: str
    residence_area: str
    flags: frozenset[KeyGroup] = frozenset()
    enrollment: Enrollment | None = None
    death_date: date | None = None
    phone: str | None = None

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def key_groups_on(self, day: date) -> frozenset[KeyGroup]:
        """The flags plus the age groups that hold on a date."""
        groups = set(self.flags)
        age = self.age_on(day)
        if age >= 65:
            groups.add(KeyGroup.ELDERLY)
        if age <= 6:
            groups.add(KeyGroup.YOUNG_CHILD)
        return frozenset(groups)

    def alive_on(self, day: date) -> bool:
        return self.death_date is None or day <= self.death_date
