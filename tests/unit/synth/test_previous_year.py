"""The synthetic year before: last year's finance returns and counts from this year's by the growth
parameters, checked by hand on one institution and two months, then through the indicator engine."""

from decimal import Decimal

import yaml

from sanyi.indicators.api import FINANCE_AMOUNTS, Request, Span, Unit, catalogue, compute, facts_table
from sanyi.synth.finance import PARAMETERS_FILE, Growth, parameters, previous_year

GROWTH = Growth(Decimal("0.03"), Decimal("0.03"), Decimal("0.015"), Decimal("0.036"))


def _income(outpatient: int, inpatient: int, drug: int, herbal: int) -> dict[str, int]:
    cell = dict.fromkeys(FINANCE_AMOUNTS, 0)
    cell |= {
        "income_medical": outpatient + inpatient,
        "income_outpatient": outpatient,
        "income_inpatient": inpatient,
        "income_drug": drug,
        "income_herbal": herbal,
    }
    return cell


INCOME = {"2023-01": _income(600_000, 1_000_000, 400_000, 100_000), "2023-02": _income(400_000, 0, 0, 0)}
COUNTS = {
    "2023-01": {"finance_visits": 60, "finance_discharges": 8},
    "2023-02": {"finance_visits": 40, "finance_discharges": 2},
}


def test_last_year_by_hand() -> None:
    """Visits 100 ÷ 1.03 = 97.09 → 97, spread 60:40 → 58.2 / 38.8 → 58 and 39 (the leftover unit to the
    larger remainder). Outpatient 1,000,000 fen × 97 ÷ 100 ÷ 1.015 = 955,665.02 → 955,665, spread
    600:400 → 573,399 and 382,266. Discharges 10 ÷ 1.03 = 9.71 → 10 (8 and 2); inpatient
    1,000,000 × 10 ÷ 10 ÷ 1.036 = 965,250.97 → 965,251, all in January (February had none). 药品
    keeps its share: 400,000 × 1,538,650 ÷ 1,600,000 = 384,662.5 → 384,663; 饮片 96,165.6 → 96,166."""
    before = previous_year(INCOME, COUNTS, GROWTH)
    january, january_counts = before["2023-01"]
    february, february_counts = before["2023-02"]
    assert january_counts == {"finance_visits": 58, "finance_discharges": 8}
    assert february_counts == {"finance_visits": 39, "finance_discharges": 2}
    assert (january["income_outpatient"], february["income_outpatient"]) == (573_399, 382_266)
    assert (january["income_inpatient"], february["income_inpatient"]) == (965_251, 0)
    assert january["income_medical"] == 573_399 + 965_251 and february["income_medical"] == 382_266
    assert (january["income_drug"], january["income_herbal"]) == (384_663, 96_166)
    assert february["income_drug"] == 0


def test_growth_indicators_on_the_year_and_its_base() -> None:
    """Through the engine: income per visit 1,000,000 ÷ 100 = 10,000 against 955,665 ÷ 97 = 9,852.2165
    → +1.5000 %; per discharge 100,000 against 96,525.1 → +3.6000 %; 医疗收入 2,000,000 fen against
    573,399 + 965,251 + 382,266 = 1,920,916 → +4.1170 %."""
    code, county = "H33030200001", "330302"
    rows: list[tuple[str, str, str, str, Decimal | int]] = []
    for month, (cell, counts) in previous_year(INCOME, COUNTS, GROWTH).items():
        earlier = f"2022{month[4:]}"
        rows += [(code, county, earlier, name, Decimal(fen) / 100) for name, fen in cell.items()]
        rows += [(code, county, earlier, name, n) for name, n in counts.items()]
    for month, cell in INCOME.items():
        rows += [(code, county, month, name, Decimal(fen) / 100) for name, fen in cell.items()]
        rows += [(code, county, month, name, n) for name, n in COUNTS[month].items()]
    unit = Unit(code, "医院", county, "public", "hospital", 2)
    figures = compute(
        catalogue(), facts_table(rows), [unit], Request(("YY03", "YY04", "YY05"), (Span.parse("2023"),), code)
    )
    by_code = {f.indicator: f for f in figures}
    assert by_code["YY03"].value == Decimal("1.5000")
    assert (by_code["YY03"].previous_numerator, by_code["YY03"].previous_denominator) == (
        Decimal("9556.65"),
        Decimal(97),
    )
    assert by_code["YY04"].value == Decimal("3.6000")
    assert by_code["YY05"].previous_numerator == Decimal("19209.16")
    assert by_code["YY05"].value == Decimal("4.1170")


def test_the_shipped_growth_parameters_cite_their_source() -> None:
    growth = Growth.of(parameters()["previous_year_growth"])
    assert growth.income_per_visit == Decimal("0.015") and growth.income_per_discharge == Decimal("0.036")
    document = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    assert "卫生健康事业发展统计公报" in document["previous_year_growth"]["source"]
