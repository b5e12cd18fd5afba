"""Where people go for care: a multinomial logit over nearby institutions.

Utility of institution k for event e:

    U = ASC[class k] + β_distance·km(e, k) + β_price·(expected out-of-pocket at k)/100
        + β_quality·quality_k + β_severity·severity_e·level_k + Gumbel noise

The out-of-pocket price is the class's expected cost times (1 − the policy's reimbursement ratio), so a
policy that widens the gap between tiers moves patients. The alternative-specific constants (ASC) are
calibrated once, on the baseline policy, so that the shares of primary care and of each hospital tier
match the profile; a scenario then keeps them fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sanyi.knowledge.synth import Profile
from sanyi.synth.world import PRIMARY_CLASS, World

CLASSES = 5  # tiers 0-3 and primary care (4)
LEVEL = np.array([0.1, 0.2, 0.6, 1.0, 0.0])  # how "high" each class is, for the severity preference


@dataclass(frozen=True)
class ChoiceSet:
    """Candidate institutions per county for one kind of event (visits or admissions)."""

    candidates: list[np.ndarray]  # per county: site indices
    site_class: np.ndarray
    site_xy: np.ndarray
    site_quality: np.ndarray
    site_township: np.ndarray  # -1 for hospitals
    small_primary: np.ndarray  # stations, village clinics and clinics: used from their own township only
    out_of_pocket: np.ndarray  # per class, yuan


def visit_choice_set(world: World) -> ChoiceSet:
    return _choice_set(world, admissions=False)


def admission_choice_set(world: World) -> ChoiceSet:
    return _choice_set(world, admissions=True)


def _choice_set(world: World, *, admissions: bool) -> ChoiceSet:
    profile = world.profile
    sites = world.sites
    site_class = np.array([site.choice_class for site in sites])
    county = np.array([site.county for site in sites])
    beds = np.array([site.institution.beds for site in sites])
    kinds = [site.institution.kind.value for site in sites]
    small = np.array([kind in ("community_station", "village_clinic", "clinic") for kind in kinds])
    city_level = site_class == 3
    candidates = []
    for index in range(len(world.county_codes)):
        usable = (county == index) | city_level
        if admissions:
            usable &= beds > 0
        candidates.append(np.flatnonzero(usable))
    if admissions:
        cost = np.array(profile.cost_per_admission.as_tuple())
        ratio = np.array(profile.inpatient_ratio.as_tuple())
    else:
        cost = np.array(profile.cost_per_visit.as_tuple())
        ratio = np.array([profile.outpatient_ratio_other] * 4 + [profile.outpatient_ratio_primary])
    return ChoiceSet(
        candidates=candidates,
        site_class=site_class,
        site_xy=np.array([(site.x, site.y) for site in sites]),
        site_quality=np.array([site.quality for site in sites]),
        site_township=np.array([-1 if site.township is None else site.township for site in sites]),
        small_primary=small,
        out_of_pocket=cost * (1 - ratio),
    )


@dataclass
class Events:
    """Events to place: who, from where, how severe, and whether only hospitals of 二级+ may take them."""

    county: np.ndarray
    township: np.ndarray
    x: np.ndarray
    y: np.ndarray
    severity: np.ndarray
    hospital_only: np.ndarray


def systematic_utility(
    profile: Profile, choice: ChoiceSet, events: Events, county: int, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(candidate site indices, utilities without the constants and the noise) for one county's events."""
    sites = choice.candidates[county]
    parameters = profile.choice
    dx = events.x[rows, None] - choice.site_xy[sites, 0][None, :]
    dy = events.y[rows, None] - choice.site_xy[sites, 1][None, :]
    distance = np.sqrt(dx * dx + dy * dy)
    classes = choice.site_class[sites]
    utility = (
        float(parameters["distance_per_km"]) * distance
        + float(parameters["out_of_pocket_per_100_yuan"]) * choice.out_of_pocket[classes][None, :] / 100
        + float(parameters["quality"]) * choice.site_quality[sites][None, :]
        + float(parameters["severity_tier_bonus"]) * events.severity[rows, None] * LEVEL[classes][None, :]
    )
    # Stations, village clinics and clinics serve their own township; emergencies go to 二级+ hospitals.
    far_small = choice.small_primary[sites][None, :] & (
        choice.site_township[sites][None, :] != events.township[rows, None]
    )
    not_for_emergency = events.hospital_only[rows, None] & ~np.isin(classes, (2, 3))[None, :]
    utility[far_small | not_for_emergency] = -np.inf
    return sites, utility


def choose(
    profile: Profile,
    choice: ChoiceSet,
    events: Events,
    constants: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """The chosen site of each event (index into world.sites)."""
    chosen = np.empty(len(events.county), dtype=np.int64)
    for county in np.unique(events.county).tolist():
        rows = np.flatnonzero(events.county == county)
        sites, utility = systematic_utility(profile, choice, events, county, rows)
        noise = rng.gumbel(size=utility.shape)
        total = utility + constants[choice.site_class[sites]][None, :] + noise
        chosen[rows] = sites[np.argmax(total, axis=1)]
    return chosen


def calibrate_constants(
    profile: Profile,
    choice: ChoiceSet,
    events: Events,
    targets: np.ndarray,
    rng: np.random.Generator,
    iterations: int = 60,
) -> np.ndarray:
    """Constants per class such that, with these events and noise draws, the chosen shares hit the targets.

    Fixed noise draws make the shares a step function of the constants; the classic update
    ASC += ln(target / achieved) converges to within a fraction of a percent.
    """
    constants = np.zeros(CLASSES)
    blocks = []
    for county in np.unique(events.county).tolist():
        rows = np.flatnonzero(events.county == county)
        sites, utility = systematic_utility(profile, choice, events, county, rows)
        blocks.append((choice.site_class[sites], utility + rng.gumbel(size=utility.shape)))
    wanted = targets / targets.sum()
    for _ in range(iterations):
        counts = np.zeros(CLASSES)
        for classes, base in blocks:
            picked = classes[np.argmax(base + constants[classes][None, :], axis=1)]
            counts += np.bincount(picked, minlength=CLASSES)
        achieved = counts / counts.sum()
        mask = wanted > 0
        if np.all(np.abs(achieved[mask] - wanted[mask]) <= 0.002 * np.maximum(wanted[mask], 0.05)):
            break
        constants[mask] += np.log(wanted[mask] / np.maximum(achieved[mask], 1e-6))
        constants[~mask] = -30.0
        constants -= constants[PRIMARY_CLASS] if mask[PRIMARY_CLASS] else constants[mask].mean()
    return constants
