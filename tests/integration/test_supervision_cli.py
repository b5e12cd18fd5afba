"""``sanyi supervise`` end to end: a region in the database and in Parquet, and its claims as JSON
Lines, give the same findings; bad records are reported and the good ones checked."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from sanyi.bootstrap import Container
from sanyi.care.api import claim_record, encounters, get_encounter
from sanyi.cli.main import app
from sanyi.infrastructure.tabular import read_rows
from sanyi.registry.api import get_institution, get_resident
from sanyi.synth.api import DatabaseSink, ParquetSink, RegionRequest, generate, synth_irregularities

runner = CliRunner()


def _findings(path: Path) -> list[dict[str, object]]:
    return [json.loads(row) for row in path.read_text(encoding="utf-8").splitlines()]


def test_database_parquet_and_jsonl_give_the_same_findings(container: Container, tmp_path: Path) -> None:
    generate(
        RegionRequest("wenzhou", 600, 2023, 5), [DatabaseSink(container.engine), ParquetSink(tmp_path / "pq")]
    )
    url = container.settings.database_url
    from_db = runner.invoke(
        app, ["supervise", "--db", "--url", url, "-o", str(tmp_path / "db.jsonl"), "--store"]
    )
    assert from_db.exit_code == 0, from_db.output
    from_parquet = runner.invoke(
        app, ["supervise", "--parquet", str(tmp_path / "pq"), "-o", str(tmp_path / "pq.jsonl")]
    )
    assert from_parquet.exit_code == 0, from_parquet.output
    db_findings = _findings(tmp_path / "db.jsonl")
    assert db_findings and db_findings == _findings(tmp_path / "pq.jsonl")
    assert f"stored {len(db_findings):,} new findings" in from_db.output

    with container.uow() as uow:
        ids = list(uow.connection.execute(select(encounters.c.id).order_by(encounters.c.id)).scalars())
        planted = {row.encounter_id for row in uow.connection.execute(select(synth_irregularities))}
        records = []
        for encounter_id in ids:
            encounter = get_encounter(uow.connection, encounter_id)
            assert encounter is not None
            person = get_resident(uow.connection, encounter.person_id)
            institution = get_institution(uow.connection, encounter.institution_code)
            assert person is not None and institution is not None
            records.append(claim_record(encounter, person, institution))
    source = tmp_path / "claims.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    sheet = tmp_path / "findings.xlsx"
    from_file = runner.invoke(
        app, ["supervise", str(source), "-o", str(tmp_path / "file.jsonl"), "--table", str(sheet)]
    )
    assert from_file.exit_code == 0, from_file.output
    assert _findings(tmp_path / "file.jsonl") == db_findings
    assert {f["claim_id"] for f in db_findings if f["rule_id"] == "OVER_PRICE"} <= planted
    header, rows = read_rows(sheet)
    assert list(header)[:3] == ["claim_id", "line_no", "rule_id"] and len(list(rows)) == len(db_findings)


def test_rules_period_and_bad_records(tmp_path: Path) -> None:
    from tests.unit.supervision.test_cli_records import records

    source = tmp_path / "claims.jsonl"
    good, bad_field = records()
    source.write_text(
        json.dumps(good, ensure_ascii=False) + "\n{broken\n" + json.dumps(bad_field) + "\n", encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["supervise", str(source), "-o", str(out), "--rules", "OVER_PRICE"])
    assert result.exit_code == 0, result.output
    (finding,) = _findings(out)
    assert finding == {
        "claim_id": "C1",
        "line_no": 2,
        "rule_id": "OVER_PRICE",
        "result": "violation",
        "evidence": {"code": "001102000050000", "observed": "25", "limit": "20"},
        "message_zh": "001102000050000 单价25元，高于限价20元",
        "message_en": "001102000050000 unit price 25 is above its ceiling 20",
    }
    assert "SUPERVISION_INVALID_JSON" in result.output and "SUPERVISION_MISSING_FIELD" in result.output
    assert "lines[0].quantity" in result.output
    later = runner.invoke(app, ["supervise", str(source), "-o", str(out), "--from", "2023-04-01"])
    assert later.exit_code == 0 and out.read_text(encoding="utf-8") == ""
    unknown = runner.invoke(app, ["supervise", str(source), "-o", str(out), "--rules", "NO_SUCH_RULE"])
    assert unknown.exit_code == 2 and "SUPERVISION_UNKNOWN_RULE" in unknown.output
    none = runner.invoke(app, ["supervise", "-o", str(out)])
    assert none.exit_code == 2 and "SUPERVISION_NO_SOURCE" in none.output
