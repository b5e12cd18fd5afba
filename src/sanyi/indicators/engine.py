"""The indicator engine: sums of numerator and denominator terms in DuckDB, then one division.

Facts are rows ``(unit, county, month, element, value)``: an institution's facts carry its code in
``unit``; an area's facts (residents of a county) carry ``unit = ''``. A flow element (``sum``) adds
the months of a span; a stock element (``last``) is read at the span's last month. The keys a fact
counts towards (its county's ancestors, its institution, its groups) come from one mapping, so a
county's facts reach only that county and its ancestors. Numerators and denominators are summed
over the key and span first and divided once: a ratio of sums, never an average of ratios.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

import duckdb
import pyarrow as pa

from sanyi.indicators.model import Figure, Span, Unit, growth, ratio, tidy, within
from sanyi.knowledge.indicators import Catalogue, IndicatorDef

FACT_SCHEMA: Final = pa.schema(
    [
        ("unit", pa.string()),
        ("county", pa.string()),
        ("month", pa.string()),
        ("element", pa.string()),
        ("value", pa.decimal128(38, 4)),
    ]
)
GroupBy = Literal["area", "county", "institution", "ownership", "category", "tier", "community"]
GROUPINGS: Final = ("area", "county", "institution", "ownership", "category", "tier", "community")


@dataclass(frozen=True, slots=True)
class Request:
    """What to compute: indicators over ``spans`` within ``scope`` (an area or institution code).

    ``by`` = area: one key, the scope itself; county / institution: one key per county or
    institution in the scope; ownership, category, tier, community: one key per group of
    institutions in the scope (area-scoped elements have no group, so their terms are zero there).
    """

    indicators: tuple[str, ...]
    spans: tuple[Span, ...]
    scope: str
    by: GroupBy = "area"


def facts_table(rows: Iterable[tuple[str, str, str, str, Decimal | int]]) -> pa.Table:
    """Facts from Python tuples (tests, small sources)."""
    listed = list(rows)
    return pa.table(
        {
            "unit": pa.array([r[0] for r in listed], pa.string()),
            "county": pa.array([r[1] for r in listed], pa.string()),
            "month": pa.array([r[2] for r in listed], pa.string()),
            "element": pa.array([r[3] for r in listed], pa.string()),
            "value": pa.array([Decimal(r[4]) for r in listed], pa.decimal128(38, 4)),
        },
        schema=FACT_SCHEMA,
    )


def needed_spans(catalogue: Catalogue, request: Request) -> tuple[Span, ...]:
    """The request's spans and, for growth indicators, their comparison spans."""
    out = dict.fromkeys(request.spans)
    for code in request.indicators:
        definition = catalogue.indicators[code]
        if definition.type == "growth":
            out.update(dict.fromkeys(s.shift_years(-definition.offset_years) for s in request.spans))
    return tuple(out)


def _keys_of(unit_code: str, county: str, request: Request, units: Mapping[str, Unit]) -> list[str]:
    """The output keys one (unit, county) pair of facts counts towards."""
    scope, by = request.scope, request.by
    if scope in units:  # an institution scope: only its own facts
        return [unit_code] if unit_code == scope else []
    if not within(county, scope):
        return []
    if by == "area":
        return [scope]
    if by == "county":
        # A value reported for a whole city (e.g. diseases priced per case) belongs to no county.
        return [] if county.endswith("00") else [county]
    unit = units.get(unit_code)
    if unit is None:  # area facts have no institution or group
        return []
    return [unit_code] if by == "institution" else list(unit.groups(by))


def compute(catalogue: Catalogue, facts: pa.Table, units: Sequence[Unit], request: Request) -> list[Figure]:
    """One figure per (key, span, indicator) of the request, keys in order, zero sums kept."""
    by_code = {u.code: u for u in units}
    definitions = [catalogue.indicators[code] for code in request.indicators]
    all_spans = needed_spans(catalogue, request)
    connection = duckdb.connect()
    try:
        connection.register("facts", facts)
        pairs = connection.execute("SELECT DISTINCT unit, county FROM facts").fetchall()
        keymap = [(u, c, k) for u, c in pairs for k in _keys_of(u, c, request, by_code)]
        terms = [
            (d.id, part, t.element, t.klass or "", t.sign, catalogue.elements[t.element].aggregation)
            for d in definitions
            for part, side in (("num", d.numerator), ("den", d.denominator))
            for t in side
        ]
        classes = [
            (u.code, name)
            for u in units
            for name, klass in catalogue.classes.items()
            if klass.matches(u.ownership, u.category, u.tier)
        ]
        span_months = [(s.label, m, "sum") for s in all_spans for m in s.months()]
        span_months += [(s.label, s.last, "last") for s in all_spans]
        _register(connection, "keymap", ["unit", "county", "key"], keymap)
        _register(connection, "terms", ["indicator", "part", "element", "klass", "sign", "agg"], terms)
        _register(connection, "unit_classes", ["unit", "klass"], classes)
        _register(connection, "span_months", ["span", "month", "agg"], span_months)
        rows = connection.execute(
            """
            SELECT k.key, s.span, t.indicator, t.part, SUM(t.sign * f.value) AS total
            FROM facts f
            JOIN terms t ON t.element = f.element
            JOIN span_months s ON s.month = f.month AND s.agg = t.agg
            JOIN keymap k ON k.unit = f.unit AND k.county = f.county
            LEFT JOIN unit_classes c ON c.unit = f.unit AND c.klass = t.klass
            WHERE t.klass = '' OR c.unit IS NOT NULL
            GROUP BY ALL
            """
        ).fetchall()
    finally:
        connection.close()
    sums: dict[tuple[str, str, str, str], Decimal] = {
        (key, span, indicator, part): tidy(Decimal(total)) for key, span, indicator, part, total in rows
    }
    keys = _ordered_keys(request, keymap, units)
    figures = []
    for key in keys:
        for span in request.spans:
            for definition in definitions:
                figures.append(_figure(definition, key, span, sums))
    return figures


def _ordered_keys(request: Request, keymap: list[tuple[str, str, str]], units: Sequence[Unit]) -> list[str]:
    if request.by == "area" or request.scope in {u.code for u in units}:
        return [request.scope]
    found = {k for _, _, k in keymap}
    if request.by == "institution":
        found |= {u.code for u in units if within(u.county, request.scope)}
    elif request.by == "county":
        found |= {u.county for u in units if within(u.county, request.scope)}
    return sorted(found)


def _figure(
    definition: IndicatorDef, key: str, span: Span, sums: Mapping[tuple[str, str, str, str], Decimal]
) -> Figure:
    def side(at: Span) -> tuple[Decimal, Decimal | None]:
        numerator = sums.get((key, at.label, definition.id, "num"), Decimal(0))
        if not definition.denominator:
            return numerator, None
        return numerator, sums.get((key, at.label, definition.id, "den"), Decimal(0))

    numerator, denominator = side(span)
    if definition.type == "growth":
        earlier = span.shift_years(-definition.offset_years)
        previous = side(earlier)
        return Figure(
            definition.id,
            key,
            span,
            numerator,
            denominator,
            growth((numerator, denominator), previous, definition.factor),
            previous[0],
            previous[1],
            earlier,
        )
    return Figure(
        definition.id, key, span, numerator, denominator, ratio(numerator, denominator, definition.factor)
    )


def _register(
    connection: duckdb.DuckDBPyConnection, name: str, columns: list[str], rows: Sequence[Sequence[object]]
) -> None:
    arrays = [
        pa.array([row[index] for row in rows], pa.int32() if column == "sign" else pa.string())
        for index, column in enumerate(columns)
    ]
    connection.register(name, pa.Table.from_arrays(arrays, names=columns))
