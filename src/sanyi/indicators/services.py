"""Use cases of the reform indicators: compute values for a viewer, approve and lock periods, report.

Institution staff see only their own institution; regional roles see any area or institution.
Approval runs submit → approve per (area, period); approving stores a snapshot of the period's
values (the area and each of its counties) in the same transaction, and from then on finance and
reported values of that area and period are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Final

import pyarrow as pa
from sqlalchemy import Connection, select

from sanyi.drgpay.api import Loaded
from sanyi.indicators.appraisal import Appraisal, appraise, ranked
from sanyi.indicators.engine import GROUPINGS, GroupBy, Request, compute, needed_spans
from sanyi.indicators.errors import (
    INDICATOR_APPROVAL_PERIOD,
    INDICATOR_APPROVAL_STATE,
    INDICATOR_INVALID_REQUEST,
    INDICATOR_OUT_OF_SCOPE,
    INDICATOR_PERIOD_LOCKED,
    INDICATOR_UNKNOWN,
    INDICATOR_UNKNOWN_SCOPE,
)
from sanyi.indicators.model import IndicatorValue, Span, SpanKind, Unit, judge, within
from sanyi.indicators.report import quarterly_report
from sanyi.indicators.sources import REPORTED_FALLBACK, read_facts, units
from sanyi.indicators.tables import approvals, reported_values, snapshots
from sanyi.infrastructure.audit import Actor, AuditLog
from sanyi.infrastructure.uow import UnitOfWorkFactory
from sanyi.kernel.clock import Clock, today
from sanyi.kernel.errors import DomainError
from sanyi.knowledge.appraisal import Scheme, scheme
from sanyi.knowledge.indicators import Catalogue, catalogue
from sanyi.registry.api import Viewer, areas, institutions

SUBMITTED: Final = "submitted"
APPROVED: Final = "approved"
STATE_ZH: Final = {SUBMITTED: "已提交", APPROVED: "已审核锁定", "none": "未提交"}
GROUP_NAMES: Final = {
    ("ownership", "public"): "公立",
    ("ownership", "private"): "社会办医",
    ("category", "primary"): "基层医疗卫生机构",
    ("category", "hospital"): "医院",
    ("category", "pharmacy"): "药店",
    ("tier", "0"): "未定级",
    ("tier", "1"): "一级",
    ("tier", "2"): "二级",
    ("tier", "3"): "三级",
}


@dataclass(frozen=True, slots=True)
class ValuesQuery:
    """Indicators (empty: all) over ``spans`` within ``scope`` (an area or institution code; None:
    the viewer's institution, or the region), one key per ``by`` group."""

    indicators: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()
    scope: str | None = None
    by: GroupBy = "area"


@dataclass(frozen=True, slots=True)
class Approval:
    area: str
    period: str
    state: str
    submitted_by: str
    approved_by: str | None

    @property
    def locked(self) -> bool:
        return self.state == APPROVED


class IndicatorService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        audit: AuditLog,
        drg_stays: Callable[[int], Loaded] | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._audit = audit
        self._drg_stays = drg_stays

    @property
    def catalogue(self) -> Catalogue:
        return catalogue()

    # -- values ---------------------------------------------------------------------------------

    def values(self, viewer: Viewer, query: ValuesQuery) -> list[IndicatorValue]:
        with self._uow() as uow:
            return self.compute(uow.connection, viewer, query)

    def compute(self, connection: Connection, viewer: Viewer, query: ValuesQuery) -> list[IndicatorValue]:
        def read(wanted: Collection[str], first: str, last: str, ends: Sequence[date]) -> pa.Table:
            return read_facts(connection, wanted, first, last, ends, self._drg_stays)

        return evaluate(viewer, query, units(connection), self._area_names(connection), read)

    # -- performance appraisal (绩效考核) --------------------------------------------------------

    @property
    def scheme(self) -> Scheme:
        return scheme()

    def appraisals(
        self,
        viewer: Viewer,
        span: Span,
        scope: str | None = None,
        withheld: Callable[[IndicatorValue], bool] | None = None,
    ) -> list[Appraisal]:
        """The appraisal of each institution of the scheme's class in ``scope`` (an area: ranked, best
        first; an institution, or the staff's own: that one alone, unranked; none when outside the class).

        A value ``withheld`` says is not published (a public small cell) is left unscored, so neither
        its points nor the total give it away."""
        found = self.scheme
        klass = self.catalogue.classes[found.applies_to]
        with self._uow() as uow:
            connection = uow.connection
            listed = units(connection)
            codes = {u.code for u in listed}
            single = not viewer.regional or scope in codes
            query = ValuesQuery(found.indicators, (span,), scope, "area" if single else "institution")
            values = self.compute(connection, viewer, query)
        names = {u.code: u.name for u in listed}
        members = {u.code for u in listed if klass.matches(u.ownership, u.category, u.tier)}
        by_key: dict[str, dict[str, IndicatorValue]] = {}
        for value in values:
            if withheld is None or not withheld(value):
                by_key.setdefault(value.key, {})[value.indicator] = value
        out = [
            appraise(found, by_indicator, key, names.get(key, key), span.label)
            for key, by_indicator in by_key.items()
            if key in members
        ]
        return out if single else ranked(out)

    @staticmethod
    def _area_names(connection: Connection) -> dict[str, str]:
        a = areas.c
        query = select(a.code, a.name).where(a.level != "township")
        return {code: name for code, name in connection.execute(query)}  # noqa: C416 - rows, not pairs

    # -- approval and locking -------------------------------------------------------------------

    def approval(self, area: str, period: str) -> Approval | None:
        with self._uow() as uow:
            return _approval(uow.connection, area, period)

    def approvals(self) -> list[Approval]:
        with self._uow() as uow:
            rows = uow.connection.execute(
                select(approvals).order_by(approvals.c.period, approvals.c.area_code)
            )
            return [_as_approval(row) for row in rows]

    def submit(self, actor: Actor, area: str, period: str, note: str | None = None) -> Approval:
        span = _approval_span(period)
        with self._uow(write=True) as uow:
            connection = uow.connection
            if area not in self._area_names(connection):
                raise DomainError(INDICATOR_UNKNOWN_SCOPE, path="area", scope=area)
            found = _approval(connection, area, span.label)
            if found is not None:
                raise _state_error(found.area, found.period, found.state, "submit")
            connection.execute(
                approvals.insert().values(
                    area_code=area,
                    period=span.label,
                    first_month=span.first,
                    last_month=span.last,
                    state=SUBMITTED,
                    submitted_at=self._clock.now(),
                    submitted_by=actor.name,
                    note=note,
                )
            )
            self._audit.record(
                connection, actor, "indicators.submit", "indicator_period", f"{area}/{span.label}"
            )
            uow.commit()
        return Approval(area, span.label, SUBMITTED, actor.name, None)

    def approve(self, actor: Actor, area: str, period: str) -> Approval:
        """Lock the period and store its values (the area and each county) as approved."""
        span = _approval_span(period)
        region = Viewer(actor.name, actor.role, None, regional=True)
        with self._uow(write=True) as uow:
            connection = uow.connection
            found = _approval(connection, area, span.label)
            if found is None or found.state != SUBMITTED:
                raise _state_error(area, span.label, found.state if found else "none", "approve")
            rows = []
            for by in ("area", "county"):
                for value in self.compute(connection, region, ValuesQuery((), (span,), area, by)):
                    if by == "county" and value.key == area:
                        continue
                    rows.append(
                        {
                            "area_code": area,
                            "period": span.label,
                            "indicator": value.indicator,
                            "key": value.key,
                            "payload": value.row(),
                        }
                    )
            connection.execute(snapshots.insert(), rows)
            connection.execute(
                approvals.update()
                .where((approvals.c.area_code == area) & (approvals.c.period == span.label))
                .values(state=APPROVED, approved_at=self._clock.now(), approved_by=actor.name)
            )
            self._audit.record(
                connection,
                actor,
                "indicators.approve",
                "indicator_period",
                f"{area}/{span.label}",
                {"values": len(rows)},
            )
            uow.commit()
        return Approval(area, span.label, APPROVED, found.submitted_by, actor.name)

    def snapshot(self, area: str, period: str) -> list[dict[str, Any]]:
        """The stored values of an approved period (empty when it is not locked)."""
        span = _approval_span(period)
        with self._uow() as uow:
            rows = uow.connection.execute(
                select(snapshots.c.payload)
                .where((snapshots.c.area_code == area) & (snapshots.c.period == span.label))
                .order_by(snapshots.c.indicator, snapshots.c.key)
            )
            return [dict(row[0]) for row in rows]

    def quarterly_report(self, viewer: Viewer, area: str, quarter: str) -> bytes:
        """The reform office's quarterly workbook for ``area``: from the snapshot once locked."""
        span = Span.parse(quarter)
        if span.kind is not SpanKind.QUARTER:
            raise DomainError(
                INDICATOR_INVALID_REQUEST,
                path="quarter",
                field="quarter",
                reason_zh="须为 YYYYQn",
                reason="YYYYQn",
            )
        found = self.approval(area, span.label)
        locked = found is not None and found.locked
        with self._uow() as uow:
            connection = uow.connection
            name = self._area_names(connection).get(area, area)
            if locked:
                rows = self.snapshot(area, span.label)
            else:
                rows = [
                    value.row()
                    for by in ("area", "county")
                    for value in self.compute(connection, viewer, ValuesQuery((), (span,), area, by))
                    if by == "area" or value.key != area
                ]
        return quarterly_report(
            self.catalogue, span, area, name, rows, locked=locked, generated=today(self._clock)
        )

    # -- reported values ------------------------------------------------------------------------

    def report_value(
        self,
        actor: Actor,
        unit_code: str,
        month: str,
        element: str,
        value: Decimal,
        source: str | None = None,
    ) -> None:
        """Record a value no operational table holds (paediatric beds, smart hospital, priced diseases,
        and the visit and discharge counts of a month's finance return)."""
        known = self.catalogue.elements
        reportable = [e.id for e in known.values() if e.source == "reported" or e.id in REPORTED_FALLBACK]
        if element not in reportable:
            allowed = ", ".join(reportable)
            raise DomainError(
                INDICATOR_INVALID_REQUEST,
                path="element",
                field="element",
                reason_zh=f"可报送：{allowed}",
                reason=f"one of {allowed}",
            )
        span = Span.parse(month)
        if span.kind is not SpanKind.MONTH:
            raise DomainError(
                INDICATOR_INVALID_REQUEST,
                path="month",
                field="month",
                reason_zh="须为 YYYY-MM",
                reason="YYYY-MM",
            )
        with self._uow(write=True) as uow:
            connection = uow.connection
            ensure_unlocked(connection, unit_code, [span.first], what=element)
            key = (
                (reported_values.c.unit_code == unit_code)
                & (reported_values.c.month == span.first)
                & (reported_values.c.element == element)
            )
            connection.execute(reported_values.delete().where(key))
            connection.execute(
                reported_values.insert().values(
                    unit_code=unit_code, month=span.first, element=element, value=value, source=source
                )
            )
            self._audit.record(
                connection,
                actor,
                "indicators.report_value",
                "indicator_value",
                f"{unit_code}/{span.first}/{element}",
                {"value": str(value)},
            )
            uow.commit()


# What reads the facts of some sources between two months (stocks at the given days).
FactReader = Callable[[Collection[str], str, str, Sequence[date]], pa.Table]


def evaluate(
    viewer: Viewer,
    query: ValuesQuery,
    listed: Sequence[Unit],
    names: dict[str, str],
    read: FactReader,
    computable: Collection[str] | None = None,
) -> list[IndicatorValue]:
    """The values of ``query`` for ``viewer`` over the institutions ``listed`` and the areas ``names``,
    from the facts ``read`` gives, summed and divided by the engine and judged against the targets.

    ``computable`` limits the indicators to those a store can give (a Parquet region); asking for
    another is refused, and by default only those are computed."""
    loaded = catalogue()
    codes = _codes(loaded, query.indicators, query.by, computable)
    if not query.spans:
        raise DomainError(
            INDICATOR_INVALID_REQUEST,
            path="period",
            field="period",
            reason_zh="请给出期间",
            reason="no period given",
        )
    if query.by not in GROUPINGS:
        raise DomainError(
            INDICATOR_INVALID_REQUEST,
            path="by",
            field="by",
            reason_zh=f"可选：{'、'.join(GROUPINGS)}",
            reason=f"one of {', '.join(GROUPINGS)}",
        )
    scope = _scope(viewer, query.scope, listed, names)
    request = Request(codes, query.spans, scope, query.by)
    spans = needed_spans(loaded, request)
    wanted = {loaded.elements[e].source for code in codes for e in loaded.indicators[code].elements}
    facts = read(
        wanted, min(s.first for s in spans), max(s.last for s in spans), sorted({s.end for s in spans})
    )
    figures = compute(loaded, facts, listed, request)
    by_code = {u.code: u for u in listed}
    out = []
    for figure in figures:
        unit = by_code.get(figure.key)
        name = _key_name(figure.key, query.by, unit, names)
        # Targets are set for areas: only an area key is judged (not an institution or a group).
        target_area = figure.key if unit is None and query.by in ("area", "county") else None
        definition = loaded.indicators[figure.indicator]
        out.append(
            judge(figure, definition, name, target_area, loaded.targets, loaded.legend_of(definition.id))
        )
    return out


def _codes(
    loaded: Catalogue, requested: Sequence[str], by: str, computable: Collection[str] | None
) -> tuple[str, ...]:
    known = loaded.indicators
    for code in requested:
        if code not in known:
            raise DomainError(
                INDICATOR_UNKNOWN, path="indicators", indicator=code, available=", ".join(known)
            )
        if computable is not None and code not in computable:
            raise DomainError(
                INDICATOR_INVALID_REQUEST,
                path="indicators",
                field="indicators",
                reason_zh=f"{code} 所需数据不在此数据源中；可算：{'、'.join(computable)}",
                reason=f"{code} needs data this source does not hold; computable: {', '.join(computable)}",
            )
    codes = tuple(requested) or tuple(c for c in known if computable is None or c in computable)
    if by in ("ownership", "category", "tier", "community"):
        # Only indicators disaggregated by that dimension take part; the catalogue says which.
        codes = tuple(c for c in codes if by in known[c].disaggregations)
        if not codes:
            raise DomainError(
                INDICATOR_INVALID_REQUEST,
                path="by",
                field="by",
                reason_zh=f"所选指标都不按 {by} 分组",
                reason=f"none of the indicators is disaggregated by {by}",
            )
    return codes


def _scope(viewer: Viewer, scope: str | None, listed: Sequence[Unit], names: dict[str, str]) -> str:
    if not viewer.regional:
        own = viewer.institution or "-"
        if scope not in (None, own):
            raise DomainError(INDICATOR_OUT_OF_SCOPE, path="scope", scope=scope, allowed=own)
        scope = own
    if scope is None:
        roots = sorted(code for code in names if code.endswith("0000"))
        if not roots:
            raise DomainError(INDICATOR_UNKNOWN_SCOPE, path="scope", scope="(region)")
        scope = roots[0]
    if scope not in names and scope not in {u.code for u in listed}:
        raise DomainError(INDICATOR_UNKNOWN_SCOPE, path="scope", scope=scope)
    return scope


def _key_name(key: str, by: str, unit: Unit | None, names: dict[str, str]) -> str:
    if unit is not None:
        return unit.name
    if by in ("area", "county"):
        return names.get(key, key)
    return GROUP_NAMES.get((by, key), key)


def _approval_span(period: str) -> Span:
    span = Span.parse(period)
    if span.kind is SpanKind.YTD:
        raise DomainError(INDICATOR_APPROVAL_PERIOD, path="period", period=period)
    return span


def _as_approval(row: Any) -> Approval:
    return Approval(row.area_code, row.period, row.state, row.submitted_by, row.approved_by)


def _approval(connection: Connection, area: str, period: str) -> Approval | None:
    row = connection.execute(
        select(approvals).where((approvals.c.area_code == area) & (approvals.c.period == period))
    ).first()
    return None if row is None else _as_approval(row)


def _state_error(area: str, period: str, state: str, action: str) -> DomainError:
    return DomainError(
        INDICATOR_APPROVAL_STATE,
        path="period",
        area=area,
        period=period,
        state=state,
        state_zh=STATE_ZH.get(state, state),
        action=f"{action}ted" if action == "submit" else f"{action}d",
        action_zh={"submit": "提交", "approve": "审核"}[action],
    )


def locked_periods(connection: Connection) -> list[tuple[str, str, str, str]]:
    """(area, period, first month, last month) of every approved period."""
    a = approvals.c
    return [
        (area, period, first, last)
        for area, period, first, last in connection.execute(
            select(a.area_code, a.period, a.first_month, a.last_month).where(a.state == APPROVED)
        )
    ]


def lock_of(locks: Sequence[tuple[str, str, str, str]], area: str, month: str) -> tuple[str, str] | None:
    """The approved (area, period) covering ``month`` of an institution or area in ``area``, if any."""
    for locked_area, period, first, last in locks:
        if within(area, locked_area) and first <= month <= last:
            return locked_area, period
    return None


def ensure_unlocked(connection: Connection, unit_code: str, months: Sequence[str], what: str) -> None:
    area = (
        connection.execute(
            select(institutions.c.area_code).where(institutions.c.code == unit_code)
        ).scalar_one_or_none()
        or unit_code
    )
    locks = locked_periods(connection)
    for month in months:
        found = lock_of(locks, area, month)
        if found is not None:
            raise DomainError(
                INDICATOR_PERIOD_LOCKED, path="month", area=found[0], period=found[1], what=what
            )
