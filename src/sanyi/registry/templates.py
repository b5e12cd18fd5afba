"""Import templates of the registry: the columns of divisions, institutions, practitioners, residents.

Each template is a :class:`SheetSpec` (Chinese headers, formats, allowed values, an example row); the
same definitions drive the loaders in ``importing.py``, the exports in ``exporting.py``, the
downloadable workbooks and docs/import-templates.md.
"""

from __future__ import annotations

from typing import Final

from sanyi.infrastructure.sheets import (
    DATE,
    FLAG,
    INTEGER,
    Column,
    Format,
    SheetSpec,
    choice,
    code_list,
    text,
)
from sanyi.kernel.ids import validate_citizen_id
from sanyi.registry.model import (
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
        Column(
            "beds_changed_on",
            "床位变更日期",
            "床位数与已登记不同时必填：新床位数自该日起生效",
            "required when the bed count differs from the registered one: the day the new count holds from",
            DATE,
            False,
            "2026-07-01",
        ),
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
        "床位数变化时填写床位变更日期：系统保留每次变更，指标按各月当时的床位数计算；"
        "变更日期不得早于该机构已登记的最近一次变更。",
    ),
    (
        "The institution code is the natural key: importing it again updates the record.",
        "The division must exist already or be a shipped GB/T 2260 division (county or above).",
        "When the bed count changes, give the date it changed: every change is kept and the indicators "
        "count each month's beds as they stood; the date may not precede the institution's latest "
        "recorded change.",
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
