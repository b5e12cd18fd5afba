"""Practitioners: enough doctors for each institution's expected workload, plus nurses and pharmacists.

Doctors per institution = expected visits ÷ (visits per doctor-day of its class × 251 working days)
+ one per four expected occupied beds (calibration.md doctor visits per day). Doctors of primary care
are general practitioners; some hospital doctors also practise at a primary-care centre of their
county (多点执业).
"""

from __future__ import annotations

import math

import numpy as np

from sanyi.registry.api import LicenceType, PracticeSite, Practitioner
from sanyi.synth.names import person_names
from sanyi.synth.world import PRIMARY_CLASS, World

WORKING_DAYS = 251


def build_staff(
    world: World, expected_visits: np.ndarray, expected_bed_days: np.ndarray, rng: np.random.Generator
) -> tuple[list[Practitioner], list[np.ndarray]]:
    """All practitioners, and for each site the codes of its doctors (as an object array)."""
    per_day = np.array(world.profile.doctor_visits_per_day.as_tuple())
    practitioners: list[Practitioner] = []
    doctors_of_site: list[list[str]] = [[] for _ in world.sites]
    sequence: dict[str, int] = {}
    total_staff = 0
    plans = []
    for index, site in enumerate(world.sites):
        klass = site.choice_class
        doctors = max(
            1 if site.institution.kind.value in ("village_clinic", "community_station", "clinic") else 2,
            math.ceil(
                expected_visits[index] / (per_day[klass] * WORKING_DAYS) + expected_bed_days[index] / 365 / 4
            ),
        )
        nurses = max(0, round(doctors * (1.3 if klass != PRIMARY_CLASS else 0.6)))
        pharmacists = 1 if klass == PRIMARY_CLASS else max(1, doctors // 15)
        plans.append((index, doctors, nurses, pharmacists))
        total_staff += doctors + nurses + pharmacists
    names = iter(person_names(rng, total_staff))
    primary_centres = {
        county: [
            s.institution.code
            for s in world.sites
            if s.county == county and s.institution.kind.value in ("township_centre", "community_centre")
        ]
        for county in range(len(world.county_codes))
    }
    for index, doctors, nurses, pharmacists in plans:
        site = world.sites[index]
        county_code = world.county_codes[site.county]
        primary = site.choice_class == PRIMARY_CLASS
        departments = [d for d in site.institution.departments if len(d) <= 4] or ["02"]
        for licence, count in (
            (LicenceType.DOCTOR, doctors),
            (LicenceType.NURSE, nurses),
            (LicenceType.PHARMACIST, pharmacists),
        ):
            for _ in range(count):
                number = sequence.get(county_code, 1)
                sequence[county_code] = number + 1
                code = f"D{county_code}{number:06d}"
                department = "02" if primary else str(rng.choice(departments))
                sites = [PracticeSite(site.institution.code, department, True)]
                if (
                    licence is LicenceType.DOCTOR
                    and not primary
                    and rng.random() < 0.05
                    and primary_centres[site.county]
                ):
                    extra = str(rng.choice(primary_centres[site.county]))
                    sites.append(PracticeSite(extra, "02", False))
                practitioners.append(
                    Practitioner(
                        code=code,
                        name=next(names),
                        sex="1" if rng.random() < (0.5 if licence is LicenceType.DOCTOR else 0.1) else "2",
                        licence_type=licence,
                        specialty=department,
                        general_practitioner=licence is LicenceType.DOCTOR and primary,
                        sites=tuple(sites),
                    )
                )
                if licence is LicenceType.DOCTOR:
                    doctors_of_site[index].append(code)
    return practitioners, [np.array(codes, dtype=object) for codes in doctors_of_site]
