"""DRG payment pages: the region's payment, a hospital's statement and Excel, the evaluation; scope."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.synth.api import DatabaseSink, RegionRequest, generate
from sanyi.web.app import create_app
from tests.integration.web_helpers import add_user, browser_login

pytestmark = pytest.mark.db


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    generate(RegionRequest("wenzhou", 600, 2023, 5), [DatabaseSink(container.engine)])
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def test_bureau_sees_payment_statement_and_evaluation(client: TestClient, container: Container) -> None:
    add_user(container, "bureau", Role.INSURANCE_BUREAU)
    browser_login(client, "bureau")
    page = client.get("/drg/payment?year=2023&min_cases=1")
    assert page.status_code == 200, page.text
    assert "点值 = " in page.text and "试算" in page.text
    assert (
        "浙江省省级及杭州市基本医疗保险住院费用DRGs点数付费暂行办法" in page.text
    )  # parameters cite sources
    assert "<code>prepayment_share</code>" in page.text
    hospitals = re.findall(r'data-testid="statement-link-(H\d+)"', page.text)
    assert hospitals
    statement = client.get(f"/drg/payment/{hospitals[0]}?year=2023&policy=hangzhou-2020&min_cases=1")
    assert statement.status_code == 200
    assert 'data-testid="statement-cases"' in statement.text and "正常病例" in statement.text
    excel = client.get(f"/drg/payment/{hospitals[0]}/excel?year=2023&min_cases=1")
    assert excel.status_code == 200
    book = load_workbook(io.BytesIO(excel.content))
    assert book["结算单"]["A3"].value == "医院 hospital" and book["结算单"]["B3"].value == hospitals[0]
    evaluation = client.get("/drg/evaluation?year=2023&by=department")
    assert evaluation.status_code == 200 and 'data-testid="evaluation-region"' in evaluation.text
    assert client.get("/drg/payment/H99999999999?year=2023&min_cases=1").status_code == 404


def test_staff_see_only_their_own_hospital(client: TestClient, container: Container) -> None:
    add_user(container, "bureau2", Role.INSURANCE_BUREAU)
    browser_login(client, "bureau2")
    page = client.get("/drg/payment?year=2023&min_cases=1")
    mine, other = re.findall(r'data-testid="statement-link-(H\d+)"', page.text)[:2]
    client.cookies.clear()
    add_user(container, "staff", Role.INSTITUTION_STAFF, mine)
    browser_login(client, "staff")
    own = client.get("/drg/payment?year=2023&min_cases=1", follow_redirects=False)
    assert own.status_code == 303 and own.headers["location"].startswith(f"/drg/payment/{mine}")
    assert client.get(f"/drg/payment/{mine}?year=2023&min_cases=1").status_code == 200
    assert client.get(f"/drg/payment/{other}?year=2023&min_cases=1").status_code == 403
    evaluation = client.get("/drg/evaluation?year=2023")
    assert (
        evaluation.status_code == 200
        and other not in evaluation.text.split("evaluation-table")[1].split("tfoot")[0]
    )


def test_review_pages_submit_and_decide(client: TestClient, container: Container) -> None:
    add_user(container, "bureau3", Role.INSURANCE_BUREAU)
    csrf = browser_login(client, "bureau3")
    run = container.drgpay.run(2023, "hangzhou-2020", min_cases=1)
    pending = next(c for c in run.cases if c.pending_review)
    statement = client.get(f"/drg/payment/{pending.hospital}?year=2023&min_cases=1")
    assert f'data-testid="review-form-{pending.stay_id}"' in statement.text
    form = {
        "csrf_token": csrf,
        "stay_id": pending.stay_id,
        "hospital": pending.hospital,
        "year": "2023",
        "policy": "hangzhou-2020",
        "reason": "新技术",
    }
    posted = client.post("/drg/reviews", data=form, follow_redirects=False)
    assert posted.status_code == 303
    listing = client.get("/drg/reviews?year=2023")
    review_id = int(re.findall(r'data-testid="review-(\d+)"', listing.text)[0])
    assert "已提交，待评审" in listing.text
    bad = client.post(
        f"/drg/reviews/{review_id}/decide", data={"csrf_token": csrf, "decision": "approve", "points": "-3"}
    )
    assert bad.status_code == 422 and "DRGPAY_INVALID_POINTS" in bad.text
    done = client.post(
        f"/drg/reviews/{review_id}/decide",
        follow_redirects=False,
        data={"csrf_token": csrf, "decision": "approve", "points": "88.5", "note": "同意"},
    )
    assert done.status_code == 303
    assert "已批准" in client.get("/drg/reviews?year=2023").text
    after = client.get(f"/drg/payment/{pending.hospital}?year=2023&min_cases=1")
    assert "专家评审定 88.5 点" in after.text
    client.cookies.clear()
    add_user(container, "staff3", Role.INSTITUTION_STAFF, "H00000000000")
    other = browser_login(client, "staff3")
    refused = client.post("/drg/reviews", data={**form, "csrf_token": other})
    assert refused.status_code == 403
    assert (
        client.post(
            f"/drg/reviews/{review_id}/decide", data={"csrf_token": other, "decision": "reject"}
        ).status_code
        == 403
    )
