"""Supervision API and pages: the bureau runs the rules and works a case, staff see only their own
institution and appeal, the dashboard has its charts, findings export to Excel, the score card shows
the points."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.synth.api import DatabaseSink, RegionRequest, generate
from sanyi.web.app import create_app
from tests.integration.web_helpers import add_user, api_token, browser_login
from tests.unit.supervision.test_cli_records import records

pytestmark = pytest.mark.db


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    generate(RegionRequest("wenzhou", 300, 2023, 3), [DatabaseSink(container.engine)])
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def test_api_runs_the_rules_and_walks_a_case(client: TestClient, container: Container) -> None:
    add_user(container, "sv.bureau", Role.INSURANCE_BUREAU)
    bureau = api_token(client, "sv.bureau")
    assert len(client.get("/api/supervision/rules", headers=bureau).json()) == 19
    good, _ = records()
    checked = client.post("/api/supervision/check?rules=OVER_PRICE", json=good, headers=bureau)
    assert checked.status_code == 200 and [f["line_no"] for f in checked.json()] == [2]
    ran = client.post("/api/supervision/runs?from=2023-01-01&to=2023-12-31", headers=bureau)
    assert ran.status_code == 200 and ran.json()["new_findings"] > 0
    listed = client.get("/api/supervision/findings?limit=1000", headers=bureau).json()
    assert listed["total"] == ran.json()["new_findings"]
    finding = next(f for f in listed["items"] if f["doctor_id"])
    board = client.get("/api/supervision/dashboard", headers=bureau).json()
    assert sum(x["count"] for x in board["by_rule"]) == listed["total"]

    case_id = client.post(f"/api/supervision/findings/{finding['id']}/case", headers=bureau).json()["case_id"]
    add_user(container, "sv.staff", Role.INSTITUTION_STAFF, finding["institution_id"])
    staff = api_token(client, "sv.staff")
    own = client.get("/api/supervision/findings?limit=1000", headers=staff).json()
    assert {f["institution_id"] for f in own["items"]} == {finding["institution_id"]}
    assert client.post(f"/api/supervision/cases/{case_id}/advance", headers=staff).status_code == 403
    assigned = client.post(
        f"/api/supervision/cases/{case_id}/assign", json={"assignee": "li"}, headers=bureau
    )
    assert assigned.status_code == 200
    for expected in ("复审", "申诉"):
        assert (
            client.post(f"/api/supervision/cases/{case_id}/advance", headers=bureau).json()["stage"]
            == expected
        )
    appeal = client.post(
        f"/api/supervision/cases/{case_id}/appeal", json={"text": "有病历为证"}, headers=staff
    )
    assert appeal.status_code == 200
    for expected in ("调查核实", "处理"):
        assert (
            client.post(f"/api/supervision/cases/{case_id}/advance", headers=bureau).json()["stage"]
            == expected
        )
    bad = client.post(
        f"/api/supervision/cases/{case_id}/decision", json={"deduction": "1.234"}, headers=bureau
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "SUPERVISION_INVALID_OUTCOME"
    decision = {"deduction": "88.50", "severity": "特别严重", "base_points": 12, "responsibility": "主要责任"}
    decided = client.post(f"/api/supervision/cases/{case_id}/decision", json=decision, headers=bureau)
    assert decided.json() == {"points": 12}
    case = client.get(f"/api/supervision/cases/{case_id}", headers=bureau).json()
    assert case["stage"] == "结案" and case["outcome"]["deduction"] == 8850
    score = client.get(f"/api/supervision/practitioners/{finding['doctor_id']}/score", headers=bureau).json()
    assert score["points"] == 12 and score["status"] == "终止"


def test_pages_dashboard_export_and_case(client: TestClient, container: Container) -> None:
    add_user(container, "sv.page", Role.INSURANCE_BUREAU)
    token = browser_login(client, "sv.page")
    empty = client.get("/supervision")
    assert empty.status_code == 200 and 'data-testid="sv-chart-rule"' in empty.text
    ran = client.post(
        "/supervision/run", data={"csrf_token": token, "from": "", "to": ""}, follow_redirects=False
    )
    assert ran.status_code == 303
    page = client.get("/supervision")
    assert "超限价收费" in page.text or "药品限性别" in page.text
    findings = client.get("/supervision/findings")
    assert findings.status_code == 200 and 'data-testid="sv-open-case"' in findings.text
    sheet = client.get("/supervision/findings.xlsx?rule_id=OVER_PRICE")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("id", "claim_id", "line_no", "rule_id") and all(
        r[3] == "OVER_PRICE" for r in rows[1:]
    )
    first_id = int(findings.text.split('data-testid="sv-finding-')[1].split('"')[0])
    opened = client.post(
        f"/supervision/findings/{first_id}/case", data={"csrf_token": token}, follow_redirects=True
    )
    assert opened.status_code == 200 and 'data-testid="sv-stage">初审' in opened.text
    case_url = str(opened.url)
    wrong = client.post(case_url + "/decide", data={"csrf_token": token, "deduction": "1.00"})
    assert wrong.status_code == 422 and "SUPERVISION_WRONG_STAGE" in wrong.text
    upload = client.post(
        case_url + "/comment",
        data={"csrf_token": token, "text": "调取病历"},
        files={"attachment": ("病历.txt", b"record", "text/plain")},
        follow_redirects=True,
    )
    assert "病历.txt" in upload.text
    event_id = int(upload.text.split('data-testid="sv-attachment-')[1].split('"')[0])
    download = client.get(f"{case_url}/attachments/{event_id}")
    assert download.status_code == 200 and download.content == b"record"
    assert "filename*=UTF-8''%E7%97%85%E5%8E%86.txt" in download.headers["content-disposition"]
    assert client.get(f"{case_url}/attachments/{event_id + 1000}").status_code == 404
    assert "初审" in client.get("/supervision/cases").text


def test_settling_by_hand_shows_the_supervision_flags(client: TestClient, container: Container) -> None:
    from tests.integration.test_settlement_pages import FORM

    add_user(container, "sv.clerk", Role.INSURANCE_BUREAU)
    csrf = browser_login(client, "sv.clerk")
    form = {
        **FORM,
        "line3_code": "001102000050000",
        "line3_unit_price": "25.00",
        "line3_price_ceiling": "20.00",
    }
    preview = client.post("/settlement/new", data={**form, "csrf_token": csrf, "action": "dry_run"})
    assert preview.status_code == 200, preview.text
    assert 'data-testid="settlement-supervision"' in preview.text and "OVER_PRICE" in preview.text
