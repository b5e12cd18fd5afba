"""Indicator pages and public disclosure pages (SQLite and PostgreSQL): who may open what, the small-cell
rule on the public pages, Excel exports that open, Chinese labels, approval through the forms."""

from collections.abc import Iterator
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from sanyi.bootstrap import Container
from sanyi.cli.main import app
from sanyi.drgpay.api import build_base_points, payment_rules
from sanyi.identity.api import Role
from sanyi.indicators.api import DRG_POLICY, Span, ValuesQuery
from sanyi.infrastructure.audit import Actor
from sanyi.registry.api import Viewer, institutions, practitioners, residents
from sanyi.synth.api import DatabaseSink, RegionRequest, generate, generate_finance
from sanyi.web.app import create_app
from sanyi.web.figures import SMALL_CELL, is_small, number
from tests.integration.web_helpers import add_user, browser_login

pytestmark = pytest.mark.db
REGION = Viewer("test", "reform_office", None, regional=True)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    generate(RegionRequest("wenzhou", 300, 2023, 3), [DatabaseSink(container.engine)])
    generate_finance(container.engine, 2023, 3)
    with TestClient(create_app(container), base_url="http://testserver") as test_client:
        yield test_client


def _hospitals(container: Container) -> list[str]:
    with container.uow() as uow:
        rows = uow.connection.execute(
            select(institutions.c.code)
            .where(institutions.c.kind.in_(("general", "tcm", "specialist")))
            .order_by(institutions.c.code)
        )
        return list(rows.scalars())


def _xlsx(body: bytes) -> list[tuple[object, ...]]:
    workbook = load_workbook(BytesIO(body))
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def test_public_pages_open_without_login_are_cacheable_and_show_nothing_personal(
    client: TestClient, container: Container
) -> None:
    hospital = _hospitals(container)[0]
    index = client.get("/public/disclosure?period=2023")
    assert index.status_code == 200 and f"/public/disclosure/hospitals/{hospital}" in index.text
    page = client.get(f"/public/disclosure/hospitals/{hospital}?period=2023")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "public, max-age=600" and "set-cookie" not in page.headers
    text = page.text
    for heading in ("收支情况", "绩效考核", "质量安全", "价格", "医疗收入结构", "医疗服务效率", "医疗费用"):
        assert f"<h2>{heading}</h2>" in text
    assert "国卫办发〔2021〕43号" in text and "2022年2月1日起施行" in text
    assert 'data-testid="dc-figure-YY01"' in text and "分子" in text and "分母" in text
    assert "机构财务报表" in text and "v2016.1" in text  # source and caliber version of YY01
    with container.uow() as uow:
        people = uow.connection.execute(select(residents.c.name).limit(50)).scalars().all()
        doctors = uow.connection.execute(select(practitioners.c.name)).scalars().all()
    region = client.get("/public/disclosure/region?period=2023&indicator=YY02").text
    for name in (*people, *doctors):
        assert name not in text and name not in region
    assert 'data-testid="dc-chart-hospitals"' in region and "dc-rank-counties" in region

    # Anonymous visitors get the public pages only.
    for private in ("/indicators", "/indicators/YY01", "/indicators/approvals", "/indicators/scorecard.xlsx"):
        refused = client.get(private, follow_redirects=False)
        assert refused.status_code in (303, 401), private
    assert client.get("/public/disclosure/hospitals/H00000000000").status_code == 404
    assert client.get("/public/disclosure/region?indicator=FJ04").status_code == 404


def test_small_cells_are_withheld_on_public_pages_only(client: TestClient, container: Container) -> None:
    add_user(container, "pg.office", Role.REFORM_OFFICE)
    span = (Span.parse("2023"),)
    withheld = []
    for hospital in _hospitals(container):
        for value in container.indicators.values(
            REGION, ValuesQuery(("XX02", "DRG04", "YY01"), span, hospital)
        ):
            if is_small(value):
                withheld.append((hospital, value))
    assert withheld, "the synthetic region has hospitals with fewer than five cases somewhere"
    assert all(v.indicator != "YY01" for _, v in withheld)  # amounts of money are never a small cell
    hospital, value = withheld[0]
    page = client.get(f"/public/disclosure/hospitals/{hospital}?period=2023").text
    row = page.split(f'data-testid="dc-figure-{value.indicator}"')[1].split("</tr>")[0]
    assert 'data-testid="dc-suppressed"' in row and "例数不足 5" in row
    assert f"分子 {value.numerator}" not in row and 'data-testid="dc-value">— ' in row
    # Signed-in staff see the figure itself on the scorecard.
    browser_login(client, "pg.office")
    card = client.get(f"/indicators?period=2023&scope={hospital}&by=area&theme={value.indicator[:2]}").text
    assert 'data-testid="dc-suppressed"' not in card and f"ind-row-{value.indicator}" in card


def test_scorecard_and_detail_for_the_bureau_with_legend_excel_and_english(
    client: TestClient, container: Container
) -> None:
    add_user(container, "pg.bureau", Role.INSURANCE_BUREAU)
    browser_login(client, "pg.bureau")
    card = client.get("/indicators?period=2023Q1&scope=330300&by=county")
    assert card.status_code == 200
    assert "指标记分卡" in card.text and 'data-testid="ind-legend-band"' in card.text
    assert 'data-band="#' in card.text and "达标" in card.text and "鹿城区" in card.text
    rows = _xlsx(client.get("/indicators/scorecard.xlsx?period=2023Q1&scope=330300&by=county").content)
    assert rows[0][:3] == ("指标代码 code", "指标 indicator", "对象代码 key")
    yy01 = next(r for r in rows if r[0] == "YY01" and r[2] == "330302")
    assert yy01[7] is not None and yy01[8] is not None  # numerator and denominator exported
    assert abs(float(yy01[5]) - 100 * float(yy01[7]) / float(yy01[8])) < 0.01  # type: ignore[arg-type]

    detail = client.get("/indicators/YY01?period=2023Q1&scope=330300")
    assert detail.status_code == 200
    assert 'data-testid="ind-chart-trend"' in detail.text and "绍政发〔2016〕36号" in detail.text
    assert "年初至今" in detail.text and "income_herbal" in detail.text
    book = load_workbook(BytesIO(client.get("/indicators/YY01.xlsx?period=2023Q1&scope=330300").content))
    assert [s.title.split()[0] for s in book.worksheets] == ["月度趋势", "季度", "年初至今", "排名"]
    assert book.worksheets[2].max_row == 13  # twelve year-to-date spans under the header
    english = client.get("/indicators?period=2023Q1&scope=330300&lang=en").text
    assert "Scorecard" in english and "指标记分卡" not in english
    assert client.get("/indicators/XX99").status_code == 404


def test_institution_staff_see_their_own_institution_only(client: TestClient, container: Container) -> None:
    hospital = _hospitals(container)[0]
    add_user(container, "pg.staff", Role.INSTITUTION_STAFF, hospital)
    browser_login(client, "pg.staff")
    card = client.get("/indicators?period=2023")
    assert card.status_code == 200
    assert card.text.count('data-testid="ind-key"') == 1 and hospital in card.text
    assert client.get("/indicators?period=2023&scope=330300").status_code == 403
    assert client.get("/indicators/approvals").status_code == 403
    rows = _xlsx(client.get("/indicators/scorecard.xlsx?period=2023").content)
    assert {r[2] for r in rows[1:]} == {hospital}


def test_submit_approve_and_download_the_quarterly_report(client: TestClient, container: Container) -> None:
    add_user(container, "pg.health", Role.HEALTH_COMMISSION)
    add_user(container, "pg.office2", Role.REFORM_OFFICE)
    token = browser_login(client, "pg.health")
    page = client.get("/indicators/approvals?quarter=2023Q1")
    assert "2023-04-10" in page.text and 'data-testid="ind-approve"' not in page.text
    sent = client.post(
        "/indicators/approvals",
        data={"area": "330300", "period": "2023Q1", "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    listed = client.get("/indicators/approvals").text
    row = listed.split('data-testid="ind-approval-330300-2023Q1"')[1].split("</tr>")[0]
    assert "已提交" in row and "pg.health" in row
    refused = client.post("/indicators/approvals/330300/2023Q1/approve", data={"csrf_token": token})
    assert refused.status_code == 403

    client.post("/logout", data={"csrf_token": token})
    token = browser_login(client, "pg.office2")
    approved = client.post(
        "/indicators/approvals/330300/2023Q1/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert approved.status_code == 303
    row = client.get("/indicators/approvals").text.split('data-testid="ind-approval-330300-2023Q1"')[1]
    row = row.split("</tr>")[0]
    assert "已审核锁定" in row and "pg.office2 · 20" in row  # who and when
    report = client.get("/indicators/report.xlsx?area=330300&quarter=2023Q1")
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    assert load_workbook(BytesIO(report.content)).worksheets
    again = client.post(
        "/indicators/approvals", data={"area": "330300", "period": "2023Q1", "csrf_token": token}
    )
    assert again.status_code == 409 and "INDICATOR_APPROVAL_STATE" in again.text


def test_public_excel_withholds_small_cells_and_the_price_table_shows_drg_standards(
    client: TestClient, container: Container
) -> None:
    span = (Span.parse("2023"),)
    hospital, small = next(
        (h, v)
        for h in _hospitals(container)
        for v in container.indicators.values(REGION, ValuesQuery(("XX02", "DRG04"), span, h))
        if is_small(v)
    )
    body = client.get(f"/public/disclosure/hospitals/{hospital}.xlsx?period=2023")
    assert body.status_code == 200 and body.headers["cache-control"] == "public, max-age=600"
    rows = _xlsx(body.content)
    assert rows[0][:2] == ("公开类别 heading", "指标代码 code")
    assert {r[0] for r in rows[1:]} >= {"收支情况", "医疗收入结构", "质量安全"}
    withheld = next(r for r in rows if r[1] == small.indicator)
    assert (
        withheld[5] is None and withheld[7] is None and withheld[8] is None and "不予公开" in str(withheld[9])
    )
    yy01 = next(r for r in rows if r[1] == "YY01")
    assert yy01[7] is not None and yy01[8] is not None and yy01[10] and yy01[11] == "机构财务报表"
    ranking = load_workbook(
        BytesIO(client.get("/public/disclosure/region.xlsx?period=2023&indicator=YY01").content)
    )
    assert [s.title for s in ranking.worksheets] == ["按医院 hospitals", "按县 counties"]
    assert ranking.worksheets[1].max_row > 5

    assert (
        'data-testid="dc-no-prices"'
        in client.get(f"/public/disclosure/hospitals/{hospital}?period=2023").text
    )
    loaded = container.drgpay.stays(2023, DRG_POLICY)
    table, _ = build_base_points(loaded.history(), [2023], payment_rules(DRG_POLICY))
    container.drgpay.save_table(Actor("bureau", "insurance_bureau"), table, DRG_POLICY)
    page = client.get(f"/public/disclosure/hospitals/{hospital}?period=2023").text
    prices = page.split('data-testid="dc-prices"')[1].split("</table>")[0]
    lines = table.rows()
    assert lines and all(f"<code>{x['drg']}</code>" in prices for x in lines)
    for line in lines:
        row = prices.split(f"<code>{line['drg']}</code>")[1].split("</tr>")[0]
        assert (line["base_points"] or "—") in row
        if int(line["cases"]) < 5:  # a small group shows neither its count nor its mean cost
            assert line["mean_cost"] not in row and row.count("—") >= 2


def test_appraisal_scorecard_ranking_excel_and_api_for_the_bureau(
    client: TestClient, container: Container
) -> None:
    add_user(container, "pg.ap.bureau", Role.INSURANCE_BUREAU)
    browser_login(client, "pg.ap.bureau")
    page = client.get("/indicators/appraisal?period=2023")
    assert page.status_code == 200
    text = page.text
    assert "<h1>绩效考核</h1>" in text and "国办发〔2019〕4号" in text and 'data-testid="ap-ranking"' in text
    found = container.indicators.appraisals(REGION, Span.parse("2023"))
    assert found and all(f'data-testid="ap-card-{a.key}"' in text for a in found)
    first = found[0]
    row = text.split(f'data-testid="ap-row-{first.key}"')[1].split("</tr>")[0]
    assert f">{first.score}<" in row and (first.grade is None or first.grade.grade in row)
    assert "满意度评价" in text and "53 门诊患者满意度" in text  # the unscored national dimension is named
    assert 'data-testid="ind-appraisal-link"' in text

    book = load_workbook(BytesIO(client.get("/indicators/appraisal.xlsx?period=2023").content))
    assert [s.title for s in book.worksheets] == ["排名 ranking", "指标得分 components", "考核方案 scheme"]
    ranking = list(book.worksheets[0].iter_rows(values_only=True))
    assert ranking[0][0] == "排名 rank" and ranking[1][1] == first.key and ranking[1][0] == first.rank
    components = list(book.worksheets[1].iter_rows(values_only=True))
    yy03 = next(r for r in components[1:] if r[0] == first.key and r[3] == "YY03")
    assert yy03[7] is not None and yy03[8] is not None and yy03[9] is not None and yy03[10] is not None

    api = client.get("/api/indicators/appraisal?period=2023").json()
    assert api["scheme"] == "gov-2019-4-local" and api["appraisals"][0]["key"] == first.key
    assert api["appraisals"][0]["score"] == (None if first.score is None else str(first.score))
    component = api["appraisals"][0]["components"][0]
    assert {"value", "numerator", "denominator", "weight", "points", "step_zh"} <= component.keys()
    scheme = client.get("/api/indicators/appraisal/scheme").json()
    assert sum(int(c["weight"]) for d in scheme["dimensions"] for c in d["components"]) == 100
    english = client.get("/indicators/appraisal?period=2023&lang=en").text
    assert "Performance appraisal" in english


def test_appraisal_for_institution_staff_is_their_own_only(client: TestClient, container: Container) -> None:
    found = container.indicators.appraisals(REGION, Span.parse("2023"))
    hospital = found[-1].key
    add_user(container, "pg.ap.staff", Role.INSTITUTION_STAFF, hospital)
    browser_login(client, "pg.ap.staff")
    text = client.get("/indicators/appraisal?period=2023").text
    assert text.count('data-testid="ap-row-') == 1 and f'data-testid="ap-row-{hospital}"' in text
    assert client.get("/indicators/appraisal?period=2023&scope=330300").status_code == 403
    assert client.get("/api/indicators/appraisal?period=2023&scope=330300").status_code == 403
    rows = list(
        load_workbook(BytesIO(client.get("/indicators/appraisal.xlsx?period=2023").content))
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert [r[1] for r in rows[1:]] == [hospital]
    assert client.get("/indicators/appraisal?period=2023", follow_redirects=False).status_code == 200
    client.cookies.clear()
    assert client.get("/indicators/appraisal", follow_redirects=False).status_code in (303, 401)


def test_disclosure_shows_the_score_under_performance_with_small_cells_unscored(
    client: TestClient, container: Container
) -> None:
    span = Span.parse("2023")
    staff_view = {a.key: a for a in container.indicators.appraisals(REGION, span)}
    public = {}
    for code in staff_view:
        [public[code]] = container.indicators.appraisals(REGION, span, code, withheld=is_small)
    # Somewhere a small cell is scored for staff but left unscored in public.
    differs = [
        code
        for code in staff_view
        if {c.indicator for c in public[code].missing} > {c.indicator for c in staff_view[code].missing}
    ]
    assert differs
    hospital = differs[0]
    page = client.get(f"/public/disclosure/hospitals/{hospital}?period=2023").text
    section = page.split('data-testid="dc-heading-performance"')[1].split("</section>")[0]
    score = public[hospital].score
    assert f'data-testid="dc-appraisal-score">{"—" if score is None else score}<' in section
    assert "绩效考核得分与等级" not in section  # no longer listed as pending
    withheld = next(c for c in public[hospital].missing if c not in staff_view[hospital].missing)
    row = section.split(f'data-testid="ap-component-{withheld.indicator}"')[1].split("</tr>")[0]
    assert "不计分" in row
    book = load_workbook(
        BytesIO(client.get(f"/public/disclosure/hospitals/{hospital}.xlsx?period=2023").content)
    )
    assert "绩效考核 排名 ranking" in [s.title for s in book.worksheets]
    private = next(h for h in _private_hospitals(container))
    other = client.get(f"/public/disclosure/hospitals/{private}?period=2023").text
    assert 'data-testid="dc-appraisal-none"' in other


def _private_hospitals(container: Container) -> list[str]:
    with container.uow() as uow:
        rows = uow.connection.execute(
            select(institutions.c.code)
            .where(
                institutions.c.kind.in_(("general", "tcm", "specialist"))
                & (institutions.c.ownership == "private")
            )
            .order_by(institutions.c.code)
        )
        return list(rows.scalars())


def test_the_quality_efficiency_and_cost_headings_publish_their_new_figures(
    client: TestClient, container: Container
) -> None:
    """床位使用率, 抗菌药物使用强度, 手术并发症 and 自付比例 are figures now, no longer named as pending, and
    医疗服务效率 shows the hospital's 门急诊人次 and 出院人次."""
    settled = CliRunner().invoke(
        app, ["settle-encounters", "--db", container.settings.database_url, "--limit", "400", "--json"]
    )
    assert settled.exit_code == 0, settled.output
    codes = ("YY13", "ZL01", "ZL02", "YB03")
    span = (Span.parse("2023"),)
    # The hospital with the most surgical discharges, so the complication rate is no small cell.
    hospital = max(
        _hospitals(container),
        key=lambda h: (
            container.indicators.values(REGION, ValuesQuery(("ZL02",), span, h))[0].denominator or 0
        ),
    )
    values = {v.indicator: v for v in container.indicators.values(REGION, ValuesQuery(codes, span, hospital))}
    page = client.get(f"/public/disclosure/hospitals/{hospital}?period=2023").text
    sections = {key: page.split(f'data-testid="dc-heading-{key}"')[1].split("</section>")[0] for key in
                ("quality", "efficiency", "costs")}  # fmt: skip
    for code, heading, source in (
        ("ZL01", "quality", "诊疗记录"),
        ("ZL02", "quality", "诊疗记录"),
        ("YY13", "efficiency", "机构登记"),
        ("YB03", "costs", "医保结算"),
    ):
        value = values[code]
        row = sections[heading].split(f'data-testid="dc-figure-{code}"')[1].split("</tr>")[0]
        # A 300-resident region may have no complication at all: a rate of 0 % is still a figure.
        assert value.numerator > 0 or code == "ZL02", code
        assert value.denominator is not None and value.denominator > 0 and value.value is not None, code
        assert f"v{value.caliber_version}" in row and source in row, code
        if not is_small(value):
            assert f"分子 {number(value.numerator)}" in row and f"分母 {number(value.denominator)}" in row, (
                code
            )
            assert f'data-testid="dc-value">{number(value.value)} ' in row, code
    assert "抗菌药物累计DDD数" in sections["quality"] and "实际开放总床日数" in sections["efficiency"]
    # 门急诊人次 and 出院人次 under 医疗服务效率: counts, so the figure is the numerator itself.
    volumes = container.indicators.values(REGION, ValuesQuery(("YY14", "YY15"), span, hospital))
    assert [v.indicator for v in volumes] == ["YY14", "YY15"]
    for value in volumes:
        row = sections["efficiency"].split(f'data-testid="dc-figure-{value.indicator}"')[1].split("</tr>")[0]
        assert value.numerator >= SMALL_CELL and value.denominator is None, value
        assert value.value == value.numerator and "诊疗记录" in row
        assert f'data-testid="dc-value">{number(value.value)} ' in row, row
    # Targets are an area's (卫办医政发〔2011〕56号 ≤ 40 DDDs, through the Zhejiang entry).
    (city,) = container.indicators.values(REGION, ValuesQuery(("ZL01",), span, "330300"))
    assert city.target is not None and city.target.value == 40 and city.target.comparator == "le"
    # Nothing of these three headings is left as "not yet published".
    for key in ("quality", "efficiency", "costs"):
        assert "muted" not in sections[key], key
