"""Excel downloads of the registry and care lists: Chinese headers, rows streamed from the services."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response, StreamingResponse

from sanyi.care.api import EncounterRow
from sanyi.infrastructure.tabular import xlsx_stream
from sanyi.kernel.clock import SHANGHAI
from sanyi.registry.api import Institution, KeyGroup, MedicalGroup, Practitioner, ResidentView, Tier

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SEX = {"1": "男", "2": "女"}
KEY_GROUPS_ZH = {
    KeyGroup.ELDERLY: "65岁及以上",
    KeyGroup.YOUNG_CHILD: "0-6岁儿童",
    KeyGroup.PREGNANT: "孕产妇",
    KeyGroup.DISABLED: "残疾人",
    KeyGroup.SEVERE_MENTAL: "严重精神障碍",
    KeyGroup.HYPERTENSION: "高血压",
    KeyGroup.DIABETES: "糖尿病",
    KeyGroup.TUBERCULOSIS: "结核病",
}
LICENCES_ZH = {"doctor": "医师", "nurse": "护士", "pharmacist": "药师", "technician": "技师"}
OWNERSHIP_ZH = {"public": "公立", "private": "社会办医"}

INSTITUTION_HEADER = (
    "机构代码",
    "机构名称",
    "所在地区",
    "机构类型",
    "等级",
    "等次",
    "举办性质",
    "营利性",
    "床位数",
)
GROUP_HEADER = ("编码", "名称", "类型", "所在地区", "牵头机构代码", "牵头机构", "成员数", "成员机构")
GROUP_KINDS_ZH = {
    "county_community": "县域医共体",
    "city_alliance": "城市医联体",
    "hospital_group": "医疗集团",
}
PRACTITIONER_HEADER = ("人员代码", "姓名", "性别", "执业类别", "专业科室", "全科医生", "执业机构")
RESIDENT_HEADER = (
    "人员编号",
    "身份证号（脱敏）",
    "姓名（脱敏）",
    "性别",
    "年龄",
    "居住地",
    "参保险种",
    "重点人群",
)
ENCOUNTER_HEADER = (
    "就诊编号",
    "就诊流水号",
    "机构代码",
    "机构名称",
    "人员编号",
    "姓名（脱敏）",
    "类型",
    "开始时间",
    "结束时间",
    "主要诊断编码",
    "主要诊断名称",
    "总费用（元）",
)


def institution_rows(items: Iterable[Institution], areas: dict[str, str]) -> Iterator[list[Any]]:
    for item in items:
        yield [
            item.code,
            item.name,
            areas.get(item.area_code, item.area_code),
            item.kind.label_zh,
            Tier(item.tier).label_zh,
            item.grade.value if item.grade else "",
            OWNERSHIP_ZH[item.ownership.value],
            "是" if item.for_profit else "否",
            item.beds,
        ]


def group_rows(
    items: Iterable[MedicalGroup], names: dict[str, str], areas: dict[str, str]
) -> Iterator[list[Any]]:
    for item in items:
        yield [
            item.code,
            item.name,
            GROUP_KINDS_ZH[item.kind.value],
            areas.get(item.area_code, item.area_code),
            item.lead_institution,
            names.get(item.lead_institution, ""),
            len(item.members),
            "、".join(names.get(code, code) for code in item.members),
        ]


def practitioner_rows(items: Iterable[Practitioner], departments: dict[str, str]) -> Iterator[list[Any]]:
    for item in items:
        yield [
            item.code,
            item.name,
            SEX.get(item.sex, item.sex),
            LICENCES_ZH[item.licence_type.value],
            departments.get(item.specialty or "", item.specialty or ""),
            "是" if item.general_practitioner else "否",
            "、".join(site.institution_code for site in item.sites),
        ]


def resident_rows(items: Iterable[ResidentView], areas: dict[str, str]) -> Iterator[list[Any]]:
    for item in items:
        scheme = ""
        if item.enrollment is not None:
            scheme = "职工医保" if item.enrollment.scheme.value == "employee" else "城乡居民医保"
        yield [
            item.person_id,
            item.citizen_id,
            item.name,
            SEX.get(item.sex, item.sex),
            item.age,
            areas.get(item.residence_area, item.residence_area),
            scheme,
            "、".join(KEY_GROUPS_ZH[group] for group in item.key_groups),
        ]


def encounter_rows(items: Iterable[EncounterRow]) -> Iterator[list[Any]]:
    for item in items:
        yield [
            item.id,
            item.encounter_no or "",
            item.institution_code,
            item.institution_name,
            item.person_id,
            item.person_name,
            item.type.label_zh,
            item.start.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            item.end.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if item.end else "",
            item.principal_diagnosis or "",
            item.diagnosis_name or "",
            item.total.yuan,  # a Decimal: Excel keeps it as a number, exact to the fen
        ]


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingResponse:
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return StreamingResponse(
        xlsx_stream(header, rows, sheet=filename.removesuffix(".xlsx")),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


def xlsx_attachment(body: bytes, filename: str) -> Response:
    """A workbook built in memory (several sheets) as a download; not kept by caches by default."""
    disposition = f"attachment; filename=\"export.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        body, media_type=XLSX_TYPE, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"}
    )
