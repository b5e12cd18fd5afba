"""JSON API of care records: encounter search with paging and one encounter with its fee lines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from sanyi.care.api import EncounterDetail, EncounterRow, EncounterType, FeeLine
from sanyi.web.api.registry import CodeName, Limit, Offset, PageOut, ResidentOut, page_out
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import container
from sanyi.web.filters import EncounterParams
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/api/care", tags=["care"], responses=ERROR_RESPONSES)


class EncounterOut(BaseModel):
    id: str
    institution_code: str
    institution_name: str
    person_id: str
    person_name: str  # masked
    type: EncounterType
    start: datetime
    end: datetime | None
    principal_diagnosis: CodeName | None
    total_fen: int
    total_yuan: str  # exact decimal text

    @classmethod
    def of(cls, row: EncounterRow) -> EncounterOut:
        principal = row.principal_diagnosis
        return cls(
            id=row.id,
            institution_code=row.institution_code,
            institution_name=row.institution_name,
            person_id=row.person_id,
            person_name=row.person_name,
            type=row.type,
            start=row.start,
            end=row.end,
            principal_diagnosis=CodeName(code=principal, name=row.diagnosis_name) if principal else None,
            total_fen=row.total.fen,
            total_yuan=str(row.total),
        )


class FeeLineOut(BaseModel):
    no: int
    code: str
    name: str
    category: str
    pay_class: str
    selfpay_prop: str
    quantity: str
    unit_price: str
    amount_fen: int
    amount_yuan: str
    time: datetime
    days_supply: int | None
    doctor_code: str | None

    @classmethod
    def of(cls, line: FeeLine) -> FeeLineOut:
        return cls(
            no=line.no,
            code=line.code,
            name=line.name,
            category=line.category,
            pay_class=line.pay_class.value,
            selfpay_prop=str(line.selfpay_prop),
            quantity=str(line.quantity),
            unit_price=str(line.unit_price),
            amount_fen=line.amount.fen,
            amount_yuan=str(line.amount),
            time=line.time,
            days_supply=line.days_supply,
            doctor_code=line.doctor_code,
        )


class CategoryTotalOut(BaseModel):
    category: str
    name: str
    total_yuan: str


class EncounterDetailOut(BaseModel):
    id: str
    encounter_no: str
    institution: CodeName
    department: CodeName | None
    doctor: CodeName | None
    person: ResidentOut
    type: EncounterType
    start: datetime
    end: datetime | None
    length_of_stay: int | None
    discharge_type: str | None
    diagnoses: list[CodeName]
    procedures: list[CodeName]
    lines: list[FeeLineOut]
    by_category: list[CategoryTotalOut]
    total_fen: int
    total_yuan: str

    @classmethod
    def of(cls, detail: EncounterDetail, areas: dict[str, str]) -> EncounterDetailOut:
        found = detail.encounter
        return cls(
            id=found.id,
            encounter_no=found.encounter_no,
            institution=CodeName(code=found.institution_code, name=detail.institution_name),
            department=CodeName(code=found.department_code, name=detail.department_name)
            if found.department_code
            else None,
            doctor=CodeName(code=found.doctor_code, name=detail.doctor_name) if found.doctor_code else None,
            person=ResidentOut.of(detail.person, areas),
            type=found.type,
            start=found.start,
            end=found.end,
            length_of_stay=found.length_of_stay(),
            discharge_type=found.discharge_type,
            diagnoses=[CodeName(code=item.code, name=item.name) for item in detail.diagnoses],
            procedures=[CodeName(code=item.code, name=item.name) for item in detail.procedures],
            lines=[FeeLineOut.of(line) for line in found.lines],
            by_category=[
                CategoryTotalOut(category=item.category, name=item.name, total_yuan=str(item.total))
                for item in detail.by_category
            ],
            total_fen=detail.total.fen,
            total_yuan=str(detail.total),
        )


@router.get("/encounters", summary="就诊记录查询 · search encounters", response_model=PageOut[EncounterOut])
def list_encounters(
    request: Request,
    type: EncounterType | None = None,
    institution: str | None = None,
    person_id: str | None = None,
    date_from: Annotated[date | None, Query(description="开始日期（含）· from, inclusive")] = None,
    date_to: Annotated[date | None, Query(description="结束日期（含）· to, inclusive")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, object]:
    params = EncounterParams(
        type.value if type else None,
        institution,
        person_id,
        date_from.isoformat() if date_from else None,
        date_to.isoformat() if date_to else None,
    )
    page = container(request).care.encounters(viewer(request), params.to_filter(), offset, limit)
    return page_out(page, [EncounterOut.of(row) for row in page.items])


@router.get(
    "/encounters/{encounter_id}",
    summary="就诊详情：诊断、手术与费用明细（记入审计）· one encounter, audited",
    response_model=EncounterDetailOut,
)
def encounter_detail(request: Request, encounter_id: str) -> EncounterDetailOut:
    services = container(request)
    detail = services.care.encounter(viewer(request), encounter_id)
    return EncounterDetailOut.of(detail, services.registry.area_names())
