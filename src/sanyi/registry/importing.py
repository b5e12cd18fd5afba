"""Import templates and loaders of the registry: institutions, practitioners, residents.

Each template is a :class:`SheetSpec` (Chinese headers, formats, allowed values); each loader checks
references against the database and the knowledge tables and upserts by natural key: an
institution's or practitioner's national code, a resident's citizen ID.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from sqlalchemy import Connection, select

from sanyi.infrastructure.importer import Loader
from sanyi.infrastructure.sheets import (
    DATE,
    FLAG,
    IMPORT_DUPLICATE_KEY,
    IMPORT_INCONSISTENT,
    IMPORT_REQUIRED,
    IMPORT_UNKNOWN_CODE,
    IMPORT_UNKNOWN_REFERENCE,
    INTEGER,
    Column,
    Format,
    SheetSpec,
    choice,
    code_list,
    problem,
    text,
)
from sanyi.infrastructure.upsert import existing_keys, upsert
from sanyi.kernel.errors import Issue
from sanyi.kernel.ids import birth_date, new_id, sex_of, validate_citizen_id
from sanyi.knowledge.codes import departments, divisions
from sanyi.registry.model import (
    GROUPS_OF_SCHEME,
    AreaLevel,
    Assistance,
    Grade,
    InstitutionKind,
    LicenceType,
    Ownership,
    PopulationGroup,
    Scheme,
    Tier,
)
from sanyi.registry.tables import (
    areas,
    institution_departments,
    institutions,
    practice_sites,
    practitioners,
    residents,
)

SEX_LABELS: Final = {"1": "男", "2": "女"}
TIER_LABELS: Final = {tier: tier.label_zh for tier in Tier}
GRADE_LABELS: Final = {grade: grade.value for grade in Grade}
KIND_LABELS: Final = {kind: kind.label_zh for kind in InstitutionKind}
OWNERSHIP_LABELS: Final = {Ownership.PUBLIC: "公立", Ownership.PRIVATE: "社会办医"}
LICENCE_LABELS: Final = {
    LicenceType.DOCTOR: "医师",
    LicenceType.NURSE: "护士",
    LicenceType.PHARMACIST: "药师",
    LicenceType.TECHNICIAN: "技师",
}
SCHEME_LABELS: Final = {Scheme.EMPLOYEE: "职工医保", Scheme.RESIDENT: "城乡居民医保"}
GROUP_LABELS: Final = {
    PopulationGroup.ACTIVE: "在职",
    PopulationGroup.RETIRED: "退休",
    PopulationGroup.ADULT: "成年居民",
    PopulationGroup.CHILD: "少儿",
    PopulationGroup.STUDENT: "大学生",
}
ASSISTANCE_LABELS: Final = {
    Assistance.TEKUN: "特困",
    Assistance.DIBAO: "低保",
    Assistance.DIBAO_EDGE: "低保边缘",
}
FLAG_COLUMNS: Final = (
    ("pregnant", "孕产妇", "pregnant or postpartum"),
    ("disabled", "残疾人", "person with a disability"),
    ("severe_mental", "严重精神障碍", "severe mental disorder"),
    ("hypertension", "高血压", "hypertension patient"),
    ("diabetes", "糖尿病", "type 2 diabetes patient"),
    ("tuberculosis", "结核病", "tuberculosis patient"),
)

INSTITUTION_CODE: Final = text(12, r"[HP]\d{11}", "H 或 P 加 11 位数字", "H or P followed by 11 digits")
PRACTITIONER_CODE: Final = text(13, r"D\d{12}", "D 加 12 位数字", "D followed by 12 digits")
AREA_CODE: Final = text(
    12, r"\d{6}|\d{9}|\d{12}", "6、9 或 12 位区划代码", "a 6-, 9- or 12-digit division code"
)
DEPARTMENT_CODE: Final = text(
    8, r"[0-9]{2}([0-9]{2})?|ICU", "科室代码（如 03、0304）", "department code (03, 0304)"
)
CITIZEN_ID: Final = Format(
    validate_citizen_id,
    lambda value: "" if value is None else str(value),
    "18 位居民身份证号（GB 11643 校验位）",
    "18-character citizen ID (GB 11643 check digit)",
)

INSTITUTIONS: Final = SheetSpec(
    "institutions",
    "医疗机构",
    "institutions",
    (
        Column(
            "code",
            "机构代码",
            "医保定点机构代码",
            "national institution code",
            INSTITUTION_CODE,
            example="H33030200001",
        ),
        Column("name", "机构名称", "机构全称", "full name", text(200), example="温州市鹿城区人民医院"),
        Column(
            "area_code",
            "行政区划代码",
            "所在区划（县级或乡镇街道）",
            "division it is in",
            AREA_CODE,
            example="330302",
        ),
        Column(
            "kind", "机构类型", "机构类别", "type of institution", choice(KIND_LABELS), example="综合医院"
        ),
        Column("tier", "医院等级", "医院等级", "tier", choice(TIER_LABELS), example="二级"),
        Column("grade", "医院等次", "等次（可空）", "grade (optional)", choice(GRADE_LABELS), False, "甲"),
        Column(
            "ownership",
            "举办性质",
            "公立或社会办医",
            "public or private",
            choice(OWNERSHIP_LABELS),
            example="公立",
        ),
        Column("for_profit", "营利性", "是否营利性机构", "for profit", FLAG, False, "否", False),
        Column("beds", "编制床位数", "床位数", "beds", INTEGER, False, "300", 0),
        Column("opened_on", "开业日期", "开业或执业登记日期", "opening date", DATE, False, "1998-06-01"),
        Column(
            "named_provincial",
            "省级名院",
            "是否省级名院",
            "a named provincial hospital",
            FLAG,
            False,
            "否",
            False,
        ),
        Column(
            "departments",
            "诊疗科目",
            "开设的诊疗科目代码",
            "departments offered",
            code_list(DEPARTMENT_CODE),
            False,
            "03|04|05",
            (),
        ),
    ),
    (
        "机构代码是自然键：再次导入同一机构会更新它，不会重复。",
        "区划代码须已在系统中，或为随附的 GB/T 2260 县级以上区划。",
    ),
    (
        "The institution code is the natural key: importing it again updates the record.",
        "The division must exist already or be a shipped GB/T 2260 division (county or above).",
    ),
)

PRACTITIONERS: Final = SheetSpec(
    "practitioners",
    "医务人员",
    "practitioners",
    (
        Column(
            "code",
            "医师代码",
            "医保医师（医护人员）代码",
            "national practitioner code",
            PRACTITIONER_CODE,
            example="D330302000001",
        ),
        Column("name", "姓名", "姓名", "name", text(100), example="王建国"),
        Column("sex", "性别", "性别", "sex", choice(SEX_LABELS), example="男"),
        Column(
            "licence_type", "执业类别", "执业类别", "licence type", choice(LICENCE_LABELS), example="医师"
        ),
        Column(
            "specialty",
            "专业科室",
            "专业（科室代码）",
            "specialty (department code)",
            DEPARTMENT_CODE,
            False,
            "03",
        ),
        Column(
            "general_practitioner",
            "全科医生",
            "是否全科医生",
            "general practitioner",
            FLAG,
            False,
            "否",
            False,
        ),
        Column(
            "main_institution",
            "第一执业机构",
            "第一执业地点的机构代码",
            "main practice site",
            INSTITUTION_CODE,
            example="H33030200001",
        ),
        Column(
            "main_department",
            "执业科室",
            "在第一执业机构的科室代码",
            "department at the main site",
            DEPARTMENT_CODE,
            False,
            "0304",
        ),
        Column(
            "other_institutions",
            "多点执业机构",
            "其他执业地点（多点执业）",
            "other practice sites",
            code_list(INSTITUTION_CODE),
            False,
            "",
            (),
        ),
    ),
    ("医师代码是自然键；执业地点随每次导入整体替换。",),
    ("The practitioner code is the natural key; the practice sites are replaced on each import.",),
)

RESIDENTS: Final = SheetSpec(
    "residents",
    "参保居民",
    "residents",
    (
        Column(
            "citizen_id", "身份证号", "居民身份证号码", "citizen ID", CITIZEN_ID, example="330302199001011227"
        ),
        Column("name", "姓名", "姓名", "name", text(100), example="李秀英"),
        Column(
            "sex",
            "性别",
            "性别（须与身份证号一致）",
            "sex (must match the ID)",
            choice(SEX_LABELS),
            example="女",
        ),
        Column(
            "birth_date",
            "出生日期",
            "出生日期（空白取身份证号中的日期）",
            "birth date (default: from the ID)",
            DATE,
            False,
            "1990-01-01",
        ),
        Column(
            "household_area",
            "户籍地区划",
            "户籍所在区划代码",
            "household registration division",
            AREA_CODE,
            example="330302",
        ),
        Column(
            "residence_area",
            "居住地区划",
            "常住地区划代码",
            "residence division",
            AREA_CODE,
            example="330302",
        ),
        Column(
            "phone",
            "联系电话",
            "手机或固定电话",
            "phone",
            text(20, r"[0-9+\- ]{5,20}", "电话号码", "a phone number"),
            False,
            "13800000000",
        ),
        Column("death_date", "死亡日期", "死亡日期（如有）", "date of death, if any", DATE, False, ""),
        *(
            Column(key, header, f"是否{header}", meaning, FLAG, False, "否", False)
            for key, header, meaning in FLAG_COLUMNS
        ),
        Column(
            "scheme",
            "参保险种",
            "基本医保险种（未参保留空）",
            "insurance scheme (empty if uninsured)",
            choice(SCHEME_LABELS),
            False,
            "城乡居民医保",
        ),
        Column(
            "population_group",
            "人员类别",
            "参保人员类别",
            "enrolment group",
            choice(GROUP_LABELS),
            False,
            "成年居民",
        ),
        Column(
            "home_region",
            "参保地",
            "参保统筹地区（6 位区划代码）",
            "pooling region (6-digit division)",
            text(6, r"\d{6}", "6 位区划代码", "a 6-digit division code"),
            False,
            "330300",
        ),
        Column(
            "assistance",
            "医疗救助类别",
            "医疗救助对象类别",
            "medical-aid category",
            choice(ASSISTANCE_LABELS),
            False,
            "",
        ),
    ),
    (
        "身份证号是自然键：再次导入同一居民会更新其信息并保留其内部编号。",
        "填写参保险种时须同时填写人员类别（职工医保：在职/退休；城乡居民医保：成年居民/少儿/大学生）和参保地。",
    ),
    (
        "The citizen ID is the natural key: importing it again updates the person and keeps their "
        "internal id.",
        "With a scheme, give the group (employee: 在职/退休; resident: 成年居民/少儿/大学生) "
        "and the pooling region.",
    ),
)

LEVEL_LABELS: Final = {
    AreaLevel.PROVINCE: "省",
    AreaLevel.CITY: "市",
    AreaLevel.COUNTY: "县",
    AreaLevel.TOWNSHIP: "乡镇街道",
}
URBAN_LABELS: Final = {True: "城镇", False: "农村"}
AREAS: Final = SheetSpec(
    "areas",
    "行政区划",
    "divisions",
    (
        Column(
            "code",
            "区划代码",
            "GB/T 2260 区划代码（乡镇街道为 9 位统计用代码）",
            "division code",
            AREA_CODE,
            example="330302001",
        ),
        Column("name", "区划名称", "名称", "name", text(100), example="五马街道"),
        Column(
            "level", "层级", "省、市、县（区）或乡镇街道", "level", choice(LEVEL_LABELS), example="乡镇街道"
        ),
        Column(
            "parent_code",
            "上级区划代码",
            "上级区划（省级留空）",
            "parent division (empty for a province)",
            AREA_CODE,
            False,
            "330302",
        ),
        Column(
            "urban",
            "城乡",
            "城镇（街道、区）或农村（乡镇、县）",
            "urban or rural",
            choice(URBAN_LABELS),
            False,
            "城镇",
        ),
    ),
    (
        "区划代码是自然键。上级区划须已在系统中、为随附的县级以上区划，或在本文件中更靠前的行。",
        "省、市、县级代码为 6 位（省级以 0000 结尾，市级以 00 结尾），"
        "乡镇街道为 9 或 12 位，且以上级代码开头。",
    ),
    (
        "The division code is the natural key. The parent must exist, be a shipped division (county or "
        "above) or come on an earlier row of the file.",
        "Province, city and county codes have 6 digits (a province ends in 0000, a city in 00); townships "
        "have 9 or 12 digits and start with their county's code.",
    ),
)

SPECS: Final = {spec.kind: spec for spec in (AREAS, INSTITUTIONS, PRACTITIONERS, RESIDENTS)}


class AreaIndex:
    """Division codes known to the database, plus the shipped GB/T 2260 divisions added on demand."""

    def __init__(self) -> None:
        self.stored: set[str] = set()
        self._wanted: set[str] = set()

    def load(self, connection: Connection) -> None:
        self.stored = set(connection.execute(select(areas.c.code)).scalars())

    def known(self, code: str) -> bool:
        return code in self.stored or code in divisions()

    def want(self, code: str | None) -> None:
        """A good record refers to this division: add it (if shipped and missing) before writing."""
        if code is not None and code not in self.stored:
            self._wanted.add(code)

    def ensure(self, connection: Connection) -> None:
        """Insert the shipped divisions the batch refers to (parents first)."""
        chain: list[str] = []
        for code in sorted(self._wanted):
            current: str | None = code
            while (
                current is not None
                and current in divisions()
                and current not in self.stored
                and current not in chain
            ):
                chain.append(current)
                current = divisions()[current].parent_code
        self._wanted.clear()
        # Parents first: a province (33) before its city (3303) before its county (330302).
        for code in sorted(chain, key=lambda code: (len(code), len(code.rstrip("0")))):
            division = divisions()[code]
            connection.execute(
                areas.insert().values(
                    code=code,
                    name=division.name,
                    level=AreaLevel(division.level).value,
                    parent_code=division.parent_code,
                    urban=None,
                )
            )
            self.stored.add(code)


class _KeyedLoader:
    """Shared parts: duplicate keys within the file and a buffer of good records."""

    key_header: str

    def __init__(self) -> None:
        self.first_row: dict[str, int] = {}
        self.buffer: list[dict[str, Any]] = []
        self.areas = AreaIndex()

    def duplicate(self, row: int, key: str) -> list[Issue]:
        first = self.first_row.setdefault(key, row)
        if first != row:
            return [problem(IMPORT_DUPLICATE_KEY, row, self.key_header, key, first_row=first, key=key)]
        return []

    def area(self, row: int, header: str, code: str | None) -> list[Issue]:
        if code is None or self.areas.known(code):
            return []
        return [
            problem(
                IMPORT_UNKNOWN_REFERENCE,
                row,
                header,
                code,
                kind_zh="行政区划",
                kind_en="division",
                value=code,
            )
        ]

    def department(self, row: int, header: str, code: str | None) -> list[Issue]:
        if code is None or code in departments():
            return []
        return [problem(IMPORT_UNKNOWN_CODE, row, header, code, dictionary="诊疗科目", value=code)]

    area_fields: tuple[str, ...] = ()

    def add(self, row: int, values: dict[str, Any], good: bool) -> None:
        if good:
            self.buffer.append(values)
            for name in self.area_fields:
                self.areas.want(values[name])

    def pending(self) -> int:
        return len(self.buffer)

    def discard(self) -> None:
        self.buffer.clear()

    def skipped(self) -> int:
        return 0


class InstitutionLoader(_KeyedLoader):
    spec = INSTITUTIONS
    key_header = "机构代码"
    area_fields = ("area_code",)

    def begin(self, connection: Connection) -> None:
        self.areas.load(connection)

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        issues = self.duplicate(row, values["code"]) + self.area(row, "行政区划代码", values["area_code"])
        for code in values["departments"]:
            issues += self.department(row, "诊疗科目", code)
        return issues

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch, self.buffer = self.buffer, []
        if not batch:
            return 0, 0
        self.areas.ensure(connection)
        rows = [
            {
                "code": v["code"],
                "name": v["name"],
                "area_code": v["area_code"],
                "kind": v["kind"].value,
                "tier": int(v["tier"]),
                "grade": v["grade"].value if v["grade"] else None,
                "ownership": v["ownership"].value,
                "for_profit": v["for_profit"],
                "beds": v["beds"],
                "opened_on": v["opened_on"],
                "named_provincial": v["named_provincial"],
            }
            for v in batch
        ]
        written = upsert(connection, institutions, rows, ["code"])
        codes = [v["code"] for v in batch]
        connection.execute(
            institution_departments.delete().where(institution_departments.c.institution_code.in_(codes))
        )
        links = [
            {"institution_code": v["code"], "department_code": d}
            for v in batch
            for d in dict.fromkeys(v["departments"])
        ]
        if links:
            connection.execute(institution_departments.insert(), links)
        return written


class PractitionerLoader(_KeyedLoader):
    spec = PRACTITIONERS
    key_header = "医师代码"

    def __init__(self) -> None:
        super().__init__()
        self.institutions: set[str] = set()

    def begin(self, connection: Connection) -> None:
        self.institutions = set(connection.execute(select(institutions.c.code)).scalars())

    def _institution(self, row: int, header: str, code: str) -> list[Issue]:
        if code in self.institutions:
            return []
        return [
            problem(
                IMPORT_UNKNOWN_REFERENCE,
                row,
                header,
                code,
                kind_zh="医疗机构",
                kind_en="institution",
                value=code,
            )
        ]

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        issues = self.duplicate(row, values["code"])
        issues += self.department(row, "专业科室", values["specialty"])
        issues += self.department(row, "执业科室", values["main_department"])
        issues += self._institution(row, "第一执业机构", values["main_institution"])
        for code in values["other_institutions"]:
            issues += self._institution(row, "多点执业机构", code)
            if code == values["main_institution"]:
                issues.append(
                    problem(
                        IMPORT_INCONSISTENT,
                        row,
                        "多点执业机构",
                        code,
                        other_zh="第一执业机构",
                        other_en="the main practice site",
                        reason_zh="同一机构不能重复列出",
                        reason_en="the same institution is listed twice",
                    )
                )
        return issues

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch, self.buffer = self.buffer, []
        if not batch:
            return 0, 0
        rows = [
            {
                "code": v["code"],
                "name": v["name"],
                "sex": v["sex"],
                "licence_type": v["licence_type"].value,
                "specialty": v["specialty"],
                "general_practitioner": v["general_practitioner"],
            }
            for v in batch
        ]
        written = upsert(connection, practitioners, rows, ["code"])
        codes = [v["code"] for v in batch]
        connection.execute(practice_sites.delete().where(practice_sites.c.practitioner_code.in_(codes)))
        sites = []
        for v in batch:
            sites.append(
                {
                    "practitioner_code": v["code"],
                    "institution_code": v["main_institution"],
                    "department_code": v["main_department"],
                    "main": True,
                }
            )
            for other in dict.fromkeys(v["other_institutions"]):
                sites.append(
                    {
                        "practitioner_code": v["code"],
                        "institution_code": other,
                        "department_code": None,
                        "main": False,
                    }
                )
        connection.execute(practice_sites.insert(), sites)
        return written


class ResidentLoader(_KeyedLoader):
    spec = RESIDENTS
    key_header = "身份证号"
    area_fields = ("household_area", "residence_area")

    def begin(self, connection: Connection) -> None:
        self.areas.load(connection)

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        citizen_id: str = values["citizen_id"]
        issues = self.duplicate(row, citizen_id)
        if values["sex"] != sex_of(citizen_id):
            issues.append(self._mismatch(row, "性别", SEX_LABELS[values["sex"]], "性别", "sex"))
        born = birth_date(citizen_id)
        if values["birth_date"] is None:
            values["birth_date"] = born
        elif values["birth_date"] != born:
            issues.append(
                self._mismatch(row, "出生日期", values["birth_date"].isoformat(), "出生日期", "birth date")
            )
        death: date | None = values["death_date"]
        if death is not None and death < born:
            issues.append(
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "死亡日期",
                    death.isoformat(),
                    other_zh="出生日期",
                    other_en="the birth date",
                    reason_zh="死亡日期早于出生日期",
                    reason_en="death before birth",
                )
            )
        issues += self.area(row, "户籍地区划", values["household_area"])
        issues += self.area(row, "居住地区划", values["residence_area"])
        issues += self._enrollment(row, values)
        return issues

    @staticmethod
    def _mismatch(row: int, header: str, value: str, zh: str, en: str) -> Issue:
        return problem(
            IMPORT_INCONSISTENT,
            row,
            header,
            value,
            other_zh="身份证号",
            other_en="the citizen ID",
            reason_zh=f"{zh}与身份证号不符",
            reason_en=f"the {en} differs from the one encoded in the ID",
        )

    def _enrollment(self, row: int, values: dict[str, Any]) -> list[Issue]:
        scheme: Scheme | None = values["scheme"]
        group: PopulationGroup | None = values["population_group"]
        region: str | None = values["home_region"]
        if scheme is None:
            if group is not None or region is not None:
                return [
                    self._enrol(
                        row,
                        "参保险种",
                        "",
                        "未填参保险种却填写了人员类别或参保地",
                        "a group or region without a scheme",
                    )
                ]
            return []
        if group is None or group not in GROUPS_OF_SCHEME[scheme]:
            allowed = "、".join(GROUP_LABELS[g] for g in GROUP_LABELS if g in GROUPS_OF_SCHEME[scheme])
            return [
                self._enrol(
                    row,
                    "人员类别",
                    GROUP_LABELS.get(group, "") if group else "",
                    f"{SCHEME_LABELS[scheme]}的人员类别应为：{allowed}",
                    f"the group of {scheme.value} must be one of {allowed}",
                )
            ]
        if region is None:
            return [self._enrol(row, "参保地", "", "参保地为空", "the pooling region is empty")]
        if region not in divisions() and region not in self.areas.stored:
            return [
                problem(
                    IMPORT_UNKNOWN_REFERENCE,
                    row,
                    "参保地",
                    region,
                    kind_zh="统筹地区",
                    kind_en="pooling region",
                    value=region,
                )
            ]
        return []

    @staticmethod
    def _enrol(row: int, header: str, value: str, reason_zh: str, reason_en: str) -> Issue:
        return problem(
            IMPORT_INCONSISTENT,
            row,
            header,
            value,
            other_zh="参保险种",
            other_en="the scheme",
            reason_zh=reason_zh,
            reason_en=reason_en,
        )

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch, self.buffer = self.buffer, []
        if not batch:
            return 0, 0
        self.areas.ensure(connection)
        before = existing_keys(connection, residents, ["citizen_id"], [(v["citizen_id"],) for v in batch])
        rows = []
        for v in batch:
            stored = before.get((v["citizen_id"],))
            row = {
                "person_id": stored["person_id"] if stored else new_id(),
                "citizen_id": v["citizen_id"],
                "name": v["name"],
                "sex": v["sex"],
                "birth_date": v["birth_date"],
                "household_area": v["household_area"],
                "residence_area": v["residence_area"],
                "phone": v["phone"],
                "death_date": v["death_date"],
                "scheme": v["scheme"].value if v["scheme"] else None,
                "population_group": v["population_group"].value if v["population_group"] else None,
                "home_region": v["home_region"],
                "assistance": v["assistance"].value if v["assistance"] else None,
            }
            row.update({key: v[key] for key, _, _ in FLAG_COLUMNS})
            rows.append(row)
        return upsert(connection, residents, rows, ["citizen_id"], keep=["person_id"], before=before)


def _shape_fits(code: str, level: AreaLevel) -> bool:
    if level is AreaLevel.TOWNSHIP:
        return len(code) in (9, 12)
    if len(code) != 6:
        return False
    if level is AreaLevel.PROVINCE:
        return code.endswith("0000")
    if level is AreaLevel.CITY:
        return code.endswith("00") and not code.endswith("0000")
    return not code.endswith("00")


def _division_prefix(code: str) -> str:
    """The digits a child's code starts with: 33 for 330000, 3303 for 330300, all six for a county."""
    if len(code) != 6:
        return code
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


class AreaLoader(_KeyedLoader):
    spec = AREAS
    key_header = "区划代码"
    area_fields = ("parent_code",)

    def begin(self, connection: Connection) -> None:
        self.areas.load(connection)

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        code: str = values["code"]
        level: AreaLevel = values["level"]
        parent: str | None = values["parent_code"]
        issues = self.duplicate(row, code)
        if not _shape_fits(code, level):
            issues.append(
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "区划代码",
                    code,
                    other_zh="层级",
                    other_en="the level",
                    reason_zh=f"{LEVEL_LABELS[level]}级区划代码的位数或结尾不符",
                    reason_en=f"the code does not have the shape of a {level.value} code",
                )
            )
        if parent is None:
            if level is not AreaLevel.PROVINCE:
                issues.append(problem(IMPORT_REQUIRED, row, "上级区划代码", ""))
            return issues
        if not code.startswith(_division_prefix(parent)) or parent == code:
            issues.append(
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "上级区划代码",
                    parent,
                    other_zh="区划代码",
                    other_en="the division code",
                    reason_zh="下级区划代码须以上级代码开头",
                    reason_en="a division's code starts with its parent's",
                )
            )
        return issues + self.area(row, "上级区划代码", parent)

    def add(self, row: int, values: dict[str, Any], good: bool) -> None:
        super().add(row, values, good)
        if good:
            self.areas.stored.add(values["code"])  # later rows may name it as their parent

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch, self.buffer = self.buffer, []
        if not batch:
            return 0, 0
        self.areas.ensure(connection)
        rows = [
            {
                "code": v["code"],
                "name": v["name"],
                "level": v["level"].value,
                "parent_code": v["parent_code"],
                "urban": v["urban"],
            }
            for v in sorted(batch, key=lambda v: (len(v["code"]), len(v["code"].rstrip("0"))))
        ]
        return upsert(connection, areas, rows, ["code"])


def loader_for(kind: str) -> Loader:
    """A fresh loader of one registry kind."""
    loaders: dict[str, type[AreaLoader | InstitutionLoader | PractitionerLoader | ResidentLoader]] = {
        "areas": AreaLoader,
        "institutions": InstitutionLoader,
        "practitioners": PractitionerLoader,
        "residents": ResidentLoader,
    }
    return loaders[kind]()
