"""Evaluation indicators against a small case computed by hand."""

from decimal import Decimal

from sanyi.drgpay.api import EvalCase, evaluate, risk_levels


def _case(hospital: str, drg: str, cost: int, los: int, died: bool = False, doctor: str = "d1") -> EvalCase:
    return EvalCase(hospital, "dept-" + hospital, doctor, drg, cost * 100, los, died)


CASES = [
    # Region: G1 costs 1,000 / 2,000 / 3,000 (mean 2,000, LOS mean 4); G2 costs 6,000 and 10,000 (mean 8,000).
    _case("H1", "G1", 1_000, 2),
    _case("H1", "G1", 2_000, 4),
    _case("H1", "G2", 6_000, 6, died=True),
    _case("H2", "G1", 3_000, 6),
    _case("H2", "G2", 10_000, 10),
    _case("H2", "", 500, 3),  # not grouped
    _case("H2", "G1", 4, 1),  # under 5 yuan: excluded
    _case("H1", "G1", 2_000, 61),  # beyond 60 days: excluded
]
WEIGHTS = {"G1": Decimal("0.5"), "G2": Decimal(2)}


def test_hospital_indicators_by_hand() -> None:
    units, region = evaluate(CASES, lambda c: c.hospital, WEIGHTS)
    h1, h2 = units["H1"], units["H2"]
    assert (h1.records, h1.excluded, h1.grouped, h1.grouping_rate) == (4, 1, 3, Decimal(1))
    assert (h2.records, h2.excluded, h2.grouped, h2.grouping_rate) == (4, 1, 2, Decimal("0.6667"))
    assert (h1.drg_count, h1.total_weight, h1.cmi) == (2, Decimal(3), Decimal(1))
    # H1: G1 mean 1,500 ÷ 2,000 × 2 cases + G2 6,000 ÷ 8,000 × 1 → (1.5 + 0.75) ÷ 3
    assert h1.cost_index == Decimal("0.75")
    # H1 time: G1 LOS 3 ÷ 4 × 2 + G2 6 ÷ 8 × 1 → (1.5 + 0.75) ÷ 3
    assert h1.time_index == Decimal("0.75")
    assert h2.cost_index == Decimal("1.375")  # (1.5 + 1.25) ÷ 2
    assert (region.grouped, region.total_weight, region.cmi) == (5, Decimal("5.5"), Decimal("1.1"))
    assert region.cost_index == Decimal(1) and region.time_index == Decimal(1)


def test_weights_default_to_relative_cost() -> None:
    _, region = evaluate(CASES, lambda c: c.hospital)
    # all grouped mean 4,400: G1 2,000 ÷ 4,400, G2 8,000 ÷ 4,400 → 總权重 = 22,000 ÷ 4,400 = 5
    assert region.total_weight == Decimal(5)


def test_risk_levels_from_ln_standardised_mortality() -> None:
    cases = []
    for drg, deaths in (("A", 1), ("B", 2), ("C", 4), ("D", 8), ("Z", 0)):
        cases += [_case("H", drg, 1_000, 3, died=n < deaths) for n in range(100)]
    levels = risk_levels(cases)
    # ln m of 1 %, 2 %, 4 %, 8 % are evenly spaced: mean between B and C, SD = 1.118 steps.
    assert levels.levels == {"A": 1, "B": 2, "C": 3, "D": 4, "Z": 0}
    units, _ = evaluate(cases, lambda c: c.doctor)
    doctor = units["d1"]
    assert (doctor.low_risk_deaths, doctor.low_risk_cases, doctor.low_risk_mortality) == (
        1,
        100,
        Decimal("0.01"),
    )
    assert (doctor.mid_low_risk_deaths, doctor.mid_low_risk_cases) == (2, 100)
