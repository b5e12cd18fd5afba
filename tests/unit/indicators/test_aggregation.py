"""Properties of the engine's aggregation (hypothesis): ratio of sums, locality, zeros, growth by offset."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sanyi.indicators.api import Figure, GroupBy, Request, Span, Unit, catalogue, compute, facts_table

COUNTIES = ("330302", "330303", "330381")
UNITS = [
    Unit("H330302001", "A", "330302", "public", "primary", 0),
    Unit("H330302002", "B", "330302", "public", "hospital", 3, ("G1",)),
    Unit("H330303001", "C", "330303", "private", "hospital", 2, ("G1",)),
    Unit("H330381001", "D", "330381", "public", "primary", 1),
    Unit("H330381002", "E", "330381", "private", "hospital", 1),
]
MONTHS = tuple(f"2023-{m:02d}" for m in range(1, 13))
counts = st.integers(min_value=0, max_value=5000)


@st.composite
def visit_facts(draw: st.DrawFn) -> list[tuple[str, str, str, str, int]]:
    rows = []
    for unit in UNITS:
        for month in draw(st.lists(st.sampled_from(MONTHS), unique=True, max_size=4)):
            rows.append((unit.code, unit.county, month, "visits", draw(counts)))
    return rows


def _value(
    rows: list[tuple[str, str, str, str, int]], indicator: str, scope: str, span: str, by: GroupBy = "area"
) -> list[Figure]:
    request = Request((indicator,), (Span.parse(span),), scope, by)
    return compute(catalogue(), facts_table(rows), UNITS, request)


@settings(max_examples=30, deadline=None)
@given(visit_facts())
def test_a_city_value_is_a_ratio_of_sums_not_an_average_of_ratios(
    rows: list[tuple[str, str, str, str, int]],
) -> None:
    [city] = _value(rows, "FJ03", "330300", "2023")
    by_county = _value(rows, "FJ03", "330300", "2023", "county")
    assert city.numerator == sum(f.numerator for f in by_county)
    assert city.denominator == sum(f.denominator or 0 for f in by_county)
    primary = sum(v for u, _, _, _, v in rows if u in {"H330302001", "H330381001"})
    total = sum(v for *_, v in rows)
    assert city.numerator == primary and city.denominator == total
    if total:
        expected = (Decimal(100) * primary / total).quantize(Decimal("0.0001"))
        assert city.value == expected
    else:
        assert city.value is None


def test_an_average_of_ratios_would_differ() -> None:
    rows = [
        ("H330302001", "330302", "2023-01", "visits", 90),  # county 330302: 90 of 100 primary (90 %)
        ("H330302002", "330302", "2023-01", "visits", 10),
        ("H330381001", "330381", "2023-01", "visits", 1),  # county 330381: 1 of 10 primary (10 %)
        ("H330381002", "330381", "2023-01", "visits", 9),
    ]
    [city] = _value(rows, "FJ03", "330300", "2023-01")
    assert city.numerator == 91 and city.denominator == 110
    assert city.value == Decimal("82.7273")  # 91 / 110, not (90 % + 10 %) / 2 = 50 %


@settings(max_examples=25, deadline=None)
@given(visit_facts(), st.sampled_from(COUNTIES), st.lists(counts, min_size=1, max_size=3))
def test_adding_a_countys_data_changes_only_its_ancestors(
    rows: list[tuple[str, str, str, str, int]], county: str, extra: list[int]
) -> None:
    unit = next(u for u in UNITS if u.county == county)
    more = rows + [(unit.code, county, "2023-06", "visits", v + 1) for v in extra]
    before = {f.key: f for f in _value(rows, "FJ03", "330300", "2023", "county")}
    after = {f.key: f for f in _value(more, "FJ03", "330300", "2023", "county")}
    for key in COUNTIES:
        if key == county:
            assert after[key].denominator == (before[key].denominator or 0) + sum(v + 1 for v in extra)
        else:
            assert after[key] == before[key]
    [city_before] = _value(rows, "FJ03", "330300", "2023")
    [city_after] = _value(more, "FJ03", "330300", "2023")
    [province_after] = _value(more, "FJ03", "330000", "2023")
    assert city_after.denominator == (city_before.denominator or 0) + sum(v + 1 for v in extra)
    assert province_after.denominator == city_after.denominator
    [elsewhere] = _value(more, "FJ03", "330100", "2023")  # Hangzhou holds none of it
    assert elsewhere.denominator == 0 and elsewhere.value is None


def test_zero_values_are_kept() -> None:
    rows = [
        ("H330302002", "330302", "2023-01", "visits", 40),
        ("H330381001", "330381", "2023-01", "visits", 0),
    ]
    by_institution = {f.key: f for f in _value(rows, "FJ03", "330300", "2023-01", "institution")}
    assert by_institution["H330302002"].value == 0 and by_institution["H330302002"].numerator == 0
    # An institution with a zero fact, and one with none at all, are still listed.
    assert by_institution["H330381001"].denominator == 0 and by_institution["H330381001"].value is None
    assert set(by_institution) == {u.code for u in UNITS}
    by_county = {f.key: f for f in _value(rows, "FJ03", "330300", "2023-01", "county")}
    assert set(by_county) == set(COUNTIES)


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 10_000),
    st.integers(1, 10_000),
    st.integers(1, 500),
    st.integers(1, 500),
    st.integers(1, 12),
)
def test_growth_compares_with_the_same_span_a_year_earlier(
    income_now: int, income_before: int, visits_now: int, visits_before: int, month: int
) -> None:
    code, county = "H330302002", "330302"
    rows = [
        (code, county, f"2023-{month:02d}", "income_outpatient", income_now),
        (code, county, f"2023-{month:02d}", "finance_visits", visits_now),
        (code, county, f"2022-{month:02d}", "income_outpatient", income_before),
        (code, county, f"2022-{month:02d}", "finance_visits", visits_before),
        (code, county, f"2021-{month:02d}", "income_outpatient", 1),  # two years back: never read
        (code, county, f"2021-{month:02d}", "finance_visits", 1),
    ]
    for span in (f"2023-{month:02d}", "2023", f"2023-{month:02d}YTD"):
        [figure] = _value(rows, "YY03", "330300", span)
        assert figure.numerator == income_now and figure.denominator == visits_now
        assert figure.previous_numerator == income_before and figure.previous_denominator == visits_before
        assert figure.previous_span is not None and figure.previous_span.first.startswith("2022")
        per_now = Decimal(income_now) / visits_now
        per_before = Decimal(income_before) / visits_before
        assert figure.value == (100 * (per_now - per_before) / per_before).quantize(Decimal("0.0001"))


def test_year_to_date_and_quarters_add_months() -> None:
    rows = [("H330302001", "330302", f"2023-{m:02d}", "visits", m) for m in range(1, 13)]
    rows += [("H330302002", "330302", f"2023-{m:02d}", "visits", 1) for m in range(1, 13)]
    [ytd] = _value(rows, "FJ03", "330300", "2023-05YTD")
    assert ytd.numerator == 15 and ytd.denominator == 20
    [q2] = _value(rows, "FJ03", "330300", "2023Q2")
    assert q2.numerator == 15 and q2.denominator == 18


def test_stocks_are_read_at_the_span_end_not_added() -> None:
    rows = [("H330381002", "330381", f"2023-{m:02d}", "beds", 100 + m) for m in range(1, 13)]
    rows += [("H330381001", "330381", f"2023-{m:02d}", "beds", 50) for m in range(1, 13)]
    [q1] = _value(rows, "ZY01", "330300", "2023Q1")
    assert q1.numerator == 103 and q1.denominator == 153


def test_institution_scope_and_groups() -> None:
    rows = [
        ("H330302002", "330302", "2023-01", "visits", 10),
        ("H330303001", "330303", "2023-01", "visits", 30),
        ("H330302002", "330302", "2023-01", "referred_visits", 4),
        ("H330303001", "330303", "2023-01", "referred_visits", 9),  # private: not a public hospital
        ("", "330302", "2023-01", "population", 1000),
    ]
    [own] = _value(rows, "FJ06", "H330302002", "2023-01")
    assert own.key == "H330302002" and own.numerator == 4 and own.denominator == 10
    by_community = _value(rows, "FJ06", "330300", "2023-01", "community")
    assert [(f.key, f.numerator, f.denominator) for f in by_community] == [("G1", Decimal(4), Decimal(10))]
    by_ownership = {f.key: f for f in _value(rows, "FJ03", "330300", "2023-01", "ownership")}
    assert by_ownership["public"].denominator == 10 and by_ownership["private"].denominator == 30
    # A city-level report counts for the city but for none of its counties.
    city = [*rows, ("", "330300", "2023-01", "priced_diseases", 60)]
    [whole] = _value(city, "ZF01", "330300", "2023-01")
    assert whole.numerator == 60
    assert all(f.numerator == 0 for f in _value(city, "ZF01", "330300", "2023-01", "county"))
    # Area elements have no institution: an institution's coverage has no denominator.
    [coverage] = _value(rows, "FJ04", "H330302002", "2023-01")
    assert coverage.denominator == 0 and coverage.value is None
