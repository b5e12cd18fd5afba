"""JSON API of the registry: lists with paging and details, scoped to the caller's institution."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from sanyi.care.api import Volume
from sanyi.knowledge import codes
from sanyi.registry.api import (
    Institution,
    InstitutionKind,
    KeyGroup,
    LicenceType,
    MedicalGroup,
    Ownership,
    Page,
    Practitioner,
    ResidentView,
    Scheme,
)
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import container
from sanyi.web.filters import InstitutionParams, PractitionerParams, ResidentParams
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/api/registry", tags=["registry"], responses=ERROR_RESPONSES)
T = TypeVar("T")
Offset = Annotated[int, Query(ge=0, description="跳过的条数 · rows to skip")]
RESIDENT_TEXT = "姓名前缀、身份证号后 4 位或完整号码 · name prefix, last 4 ID characters or full ID"
Limit = Annotated[int, Query(ge=1, le=500, description="每页条数 · page size")]


class PageOut(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
    next_offset: int | None


def page_out(page: Page[Any], items: Sequence[BaseModel]) -> dict[str, object]:
    """A page of the service with its items turned into response models."""
    return {
        "items": items,
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "next_offset": page.next_offset,
    }


class CodeName(BaseModel):
    code: str
    name: str | None


class InstitutionOut(BaseModel):
    code: str
    name: str
    area_code: str
    area_name: str
    kind: InstitutionKind
    kind_zh: str
    tier: int
    tier_zh: str
    grade: str | None
    ownership: Ownership
    for_profit: bool
    beds: int
    primary_care: bool
    opened_on: date | None

    @classmethod
    def of(cls, item: Institution, areas: dict[str, str]) -> InstitutionOut:
        return cls(
            code=item.code,
            name=item.name,
            area_code=item.area_code,
            area_name=areas.get(item.area_code, item.area_code),
            kind=item.kind,
            kind_zh=item.kind.label_zh,
            tier=int(item.tier),
            tier_zh=item.tier.label_zh,
            grade=item.grade.value if item.grade else None,
            ownership=item.ownership,
            for_profit=item.for_profit,
            beds=item.beds,
            primary_care=item.primary_care,
            opened_on=item.opened_on,
        )


class GroupOut(BaseModel):
    code: str
    name: str
    kind: str
    area_code: str
    lead: CodeName
    members: list[CodeName]

    @classmethod
    def of(cls, group: MedicalGroup, names: dict[str, str]) -> GroupOut:
        return cls(
            code=group.code,
            name=group.name,
            kind=group.kind.value,
            area_code=group.area_code,
            lead=CodeName(code=group.lead_institution, name=names.get(group.lead_institution)),
            members=[CodeName(code=code, name=names.get(code)) for code in group.members],
        )


class VolumeOut(BaseModel):
    type: str
    encounters: int
    total_fen: int
    total_yuan: str  # exact decimal text, never a float

    @classmethod
    def of(cls, volume: Volume) -> VolumeOut:
        return cls(
            type=volume.type.value,
            encounters=volume.encounters,
            total_fen=volume.total.fen,
            total_yuan=str(volume.total),
        )


class BedChangeOut(BaseModel):
    changed_on: date
    beds_before: int
    beds_after: int


class InstitutionDetailOut(InstitutionOut):
    departments: list[CodeName]
    groups: list[GroupOut]
    staff_by_licence: dict[str, int]
    staff_total: int
    volumes: list[VolumeOut]
    bed_changes: list[BedChangeOut]  # oldest first


class SiteOut(BaseModel):
    institution_code: str
    institution_name: str | None
    department_code: str | None
    main: bool


class PractitionerOut(BaseModel):
    code: str
    name: str
    sex: str
    licence_type: LicenceType
    specialty: str | None
    specialty_name: str | None
    general_practitioner: bool
    sites: list[SiteOut]

    @classmethod
    def of(cls, item: Practitioner, names: dict[str, str]) -> PractitionerOut:
        departments = codes.departments()
        return cls(
            code=item.code,
            name=item.name,
            sex=item.sex,
            licence_type=item.licence_type,
            specialty=item.specialty,
            specialty_name=departments.get(item.specialty) if item.specialty else None,
            general_practitioner=item.general_practitioner,
            sites=[
                SiteOut(
                    institution_code=site.institution_code,
                    institution_name=names.get(site.institution_code),
                    department_code=site.department_code,
                    main=site.main,
                )
                for site in item.sites
            ],
        )


class ResidentOut(BaseModel):
    person_id: str
    citizen_id: str
    name: str
    sex: str
    age: int
    birth_year: int
    household_area: str
    residence_area: str
    residence_area_name: str
    key_groups: list[KeyGroup]
    scheme: Scheme | None
    population_group: str | None
    home_region: str | None
    assistance: str | None
    death_date: date | None
    phone: str | None
    revealed: bool

    @classmethod
    def of(cls, item: ResidentView, areas: dict[str, str]) -> ResidentOut:
        enrollment = item.enrollment
        return cls(
            person_id=item.person_id,
            citizen_id=item.citizen_id,
            name=item.name,
            sex=item.sex,
            age=item.age,
            birth_year=item.birth_year,
            household_area=item.household_area,
            residence_area=item.residence_area,
            residence_area_name=areas.get(item.residence_area, item.residence_area),
            key_groups=list(item.key_groups),
            scheme=enrollment.scheme if enrollment else None,
            population_group=enrollment.group.value if enrollment else None,
            home_region=enrollment.home_region if enrollment else None,
            assistance=enrollment.assistance.value if enrollment and enrollment.assistance else None,
            death_date=item.death_date,
            phone=item.phone,
            revealed=item.revealed,
        )


class OverviewOut(BaseModel):
    totals: dict[str, int]
    by_tier: dict[str, int]
    by_kind: dict[str, int]


def _value(member: enum.Enum | None) -> str | None:
    return None if member is None else str(member.value)


@router.get("/overview", summary="登记概况 · registry overview", response_model=OverviewOut)
def overview(request: Request) -> OverviewOut:
    found = container(request).registry.overview(viewer(request))
    return OverviewOut(
        totals=found.totals,
        by_tier={str(int(tier)): n for tier, n in found.by_tier},
        by_kind=dict(found.by_kind),
    )


@router.get("/institutions", summary="医疗机构列表 · institutions", response_model=PageOut[InstitutionOut])
def list_institutions(
    request: Request,
    q: str | None = None,
    area: str | None = None,
    kind: InstitutionKind | None = None,
    tier: Annotated[int | None, Query(ge=0, le=3)] = None,
    ownership: Ownership | None = None,
    primary_care: bool | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, object]:
    params = InstitutionParams(
        q,
        area,
        _value(kind),
        None if tier is None else str(tier),
        _value(ownership),
        None if primary_care is None else str(primary_care).lower(),
    )
    registry = container(request).registry
    page = registry.institutions(viewer(request), params.to_filter(), offset, limit)
    areas = registry.area_names()
    return page_out(page, [InstitutionOut.of(item, areas) for item in page.items])


@router.get(
    "/institutions/{code}", summary="医疗机构详情 · one institution", response_model=InstitutionDetailOut
)
def institution_detail(request: Request, code: str) -> InstitutionDetailOut:
    services = container(request)
    who = viewer(request)
    detail = services.registry.institution(who, code)
    volumes = services.care.volumes(who, code)
    names = services.registry.institution_names()
    base = InstitutionOut.of(detail.institution, {detail.institution.area_code: detail.area_name})
    return InstitutionDetailOut(
        **base.model_dump(),
        departments=[CodeName(code=dept, name=name) for dept, name in detail.departments],
        groups=[GroupOut.of(group, names) for group in detail.groups],
        staff_by_licence={licence.value: n for licence, n in detail.staff_by_licence},
        staff_total=detail.staff_total,
        volumes=[VolumeOut.of(volume) for volume in volumes],
        bed_changes=[
            BedChangeOut(changed_on=c.changed_on, beds_before=c.beds_before, beds_after=c.beds_after)
            for c in detail.bed_changes
        ],
    )


@router.get(
    "/groups",
    summary="医共体与医联体 · medical communities and alliances",
    response_model=list[GroupOut],
)
def list_groups(request: Request) -> list[GroupOut]:
    registry = container(request).registry
    names = registry.institution_names()
    return [GroupOut.of(group, names) for group in registry.groups(viewer(request))]


@router.get("/practitioners", summary="医务人员列表 · practitioners", response_model=PageOut[PractitionerOut])
def list_practitioners(
    request: Request,
    q: str | None = None,
    institution: str | None = None,
    licence: LicenceType | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, object]:
    text, at, kind = PractitionerParams(q, institution, _value(licence)).parsed()
    registry = container(request).registry
    page = registry.practitioners(viewer(request), text, at, kind, offset, limit)
    names = registry.institution_names()
    return page_out(page, [PractitionerOut.of(item, names) for item in page.items])


@router.get(
    "/practitioners/{code}", summary="医务人员详情 · one practitioner", response_model=PractitionerOut
)
def practitioner_detail(request: Request, code: str) -> PractitionerOut:
    registry = container(request).registry
    return PractitionerOut.of(registry.practitioner(viewer(request), code), registry.institution_names())


@router.get(
    "/residents",
    summary="参保居民列表（脱敏）· residents, masked",
    response_model=PageOut[ResidentOut],
)
def list_residents(
    request: Request,
    q: Annotated[str | None, Query(description=RESIDENT_TEXT)] = None,
    area: str | None = None,
    key_group: KeyGroup | None = None,
    scheme: Scheme | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, object]:
    search = ResidentParams(q, area, _value(key_group), _value(scheme)).to_search()
    registry = container(request).registry
    page = registry.residents(viewer(request), search, offset, limit)
    areas = registry.area_names()
    return page_out(page, [ResidentOut.of(item, areas) for item in page.items])


@router.get(
    "/residents/{person_id}",
    summary="居民详情（脱敏，记入审计）· one resident, audited",
    response_model=ResidentOut,
)
def resident_detail(request: Request, person_id: str) -> ResidentOut:
    registry = container(request).registry
    return ResidentOut.of(registry.resident(viewer(request), person_id), registry.area_names())


@router.post(
    "/residents/{person_id}/reveal",
    summary="查看完整身份信息（限医保局与管理员，记入审计）· reveal, audited",
    response_model=ResidentOut,
)
def reveal_resident(request: Request, person_id: str) -> ResidentOut:
    registry = container(request).registry
    return ResidentOut.of(registry.resident(viewer(request), person_id, reveal=True), registry.area_names())
