"""Putting a synthetic region together: world, residents, calibration, then chunks of a year of care.

Calibration runs once, on the first chunk's own events and random draws: the logit constants so the
tier mix hits the profile, then the service price levels so the cost per visit and per admission of
each class hits it. Every chunk then uses the same constants, so the shares are the profile's and a
policy scenario that keeps the constants moves patients. With fewer residents than one chunk the
calibration sample is the whole region.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from sanyi.kernel.errors import DomainError
from sanyi.knowledge.synth import Profile, load_profile
from sanyi.synth import billing, records
from sanyi.synth.billing import INPATIENT, PHARMACY, Tariffs
from sanyi.synth.choice import (
    CLASSES,
    ChoiceSet,
    admission_choice_set,
    calibrate_constants,
    visit_choice_set,
)
from sanyi.synth.clinical import visit_reasons
from sanyi.synth.errors import SYNTH_INVALID_REQUEST
from sanyi.synth.irregularities import plant
from sanyi.synth.names import person_names
from sanyi.synth.population import Population, build_population
from sanyi.synth.staffing import build_staff
from sanyi.synth.utilisation import Scales
from sanyi.synth.world import PRIMARY_CLASS, World, build_world
from sanyi.synth.year import (
    Calibration,
    ChunkEncounters,
    Streams,
    _chronic_codes,
    bill,
    chunk_encounters,
    plan_stays,
    plan_visits,
)

DEFAULT_CHUNK = 25_000


@dataclass(frozen=True)
class RegionRequest:
    profile: str
    residents: int
    year: int
    seed: int
    chunk_size: int = DEFAULT_CHUNK


class SyntheticRegion:
    def __init__(self, request: RegionRequest) -> None:
        if request.residents < 100:
            raise DomainError(
                SYNTH_INVALID_REQUEST,
                path="residents",
                reason_zh="居民数至少为 100",
                reason_en="at least 100 residents are needed",
            )
        if not 2000 <= request.year <= 2100:
            raise DomainError(
                SYNTH_INVALID_REQUEST,
                path="year",
                reason_zh="年份须在 2000-2100 之间",
                reason_en="the year must be between 2000 and 2100",
            )
        self.request = request
        self.profile: Profile = load_profile(request.profile)
        seed = request.seed
        self.world: World = build_world(self.profile, request.residents, Streams(seed, -1)("world"))
        self.population: Population = build_population(
            self.world, request.year, Streams(seed, -1)("population")
        )
        self.visit_set: ChoiceSet = visit_choice_set(self.world)
        self.admission_set: ChoiceSet = admission_choice_set(self.world)
        self.calibration, expected_visits, expected_bed_days = self._calibrate()
        self.practitioners, self.doctors_of_site = build_staff(
            self.world, expected_visits, expected_bed_days, Streams(seed, -1)("staff")
        )

    # -- sizes ----------------------------------------------------------------------------------
    @property
    def chunk_count(self) -> int:
        return -(-self.request.residents // self.request.chunk_size)

    def rows(self, chunk: int) -> np.ndarray:
        size = self.request.chunk_size
        return np.arange(chunk * size, min((chunk + 1) * size, self.request.residents))

    # -- calibration ----------------------------------------------------------------------------
    def _targets(self) -> tuple[np.ndarray, np.ndarray]:
        p = self.profile
        visits = np.zeros(CLASSES)
        admissions = np.zeros(CLASSES)
        hospital_visits = np.array(p.hospital_visit_tier_mix.as_tuple()[:4])
        hospital_stays = np.array(p.hospital_admission_tier_mix.as_tuple()[:4])
        visits[:4] = (1 - p.primary_share_of_visits) * hospital_visits / hospital_visits.sum()
        visits[PRIMARY_CLASS] = p.primary_share_of_visits
        admissions[:4] = (1 - p.primary_share_of_admissions) * hospital_stays / hospital_stays.sum()
        admissions[PRIMARY_CLASS] = p.primary_share_of_admissions
        return visits, admissions

    def _calibrate(self) -> tuple[Calibration, np.ndarray, np.ndarray]:
        profile, seed = self.profile, self.request.seed
        scales = Scales.of(profile, self.population)
        rows = self.rows(0)
        streams = Streams(seed, 0)
        chronic = _chronic_codes(self.population, rows, visit_reasons().chronic)
        visit_plan = plan_visits(self.world, self.population, rows, scales, chronic, streams("visits"))
        stay_plan = plan_stays(self.world, self.population, rows, scales, streams("stays"))
        visit_targets, admission_targets = self._targets()
        visit_constants = calibrate_constants(
            profile, self.visit_set, visit_plan.events, visit_targets, streams("visit-choice")
        )
        admission_constants = calibrate_constants(
            profile, self.admission_set, stay_plan.events, admission_targets, streams("stay-choice")
        )
        drug_share = np.empty((4, CLASSES))
        drug_share[:2, :] = profile.drug_share_outpatient
        drug_share[:2, PRIMARY_CLASS] = profile.drug_share_primary_outpatient
        drug_share[INPATIENT, :] = profile.drug_share_inpatient
        drug_share[PHARMACY, :] = 1.0
        neutral = Calibration(
            scales, visit_constants, admission_constants, Tariffs(np.ones((4, CLASSES)), drug_share)
        )
        encounters, _ = chunk_encounters(
            self.world, self.population, rows, neutral, self.visit_set, self.admission_set, streams
        )
        batch, lines = bill(
            encounters, self.world, self.population, rows, neutral.tariffs, streams("billing")
        )
        factor = self._service_factors(batch, lines, drug_share)
        calibration = Calibration(scales, visit_constants, admission_constants, Tariffs(factor, drug_share))
        # Expected workload of each institution for the whole region, from the calibration chunk.
        scale = self.request.residents / len(rows)
        sites = len(self.world.sites)
        not_pharmacy = encounters.kind != PHARMACY
        expected_visits = (
            np.bincount(encounters.site[not_pharmacy & (encounters.kind != INPATIENT)], minlength=sites)
            * scale
        )
        stays = encounters.kind == INPATIENT
        expected_bed_days = (
            np.bincount(encounters.site[stays], weights=encounters.stay_days[stays], minlength=sites) * scale
        )
        return calibration, expected_visits, expected_bed_days

    def _service_factors(
        self, batch: billing.EncounterBatch, lines: billing.LineBatch, drug_share: np.ndarray
    ) -> np.ndarray:
        """Price level per (kind, class) so that services / (1 − drug share) average the profile's cost."""
        table = billing.billables()
        services = ~table.is_drug[lines.billable]
        amount = np.bincount(
            lines.encounter[services], weights=lines.amount_fen[services], minlength=len(batch)
        )
        factor = np.ones((4, CLASSES))
        cost = {
            0: self.profile.cost_per_visit,
            1: self.profile.cost_per_visit,
            INPATIENT: self.profile.cost_per_admission,
        }
        for kind, targets in cost.items():
            target = np.array(targets.as_tuple()) * 100  # fen
            for klass in range(CLASSES):
                chosen = (batch.kind == kind) & (batch.site_class == klass)
                if chosen.sum() == 0 or amount[chosen].mean() == 0:
                    continue
                factor[kind, klass] = target[klass] * (1 - drug_share[kind, klass]) / amount[chosen].mean()
        return factor

    # -- output ---------------------------------------------------------------------------------
    def static_tables(self) -> dict[str, pa.Table]:
        institutions = [site.institution for site in self.world.sites + self.world.pharmacies]
        groups, members = records.groups_tables(self.world.groups)
        people, sites = records.practitioner_tables(self.practitioners)
        return {
            "areas": records.areas_table(self.world),
            "institutions": records.institutions_table(institutions),
            "institution_departments": records.institution_departments_table(institutions),
            "medical_groups": groups,
            "medical_group_members": members,
            "practitioners": people,
            "practice_sites": sites,
        }

    def chunk_tables(self, chunk: int) -> dict[str, pa.Table]:
        """Residents, encounters, fee lines and planted irregularities of one chunk."""
        rows = self.rows(chunk)
        streams = Streams(self.request.seed, chunk)
        encounters, death_day = chunk_encounters(
            self.world, self.population, rows, self.calibration, self.visit_set, self.admission_set, streams
        )
        batch, lines = bill(
            encounters, self.world, self.population, rows, self.calibration.tariffs, streams("billing")
        )
        encounters, batch, lines, truth = plant(
            self, rows, encounters, batch, lines, death_day, streams("plant")
        )
        return self._tables(chunk, rows, encounters, lines, death_day, truth, streams("records"))

    def iter_chunks(self) -> Iterator[dict[str, pa.Table]]:
        for chunk in range(self.chunk_count):
            yield self.chunk_tables(chunk)

    def _tables(
        self,
        chunk: int,
        rows: np.ndarray,
        encounters: ChunkEncounters,
        lines: billing.LineBatch,
        death_day: np.ndarray,
        truth: list[tuple[int, int, str, str]],
        rng: np.random.Generator,
    ) -> dict[str, pa.Table]:
        count = len(encounters.kind)
        ids = np.array([f"E{chunk:05d}{i:07d}" for i in range(count)], dtype=object)
        is_pharmacy = encounters.kind == PHARMACY
        institution = np.array(
            [
                (self.world.pharmacies[s] if k == PHARMACY else self.world.sites[s]).institution.code
                for k, s in zip(encounters.kind.tolist(), encounters.site.tolist(), strict=True)
            ],
            dtype=object,
        )
        doctor = np.full(count, "", dtype=object)
        for index in np.flatnonzero(~is_pharmacy).tolist():
            options = self.doctors_of_site[encounters.site[index]]
            doctor[index] = options[int(rng.integers(0, len(options)))]
        stay = encounters.kind == INPATIENT
        start_day = encounters.start - (encounters.start + billing.SHANGHAI_OFFSET) % billing.SECONDS_PER_DAY
        end = np.where(
            stay,
            start_day + encounters.stay_days * billing.SECONDS_PER_DAY + 10 * 3600,
            encounters.start + np.where(is_pharmacy, 300, 1800 + rng.integers(0, 3600, count)),
        )
        diagnoses = [
            "|".join((p, *rest)) if p else ""
            for p, rest in zip(encounters.principal.tolist(), encounters.secondary, strict=True)
        ]
        procedures = ["|".join(codes) for codes in encounters.procedures]
        order = np.lexsort((lines.time, lines.encounter))
        sorted_lines = billing.LineBatch(
            *(
                getattr(lines, f)[order]
                for f in (
                    "encounter",
                    "billable",
                    "quantity",
                    "price_x4",
                    "time",
                    "days_supply",
                    "ceiling_x4",
                )
            )
        )
        first = np.r_[0, np.flatnonzero(np.diff(sorted_lines.encounter)) + 1]
        counts = np.diff(np.r_[first, len(order)])
        line_no = np.arange(len(order)) - np.repeat(first, counts) + 1
        position_of = np.empty(len(order), np.int64)
        position_of[order] = np.arange(len(order))
        truth_rows = [
            (ids[encounter], int(line_no[position_of[line]]) if line >= 0 else None, rule, detail)
            for encounter, line, rule, detail in truth
        ]
        person_global = rows[encounters.person]
        names = person_names(rng, len(rows))
        return {
            "residents": records.residents_table(self.world, self.population, rows, names, death_day, rng),
            "encounters": records.encounters_table(
                ids,
                institution,
                records.person_ids(person_global),
                encounters.kind,
                encounters.start,
                np.where(is_pharmacy, -1, end) if False else end,
                encounters.department,
                doctor,
                diagnoses,
                procedures,
                encounters.discharge_type,
                np.full(count, "", dtype=object),
            ),
            "fee_lines": records.fee_lines_table(ids, sorted_lines, doctor, line_no),
            "synth_irregularities": pa.table(
                {
                    "encounter_id": [t[0] for t in truth_rows],
                    "line_no": pa.array([t[1] for t in truth_rows], pa.int16()),
                    "rule_id": [t[2] for t in truth_rows],
                    "detail": [t[3] for t in truth_rows],
                }
            ),
        }


def run_metadata(region: SyntheticRegion) -> dict[str, object]:
    request = region.request
    return {
        "profile": request.profile,
        "residents": request.residents,
        "year": request.year,
        "seed": request.seed,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "visit_constants": region.calibration.visit_constants.round(6).tolist(),
        "admission_constants": region.calibration.admission_constants.round(6).tolist(),
        "service_factors": region.calibration.tariffs.service_factor.round(6).tolist(),
    }
