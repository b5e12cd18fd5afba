"""DRG grouping over HTTP: one record or a list, with the trail in the caller's language."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field

from sanyi.drg import api as grouper
from sanyi.kernel.errors import DomainError
from sanyi.web.api.schemas import ERROR_RESPONSES
from sanyi.web.context import language

router = APIRouter(prefix="/api/drg", tags=["drg"], responses=ERROR_RESPONSES)

MAX_RECORDS: Final = 10_000


class GroupRequest(BaseModel):
    scheme: str = Field(description="分组方案 · scheme, e.g. zhejiang_2022")
    record: dict[str, Any] | None = Field(
        None,
        description="一份病案 · one case (columns of conformance_cases.csv; lists as arrays or joined by |)",
    )
    records: list[dict[str, Any]] | None = Field(None, description="多份病案 · several cases")


class ProblemOut(BaseModel):
    code: str
    message_zh: str
    message_en: str
    field: str | None


class GroupOut(BaseModel):
    id: str
    status: str
    mdc: str
    adrg: str
    drg: str
    drg_name: str
    trail: list[str]
    problem: ProblemOut | None = None

    @classmethod
    def of(cls, result: grouper.GroupResult, lang: str) -> GroupOut:
        issue = grouper.problem(result)
        return cls(
            id=result.row_id,
            status=result.status,
            mdc=result.mdc,
            adrg=result.adrg,
            drg=result.drg,
            drg_name=result.drg_name,
            trail=grouper.render_all(result.trail, lang),
            problem=None
            if issue is None
            else ProblemOut(
                code=issue.code, message_zh=issue.message_zh, message_en=issue.message_en, field=issue.field
            ),
        )


class SchemeOut(BaseModel):
    name: str
    drgs: int
    adrgs: int
    mdcs: int
    ambiguous: int


@router.post(
    "/group",
    summary="DRG 分组 · group one case or a list",
    response_model=GroupOut | list[GroupOut],
)
def group(request: Request, body: Annotated[GroupRequest, Body()]) -> GroupOut | list[GroupOut]:
    """A bad case comes back with its status (UNKNOWN_DIAGNOSIS_CODE, UNKNOWN_PROCEDURE_CODE,
    INVALID) and a coded problem; it never fails the request. ``record`` gives one result,
    ``records`` a list in the same order."""
    lang = language(request)
    if body.records is not None:
        if len(body.records) > MAX_RECORDS:
            raise DomainError(grouper.DRG_TOO_MANY_RECORDS, limit=MAX_RECORDS, count=len(body.records))
        return [GroupOut.of(result, lang) for result in grouper.group_rows(body.records, body.scheme)]
    if body.record is None:
        raise DomainError(grouper.DRG_INVALID_RECORD, path="record", fields="record / records")
    return GroupOut.of(grouper.group(body.record, body.scheme), lang)


@router.get("/schemes", summary="分组方案 · schemes", response_model=list[SchemeOut])
def schemes() -> list[SchemeOut]:
    return [
        SchemeOut(
            name=info.name,
            drgs=info.drg_count,
            adrgs=info.adrg_count,
            mdcs=info.mdc_count,
            ambiguous=info.ambiguous_count,
        )
        for info in grouper.schemes()
    ]
