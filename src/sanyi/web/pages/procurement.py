"""Procurement pages: an overview, and one table per view — chain findings, orders, completion and
early warnings, savings, price alerts, shortages, use, concentration — each with its Excel export
(the same rows). Institution staff see their own institution; regional authorities the region; the
bureau runs the two-invoice check and records assessments."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sanyi.identity.api import Principal, Role
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.kernel.errors import DomainError
from sanyi.procurement.api import RULES
from sanyi.web.api.procurement import READERS, grouping
from sanyi.web.charts import bar_chart
from sanyi.web.context import container, translator
from sanyi.web.errors import REQUEST_INVALID
from sanyi.web.filters import day
from sanyi.web.security import require_roles
from sanyi.web.templating import render
from sanyi.web.viewer import viewer

router = APIRouter(prefix="/procurement", include_in_schema=False)
Reader = Annotated[Principal, Depends(require_roles(*READERS))]
Bureau = Annotated[Principal, Depends(require_roles(Role.INSURANCE_BUREAU, Role.ADMIN))]
LIMIT: Final = 100_000


@dataclass(frozen=True)
class Table:
    headers: list[str]  # message keys under procurement.col.*
    rows: list[list[Any]]
    links: list[str | None] | None = None  # a link for each row's first cell
    flagged: list[bool] | None = None  # rows to highlight (warnings)


def _yuan(value: Any) -> str:
    return f"{value.yuan:,.2f}"


def _pct(value: Any) -> str:
    return f"{value:.2%}"


def _rule(request: Request, code: str) -> str:
    rule = RULES.get(code)
    return translator(request).pick(rule.title_zh, rule.title_en) if rule else code


def _findings(request: Request) -> Table:
    q = request.query_params
    _, rows = container(request).procurement.findings(viewer(request), q.get("rule") or None, None, LIMIT)
    t = translator(request)
    return Table(
        ["delivery", "institution", "rule", "day", "amount", "message"],
        [
            [
                r["delivery_id"],
                f"{r['institution_name'] or ''} {r['institution_code']}",
                _rule(request, r["rule"]),
                r["day"].isoformat(),
                _yuan(r["amount"]),
                t.pick(r["message_zh"], r["message_en"]),
            ]
            for r in rows
        ],
        links=[f"/procurement/deliveries/{quote(r['delivery_id'])}" for r in rows],
    )


def _orders(request: Request) -> Table:
    rows = container(request).procurement.orders(viewer(request), limit=2_000)
    return Table(
        [
            "order",
            "institution",
            "product",
            "distributor",
            "quantity",
            "unit_price",
            "ordered_on",
            "delivered_on",
        ],
        [
            [
                r["id"],
                r["institution_code"],
                r["product_code"],
                r["distributor"],
                r["quantity"],
                r["unit_price"],
                r["ordered_on"].isoformat(),
                r["delivered_on"].isoformat() if r["delivered_on"] else "—",
            ]
            for r in rows
        ],
    )


def _deliveries(request: Request) -> Table:
    rows = container(request).procurement.deliveries(viewer(request), limit=2_000)
    return Table(
        [
            "delivery",
            "order",
            "institution",
            "product",
            "batch",
            "quantity",
            "distributor",
            "delivered_on",
            "findings",
        ],
        [
            [
                r["id"],
                r["order_id"],
                r["institution_code"],
                r["product_code"],
                r["batch"],
                r["quantity"],
                r["distributor"],
                r["delivered_on"].isoformat(),
                r["findings"],
            ]
            for r in rows
        ],
        links=[f"/procurement/deliveries/{quote(r['id'])}" for r in rows],
        flagged=[bool(r["findings"]) for r in rows],
    )


def _completion(request: Request) -> Table:
    items = container(request).procurement.completion(
        viewer(request), day(request.query_params.get("as_of"), "as_of")
    )
    items.sort(key=lambda c: (not c.warning, c.rate, c.institution))
    return Table(
        [
            "agreement",
            "institution",
            "as_of",
            "agreed",
            "expected",
            "purchased",
            "rate",
            "non_winning",
            "substitutes",
            "warning",
        ],
        [
            [
                c.agreement_id,
                c.institution,
                c.as_of.isoformat(),
                c.agreed,
                c.expected,
                c.purchased,
                _pct(c.rate),
                c.non_winning,
                c.substitutes,
                "⚠" if c.warning else "",
            ]
            for c in items
        ],
        flagged=[c.warning for c in items],
    )


def _savings(request: Request) -> Table:
    items = container(request).procurement.savings(
        viewer(request), day(request.query_params.get("as_of"), "as_of")
    )
    t = translator(request)
    return Table(
        [
            "agreement",
            "institution",
            "purchased",
            "price_drop",
            "savings",
            "completed",
            "assessment",
            "retained",
            "steps",
        ],
        [
            [
                s.agreement_id,
                s.institution,
                s.purchased,
                s.price_drop,
                _yuan(s.savings),
                t("procurement.yes") if s.completed else t("procurement.no"),
                t(f"procurement.assessment_{s.passed}".lower()),
                _yuan(s.retained),
                "；".join(s.steps),
            ]
            for s in items
        ],
    )


def _prices(request: Request) -> Table:
    alerts = container(request).procurement.price_alerts(viewer(request))
    t = translator(request)
    return Table(
        ["kind", "product", "month", "scope", "price", "reference", "change"],
        [
            [
                t(f"procurement.alert_{a.kind}"),
                a.product_code,
                a.month,
                a.scope,
                a.price,
                a.reference,
                f"{a.change:+.2%}",
            ]
            for a in alerts
        ],
    )


def _shortages(request: Request) -> Table:
    signals = container(request).procurement.shortages(
        viewer(request), day(request.query_params.get("as_of"), "as_of")
    )
    t = translator(request)
    return Table(
        ["kind", "institution", "product", "day", "reference", "observed", "limit"],
        [
            [
                t(f"procurement.signal_{s.kind}"),
                s.institution,
                s.product_code,
                s.day.isoformat(),
                s.reference,
                s.observed,
                s.limit,
            ]
            for s in signals
        ],
    )


def _use(request: Request) -> Table:
    q = request.query_params
    by = grouping(q.get("by") or "institution")
    rows = container(request).procurement.use(
        viewer(request), by, day(q.get("start"), "start"), day(q.get("end"), "end")
    )
    return Table(
        [
            "institution",
            "key",
            "name",
            "income",
            "drugs",
            "herbal",
            "consumables",
            "drug_share",
            "consumables_per_100",
        ],
        [
            [
                r["institution"],
                r["key"] or "—",
                r["name"],
                _yuan(r["income"]),
                _yuan(r["drugs"]),
                _yuan(r["herbal"]),
                _yuan(r["consumables"]),
                _pct(r["drug_share"]),
                r["consumables_per_100"],
            ]
            for r in rows
        ],
    )


def _concentration(request: Request) -> Table:
    rows = container(request).procurement.concentration(viewer(request))
    return Table(
        ["institution", "distributors", "amount", "top_share", "top"],
        [
            [
                r["institution"],
                r["distributors"],
                _yuan(r["amount"]),
                _pct(r["share"]),
                "、".join(f"{code} {_yuan(amount)}" for code, amount in r["top"]),
            ]
            for r in rows
        ],
    )


VIEWS: Final[dict[str, Callable[[Request], Table]]] = {
    "findings": _findings,
    "orders": _orders,
    "deliveries": _deliveries,
    "completion": _completion,
    "savings": _savings,
    "prices": _prices,
    "shortages": _shortages,
    "use": _use,
    "concentration": _concentration,
}


def _view(name: str) -> Callable[[Request], Table]:
    if name not in VIEWS:
        raise DomainError(REQUEST_INVALID, path="view", reason=f"view must be one of {', '.join(VIEWS)}")
    return VIEWS[name]


@router.get("", response_class=HTMLResponse)
def overview(request: Request, _: Reader) -> HTMLResponse:
    service, who = container(request).procurement, viewer(request)
    t = translator(request)
    total, findings = service.findings(who, limit=LIMIT)
    by_rule = Counter(f["rule"] for f in findings)
    warnings = service.warnings(who)
    savings = service.savings(who)
    lagging = sorted({w.institution for w in warnings})
    board = {
        "findings": total,
        "warnings": len(warnings),
        "lagging": lagging,
        "retained": sum((s.retained.fen for s in savings), 0) / 100,
        "savings": sum((s.savings.fen for s in savings), 0) / 100,
        "alerts": len(service.price_alerts(who)),
        "shortages": len(service.shortages(who)),
    }
    chart = bar_chart(
        t("procurement.by_rule"), [_rule(request, code) for code in by_rule], list(by_rule.values())
    )
    return render(
        request,
        "procurement/overview.html",
        {"board": board, "chart": chart, "by_rule": by_rule, "titles": {c: _rule(request, c) for c in RULES}},
    )


@router.post("/chain-check")
async def chain_check(request: Request, _: Bureau) -> RedirectResponse:
    form = await request.form()
    start, end = form.get("start"), form.get("end")
    container(request).procurement.check_chain(
        viewer(request),
        day(start if isinstance(start, str) else None, "start"),
        day(end if isinstance(end, str) else None, "end"),
    )
    return RedirectResponse("/procurement/findings", status_code=303)


@router.post("/assessments")
async def assess(request: Request, _: Bureau) -> RedirectResponse:
    form = await request.form()
    agreement, institution, passed = form.get("agreement_id"), form.get("institution"), form.get("passed")
    if not isinstance(agreement, str) or not isinstance(institution, str) or passed not in ("true", "false"):
        raise DomainError(
            REQUEST_INVALID, path="form", reason="agreement_id, institution and passed are required"
        )
    container(request).procurement.record_assessment(
        viewer(request), agreement, institution, passed == "true"
    )
    return RedirectResponse("/procurement/savings", status_code=303)


@router.get("/deliveries/{delivery_id}", response_class=HTMLResponse)
def delivery(request: Request, _: Reader, delivery_id: str) -> HTMLResponse:
    record = container(request).procurement.delivery(viewer(request), delivery_id)
    mine = container(request).procurement.findings(viewer(request), delivery=delivery_id)[1]
    return render(
        request,
        "procurement/delivery.html",
        {"d": record, "findings": mine, "titles": {c: _rule(request, c) for c in RULES}},
    )


@router.get("/{name}.xlsx")
def export(request: Request, _: Reader, name: str) -> Response:
    table = _view(name)(request)
    t = translator(request)
    headers = [t(f"procurement.col.{h}") for h in table.headers]
    body = [[str(cell) for cell in row] for row in table.rows]
    workbook = xlsx_bytes({t(f"procurement.view.{name}")[:31]: (headers, body)})
    return Response(
        workbook,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="procurement-{name}.xlsx"'},
    )


@router.get("/{name}", response_class=HTMLResponse)
def table_page(request: Request, _: Reader, name: str) -> HTMLResponse:
    table = _view(name)(request)
    return render(
        request, "procurement/table.html", {"name": name, "table": table, "query": request.url.query}
    )
