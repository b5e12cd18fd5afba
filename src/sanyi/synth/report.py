"""The generated region's figures next to the profile's calibration targets.

The same SQL runs on the operational database (SQLite or PostgreSQL) and on a Parquet export (through
DuckDB), so a region can be checked wherever it was written. A figure more than 15 % off its target is
flagged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sanyi.kernel.clock import local_date
from sanyi.knowledge.synth import Profile

TOLERANCE = 0.15

Query = Callable[[str], Sequence[Sequence[Any]]]

# The SQL below is built only from these constants, never from input.
_CLASS = (
    "CASE WHEN i.kind IN ('township_centre', 'community_centre', 'community_station', 'village_clinic',"
    " 'clinic') THEN 'primary' ELSE CAST(i.tier AS VARCHAR(1)) END"
)
_STAYS = (
    f"SELECT {_CLASS} AS c, CAST(e.start_at AS VARCHAR(40)), CAST(e.end_at AS VARCHAR(40)) "  # noqa: S608
    "FROM encounters e JOIN institutions i ON i.code = e.institution_code WHERE e.type = 'inpatient'"
)


@dataclass(frozen=True)
class Figure:
    name: str
    generated: float
    target: float
    source: str

    @property
    def within_tolerance(self) -> bool:
        return abs(self.generated - self.target) <= TOLERANCE * abs(self.target)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "generated": round(self.generated, 4),
            "target": round(self.target, 4),
            "within_tolerance": self.within_tolerance,
            "source": self.source,
        }


def _by_class(rows: Sequence[Sequence[Any]]) -> dict[tuple[str, str], tuple[float, float]]:
    return {(str(r[0]), str(r[1])): (float(r[2]), float(r[3] or 0)) for r in rows}


def figures(query: Query, profile: Profile) -> list[Figure]:
    residents = float(query("SELECT COUNT(*) FROM residents")[0][0])
    counts = _by_class(
        query(
            f"SELECT e.type, {_CLASS} AS c, COUNT(*), 0 FROM encounters e "  # noqa: S608
            "JOIN institutions i ON i.code = e.institution_code GROUP BY e.type, c"
        )
    )
    money = _by_class(
        query(
            f"SELECT e.type, {_CLASS} AS c, SUM(l.amount), "  # noqa: S608
            "SUM(CASE WHEN l.category IN ('09', '10', '11') THEN l.amount ELSE 0 END) "
            "FROM fee_lines l JOIN encounters e ON e.id = l.encounter_id "
            "JOIN institutions i ON i.code = e.institution_code GROUP BY e.type, c"
        )
    )
    stays = query(_STAYS)

    def count(types: tuple[str, ...], classes: tuple[str, ...]) -> float:
        return sum(counts.get((t, c), (0.0, 0.0))[0] for t in types for c in classes)

    def amount(types: tuple[str, ...], classes: tuple[str, ...], drugs: bool = False) -> float:
        return sum(money.get((t, c), (0.0, 0.0))[1 if drugs else 0] for t in types for c in classes) / 100

    visit, stay = ("outpatient", "emergency"), ("inpatient",)
    hospital = ("3", "2", "1", "0")
    visits = count(visit, (*hospital, "primary"))
    hospital_visits, hospital_stays = count(visit, hospital), count(stay, hospital)
    stays_total = count(stay, (*hospital, "primary"))
    los: dict[str, list[int]] = {}
    for klass, start, end in stays:
        los.setdefault(str(klass), []).append(
            max((local_date(_aware(end)) - local_date(_aware(start))).days, 1)
        )

    def mean(values: list[int]) -> float:
        return sum(values) / len(values) if values else 0.0

    def ratio(a: float, b: float) -> float:
        return a / b if b else 0.0

    s = profile.sources
    visit_mix, stay_mix = profile.hospital_visit_tier_mix, profile.hospital_admission_tier_mix
    result = [
        Figure(
            "visits_per_capita", ratio(visits, residents), profile.visits_per_capita, s["visits_per_capita"]
        ),
        Figure(
            "primary_care_share_of_visits",
            ratio(count(visit, ("primary",)), visits),
            profile.primary_share_of_visits,
            s["primary_share_of_visits"],
        ),
        Figure(
            "admissions_per_100",
            100 * ratio(stays_total, residents),
            profile.admissions_per_100,
            s["admissions_per_100"],
        ),
    ]
    for tier, label, target in (
        ("3", "tertiary", visit_mix.tertiary),
        ("2", "secondary", visit_mix.secondary),
        ("1", "first", visit_mix.first),
    ):
        result.append(
            Figure(
                f"hospital_visit_share_{label}",
                ratio(count(visit, (tier,)), hospital_visits),
                target,
                s["hospital_visit_tier_mix"],
            )
        )
    for tier, label, target in (
        ("3", "tertiary", stay_mix.tertiary),
        ("2", "secondary", stay_mix.secondary),
        ("1", "first", stay_mix.first),
    ):
        result.append(
            Figure(
                f"hospital_admission_share_{label}",
                ratio(count(stay, (tier,)), hospital_stays),
                target,
                s["hospital_admission_tier_mix"],
            )
        )
    for klass, label, target in (
        ("3", "tertiary", profile.alos.tertiary),
        ("2", "secondary", profile.alos.secondary),
        ("1", "first", profile.alos.first),
        ("primary", "primary", profile.alos.primary),
    ):
        result.append(Figure(f"average_stay_days_{label}", mean(los.get(klass, [])), target, s["alos"]))
    for klass, label, target in (
        ("3", "tertiary", profile.cost_per_visit.tertiary),
        ("2", "secondary", profile.cost_per_visit.secondary),
        ("primary", "primary", profile.cost_per_visit.primary),
    ):
        result.append(
            Figure(
                f"cost_per_visit_{label}",
                ratio(amount(visit, (klass,)), count(visit, (klass,))),
                target,
                s["cost_per_visit"],
            )
        )
    for klass, label, target in (
        ("3", "tertiary", profile.cost_per_admission.tertiary),
        ("2", "secondary", profile.cost_per_admission.secondary),
        ("primary", "primary", profile.cost_per_admission.primary),
    ):
        result.append(
            Figure(
                f"cost_per_admission_{label}",
                ratio(amount(stay, (klass,)), count(stay, (klass,))),
                target,
                s["cost_per_admission"],
            )
        )
    result.append(
        Figure(
            "drug_share_hospital_outpatient",
            ratio(amount(visit, hospital, drugs=True), amount(visit, hospital)),
            profile.drug_share_outpatient,
            s["drug_share"],
        )
    )
    result.append(
        Figure(
            "drug_share_hospital_inpatient",
            ratio(amount(stay, hospital, drugs=True), amount(stay, hospital)),
            profile.drug_share_inpatient,
            s["drug_share"],
        )
    )
    return result


def _aware(value: Any) -> datetime:
    """Timestamps come back naive from some drivers; they are stored in UTC."""
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
