"""Property: on any claims built from the knowledge tables — random sexes, ages, visit types, levels,
days of supply, prices, times and several claims per person — the per-claim face and the set-based
face give exactly the same findings (``both_faces`` asserts it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanyi.knowledge import supervision as kb
from sanyi.supervision.api import ClaimFacts, load_rules
from tests.unit.supervision.conftest import both_faces, claim, line

CODES = sorted(
    {
        *(kb.rows(name)[i][0] for name in sorted(kb.VALUE_LIMIT_TABLES) for i in range(3)),
        *(r[0] for r in kb.rows("item_working_age_limit")),
        *(r[0] for r in kb.rows("item_course_limit")[:3]),
        *(r[0] for r in kb.rows("item_frequency_limit")[:3]),
        *(r[0] for r in kb.rows("item_cycle_limit")[:3]),
        *(r[0] for r in kb.rows("item_primary_secondary")[:4]),
        *(p.main_code for p in kb.included_items()[:4]),
        *(p.included_code for p in kb.included_items()[:4]),
        "002503020010300",
        "XOTHER0000000000000000A",
    }
)
START = datetime(2023, 1, 1, tzinfo=UTC)


@st.composite
def claims(draw: st.DrawFn) -> list[ClaimFacts]:
    result = []
    for n in range(draw(st.integers(1, 6))):
        person = draw(st.sampled_from(["P1", "P2"]))
        start = START + timedelta(hours=draw(st.integers(0, 24 * 60)))
        kind = draw(st.sampled_from(["inpatient", "outpatient", "emergency", "pharmacy"]))
        stay = draw(st.integers(1, 20)) if kind == "inpatient" else 0
        lines = []
        for no in range(1, draw(st.integers(0, 6)) + 1):
            ceiling = draw(st.sampled_from([None, "10.00", "12.50"]))
            lines.append(
                line(
                    no,
                    draw(st.sampled_from(CODES)),
                    at=start + timedelta(hours=draw(st.integers(0, 24 * max(stay, 1)))),
                    quantity=draw(st.sampled_from(["1", "2", "0.5"])),
                    price=draw(st.sampled_from(["10.00", "12.50", "300.00"])),
                    ceiling=ceiling,
                    days=draw(st.sampled_from([None, 3, 8, 20, 40])),
                )
            )
        result.append(
            claim(
                f"C{n}",
                lines,
                person=person,
                sex=draw(st.sampled_from(["1", "2", None])),
                birth=draw(
                    st.sampled_from([date(2023, 1, 1), date(2021, 6, 1), date(2010, 1, 1), date(1960, 1, 1)])
                ),
                insurance=draw(st.sampled_from(["basic", "work_injury", "maternity"])),
                kind=kind,
                level=draw(st.integers(1, 3)),
                institution=draw(st.sampled_from(["H1", "H2"])),
                start=start,
                stay_days=stay,
                diagnoses=draw(st.sampled_from([(), ("I63.900",), ("I63.800", "I10.x00"), ("Z51.100",)])),
            )
        )
    return result


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims())
def test_both_faces_give_the_same_findings(generated: list[ClaimFacts]) -> None:
    both_faces(generated, [rule.id for rule in load_rules()])
