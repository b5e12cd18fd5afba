"""The trace pages and API: the public query without login (HTML and JSON, limits), staff pages scoped
to their institution, the bureau's duplicates, upload through the page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.web.app import create_app
from tests.integration.trace.conftest import CLINIC, HOSPITAL, REGION, chain, code, dispensing
from tests.integration.web_helpers import add_user, api_token, browser_login

pytestmark = pytest.mark.db


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    container.trace.ingest(
        REGION,
        [
            *chain(1),
            *chain(2, CLINIC),
            dispensing(1, HOSPITAL, 10, "P1", "E1"),
            dispensing(2, CLINIC, 10, "P2"),
            dispensing(1, CLINIC, 12, "P3", "E3"),
        ],
    )
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def test_the_public_query_needs_no_login(client: TestClient) -> None:
    page = client.get("/public/trace", params={"code": code(2)})
    assert page.status_code == 200
    assert "阿莫西林胶囊" in page.text and "B2301" in page.text and "2025-01-01" in page.text
    assert "已发药" in page.text and "已多次发药" not in page.text and "P2" not in page.text
    repeated = client.get("/public/trace", params={"code": code(1)})
    assert "已多次发药，请警惕" in repeated.text
    unknown = client.get("/public/trace", params={"code": code(77)})
    assert "TRACE_CODE_NOT_FOUND" in unknown.text and "未查到追溯码" in unknown.text
    answer = client.get(f"/api/public/trace/{code(1)}")
    assert answer.status_code == 200 and answer.json()["dispensed_times"] == 2
    assert "P1" not in json.dumps(answer.json())
    assert client.get(f"/api/public/trace/{code(78)}").status_code == 404
    bad = client.get("/api/public/trace/12345")
    assert bad.status_code == 422, bad.text
    assert "TRACE_BAD_CODE" in bad.text


def test_enumeration_is_refused_with_429(client: TestClient) -> None:
    for n in range(10):
        assert client.get(f"/api/public/trace/{code(200 + n)}").status_code == 404
    assert client.get(f"/api/public/trace/{code(1)}").status_code == 429
    assert client.get("/public/trace", params={"code": code(1)}).status_code == 429


def test_staff_pages_need_a_login_and_show_their_institution(
    container: Container, client: TestClient
) -> None:
    assert client.get("/trace", follow_redirects=False).status_code == 303
    assert client.get("/api/trace/dispensings").status_code == 401
    add_user(container, "clinic", Role.INSTITUTION_STAFF, CLINIC)
    headers = api_token(client, "clinic")
    rows = client.get("/api/trace/dispensings", params={"institution": HOSPITAL}, headers=headers).json()
    assert {r["party"] for r in rows} == {CLINIC} and len(rows) == 2
    receipts = client.get("/api/trace/receipts", headers=headers).json()
    assert [r["code"] for r in receipts] == [code(2)]
    dups = client.get("/api/trace/duplicates", headers=headers).json()
    assert [(d["first"]["institution"], d["repeat"]["encounter_id"]) for d in dups] == [(HOSPITAL, "E3")]
    browser_login(client, "clinic")
    page = client.get("/trace", params={"view": "duplicates"})
    assert page.status_code == 200 and code(1) in page.text


def test_the_bureau_sees_the_region_and_uploads_through_the_page(
    container: Container, client: TestClient
) -> None:
    add_user(container, "bureau", Role.INSURANCE_BUREAU)
    token = browser_login(client, "bureau")
    page = client.get("/trace", params={"view": "dispensings"})
    assert code(1) in page.text and code(2) in page.text
    body = "\n".join(json.dumps(e) for e in [dispensing(2, HOSPITAL, 13, "P9"), *chain(5)]) + "\n"
    posted = client.post(
        "/trace/upload",
        data={"csrf_token": token},
        files={"file": ("events.jsonl", body.encode(), "application/jsonl")},
    )
    assert posted.status_code == 200
    assert "已保存 6 条" in posted.text and "1 个追溯码重复发药" in posted.text
    exported = client.get("/trace/export.xlsx", params={"view": "duplicates"})
    assert exported.status_code == 200
    sheet = load_workbook(BytesIO(exported.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "追溯码" and {r[0] for r in rows[1:]} == {code(1), code(2)}
    template = client.get("/trace/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
