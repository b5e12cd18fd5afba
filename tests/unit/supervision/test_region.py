"""The planted irregularities of a synthetic region: recall per rule, nothing on clean claims, and the
per-claim face, the set-based face over Arrow and over the Parquet layout all giving the same findings."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from sanyi.supervision.api import (
    Finding,
    check_claim,
    connect_parquet,
    connect_tables,
    load_rules,
    read_claims,
    run_rules,
)
from sanyi.synth.api import ParquetSink, RegionRequest
from tests.unit.synth.conftest import Generated, generate_tables

pytestmark = pytest.mark.slow

# Screening rules the synthetic region does not model: they may flag clean claims (a test repeated at
# another hospital, a second surgery of a group), and are reviewed by people, not paid or refused.
SCREENING_ONLY = {"REPEAT_TEST", "PRIMARY_SECONDARY_SURGERY"}


@pytest.fixture(scope="module", params=[("wenzhou", 3000, 11), ("harbin", 4000, 3)], ids=lambda p: p[0])
def region(request: pytest.FixtureRequest) -> Generated:
    profile, residents, seed = request.param
    return generate_tables(RegionRequest(profile, residents, 2023, seed, chunk_size=1500))


@pytest.fixture(scope="module")
def findings(region: Generated) -> list[Finding]:
    return run_rules(connect_tables(region.tables), load_rules())


def test_recall_per_rule_and_nothing_on_clean_claims(region: Generated, findings: list[Finding]) -> None:
    planted: dict[str, set[tuple[str, int | None]]] = defaultdict(set)
    for row in region.tables["synth_irregularities"].to_pylist():
        planted[row["rule_id"]].add((row["encounter_id"], row["line_no"]))
    found: dict[str, set[tuple[str, int | None]]] = defaultdict(set)
    for f in findings:
        found[f.rule_id].add((f.claim_id, f.line_no))
    assert len(planted) >= 11
    for rule, keys in planted.items():
        recall = len(keys & found[rule]) / len(keys)
        assert recall >= 0.95, f"{rule}: recall {recall:.2%}"
    planted_claims = {claim_id for keys in planted.values() for claim_id, _ in keys}
    on_clean = [f for f in findings if f.claim_id not in planted_claims and f.rule_id not in SCREENING_ONLY]
    assert on_clean == []


def test_per_claim_face_agrees_with_the_set_based_face(region: Generated, findings: list[Finding]) -> None:
    claims = read_claims(connect_tables(region.tables))
    of_person = defaultdict(list)
    for c in claims:
        of_person[c.person_id].append(c)
    rules = load_rules()
    per_claim = [
        f for c in claims for f in check_claim(c, rules, [o for o in of_person[c.person_id] if o is not c])
    ]
    per_claim.sort(key=lambda f: (f.claim_id, -1 if f.line_no is None else f.line_no, f.rule_id))
    assert per_claim == findings


def test_parquet_layout_gives_the_same_findings(
    region: Generated, findings: list[Finding], tmp_path: Path
) -> None:
    sink = ParquetSink(tmp_path)
    sink.start({"profile": "wenzhou"}, {"institutions": region.tables["institutions"]})
    sink.chunk(1, {name: region.tables[name] for name in ("residents", "encounters", "fee_lines")})
    assert run_rules(connect_parquet(tmp_path), load_rules()) == findings
