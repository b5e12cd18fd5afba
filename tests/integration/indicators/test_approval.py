"""Approval and locking per (area, period), finance import and the quarterly report (both databases)."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from sanyi.bootstrap import Container, import_loader
from sanyi.indicators.api import FINANCE, Span, ValuesQuery, catalogue, institution_finance, reported_values
from sanyi.infrastructure.audit import Actor, audit_log
from sanyi.infrastructure.importer import OnError, run_import
from sanyi.kernel.errors import DomainError
from sanyi.registry.api import Viewer, institutions
from sanyi.synth.api import DatabaseSink, RegionRequest, generate, generate_finance

pytestmark = pytest.mark.db
OFFICE = Actor("office", "reform_office")
REGION = Viewer("office", "reform_office", None, regional=True)


@pytest.fixture
def region(container: Container) -> Container:
    generate(RegionRequest("wenzhou", 300, 2023, 5), [DatabaseSink(container.engine)])
    generate_finance(container.engine, 2023, 5)
    return container


def _hospital(container: Container, county_prefix: str = "3303") -> str:
    with container.uow() as uow:
        return str(
            uow.connection.execute(
                select(institutions.c.code)
                .where(
                    institutions.c.area_code.like(f"{county_prefix}%") & (institutions.c.kind == "general")
                )
                .order_by(institutions.c.code)
            )
            .scalars()
            .first()
        )


def _finance_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FINANCE.headers)
        writer.writerows(rows)
    return path


def _row(code: str, month: str, medical: str = "300.00", outpatient: str = "100.00") -> list[str]:
    # 医疗收入, 门急诊, 住院, 药品, 饮片, 材料, 检查, 化验, 人员经费, 医疗活动费用, 财政补助, 来源
    return [
        code,
        month,
        medical,
        outpatient,
        "200.00",
        "90.00",
        "10.00",
        "30.00",
        "20.00",
        "15.00",
        "110.00",
        "280.00",
        "25.00",
        "测试",
    ]


def test_submit_approve_locks_the_period_and_keeps_a_snapshot(region: Container, tmp_path: Path) -> None:
    service = region.indicators
    live = service.values(REGION, ValuesQuery(("FJ03", "YY01"), (Span.parse("2023Q1"),), "330300"))
    with pytest.raises(DomainError) as early:
        service.approve(OFFICE, "330300", "2023Q1")
    assert early.value.code == "INDICATOR_APPROVAL_STATE"
    submitted = service.submit(OFFICE, "330300", "2023Q1", "一季度数据")
    assert submitted.state == "submitted" and not submitted.locked
    with pytest.raises(DomainError) as twice:
        service.submit(OFFICE, "330300", "2023Q1")
    assert twice.value.code == "INDICATOR_APPROVAL_STATE"
    approved = service.approve(OFFICE, "330300", "2023Q1")
    assert approved.locked and approved.approved_by == "office"
    stored = service.snapshot("330300", "2023Q1")
    keys = {(row["indicator"], row["key"]) for row in stored}
    assert ("FJ03", "330300") in keys and len({k for _, k in keys}) > 2  # the city and its counties
    assert len({i for i, _ in keys}) == len(catalogue().indicators)
    for value in live:
        row = next(r for r in stored if r["indicator"] == value.indicator and r["key"] == "330300")
        assert row["numerator"] == str(value.numerator) and row["denominator"] == str(value.denominator)
        assert row["value"] == (None if value.value is None else str(value.value))

    # Finance of a locked month is refused (import and change); other months and areas load.
    hospital = _hospital(region)
    before = _finance_count(region)
    locked = run_import(
        region.uow,
        region.audit,
        OFFICE,
        import_loader("finance"),
        _finance_csv(tmp_path / "locked.csv", [_row(hospital, "2023-02"), _row(hospital, "2023-05")]),
    )
    assert not locked.committed and [i.code for i in locked.issues] == ["INDICATOR_PERIOD_LOCKED"]
    assert locked.issues[0].row == 2 and locked.issues[0].field == "月份"
    assert _finance_count(region) == before  # nothing changed
    skipped = run_import(
        region.uow,
        region.audit,
        OFFICE,
        import_loader("finance"),
        _finance_csv(tmp_path / "skip.csv", [_row(hospital, "2023-02"), _row(hospital, "2023-05")]),
        OnError.SKIP,
    )
    assert skipped.committed and skipped.inserted + skipped.updated == 1
    with pytest.raises(DomainError) as change:
        service.report_value(OFFICE, hospital, "2023-03", "paediatric_beds", Decimal(12))
    assert change.value.code == "INDICATOR_PERIOD_LOCKED"
    service.report_value(OFFICE, hospital, "2023-04", "paediatric_beds", Decimal(12))
    with region.uow() as uow:
        actions = set(uow.connection.execute(select(audit_log.c.action)).scalars())
    assert {"indicators.submit", "indicators.approve", "indicators.report_value", "import"} <= actions


def _finance_count(container: Container) -> int:
    with container.uow() as uow:
        return int(uow.connection.execute(select(func.count()).select_from(institution_finance)).scalar_one())


def test_finance_import_reports_every_bad_row(region: Container, tmp_path: Path) -> None:
    hospital = _hospital(region)
    rows = [
        _row(hospital, "2024-01"),
        _row(hospital, "2024-02", medical="999.00"),  # ≠ outpatient + inpatient
        _row("H99999999999", "2024-01"),  # unknown institution
        _row(hospital, "2024-13"),  # no such month
        _row(hospital, "2024-01"),  # repeated
    ]
    result = run_import(
        region.uow,
        region.audit,
        OFFICE,
        import_loader("finance"),
        _finance_csv(tmp_path / "bad.csv", rows),
        OnError.SKIP,
    )
    by_row = {(i.row, i.code) for i in result.issues}
    assert by_row == {
        (3, "IMPORT_INCONSISTENT"),
        (4, "IMPORT_UNKNOWN_REFERENCE"),
        (5, "IMPORT_BAD_FORMAT"),
        (6, "IMPORT_DUPLICATE_KEY"),
    }
    assert all(i.message_zh and i.message_en for i in result.issues)
    with region.uow() as uow:
        stored = uow.connection.execute(
            select(institution_finance.c.income_medical).where(
                (institution_finance.c.institution_code == hospital)
                & (institution_finance.c.month == "2024-01")
            )
        ).scalar_one()
    assert stored.fen == 30000


def _reported(container: Container, unit: str, month: str) -> dict[str, Decimal]:
    r = reported_values.c
    with container.uow() as uow:
        found = uow.connection.execute(
            select(r.element, r.value).where((r.unit_code == unit) & (r.month == month))
        ).all()
    return {element: value for element, value in found if element in ("finance_visits", "finance_discharges")}


def test_the_counts_of_a_finance_return_become_its_reported_visits_and_discharges(
    region: Container, tmp_path: Path
) -> None:
    hospital = _hospital(region)
    before = _reported(region, hospital, "2023-03")
    assert set(before) == {"finance_visits", "finance_discharges"}  # the synthetic region's own
    rows = [
        [*_row(hospital, "2024-01"), "3600", "410"],
        [*_row(hospital, "2024-02"), "3700", ""],  # no discharges stated: none recorded
        [*_row(hospital, "2023-03"), "", ""],  # empty counts leave the reported ones as they were
        [*_row(hospital, "2024-03"), "-5", "x"],  # both counts bad, the row is not written
    ]
    result = run_import(
        region.uow,
        region.audit,
        OFFICE,
        import_loader("finance"),
        _finance_csv(tmp_path / "counts.csv", rows),
        OnError.SKIP,
    )
    assert {(i.row, i.field, i.code) for i in result.issues} == {
        (5, "门急诊人次", "IMPORT_NEGATIVE"),
        (5, "出院人次", "IMPORT_BAD_NUMBER"),
    }
    assert result.committed and result.inserted + result.updated == 3
    assert _reported(region, hospital, "2024-01") == {
        "finance_visits": Decimal(3600),
        "finance_discharges": Decimal(410),
    }
    assert _reported(region, hospital, "2024-02") == {"finance_visits": Decimal(3700)}
    assert _reported(region, hospital, "2023-03") == before
    assert _reported(region, hospital, "2024-03") == {}
    again = [[*_row(hospital, "2024-01"), "3650", "410"]]
    run_import(
        region.uow,
        region.audit,
        OFFICE,
        import_loader("finance"),
        _finance_csv(tmp_path / "again.csv", again),
    )
    assert _reported(region, hospital, "2024-01")["finance_visits"] == Decimal(3650)  # replaced, not added


def test_the_quarterly_report_has_a_sheet_per_theme_with_numerators_and_denominators(
    region: Container, tmp_path: Path
) -> None:
    service = region.indicators
    content = service.quarterly_report(REGION, "330300", "2023Q3")
    path = tmp_path / "report.xlsx"
    path.write_bytes(content)
    book = load_workbook(path)
    loaded = catalogue()
    assert book.sheetnames == [name for name, _ in loaded.themes.values()]
    sheet = book["分级诊疗"]
    assert "2023Q3" in str(sheet["A2"].value) and "未审核" in str(sheet["B2"].value)
    assert "2023-10-10" in str(sheet["A3"].value) and "上旬" in str(sheet["B3"].value)
    header = [c.value for c in sheet[5]]
    assert header[:7] == ["指标代码", "指标名称", "地区", "本期值", "单位", "分子", "分母"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6)]
    fj03 = next(r for r in rows if r[0] == "FJ03" and "330300" in str(r[2]))
    [value] = service.values(REGION, ValuesQuery(("FJ03",), (Span.parse("2023Q3"),), "330300"))
    assert Decimal(str(fj03[5])) == value.numerator and Decimal(str(fj03[6])) == value.denominator
    assert fj03[3] == pytest.approx(float(value.value or 0))
    assert any(r[0] == "FJ03" and "330302" in str(r[2]) for r in rows)  # counties follow the city
    # Once approved, the report reads the snapshot and says so.
    service.submit(OFFICE, "330300", "2023Q3")
    service.approve(OFFICE, "330300", "2023Q3")
    path.write_bytes(service.quarterly_report(REGION, "330300", "2023Q3"))
    locked = load_workbook(path)["医院运行"]
    assert "已审核锁定" in str(locked["B2"].value)
    assert any(row[0].value == "YY01" for row in locked.iter_rows(min_row=6))
