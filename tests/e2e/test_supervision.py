"""Supervision in Chromium: run the rules, open a case for a finding and walk it 初审 → 复审 → 申诉
(the hospital appeals) → 调查核实 → 处理, then see the doctor's points on the score card."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from sanyi.identity.api import Role
from sanyi.supervision.api import supervision_cases, supervision_findings
from tests.e2e.conftest import LiveServer, screenshot
from tests.e2e.test_registry import PASSWORD, _prepare

pytestmark = pytest.mark.e2e


def _log_in(page: Page, server: LiveServer, username: str, target: str) -> None:
    page.goto(server.url + target)
    page.get_by_test_id("username").fill(username)
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(server.url + target)


def test_walk_a_finding_to_a_decision_and_the_doctors_points(page: Page, live_server: LiveServer) -> None:
    _prepare(live_server, "e2e.sv.bureau", Role.INSURANCE_BUREAU)
    _log_in(page, live_server, "e2e.sv.bureau", "/supervision")
    page.get_by_test_id("sv-run").click()
    expect(page.get_by_test_id("sv-total")).not_to_have_text("0")
    expect(page.get_by_test_id("sv-chart-rule").locator("canvas")).to_be_visible()
    screenshot(page, "supervision-dashboard-zh")

    with live_server.container.engine.connect() as connection:
        f = supervision_findings
        finding = connection.execute(
            select(f)
            .outerjoin(supervision_cases, supervision_cases.c.finding_id == f.c.id)
            .where(f.c.doctor_id.is_not(None), f.c.line_no.is_not(None), supervision_cases.c.id.is_(None))
            .order_by(f.c.id)
        ).first()
    assert finding is not None
    page.goto(f"{live_server.url}/supervision/findings?doctor_id={finding.doctor_id}")
    page.get_by_test_id(f"sv-finding-{finding.id}").get_by_test_id("sv-open-case").click()
    expect(page.get_by_test_id("sv-stage")).to_have_text("初审")
    case_url = page.url

    page.get_by_test_id("sv-assignee-input").fill("审核员甲")
    page.get_by_test_id("sv-assign").click()
    expect(page.get_by_test_id("sv-assignee")).to_have_text("审核员甲")
    page.get_by_test_id("sv-comment-text").fill("调取病历核对")
    page.get_by_test_id("sv-attachment").set_input_files(
        {"name": "病历.txt", "mimeType": "text/plain", "buffer": "入院记录".encode()}
    )
    page.get_by_test_id("sv-comment").click()
    expect(page.get_by_test_id("sv-events")).to_contain_text("病历.txt")
    page.get_by_test_id("sv-advance").click()
    expect(page.get_by_test_id("sv-stage")).to_have_text("复审")
    page.get_by_test_id("sv-advance-note").fill("通知机构申诉")
    page.get_by_test_id("sv-advance").click()
    expect(page.get_by_test_id("sv-stage")).to_have_text("申诉")

    # The hospital appeals from its own session.
    if live_server.container.identity.find_user("e2e.sv.hospital") is None:
        from sanyi.infrastructure.audit import Actor

        live_server.container.identity.create_user(
            Actor.system("e2e"), "e2e.sv.hospital", PASSWORD, Role.INSTITUTION_STAFF,
            institution_id=finding.institution_id,
        )  # fmt: skip
    browser = page.context.browser
    assert browser is not None
    hospital_context = browser.new_context(locale="zh-CN")
    hospital = hospital_context.new_page()
    _log_in(hospital, live_server, "e2e.sv.hospital", case_url.removeprefix(live_server.url))
    expect(hospital.get_by_test_id("sv-advance")).to_have_count(0)
    hospital.get_by_test_id("sv-appeal-text").fill("患者为门诊转入，用药有医嘱依据")
    hospital.get_by_test_id("sv-appeal").click()
    expect(hospital.get_by_test_id("sv-events")).to_contain_text("申诉")
    hospital_context.close()

    page.reload()
    expect(page.get_by_test_id("sv-events")).to_contain_text("患者为门诊转入")
    page.get_by_test_id("sv-advance").click()
    expect(page.get_by_test_id("sv-stage")).to_have_text("调查核实")
    page.get_by_test_id("sv-advance").click()
    expect(page.get_by_test_id("sv-stage")).to_have_text("处理")
    page.get_by_test_id("sv-severity").select_option("较重")
    page.get_by_test_id("sv-base-points").fill("5")
    page.get_by_test_id("sv-responsibility").select_option("主要责任")
    page.get_by_test_id("sv-decide-note").fill("追回违规金额")
    page.get_by_test_id("sv-decide").click()
    expect(page.get_by_test_id("sv-stage")).to_have_text("结案")
    expect(page.get_by_test_id("sv-outcome")).to_contain_text("记分 5")
    screenshot(page, "supervision-case-zh")

    page.get_by_test_id("sv-doctor-link").click()
    expect(page.get_by_test_id("sv-points")).to_have_text("5")
    expect(page.get_by_test_id("sv-standing")).to_have_text("正常")
    expect(page.get_by_test_id("sv-history")).to_contain_text("较重")
    expect(page.get_by_test_id("sv-gauge").locator("canvas")).to_be_visible()
    screenshot(page, "supervision-score-card-zh")
