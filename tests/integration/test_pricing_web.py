"""Pricing on the web (SQLite and PostgreSQL): the hospital's disclosure page shows the three price
lists without login (service prices at its level, most billed first, searchable and paged; drugs with
purchase and sale price; the 按病种收费 list) with source and date, each list downloads as Excel; the
staff page lists and exports schedules and only the bureau imports, every bad row shown; the API."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.infrastructure.tabular import xlsx_bytes
from sanyi.pricing.api import SERVICE_PRICES
from sanyi.registry.api import practitioners, residents
from sanyi.synth.api import DatabaseSink, RegionRequest, generate, generate_pricing, generate_procurement
from sanyi.web.app import create_app
from tests.integration.web_helpers import add_user, api_token, browser_login

pytestmark = pytest.mark.db
HOSPITAL = "H33030200001"  # 三级


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    generate(RegionRequest("wenzhou", 300, 2023, 4), [DatabaseSink(container.engine)])
    generate_procurement(container.engine, 2023, 4)
    generate_pricing(container.engine, 2023, "wenzhou")
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def _sheet(body: bytes) -> list[tuple[object, ...]]:
    return list(load_workbook(BytesIO(body)).worksheets[0].iter_rows(values_only=True))


def test_the_public_page_shows_the_three_price_lists(client: TestClient, container: Container) -> None:
    page = client.get(f"/public/disclosure/hospitals/{HOSPITAL}?period=2023Q4")
    assert page.status_code == 200 and page.headers["cache-control"] == "public, max-age=600"
    text = page.text
    for testid in ("dc-service-prices", "dc-drug-prices", "dc-case-prices", "dc-markup-summary"):
        assert f'data-testid="{testid}"' in text, testid
    assert "本院执行三级医院价格" in text and "挂号费" in text
    assert "合成数据（非真实价格）" in text and "2023-01-01" in text  # source document and date
    assert "全部" in text and "零差率" in text and "dc-markup-flag" not in text
    assert "按病组（DRG）付费基准点数" in text  # the DRG section stays
    assert "尚未纳入指标目录、暂不公开：医疗服务项目价格" not in text  # no longer pending
    assert "第 1 / " in text and 'data-testid="dc-service-next"' in text
    second = client.get(f"/public/disclosure/hospitals/{HOSPITAL}?period=2023Q4&page=2").text
    assert "第 2 / " in second
    found = client.get(
        f"/public/disclosure/hospitals/{HOSPITAL}", params={"period": "2023Q4", "q": "床位"}
    ).text
    assert "普通病房床位费" in found and "挂号费</td>" not in found
    with container.uow() as uow:
        people = uow.connection.execute(select(residents.c.name).limit(50)).scalars().all()
        doctors = uow.connection.execute(select(practitioners.c.name)).scalars().all()
    assert not any(name in text for name in (*people, *doctors))

    english = client.get(f"/public/disclosure/hospitals/{HOSPITAL}?period=2023Q4&lang=en").text
    assert "level 3 prices" in english and "Per-case prices" in english

    services = client.get(f"/public/disclosure/hospitals/{HOSPITAL}/prices/services.xlsx?period=2023Q4")
    assert services.status_code == 200
    rows = _sheet(services.content)
    assert rows[0][0] == "项目编码 code" and len(rows) > 1000  # the whole list, not one page
    drugs = _sheet(
        client.get(f"/public/disclosure/hospitals/{HOSPITAL}/prices/drugs.xlsx?period=2023Q4").content
    )
    assert drugs[0][3] == "采购价（元）purchase price" and all(r[6] == "是" for r in drugs[1:])
    cases = _sheet(
        client.get(f"/public/disclosure/hospitals/{HOSPITAL}/prices/cases.xlsx?period=2023Q4").content
    )
    assert len(cases) == 121 and str(cases[1][9]).startswith("合成数据")
    missing = client.get(f"/public/disclosure/hospitals/{HOSPITAL}/prices/bills.xlsx?period=2023Q4")
    assert missing.status_code == 404
    before = client.get(f"/public/disclosure/hospitals/{HOSPITAL}?period=2022Q4").text
    assert 'data-testid="dc-no-case-prices"' in before  # the list was not in force yet


def test_staff_pages_list_export_and_only_the_bureau_imports(
    client: TestClient, container: Container
) -> None:
    assert client.get("/pricing", follow_redirects=False).status_code in (303, 401)
    add_user(container, "pr.staff", Role.INSTITUTION_STAFF, institution_id=HOSPITAL)
    add_user(container, "pr.bureau", Role.INSURANCE_BUREAU)
    token = browser_login(client, "pr.staff")
    listing = client.get("/pricing?kind=pricing_case_prices&on=2023-06-30").text
    assert 'data-testid="pr-versions"' in listing and "pr-import-form" not in listing
    body = xlsx_bytes({"数据": (SERVICE_PRICES.headers, [])})
    refused = client.post(
        "/pricing/import",
        data={"csrf_token": token, "kind": "pricing_service_prices"},
        files={"file": ("s.xlsx", body, "application/octet-stream")},
    )
    assert refused.status_code == 403
    client.cookies.clear()

    token = browser_login(client, "pr.bureau")
    page = client.get("/pricing?kind=pricing_service_prices&area=330300&on=2023-12-31&q=挂号").text
    assert "pr-import-form" in page and "001101000010000" in page
    exported = client.get("/pricing/pricing_case_prices.xlsx?area=330300")
    assert (
        _sheet(exported.content)[0][:2] == ("定价地区", "疾病诊断编码")
        and len(_sheet(exported.content)) == 121
    )
    good = [
        "330300",
        "ZZ0000000000001",
        "新增项目",
        "次",
        "30.00",
        "",
        "",
        "",
        "2024-01-01",
        "",
        "2024版",
        "文件",
    ]
    bad = ["330300", "ZZ0000000000002", "无价格", "次", "", "", "", "", "2024-01-01", "", "2024版", "文件"]
    upload = xlsx_bytes({"数据": (SERVICE_PRICES.headers, [good, bad])})
    result = client.post(
        "/pricing/import",
        data={"csrf_token": token, "kind": "pricing_service_prices", "on_error": "skip"},
        files={"file": ("s.xlsx", upload, "application/octet-stream")},
    ).text
    assert (
        'data-testid="pr-import-issues"' in result and "PRICING_NO_PRICE" in result and "三级价格" in result
    )
    assert "新增 1 条" in result
    assert "ZZ0000000000001" in client.get("/pricing?kind=pricing_service_prices&on=2024-01-02&q=ZZ").text


def test_the_api_lists_schedules_and_an_institutions_lists(client: TestClient, container: Container) -> None:
    add_user(container, "api.bureau", Role.INSURANCE_BUREAU)
    add_user(container, "api.staff", Role.INSTITUTION_STAFF, institution_id="H33030300001")
    add_user(container, "api.doctor", Role.FAMILY_DOCTOR, institution_id="H33030300001")
    bureau, staff, doctor = (api_token(client, name) for name in ("api.bureau", "api.staff", "api.doctor"))
    versions = client.get(
        "/api/pricing/schedules/pricing_case_prices?area=330300&on=2023-12-31", headers=bureau
    )
    assert versions.status_code == 200 and len(versions.json()) == 120
    first = versions.json()[0]
    assert set(first["prices"]) == {"1", "2", "3"} and first["source"].startswith("合成数据")
    assert client.get("/api/pricing/schedules/pricing_case_prices", headers=doctor).status_code == 403
    unknown = client.get("/api/pricing/schedules/prices", headers=bureau)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "PRICING_UNKNOWN_LIST"
    services = client.get(
        f"/api/pricing/institutions/{HOSPITAL}/services?period=2023&limit=5", headers=bureau
    ).json()
    assert services["total"] > 1000 and len(services["items"]) == 5
    drugs = client.get(f"/api/pricing/institutions/{HOSPITAL}/drugs?period=2023Q4", headers=bureau).json()
    assert drugs and not any(d["marked_up"] for d in drugs)
    # Institution staff see their own institution's drugs only.
    assert (
        client.get(f"/api/pricing/institutions/{HOSPITAL}/drugs?period=2023Q4", headers=staff).status_code
        == 404
    )
    cases = client.get(f"/api/pricing/institutions/{HOSPITAL}/cases?period=2023", headers=staff).json()
    assert len(cases) == 120 and all(c["price"] == c["prices"]["3"] for c in cases)
    bad = client.get(f"/api/pricing/institutions/{HOSPITAL}/cases?period=2023-13", headers=staff)
    assert bad.status_code == 422 and bad.json()["error"]["path"] == "period"
    upload = xlsx_bytes(
        {
            "数据": (
                SERVICE_PRICES.headers,
                [["330300", "ZZ0000000000009", "x", "次", "", "", "", "", "2024-01-01", "", "v", "d"]],
            )
        }
    )
    files = {"file": ("s.xlsx", upload, "application/octet-stream")}
    assert (
        client.post(
            "/api/pricing/schedules/pricing_service_prices/import", files=files, headers=staff
        ).status_code
        == 403
    )
    rejected = client.post(
        "/api/pricing/schedules/pricing_service_prices/import", files=files, headers=bureau
    ).json()
    assert rejected["committed"] is False and rejected["issues"][0]["code"] == "PRICING_NO_PRICE"
    assert rejected["issues"][0]["row"] == 2
