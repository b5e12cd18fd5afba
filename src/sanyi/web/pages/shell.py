"""The home page and one page per part of the platform."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from sanyi.identity.api import AUTH_FORBIDDEN
from sanyi.kernel.errors import DomainError
from sanyi.web.navigation import SECTIONS, Section
from sanyi.web.security import CurrentPrincipal
from sanyi.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, principal: CurrentPrincipal) -> HTMLResponse:
    return render(request, "home.html")


def _section_page(section: Section) -> None:
    def page(request: Request, principal: CurrentPrincipal) -> HTMLResponse:
        if principal.role not in section.roles:
            raise DomainError(AUTH_FORBIDDEN)
        return render(request, "section.html", {"section": section})

    router.add_api_route(
        section.path, page, methods=["GET"], response_class=HTMLResponse, name=f"section_{section.key}"
    )


# Parts whose own pages are not built yet show their summary; each issue replaces its entry.
# Parts with their own pages.
BUILT = frozenset(
    {
        "admin",
        "registry",
        "care",
        "settlement",
        "drg",
        "supervision",
        "tiered_care",
        "procurement",
        "pricing",
        "ledger",
        "indicators",
    }
)
for _section in SECTIONS:
    if _section.key not in BUILT:
        _section_page(_section)
