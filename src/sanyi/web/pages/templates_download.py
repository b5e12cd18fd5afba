"""Import templates for download: a list page and one .xlsx per kind (signed-in users only).

The files are built from the same sheet definitions the importer checks against, so a downloaded
template always matches what ``sanyi import`` accepts.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from sanyi.bootstrap import import_specs
from sanyi.infrastructure.sheets import IMPORT_UNKNOWN_TEMPLATE, template_bytes
from sanyi.kernel.errors import DomainError
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render

router = APIRouter(prefix="/registry/templates", include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("", response_class=HTMLResponse)
def templates_page(request: Request, principal: CurrentPrincipal) -> HTMLResponse:
    return render(request, "registry/import_templates.html", {"specs": list(import_specs().values())})


@router.get("/{kind}.xlsx")
def template_file(kind: str, principal: CurrentPrincipal) -> Response:
    specs = import_specs()
    spec = specs.get(kind)
    if spec is None:
        raise DomainError(IMPORT_UNKNOWN_TEMPLATE, kind=kind, allowed=", ".join(specs))
    # An ASCII file name plus the RFC 5987 Chinese one, so every browser saves a sensible name.
    filename = f"sanyi-{kind}-template.xlsx"
    chinese = f"{spec.title_zh}导入模板.xlsx".encode().hex("%", 1)
    return Response(
        template_bytes(spec),
        media_type=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''%{chinese}",
        },
    )
