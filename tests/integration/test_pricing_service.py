"""Pricing on a synthetic region, on SQLite and PostgreSQL: the synthetic schedules follow what the
encounters bill (≥ 100 diseases priced per case), ZF01 counts the list in force at the period's end
and sums up the area tree (an area without a list keeps its reported count), drugs sold above their
purchase price are flagged, staff see their own institution, and a schedule import reports every
bad row with its row and column, keeps the good ones under skip and writes nothing under reject."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
from sqlalchemy import func, select, update

from sanyi.bootstrap import Container
from sanyi.care.api import encounters, fee_lines
from sanyi.indicators.api import Span, ValuesQuery
from sanyi.infrastructure.audit import Actor, audit_log
from sanyi.infrastructure.importer import OnError
from sanyi.infrastructure.tabular import write_rows
from sanyi.kernel.errors import DomainError
from sanyi.kernel.money import Money
from sanyi.pricing.api import (
    CASE_PRICES,
    SERVICE_PRICES,
    CasePrice,
    pricing_case_prices,
    pricing_service_prices,
)
from sanyi.registry.api import Viewer, institutions
from sanyi.synth.api import DatabaseSink, RegionRequest, generate, generate_pricing, generate_procurement

pytestmark = pytest.mark.db
BUREAU = Viewer("bureau", "insurance_bureau", None, regional=True)
ACTOR = Actor("bureau", "insurance_bureau")
HOSPITAL = "H33030200001"  # 三级, area 330302 of the Wenzhou profile


@pytest.fixture
def region(container: Container) -> Container:
    generate(RegionRequest("wenzhou", 300, 2023, 4), [DatabaseSink(container.engine)])
    generate_procurement(container.engine, 2023, 4)
    summary = generate_pricing(container.engine, 2023, "wenzhou")
    assert summary.areas == ("330300",) and summary.diseases == 120
    return container


def _zf01(
    container: Container, period: str, scope: str | None = None, by: Literal["area", "county"] = "area"
) -> dict[str, Decimal]:
    values = container.indicators.values(BUREAU, ValuesQuery(("ZF01",), (Span.parse(period),), scope, by))
    return {v.key: v.numerator for v in values}


def test_synthetic_schedules_follow_the_encounters(region: Container) -> None:
    service = region.pricing
    cases = [c for c in service.versions("pricing_case_prices") if isinstance(c, CasePrice)]
    assert len(cases) >= 100
    assert len({c.key for c in cases}) == len(cases)
    assert all(
        c.source.startswith("合成数据") and c.validity.effective_from == date(2023, 1, 1) for c in cases
    )
    # Fees are whole yuan at every level.
    assert all(fee.fen % 100 == 0 and fee.fen > 0 for c in cases for fee in c.fees.values())
    assert sum(1 for c in cases if c.operation_code) >= 1  # surgical diseases carry their operation

    # A service item's price at 三级 is the unit price 三级 hospitals billed most for it.
    e, line, i = encounters.c, fee_lines.c, institutions.c
    with region.uow() as uow:
        billed = uow.connection.execute(
            select(line.unit_price, func.count())
            .select_from(
                fee_lines.join(encounters, e.id == line.encounter_id).join(
                    institutions, i.code == e.institution_code
                )
            )
            .where((line.code == "001101000010000") & (i.tier == 3))
            .group_by(line.unit_price)
        ).all()
    counts = Counter({Decimal(price): n for price, n in billed})
    most = min(counts, key=lambda p: (-counts[p], p))
    [registration] = service.versions(
        "pricing_service_prices", "330300", date(2023, 12, 31), "001101000010000"
    )
    assert registration.price_at(3) == Money.of(most)

    # The hospital's lists: prices at its level, the most billed first, searchable and paged.
    page = service.service_prices(HOSPITAL, date(2023, 12, 31), date(2023, 1, 1), limit=20)
    assert page.total > 1000 and len(page.rows) == 20
    assert [r.billed for r in page.rows] == sorted((r.billed for r in page.rows), reverse=True)
    assert all(r.price == r.item.price_at(3) for r in page.rows)
    found = service.service_prices(HOSPITAL, date(2023, 12, 31), date(2023, 1, 1), query="挂号")
    assert found.total >= 1 and all("挂号" in r.item.name for r in found.rows)
    assert len(service.case_prices(HOSPITAL, date(2023, 12, 31))) == len(cases)
    assert service.case_prices(HOSPITAL, date(2022, 12, 31)) == []


def test_zero_mark_up_holds_and_a_mark_up_is_flagged(region: Container) -> None:
    service = region.pricing
    drugs = service.drug_prices(BUREAU, HOSPITAL, date(2023, 1, 1), date(2023, 12, 31))
    assert drugs and not any(d.marked_up for d in drugs)  # the synthetic year sells at purchase price
    assert all(d.purchase_price is not None for d in drugs)
    assert {d.purchase_basis for d in drugs} <= {"invoice", "platform"} and "invoice" in {
        d.purchase_basis for d in drugs
    }
    target = drugs[0]
    e, line = encounters.c, fee_lines.c
    marked = (target.purchase_price or Decimal(0)) + Decimal("0.10")
    with region.engine.begin() as connection:
        ids = select(e.id).where(e.institution_code == HOSPITAL).scalar_subquery()
        connection.execute(
            update(fee_lines)
            .where((line.code == target.code) & line.encounter_id.in_(ids))
            .values(unit_price=marked)
        )
    again = service.drug_prices(BUREAU, HOSPITAL, date(2023, 1, 1), date(2023, 12, 31))
    assert again[0].code == target.code and again[0].marked_up and again[0].markup == Decimal("0.10")
    assert sum(d.marked_up for d in again) == 1
    other = Viewer("nurse", "institution_staff", "H33030300001", regional=False)
    with pytest.raises(DomainError) as refused:
        service.drug_prices(other, HOSPITAL, date(2023, 1, 1), date(2023, 12, 31))
    assert refused.value.code == "PRICING_NOT_FOUND"
    with pytest.raises(DomainError):
        service.case_prices("H00000000000", date(2023, 12, 31))


def _case_rows(area: str, *diseases: tuple[str, str, str]) -> list[list[str]]:
    return [
        [area, dx, op, name, "5000", "4500", "", "", "", "2023-01-01", "", "2023版", "测试文件"]
        for dx, op, name in diseases
    ]


def test_zf01_counts_the_list_at_the_periods_end_summed_up_the_area_tree(
    region: Container, tmp_path: Path
) -> None:
    total = len(region.pricing.versions("pricing_case_prices"))
    assert _zf01(region, "2023Q4") == {"330000": Decimal(total)}
    assert _zf01(region, "2022Q4") == {"330000": Decimal(0)}  # no list in force yet
    county_list = tmp_path / "county.xlsx"
    write_rows(
        county_list,
        CASE_PRICES.headers,
        _case_rows("330302", ("K35.800", "", "急性阑尾炎"), ("K40.900", "", "腹股沟疝")),
    )
    result = region.pricing.import_schedule(ACTOR, "pricing_case_prices", county_list)
    assert result.committed and result.inserted == 2, result.issues
    assert _zf01(region, "2023Q4", "330300") == {"330300": Decimal(total + 2)}
    assert _zf01(region, "2023Q4", "330300", "county")["330302"] == 2
    # Another city keeps no list: its reported count is used, and summed into the province.
    region.indicators.report_value(ACTOR, "330400", "2023-06", "priced_diseases", Decimal(7))
    assert _zf01(region, "2023Q4") == {"330000": Decimal(total + 2 + 7)}
    assert _zf01(region, "2023Q1") == {"330000": Decimal(total + 2)}  # reported from June only
    # Once that city keeps a list, the list counts and the reported value is left aside.
    city_list = tmp_path / "city.csv"
    write_rows(city_list, CASE_PRICES.headers, _case_rows("330400", ("I63.900", "", "脑梗死")))
    assert region.pricing.import_schedule(ACTOR, "pricing_case_prices", city_list).inserted == 1
    assert _zf01(region, "2023Q4") == {"330000": Decimal(total + 2 + 1)}


def test_a_schedule_import_reports_every_bad_row(region: Container, tmp_path: Path) -> None:
    header = SERVICE_PRICES.headers
    good = [
        "330300",
        "ZZ0000000000001",
        "新增项目",
        "次",
        "30.00",
        "25.00",
        "",
        "",
        "2024-01-01",
        "",
        "2024版",
        "文件",
    ]
    rows = [
        good,
        ["330300", "ZZ0000000000002", "无价格", "次", "", "", "", "", "2024-01-01", "", "2024版", "文件"],
        [
            "330300",
            "ZZ0000000000003",
            "倒置",
            "次",
            "1.00",
            "",
            "",
            "",
            "2024-02-01",
            "2024-01-01",
            "2024版",
            "文件",
        ],
        # The stored synthetic version of 挂号费 is open-ended from 2023-01-01.
        ["330300", "001101000010000", "挂号费", "次", "2.00", "", "", "", "2024-01-01", "", "2024版", "文件"],
        ["3303", "ZZ0000000000004", "地区错", "次", "1.00", "", "", "", "2024-01-01", "", "2024版", "文件"],
        good,
        [
            "330300",
            "ZZ0000000000005",
            "三位小数",
            "次",
            "1.005",
            "",
            "",
            "",
            "2024-01-01",
            "",
            "2024版",
            "文件",
        ],
    ]
    path = tmp_path / "services.xlsx"
    write_rows(path, header, rows)
    rejected = region.pricing.import_schedule(ACTOR, "pricing_service_prices", path)
    found = [(i.row, i.field, i.code) for i in rejected.issues]
    assert found == [
        (3, "三级价格", "PRICING_NO_PRICE"),
        (4, "失效日期", "PRICING_BAD_PERIOD"),
        (5, "生效日期", "PRICING_OVERLAP"),
        (6, "定价地区", "IMPORT_BAD_FORMAT"),
        (7, "生效日期", "IMPORT_DUPLICATE_KEY"),
        (8, "三级价格", "IMPORT_BAD_NUMBER"),
    ]
    overlap = rejected.issues[2]
    assert "2023-01-01" in overlap.message_zh and "001101000010000" in overlap.message_en
    assert not rejected.committed
    assert region.pricing.versions("pricing_service_prices", query="ZZ") == []  # reject wrote nothing

    kept = region.pricing.import_schedule(ACTOR, "pricing_service_prices", path, OnError.SKIP)
    assert kept.committed and kept.inserted == 1 and kept.bad_rows == 6
    [new] = region.pricing.versions("pricing_service_prices", query="ZZ")
    assert new.price_at(3) == Money.parse("30.00") and new.price_at(1) is None
    # Closing the old version first makes room for the new one.
    closing = tmp_path / "closing.csv"
    old = [
        "330300",
        "001101000010000",
        "挂号费",
        "次",
        "1.99",
        "",
        "",
        "",
        "2023-01-01",
        "2023-12-31",
        "2023合成版",
        "文件",
    ]
    write_rows(closing, header, [old, rows[3]])
    moved = region.pricing.import_schedule(ACTOR, "pricing_service_prices", closing)
    assert moved.committed and (moved.inserted, moved.updated) == (1, 1), moved.issues
    [now] = region.pricing.versions("pricing_service_prices", "330300", date(2024, 3, 1), "001101000010000")
    assert now.price_at(3) == Money.parse("2.00")

    bad_codes = tmp_path / "cases.xlsx"
    write_rows(bad_codes, CASE_PRICES.headers, _case_rows("330300", ("K35.999", "47.9999", "编码错")))
    issues = region.pricing.import_schedule(ACTOR, "pricing_case_prices", bad_codes).issues
    assert [(i.row, i.field, i.code) for i in issues] == [
        (2, "疾病诊断编码", "IMPORT_UNKNOWN_CODE"),
        (2, "手术操作编码", "IMPORT_UNKNOWN_CODE"),
    ]
    with region.uow() as uow:
        actions = uow.connection.execute(select(audit_log.c.action)).scalars().all()
    assert any(a.startswith("import") for a in actions)


def test_an_export_imports_again_unchanged(region: Container, tmp_path: Path) -> None:
    header, rows = region.pricing.export("pricing_case_prices", "330300")
    assert header == CASE_PRICES.headers and len(rows) == 120
    path = tmp_path / "export.xlsx"
    write_rows(path, header, rows, sheet="数据")
    with region.uow() as uow:
        before = uow.connection.execute(select(pricing_case_prices)).all()
    again = region.pricing.import_schedule(ACTOR, "pricing_case_prices", path)
    assert again.issues == [] and (again.inserted, again.updated) == (0, 120)
    with region.uow() as uow:
        after = uow.connection.execute(select(pricing_case_prices)).all()
        services = uow.connection.execute(select(func.count()).select_from(pricing_service_prices)).scalar()
    assert sorted(map(tuple, before)) == sorted(map(tuple, after))
    assert services and services > 1000
    with pytest.raises(DomainError) as unknown:
        region.pricing.export("prices", "330300")
    assert unknown.value.code == "PRICING_UNKNOWN_LIST"
