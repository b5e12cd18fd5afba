"""DRG point-method payment of one year of a 1,000,000-resident region (≈ 200,000 stays).

    .venv/bin/python benchmarks/drgpay_year.py [--stays N] [--hospitals H] [--groups G]

Generates, from a fixed seed, three history years and one payment year of grouped stays (groups of
zhejiang_2022 with log-normal costs per group and hospital, per-diem groups, incomplete discharges,
readmissions, chemotherapy repeats), then times each step on one core: base points (1:2:7, trimming),
coefficients, case points with trails, twelve monthly interim settlements and the year-end settlement.
Prints the figures and checks the conservation identity to the cent.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date, timedelta

from sanyi.drgpay.api import HistoryCase, Stay, pay, payment_rules
from sanyi.knowledge.drg import load_scheme


def _groups(count: int) -> list[str]:
    rules = load_scheme("zhejiang_2022").rules
    drgs = sorted({item["drg"] for adrg in rules["adrgs"].values() for item in adrg["drgs"]})
    random.Random(1).shuffle(drgs)
    return [*drgs[:count], "XR11", "TR19"]


def make_year(year: int, stays: int, hospitals: int, groups: list[str], seed: int) -> list[Stay]:
    fixed = random.Random(99)  # the same groups and hospitals every year
    means = {g: fixed.lognormvariate(9.3, 0.7) for g in groups}  # yuan
    factor = {h: fixed.uniform(0.8, 1.25) for h in range(hospitals)}
    rng = random.Random(seed)
    out = []
    last: dict[str, Stay] = {}
    for n in range(stays):
        person = f"P{rng.randrange(stays // 2):07d}"
        if person in last and last[person].drg and rng.random() < 0.05:
            previous = last[person]
            drg, hospital = previous.drg, previous.hospital
            admitted = previous.discharged + timedelta(days=rng.randint(1, 30))
        else:
            drg = rng.choice(groups)
            hospital = f"H{rng.randrange(hospitals):03d}"
            admitted = date(year, 1, 1) + timedelta(days=rng.randrange(350))
        los = max(1, int(rng.lognormvariate(2.0, 0.5)))
        cost = means[drg] * factor[int(hospital[1:])] * rng.lognormvariate(0, 0.45)
        cost_fen = max(100, int(cost * 100))
        stay = Stay(
            id=f"S{year}{n:07d}",
            person_id=person,
            hospital=hospital,
            drg=drg if rng.random() > 0.01 else "",
            group_status="SUCCESS",
            cost_fen=cost_fen,
            self_burden_fen=cost_fen * rng.randint(15, 40) // 100,
            los_days=los,
            discharge_type=rng.choice("1111111111111245"),
            admitted=admitted,
            discharged=min(admitted + timedelta(days=los), date(year, 12, 31)),
            principal_diagnosis="Z51.1" if rng.random() < 0.03 else "I21.0",
        )
        last[person] = stay
        out.append(stay)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stays", type=int, default=200_000)
    parser.add_argument("--hospitals", type=int, default=60)
    parser.add_argument("--groups", type=int, default=600)
    args = parser.parse_args()
    groups = _groups(args.groups)
    rules = payment_rules("hangzhou-2020")
    started = time.perf_counter()
    history = [
        HistoryCase(s.discharged.year, s.hospital, s.drg, s.cost_fen, s.los_days)
        for year, seed in ((2020, 1), (2021, 2), (2022, 3))
        for s in make_year(year, args.stays, args.hospitals, groups, seed)
        if s.drg
    ]
    stays = make_year(2023, args.stays, args.hospitals, groups, 4)
    made = time.perf_counter() - started
    levels = {f"H{h:03d}": ("tertiary", "secondary", "first", None)[h % 4] for h in range(args.hospitals)}
    budget = sum(s.cost_fen - s.self_burden_fen for s in stays) * 95 // 100
    cpu = time.process_time()
    wall = time.perf_counter()
    run = pay(history, [2020, 2021, 2022], stays, levels, rules, year=2023, budget_fen=budget)
    wall = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    due = sum(h.fund_due_fen for h in run.settlement.hospitals.values())
    kinds: dict[str, int] = {}
    for case in run.cases:
        kinds[case.kind] = kinds.get(case.kind, 0) + 1
    halved = sum(1 for case in run.cases if case.readmission_of)
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(
        f"history {len(history):,} cases over 3 years, payment year {len(stays):,} stays, "
        f"{args.hospitals} hospitals, {len(groups)} groups (generated in {made:.1f} s)"
    )
    print(f"weights + coefficients + points + 12 monthly + year-end: {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"case kinds {dict(sorted(kinds.items()))}, readmissions halved {halved:,}")
    print(f"point value {run.settlement.pool.point_value}, issues {len(run.issues):,}")
    print(
        f"Σ fund due {due:,} fen = distributable {run.settlement.pool.distributable_fen:,} fen: "
        f"{due == run.settlement.pool.distributable_fen}"
    )


if __name__ == "__main__":
    main()
