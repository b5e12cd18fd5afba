"""The static world of a synthetic region: areas with coordinates, institutions and medical groups.

Counts follow the profile's resources per population (calibration.md), with a floor that keeps a small
region believable: at least one county hospital per county, a primary-care centre per township, two
tertiary hospitals in the city, and psychiatric and tuberculosis hospitals for the policies that treat
them specially. Coordinates are kilometres on a plane around the city centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from sanyi.knowledge.codes import divisions
from sanyi.knowledge.synth import Profile
from sanyi.registry.api import (
    Area,
    AreaLevel,
    Grade,
    GroupKind,
    Institution,
    InstitutionKind,
    MedicalGroup,
    Ownership,
    Tier,
)
from sanyi.synth.names import township_name

PRIMARY_CLASS = 4  # class index of primary care; tiers are 0-3


class _Codes:
    """Sequential national codes per county: H + county (6) + 5 digits."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, str], int] = {}

    def next(self, prefix: str, county: str) -> str:
        number = self._next.get((prefix, county), 1)
        self._next[(prefix, county)] = number + 1
        return f"{prefix}{county}{number:05d}"


@dataclass
class Site:
    """An institution with what the choice model needs to know about it."""

    institution: Institution
    x: float
    y: float
    county: int
    township: int | None
    quality: float

    @property
    def choice_class(self) -> int:
        return PRIMARY_CLASS if self.institution.primary_care else int(self.institution.tier)


@dataclass
class World:
    profile: Profile
    residents: int
    areas: list[Area]
    county_codes: list[str]
    county_weights: np.ndarray
    county_xy: np.ndarray
    county_radius: np.ndarray
    county_urban: np.ndarray
    township_codes: list[str]
    township_county: np.ndarray
    township_xy: np.ndarray
    township_urban: np.ndarray
    sites: list[Site]
    pharmacies: list[Site]
    groups: list[MedicalGroup] = field(default_factory=list)
    codes: _Codes = field(default_factory=_Codes)

    def site_index(self) -> dict[str, int]:
        return {site.institution.code: index for index, site in enumerate(self.sites)}


def _county_layout(profile: Profile, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Urban districts close to the centre, counties on a wider ring; radius grows with population."""
    count = len(profile.counties)
    xy = np.zeros((count, 2))
    radius = np.zeros(count)
    urban_angle, rural_angle = 0.0, 0.3
    urban_total = max(sum(1 for c in profile.counties if c.urban), 1)
    rural_total = max(sum(1 for c in profile.counties if not c.urban), 1)
    for index, county in enumerate(profile.counties):
        if county.urban:
            distance = 4.0 + 3.0 * rng.random()
            angle = urban_angle
            urban_angle += 2 * math.pi / urban_total
            radius[index] = 4.0 + 0.05 * county.weight
        else:
            distance = 35.0 + 35.0 * rng.random()
            angle = rural_angle
            rural_angle += 2 * math.pi / rural_total
            radius[index] = 12.0 + 0.12 * county.weight
        xy[index] = (distance * math.cos(angle), distance * math.sin(angle))
    return xy, radius


def _allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts proportional to weights that add up to total (largest remainder)."""
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def build_world(profile: Profile, residents: int, rng: np.random.Generator) -> World:
    known = divisions()
    city = known[profile.city]
    province = known[profile.province]
    areas = [
        Area(province.code, province.name, AreaLevel.PROVINCE, None),
        Area(city.code, city.name, AreaLevel.CITY, province.code),
    ]
    county_codes = [county.code for county in profile.counties]
    weights = np.array([county.weight for county in profile.counties])
    urban = np.array([county.urban for county in profile.counties])
    county_xy, county_radius = _county_layout(profile, rng)
    for county in profile.counties:
        areas.append(Area(county.code, known[county.code].name, AreaLevel.COUNTY, city.code, county.urban))

    per_county = _allocate(residents, weights)
    township_codes: list[str] = []
    township_county: list[int] = []
    township_xy: list[tuple[float, float]] = []
    township_urban: list[bool] = []
    per_township = int(profile.resources["residents_per_township"])
    name_counter = 0
    for index, county in enumerate(profile.counties):
        count = max(2, round(per_county[index] / per_township))
        for number in range(1, count + 1):
            code = f"{county.code}{number:03d}"
            # Rural counties still have an urban seat (城关街道); urban districts are all streets.
            is_urban = county.urban or number == 1
            angle = rng.random() * 2 * math.pi
            distance = county_radius[index] * math.sqrt(rng.random()) * (0.3 if number == 1 else 1.0)
            township_codes.append(code)
            township_county.append(index)
            township_xy.append(
                (
                    county_xy[index, 0] + distance * math.cos(angle),
                    county_xy[index, 1] + distance * math.sin(angle),
                )
            )
            township_urban.append(is_urban)
            areas.append(
                Area(code, township_name(name_counter, is_urban), AreaLevel.TOWNSHIP, county.code, is_urban)
            )
            name_counter += 1

    world = World(
        profile=profile,
        residents=residents,
        areas=areas,
        county_codes=county_codes,
        county_weights=weights / weights.sum(),
        county_xy=county_xy,
        county_radius=county_radius,
        county_urban=urban,
        township_codes=township_codes,
        township_county=np.array(township_county),
        township_xy=np.array(township_xy),
        township_urban=np.array(township_urban),
        sites=[],
        pharmacies=[],
    )
    _add_hospitals(world, rng)
    _add_primary_care(world, rng)
    _add_pharmacies(world, rng)
    _add_groups(world)
    return world


_HOSPITAL_DEPARTMENTS = (
    "03",
    "0301",
    "0302",
    "0303",
    "0304",
    "04",
    "0401",
    "0403",
    "0404",
    "05",
    "07",
    "10",
    "11",
    "12",
    "13",
    "20",
    "26",
    "28",
    "30",
    "32",
    "50",
)
_PRIMARY_DEPARTMENTS = ("01", "02", "50")


def _area_name(world: World, code: str) -> str:
    return next(area.name for area in world.areas if area.code == code)


def _opened(rng: np.random.Generator, earliest: int, latest: int) -> date:
    return date(int(rng.integers(earliest, latest)), int(rng.integers(1, 13)), 1)


def _add_hospitals(world: World, rng: np.random.Generator) -> None:
    resources = world.profile.resources
    codes = world.codes
    total = world.residents * float(resources["hospitals_per_100k"]) / 100_000
    shares = resources["tier_shares"]
    beds = resources["average_beds"]
    urban_counties = [i for i, is_urban in enumerate(world.county_urban) if is_urban] or [0]
    n_counties = len(world.county_codes)
    wanted = {
        3: max(2, round(total * float(shares["3"]))),
        2: max(n_counties, round(total * float(shares["2"]))),
        1: max(2, round(total * float(shares["1"]))),
        0: max(1, round(total * float(shares["0"]))),
    }
    specials = [InstitutionKind.PSYCHIATRIC, InstitutionKind.TUBERCULOSIS, InstitutionKind.MATERNAL_CHILD]
    for tier in (3, 2, 1, 0):
        for number in range(wanted[tier]):
            if tier == 3:
                county = urban_counties[number % len(urban_counties)]
                kind = (
                    (InstitutionKind.GENERAL, InstitutionKind.TCM)[number % 2]
                    if number < 2
                    else InstitutionKind.GENERAL
                )
                if number == 2:
                    kind = InstitutionKind.MATERNAL_CHILD
            elif tier == 2 and number < n_counties:
                county, kind = number, InstitutionKind.GENERAL  # the county people's hospital
            else:
                county = int(rng.choice(n_counties, p=world.county_weights))
                kind = InstitutionKind.GENERAL
                if tier == 2 and specials:
                    kind = specials.pop(0)
                elif rng.random() < float(resources["tcm_share_of_hospitals"]):
                    kind = InstitutionKind.TCM
            public = tier >= 2 or rng.random() > float(resources["private_share_of_hospitals"])
            county_code = world.county_codes[county]
            centre = world.county_xy[county]
            offset = rng.normal(0, 1.5 if tier >= 2 else 3.0, 2)
            bed_count = max(10, int(rng.normal(float(beds[str(tier)]), 0.2 * float(beds[str(tier)]))))
            name = _hospital_name(world, county, tier, kind, number, public)
            institution = Institution(
                code=codes.next("H", county_code),
                name=name,
                area_code=county_code,
                kind=kind,
                tier=Tier(tier),
                grade=Grade.A
                if tier == 3
                else (Grade.A if tier == 2 and number < n_counties else Grade.B)
                if tier >= 2
                else None,
                ownership=Ownership.PUBLIC if public else Ownership.PRIVATE,
                for_profit=not public and rng.random() < 0.7,
                beds=bed_count,
                departments=_HOSPITAL_DEPARTMENTS
                if tier >= 2
                else ("03", "04", "05", "07", "20", "30", "32"),
                opened_on=_opened(rng, 1950 if public else 1995, 2020),
                named_provincial=tier == 3 and number == 0,
            )
            quality = {3: 0.95, 2: 0.6, 1: 0.35, 0: 0.3}[tier] + rng.normal(0, 0.05)
            world.sites.append(
                Site(institution, centre[0] + offset[0], centre[1] + offset[1], county, None, quality)
            )


def _hospital_name(
    world: World, county: int, tier: int, kind: InstitutionKind, number: int, public: bool
) -> str:
    city = world.profile.name_zh.removesuffix("市")
    county_name = _area_name(world, world.county_codes[county])
    if tier == 3:
        label = {
            InstitutionKind.GENERAL: "第{n}人民医院",
            InstitutionKind.TCM: "中医院",
            InstitutionKind.MATERNAL_CHILD: "妇幼保健院",
        }.get(kind, "第{n}人民医院")
        return f"{city}市{label.format(n='一二三四五六七八九十'[number % 10])}"
    if tier == 2 and kind is InstitutionKind.GENERAL and number < len(world.county_codes):
        return f"{county_name}人民医院"
    label = {
        InstitutionKind.TCM: "中医院",
        InstitutionKind.PSYCHIATRIC: "康宁医院（精神卫生中心）",
        InstitutionKind.TUBERCULOSIS: "结核病医院",
        InstitutionKind.MATERNAL_CHILD: "妇幼保健院",
    }.get(kind, "医院")
    owner = "" if public else "民营"
    return f"{county_name}{owner}{'' if tier >= 2 else '第' + str(number + 1)}{label}"


def _add_primary_care(world: World, rng: np.random.Generator) -> None:
    resources = world.profile.resources
    codes = world.codes
    villages = int(resources["village_clinics_per_rural_township"])
    stations = int(resources["stations_per_urban_township"])
    for township, code in enumerate(world.township_codes):
        county = int(world.township_county[township])
        county_code = world.county_codes[county]
        x, y = world.township_xy[township]
        area_name = _area_name(world, code)
        urban = bool(world.township_urban[township])
        kind = InstitutionKind.COMMUNITY_CENTRE if urban else InstitutionKind.TOWNSHIP_CENTRE
        centre = Institution(
            code=codes.next("H", county_code),
            name=f"{area_name}{'社区卫生服务中心' if urban else '卫生院'}",
            area_code=code,
            kind=kind,
            tier=Tier.UNRATED if urban else Tier.FIRST,
            grade=None if urban else Grade.A,
            ownership=Ownership.PUBLIC,
            for_profit=False,
            beds=int(rng.integers(0, 8)) if urban else int(rng.integers(10, 40)),
            departments=_PRIMARY_DEPARTMENTS,
            opened_on=_opened(rng, 1958, 2012),
        )
        world.sites.append(Site(centre, x, y, county, township, 0.3 + rng.normal(0, 0.05)))
        small_kind = InstitutionKind.COMMUNITY_STATION if urban else InstitutionKind.VILLAGE_CLINIC
        for number in range(stations if urban else villages):
            offset = rng.normal(0, 1.0 if urban else 2.5, 2)
            small = Institution(
                code=codes.next("H", county_code),
                name=f"{area_name}第{number + 1}{'社区卫生服务站' if urban else '村卫生室'}",
                area_code=code,
                kind=small_kind,
                tier=Tier.UNRATED,
                grade=None,
                ownership=Ownership.PUBLIC,
                for_profit=False,
                beds=0,
                departments=("02",),
                opened_on=_opened(rng, 1970, 2018),
            )
            world.sites.append(
                Site(small, x + offset[0], y + offset[1], county, township, 0.2 + rng.normal(0, 0.04))
            )
        if urban:
            offset = rng.normal(0, 1.0, 2)
            clinic = Institution(
                code=codes.next("H", county_code),
                name=f"{area_name}仁和诊所",
                area_code=code,
                kind=InstitutionKind.CLINIC,
                tier=Tier.UNRATED,
                grade=None,
                ownership=Ownership.PRIVATE,
                for_profit=True,
                beds=0,
                departments=("02",),
                opened_on=_opened(rng, 2000, 2022),
            )
            world.sites.append(Site(clinic, x + offset[0], y + offset[1], county, township, 0.22))


def _add_pharmacies(world: World, rng: np.random.Generator) -> None:
    codes = world.codes
    count = max(
        len(world.county_codes), world.residents // int(world.profile.resources["residents_per_pharmacy"])
    )
    townships = rng.choice(len(world.township_codes), size=count, replace=True)
    townships[: len(world.county_codes)] = [
        int(np.flatnonzero(world.township_county == county)[0]) for county in range(len(world.county_codes))
    ]
    for number, township in enumerate(townships.tolist()):
        county = int(world.township_county[township])
        x, y = world.township_xy[township] + rng.normal(0, 1.0, 2)
        pharmacy = Institution(
            code=codes.next("P", world.county_codes[county]),
            name=f"{_area_name(world, world.township_codes[township])}康民大药房{number + 1}号店",
            area_code=world.township_codes[township],
            kind=InstitutionKind.PHARMACY,
            tier=Tier.UNRATED,
            grade=None,
            ownership=Ownership.PRIVATE,
            for_profit=True,
            beds=0,
            departments=(),
            opened_on=_opened(rng, 2005, 2022),
        )
        world.pharmacies.append(Site(pharmacy, float(x), float(y), county, township, 0.0))


def _add_groups(world: World) -> None:
    """A county medical community per rural county (led by its people's hospital) and a city alliance."""
    city_lead = next(s.institution for s in world.sites if s.institution.tier == Tier.THIRD)
    alliance_members = [city_lead.code]
    for county, county_code in enumerate(world.county_codes):
        members = [s for s in world.sites if s.county == county]
        primary = [
            s.institution.code
            for s in members
            if s.institution.kind in (InstitutionKind.TOWNSHIP_CENTRE, InstitutionKind.COMMUNITY_CENTRE)
        ]
        if world.county_urban[county]:
            alliance_members.extend(primary)
            continue
        lead = next(
            s.institution
            for s in members
            if s.institution.tier == Tier.SECOND and s.institution.kind is InstitutionKind.GENERAL
        )
        county_name = _area_name(world, county_code)
        world.groups.append(
            MedicalGroup(
                f"MG{county_code}",
                f"{county_name}县域医共体",
                GroupKind.COUNTY_COMMUNITY,
                county_code,
                lead.code,
                (lead.code, *primary),
            )
        )
    world.groups.append(
        MedicalGroup(
            f"MA{world.profile.city}",
            f"{world.profile.name_zh}城市医联体",
            GroupKind.CITY_ALLIANCE,
            world.profile.city,
            city_lead.code,
            tuple(dict.fromkeys(alliance_members)),
        )
    )
