"""Registry and care pages and API for every role: scope, masking, reveal, audit and Excel exports."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from sanyi.care.api import EncounterFilter
from sanyi.identity.api import Role
from sanyi.registry.api import LicenceType, ResidentSearch, get_resident
from sanyi.web.app import create_app
from tests.integration.scoped_region import Region, region, viewer_of
from tests.integration.web_helpers import api_token, browser_login

__all__ = ["region"]
pytestmark = pytest.mark.db
MASKED_ID = re.compile(r"\b\d{6}\*{8}[0-9X]{4}\b")
FULL_ID = re.compile(r"\b\d{17}[0-9X]\b")


@pytest.fixture
def client(region: Region) -> Iterator[TestClient]:
    with TestClient(create_app(region.container), base_url="http://testserver") as test_client:
        yield test_client


@pytest.fixture
def api(region: Region) -> Iterator[TestClient]:
    """A second client without the browser's cookies, for bearer-token calls."""
    with TestClient(create_app(region.container), base_url="http://testserver") as test_client:
        yield test_client


def _workbook_rows(content: bytes) -> list[tuple[object, ...]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


def _actions(region: Region, actor: str) -> list[str]:
    services = region.container
    with services.uow() as uow:
        return [entry.action for entry in services.audit.entries(uow.connection, actor=actor, limit=1000)]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_opens_the_registry_and_care_pages(client: TestClient, region: Region, role: Role) -> None:
    browser_login(client, f"t_{role.value}")
    for path in (
        "/registry",
        "/registry/institutions",
        "/registry/groups",
        "/registry/practitioners",
        "/registry/residents",
        "/care",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert "section.pending" not in response.text
    residents = client.get("/registry/residents").text
    assert MASKED_ID.search(residents) and not FULL_ID.search(residents)
    assert ('data-testid="scope-note"' in residents) == role.institution_scoped


def test_staff_cannot_open_another_institutions_records(
    client: TestClient, api: TestClient, region: Region
) -> None:
    browser_login(client, "t_institution_staff")
    assert client.get(f"/registry/residents/{region.outsider}").status_code == 404
    assert client.get(f"/registry/institutions/{region.centre}").status_code == 404
    page = client.get(f"/registry/residents/{region.patient}")
    assert page.status_code == 200 and MASKED_ID.search(page.text)
    assert 'data-testid="reveal"' not in page.text
    assert "resident.view" in _actions(region, "t_institution_staff")
    listing = client.get("/registry/institutions").text
    assert region.hospital in listing and region.centre not in listing
    other = region.container.care.encounters(
        viewer_of(Role.ADMIN), EncounterFilter(institution=region.centre)
    )
    assert client.get(f"/care/encounters/{other.items[0].id}").status_code == 404
    headers = api_token(api, "t_institution_staff")
    refused = api.get(f"/api/registry/residents/{region.outsider}", headers=headers)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "RECORD_NOT_FOUND"
    reveal = api.post(f"/api/registry/residents/{region.patient}/reveal", headers=headers)
    assert reveal.status_code == 403 and reveal.json()["error"]["code"] == "REVEAL_FORBIDDEN"


def test_the_bureau_reveals_a_person_and_the_reveal_is_audited(
    client: TestClient, api: TestClient, region: Region
) -> None:
    with region.container.uow() as uow:
        person = get_resident(uow.connection, region.patient)
    assert person is not None
    token = browser_login(client, "t_insurance_bureau")
    detail = client.get(f"/registry/residents/{region.patient}").text
    assert person.citizen_id not in detail and 'data-testid="reveal"' in detail
    assert client.post(f"/registry/residents/{region.patient}/reveal").status_code == 403  # no CSRF token
    revealed = client.post(f"/registry/residents/{region.patient}/reveal", data={"csrf_token": token})
    assert revealed.status_code == 200
    assert person.citizen_id in revealed.text and person.name in revealed.text
    assert 'data-testid="revealed"' in revealed.text
    assert revealed.headers["cache-control"] == "no-store"
    assert "resident.reveal" in _actions(region, "t_insurance_bureau")
    headers = api_token(api, "t_insurance_bureau")
    body = api.post(f"/api/registry/residents/{region.patient}/reveal", headers=headers).json()
    assert body["citizen_id"] == person.citizen_id and body["revealed"] is True


def test_the_api_pages_filters_and_describes_itself(api: TestClient, region: Region) -> None:
    client = api
    headers = api_token(client, "t_health_commission")
    first = client.get("/api/registry/institutions", params={"limit": 5}, headers=headers).json()
    assert len(first["items"]) == 5 and first["next_offset"] == 5 and first["total"] > 100
    second = client.get(
        "/api/registry/institutions", params={"limit": 5, "offset": 5}, headers=headers
    ).json()
    assert not {i["code"] for i in first["items"]} & {i["code"] for i in second["items"]}
    tertiary = client.get("/api/registry/institutions", params={"tier": 3}, headers=headers).json()
    assert tertiary["total"] > 0 and {item["tier"] for item in tertiary["items"]} == {3}
    bad = client.get("/api/registry/institutions", params={"kind": "spa"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "REQUEST_INVALID"
    detail = client.get(f"/api/registry/institutions/{region.hospital}", headers=headers).json()
    assert detail["departments"] and detail["volumes"]
    assert sum(v["encounters"] for v in detail["volumes"]) > 0
    groups = client.get("/api/registry/groups", headers=headers).json()
    assert groups and all(g["lead"]["code"] in {m["code"] for m in g["members"]} for g in groups)
    residents = client.get("/api/registry/residents", params={"limit": 3}, headers=headers).json()
    assert all(MASKED_ID.fullmatch(item["citizen_id"]) for item in residents["items"])
    stays = client.get(
        "/api/care/encounters", params={"type": "inpatient", "limit": 2}, headers=headers
    ).json()
    stay = client.get(f"/api/care/encounters/{stays['items'][0]['id']}", headers=headers).json()
    assert Decimal(stay["total_yuan"]) == sum(Decimal(line["amount_yuan"]) for line in stay["lines"])
    assert stay["total_fen"] == sum(line["amount_fen"] for line in stay["lines"])
    assert stay["diagnoses"][0]["name"] and MASKED_ID.fullmatch(stay["person"]["citizen_id"])
    schema = client.get("/api/openapi.json").json()
    for path in (
        "/api/registry/residents",
        "/api/registry/residents/{person_id}",
        "/api/care/encounters/{encounter_id}",
    ):
        assert path in schema["paths"]
    assert "ResidentOut" in schema["components"]["schemas"]


def test_encounter_search_by_date_and_detail_page(client: TestClient, region: Region) -> None:
    browser_login(client, "t_reform_office")
    june = client.get(
        "/care", params={"date_from": "2023-06-01", "date_to": "2023-06-30", "type": "outpatient"}
    )
    assert june.status_code == 200 and "2023-06-" in june.text
    assert "2023-07-" not in june.text.split('data-testid="encounters-table"')[1]
    assert client.get("/care", params={"date_from": "June"}).status_code == 422
    stay = region.container.care.encounters(
        viewer_of(Role.ADMIN), EncounterFilter(institution=region.hospital), limit=1
    ).items[0]
    page = client.get(f"/care/encounters/{stay.id}").text
    assert 'data-testid="fee-lines"' in page and f"{stay.total.yuan:,.2f}" in page
    assert stay.diagnosis_name is not None and stay.diagnosis_name in page
    assert "encounter.view" in _actions(region, "t_reform_office")
    english = client.get(f"/care/encounters/{stay.id}?lang=en").text
    assert "Fee lines" in english


def test_excel_exports_honour_filters_and_scope(client: TestClient, region: Region) -> None:
    browser_login(client, "t_institution_staff")
    response = client.get("/registry/residents.xlsx", params={"key_group": "hypertension"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["cache-control"] == "no-store"
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    rows = _workbook_rows(response.content)
    staff = viewer_of(Role.INSTITUTION_STAFF, region.hospital)
    expected = region.container.registry.residents(staff, _hypertension(), limit=500)
    assert rows[0][:3] == ("人员编号", "身份证号（脱敏）", "姓名（脱敏）")
    assert [row[0] for row in rows[1:]] == [item.person_id for item in expected.items]
    assert all(MASKED_ID.fullmatch(str(row[1])) for row in rows[1:])
    assert "resident.export" in _actions(region, "t_institution_staff")
    institutions = _workbook_rows(client.get("/registry/institutions.xlsx").content)
    assert [row[0] for row in institutions[1:]] == [region.hospital]
    encounters = _workbook_rows(client.get("/care/encounters.xlsx", params={"type": "inpatient"}).content)
    listed = region.container.care.encounters(staff, _inpatient(), limit=500)
    assert len(encounters) - 1 == listed.total
    assert {row[2] for row in encounters[1:]} == {region.hospital}
    groups = _workbook_rows(client.get("/registry/groups.xlsx").content)
    assert len(groups) - 1 == len(region.container.registry.groups(staff)) > 0
    assert all(region.hospital in str(row[7]) or row[4] == region.hospital for row in groups[1:])
    staff_rows = _workbook_rows(
        client.get("/registry/practitioners.xlsx", params={"licence": "doctor"}).content
    )
    doctors = region.container.registry.practitioners(staff, licence=_doctor(), limit=500)
    assert [row[0] for row in staff_rows[1:]] == [p.code for p in doctors.items]
    assert {row[3] for row in staff_rows[1:]} <= {"医师"}
    by_id = {row.id: row.total.yuan for row in listed.items}
    assert all(Decimal(str(row[11])) == by_id[str(row[0])] for row in encounters[1:])


def _hypertension() -> ResidentSearch:
    from sanyi.registry.api import KeyGroup

    return ResidentSearch(key_group=KeyGroup.HYPERTENSION)


def _inpatient() -> EncounterFilter:
    from sanyi.care.api import EncounterType

    return EncounterFilter(type=EncounterType.INPATIENT)


def _doctor() -> LicenceType:
    return LicenceType.DOCTOR
