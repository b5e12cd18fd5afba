"""Uploading events: every bad event reported with its code and index, the good ones stored; a code
dispensed twice raised as a supervision finding (once); the public answer and its limits."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from sanyi.bootstrap import Container
from sanyi.infrastructure.audit import audit_log
from sanyi.infrastructure.sheets import template_bytes
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer
from sanyi.supervision.api import supervision_findings
from sanyi.trace.api import EVENTS, EventKind, trace_codes, trace_events, trace_public_queries
from tests.integration.trace.conftest import CLINIC, HOSPITAL, REGION, chain, code, dispensing

pytestmark = pytest.mark.db


def write_jsonl(path: Path, events: list[dict[str, object]], extra_lines: tuple[str, ...] = ()) -> Path:
    lines = [json.dumps(e, ensure_ascii=False) for e in events] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def findings(container: Container) -> list[dict[str, object]]:
    with container.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(supervision_findings))]


def test_bad_events_are_reported_and_the_good_ones_stored(container: Container, tmp_path: Path) -> None:
    events = [
        *chain(1),
        dispensing(1, HOSPITAL, 10, "P1"),  # row 6: good
        {**dispensing(2, HOSPITAL, 10, "P2")},  # row 7: code 2 was never produced
        *chain(3)[:4],  # rows 8-11: in transit to the hospital
        dispensing(3, HOSPITAL, 10, "P3"),  # row 12: not received yet
        {
            "code": code(1),
            "event": "shipped",
            "at": "2023-01-20T00:00:00+00:00",
            "party": HOSPITAL,
            "counterpart": CLINIC,
        },  # row 13: shipping what was dispensed
        {"code": "123", "event": "发药", "at": "2023-01-20", "party": HOSPITAL},  # row 14: bad code
    ]
    path = write_jsonl(tmp_path / "events.jsonl", events, ("not json",))
    result = container.trace.upload(REGION, path)
    assert (result.rows, result.bad_rows, result.stored) == (15, 5, 10)
    assert [(i.row, i.code) for i in result.issues] == [
        (7, "TRACE_NOT_PRODUCED"),
        (12, "TRACE_NOT_RECEIVED"),
        (13, "TRACE_ALREADY_DISPENSED"),
        (14, "TRACE_BAD_CODE"),
        (15, "TRACE_INVALID_JSON"),
    ]
    assert code(3) in result.issues[1].message_zh and "第 12 条" in result.issues[1].message_zh
    with container.engine.connect() as connection:
        states = dict(connection.execute(select(trace_codes.c.code, trace_codes.c.status)).all())
        imports = connection.execute(select(audit_log.c.detail).where(audit_log.c.action == "import")).all()
    assert states == {code(1): "dispensed", code(3): "in_transit"}
    assert imports[0].detail["stored"] == 10


def test_a_second_dispensing_becomes_one_supervision_finding(container: Container, tmp_path: Path) -> None:
    first = [
        *chain(1),
        *chain(2, CLINIC),
        dispensing(1, HOSPITAL, 10, "P1", "E1"),
        dispensing(2, CLINIC, 10, "P7"),
    ]
    assert container.trace.upload(REGION, write_jsonl(tmp_path / "a.jsonl", first)).repeated == set()
    again = [
        dispensing(1, CLINIC, 12, "P2", "E9"),  # the same box scanned again elsewhere
        {
            "code": code(2),
            "event": "cancelled",
            "at": "2023-01-13T00:00:00+00:00",
            "party": CLINIC,
            "reason": "患者退药",
        },
        dispensing(2, CLINIC, 14, "P8"),  # re-dispensed after the cancellation: not a repeat
    ]
    result = container.trace.upload(REGION, write_jsonl(tmp_path / "b.jsonl", again))
    assert result.bad_rows == 0 and result.repeated == {code(1)}
    (finding,) = findings(container)
    assert (finding["claim_id"], finding["rule_id"], finding["institution_id"], finding["person_id"]) == (
        f"{code(1)}#6",
        "TRACE_DUPLICATE_DISPENSE",
        CLINIC,
        "P2",
    )
    evidence = finding["evidence"]
    assert isinstance(evidence, dict)
    assert (evidence["first_institution"], evidence["first_encounter"], evidence["encounter"]) == (
        HOSPITAL,
        "E1",
        "E9",
    )
    assert "温州市第一人民医院" in str(finding["message_zh"])
    # Handing over again adds nothing; the cancelled-then-redispensed code is no duplicate.
    assert container.trace.duplicates_to_supervision(REGION) == (1, 0)
    assert [d.repeat.code for d in container.trace.duplicates(REGION)] == [code(1)]


def test_staff_upload_only_their_institutions_events(container: Container, tmp_path: Path) -> None:
    container.trace.ingest(REGION, chain(1))
    staff = Viewer("nurse", "institution_staff", HOSPITAL, regional=False)
    events = [dispensing(1, HOSPITAL, 10, "P1"), dispensing(1, CLINIC, 11, "P2")]
    result = container.trace.upload(staff, write_jsonl(tmp_path / "e.jsonl", events))
    assert (result.stored, [(i.row, i.code) for i in result.issues]) == (1, [(2, "TRACE_OTHER_PARTY")])
    seen = container.trace.events(staff, [EventKind.DISPENSED], institution=CLINIC)
    assert [(r["party"], r["person_id"]) for r in seen] == [(HOSPITAL, "P1")]
    with container.engine.connect() as connection:
        viewed = connection.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "view")
        ).scalar()
    assert viewed == 1
    with pytest.raises(DomainError) as caught:
        container.trace.duplicates_to_supervision(staff)
    assert caught.value.code == "TRACE_FORBIDDEN"


def test_an_excel_upload_uses_the_template(container: Container, tmp_path: Path) -> None:
    path = tmp_path / "events.xlsx"
    path.write_bytes(template_bytes(EVENTS))
    book = load_workbook(path)
    sheet = book["数据"]
    sheet.delete_rows(2, sheet.max_row)
    keys = {column.header: column.key for column in EVENTS.columns}
    headers = [keys[str(cell.value)] for cell in sheet[1]]
    for event in [*chain(1), dispensing(1, HOSPITAL, 10, "P1"), dispensing(1, HOSPITAL, 9, "P1")]:
        sheet.append([_cell(event, key) for key in headers])
    book.save(path)
    result = container.trace.upload(REGION, path)
    assert (result.stored, [(i.row, i.code) for i in result.issues]) == (6, [(8, "TRACE_TIME_BACKWARDS")])
    with container.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(trace_events)).scalar() == 6


def _cell(event: dict[str, object], key: str) -> object:
    value = event.get(key)
    if key == "at" and isinstance(value, str):
        return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    return value


def test_the_public_answer_shows_the_chain_and_never_the_patient(container: Container) -> None:
    container.trace.ingest(REGION, [*chain(1), dispensing(1, HOSPITAL, 10, "P123", "E55")])
    found = container.trace.public_lookup("10.0.0.1", code(1))
    assert found["product"]["batch"] == "B2301" and found["product"]["expiry_date"] == "2025-01-01"
    assert found["status"] == "dispensed" and found["repeated"] is False
    assert [(e["event"], e["party"]) for e in found["chain"]][-1] == ("dispensed", "温州市第一人民医院")
    assert found["chain"][1]["counterpart"] == "温州医药配送有限公司"
    assert "P123" not in json.dumps(found) and "E55" not in json.dumps(found)
    with pytest.raises(DomainError) as caught:
        container.trace.public_lookup("10.0.0.1", code(9))
    assert caught.value.code == "TRACE_CODE_NOT_FOUND"


def test_guessing_codes_is_throttled_per_client(container: Container) -> None:
    container.trace.ingest(REGION, chain(1))
    for n in range(10):
        with pytest.raises(DomainError):
            container.trace.public_lookup("10.0.0.9", code(100 + n))
    with pytest.raises(DomainError) as caught:
        container.trace.public_lookup("10.0.0.9", code(1))
    assert caught.value.code == "TRACE_QUERY_THROTTLED"
    assert container.trace.public_lookup("10.0.0.10", code(1))["code"] == code(1)
    with container.engine.connect() as connection:
        clients = connection.execute(select(func.count()).select_from(trace_public_queries)).scalar()
    assert clients == 11  # the refused query is not remembered
