"""Synthetic codes on a generated region: chains consistent with the encounters' drug lines, the planted
duplicate dispensings found and raised as supervision findings; the ``sanyi trace`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sanyi.bootstrap import Container
from sanyi.care.api import encounters, fee_lines
from sanyi.cli.main import app
from sanyi.supervision.api import supervision_findings
from sanyi.synth.api import DatabaseSink, RegionRequest, TraceTargets, clear_region, generate, generate_trace
from sanyi.trace.api import trace_codes, trace_events
from tests.conftest import TEST_SECRET
from tests.integration.trace.conftest import REGION, chain, dispensing

pytestmark = pytest.mark.db
runner = CliRunner()


def test_planted_duplicates_are_found_and_raised(container: Container) -> None:
    generate(RegionRequest("wenzhou", 300, 2023, 3), [DatabaseSink(container.engine)])
    made = generate_trace(container.engine, 3, TraceTargets(share=0.05, duplicates=3, cancellations=2))
    assert len(made.duplicated) == 3 and len(made.cancelled) == 2 and made.codes >= 20
    result = container.trace.ingest(REGION, made.events)
    assert result.bad_rows == 0 and result.stored == len(made.events)
    assert result.repeated == set(made.duplicated)
    with container.engine.connect() as connection:
        found = connection.execute(
            select(
                supervision_findings.c.claim_id,
                supervision_findings.c.rule_id,
                supervision_findings.c.evidence,
            )
        ).all()
        dispensed = connection.execute(
            select(
                trace_events.c.encounter_id,
                trace_events.c.line_no,
                encounters.c.institution_code,
                trace_events.c.party,
                trace_events.c.person_id,
                encounters.c.person_id.label("patient"),
                fee_lines.c.category,
            )
            .join(encounters, encounters.c.id == trace_events.c.encounter_id)
            .join(
                fee_lines,
                (fee_lines.c.encounter_id == trace_events.c.encounter_id)
                & (fee_lines.c.line_no == trace_events.c.line_no),
            )
            .where(trace_events.c.kind == "dispensed")
        ).all()
    assert sorted(f.claim_id.split("#")[0] for f in found) == sorted(made.duplicated)
    assert {f.rule_id for f in found} == {"TRACE_DUPLICATE_DISPENSE"}
    assert all(f.evidence["first_encounter"] and f.evidence["encounter"] for f in found)
    # Every dispensing sits on a packaged drug line of its encounter, at its institution, to its patient.
    assert len(dispensed) == made.dispensings + len(made.duplicated)
    assert all(d.institution_code == d.party and d.person_id == d.patient for d in dispensed)
    assert {d.category for d in dispensed} <= {"09", "11"}
    # The same seed gives the same codes.
    again = generate_trace(container.engine, 3, TraceTargets(share=0.05, duplicates=3, cancellations=2))
    assert again.duplicated == made.duplicated
    # Replacing the region clears its codes too.
    clear_region(container.engine)
    with container.engine.connect() as connection:
        assert connection.execute(select(trace_codes)).first() is None


def test_the_trace_commands(container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANYI_ENV", "test")
    monkeypatch.setenv("SANYI_SECRET_KEY", TEST_SECRET)
    url = container.settings.database_url
    path = tmp_path / "events.jsonl"
    events = [
        *chain(1),
        dispensing(1, "330302001", 10, "P1"),
        dispensing(1, "330302002", 11, "P2"),
        dispensing(2, "330302001", 11, "P3"),
    ]
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    uploaded = runner.invoke(
        app, ["trace", "upload", str(path), "--json", "--db", url, "--report", str(report)]
    )
    assert uploaded.exit_code == 1, uploaded.output
    body = json.loads(uploaded.stdout)
    assert (body["stored"], body["bad_rows"], body["issues"][0]["code"]) == (7, 1, "TRACE_NOT_PRODUCED")
    assert "TRACE_NOT_PRODUCED" in report.read_text(encoding="utf-8-sig")
    handed = runner.invoke(app, ["trace", "duplicates-to-supervision", "--json", "--db", url])
    assert json.loads(handed.stdout) == {"repeats": 1, "new_findings": 0}  # raised on upload already
    examples = runner.invoke(app, ["trace", "examples", "--json", "--db", url])
    assert json.loads(examples.stdout)["repeated"] == chain(1)[0]["code"]
    template = tmp_path / "t.xlsx"
    assert runner.invoke(app, ["trace", "template", str(template)]).exit_code == 0
    assert template.read_bytes()[:2] == b"PK"
    scoped = runner.invoke(
        app, ["trace", "upload", str(path), "--institution", "330302001", "--json", "--db", url]
    )
    codes = [i["code"] for i in json.loads(scoped.stdout)["issues"]]
    assert "TRACE_OTHER_PARTY" in codes
