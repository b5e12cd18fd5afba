"""DRG over HTTP: the API for one case or many, and the page with its what-if."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sanyi.bootstrap import Container
from sanyi.drg import api as grouper
from sanyi.identity.api import Role
from sanyi.web.app import create_app
from tests.integration.web_helpers import add_user, api_token, browser_login


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


DIAGNOSES = ["M51.201", "A19.200", "D48.902", "N73.500", "R47.801"]
CASE = {
    "id": "A-1",
    "sex": "2",
    "age": 45,
    "age_days": 16744,
    "weight_g": 0,
    "dept": "1301",
    "los_days": 6,
    "discharge_type": "4",
    "diagnoses": DIAGNOSES,
    "procedures": "77.6902|88.4900|18.0900x002",
}


def test_group_one_case_needs_a_token(client: TestClient, container: Container) -> None:
    body = {"scheme": "zhejiang_2022", "record": CASE}
    assert client.post("/api/drg/group", json=body).status_code == 401
    add_user(container, "coder", Role.INSTITUTION_STAFF, "H33030200001")
    response = client.post("/api/drg/group", json=body, headers=api_token(client, "coder"))
    assert response.status_code == 200, response.text
    found = response.json()
    assert (found["id"], found["status"], found["mdc"], found["adrg"], found["drg"]) == (
        "A-1",
        "SUCCESS",
        "MDCI",
        "IF2",
        "IF23",
    )
    assert found["trail"][0].startswith("进入 MDCI")
    assert found["problem"] is None


def test_group_a_list_with_bad_cases_in_english(client: TestClient, container: Container) -> None:
    add_user(container, "bureau", Role.INSURANCE_BUREAU)
    headers = api_token(client, "bureau")
    records = [
        CASE,
        CASE | {"diagnoses": ["X99.999"]},
        {"id": "empty"},
        *grouper.conformance_cases("haerbin_2022")[:50],
    ]
    response = client.post(
        "/api/drg/group?lang=en", json={"scheme": "haerbin_2022", "records": records}, headers=headers
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert len(found) == 53
    assert found[1]["status"] == "UNKNOWN_DIAGNOSIS_CODE"
    assert found[1]["problem"]["code"] == "UNKNOWN_DIAGNOSIS_CODE"
    assert "X99.999" in found[1]["problem"]["message_en"]
    assert found[1]["problem"]["field"] == "diagnoses"
    assert found[2]["problem"] == {
        "code": "DRG_INVALID_RECORD",
        "message_zh": "病案字段缺失或格式有误：sex, age, diagnoses",
        "message_en": "missing or malformed fields: sex, age, diagnoses",
        "field": "sex, age, diagnoses",
    }
    assert found[0]["trail"][0].startswith("entered MDC")
    for got, row in zip(found[3:], grouper.conformance_cases("haerbin_2022")[:50], strict=True):
        assert (got["status"], got["drg"]) == (row["status"], row["drg"])


def test_bad_requests_have_codes(client: TestClient, container: Container) -> None:
    add_user(container, "bureau2", Role.INSURANCE_BUREAU)
    headers = api_token(client, "bureau2")
    unknown = client.post("/api/drg/group", json={"scheme": "mars", "record": CASE}, headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "KNOWLEDGE_UNKNOWN"
    empty = client.post("/api/drg/group", json={"scheme": "zhejiang_2022"}, headers=headers)
    assert empty.status_code == 422
    assert empty.json()["error"]["code"] == "DRG_INVALID_RECORD"
    schemes = client.get("/api/drg/schemes", headers=headers).json()
    assert [s["name"] for s in schemes] == ["chs_drg_11", "haerbin_2022", "zhejiang_2022"]


def test_the_page_groups_and_answers_what_if(client: TestClient, container: Container) -> None:
    add_user(container, "coder2", Role.INSTITUTION_STAFF, "H33030200001")
    csrf = browser_login(client, "coder2")
    page = client.get("/drg")
    assert page.status_code == 200
    assert "DRG 分组" in page.text
    form = {
        "csrf_token": csrf,
        "scheme": "zhejiang_2022",
        "sex": "2",
        "age": "45",
        "age_days": "16744",
        "weight_g": "0",
        "dept": "1301",
        "los_days": "6",
        "discharge_type": "4",
        "diagnoses": "M51.201\nA19.200\nD48.902\nN73.500\nR47.801",
        "procedures": "77.6902 88.4900 18.0900x002",
    }
    grouped = client.post("/drg/group", data=form, headers={"HX-Request": "true"})
    assert grouped.status_code == 200
    assert "IF23" in grouped.text
    assert "胸椎间盘突出" in grouped.text
    assert 'data-testid="cc-A19.200">CC</td>' in grouped.text
    assert "<html" not in grouped.text  # a fragment for HTMX
    what_if = client.post(
        "/drg/what-if",
        data=form | {"diagnoses": "|".join(DIAGNOSES), "principal_dx": "A19.200"},
    )
    assert "IF23 → SB19" in what_if.text
    pasted = client.post(
        "/drg/group",
        data={
            "csrf_token": csrf,
            "scheme": "haerbin_2022",
            "paste": "x,1,49,18219,0,ICU,41,4,T50.900x005,86.7400x040",
        },
    )
    assert "<html" in pasted.text  # without HTMX, the whole page
    assert "VB1" in pasted.text
    no_token = client.post("/drg/group", data={"scheme": "zhejiang_2022"})
    assert no_token.status_code == 403
