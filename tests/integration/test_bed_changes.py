"""An institution's bed count over time: imported changes, their checks, the detail, the export and
the indicators that count beds (on every configured database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sanyi.bootstrap import Container
from sanyi.identity.api import Role
from sanyi.indicators.sources import registry_facts
from sanyi.infrastructure.sheets import IMPORT_INCONSISTENT
from sanyi.registry.api import BedChange, Viewer, institution_bed_changes, institutions
from sanyi.web.app import create_app
from tests.integration.test_import_export import INSTITUTIONS, export, load, seed_areas, write
from tests.integration.web_helpers import add_user, api_token, browser_login

HOSPITAL = INSTITUTIONS[0]  # H33030200001, 900 beds
REGIONAL = Viewer("analyst", "health_commission", None, regional=True)


@pytest.fixture
def region(container: Container, tmp_path: Path) -> Container:
    seed_areas(container)
    result = load(container, "institutions", write(tmp_path / "first.csv", INSTITUTIONS, "institutions"))
    assert result.committed
    return container


def change(container: Container, tmp_path: Path, beds: str, changed_on: str = "") -> list[tuple[str, str]]:
    record = {**HOSPITAL, "编制床位数": beds, "床位变更日期": changed_on}
    result = load(
        container, "institutions", write(tmp_path / f"{beds}-{changed_on}.csv", [record], "institutions")
    )
    return [(item.code, item.field or "") for item in result.issues]


def stored(container: Container) -> tuple[int, list[tuple[date, int, int]]]:
    c = institution_bed_changes.c
    with container.engine.connect() as connection:
        beds = connection.execute(
            select(institutions.c.beds).where(institutions.c.code == HOSPITAL["机构代码"])
        )
        changes = connection.execute(select(c.changed_on, c.beds_before, c.beds_after).order_by(c.changed_on))
        return beds.scalar_one(), [tuple(row) for row in changes]


@pytest.mark.db
def test_a_changed_count_is_kept_with_its_date_and_shown_in_the_detail(
    region: Container, tmp_path: Path
) -> None:
    assert change(region, tmp_path, "1000", "2024-07-01") == []
    assert change(region, tmp_path, "1200", "2025-01-01") == []
    assert stored(region) == (1200, [(date(2024, 7, 1), 900, 1000), (date(2025, 1, 1), 1000, 1200)])
    detail = region.registry.institution(REGIONAL, HOSPITAL["机构代码"])
    assert detail.bed_changes == [
        BedChange(date(2024, 7, 1), 900, 1000),
        BedChange(date(2025, 1, 1), 1000, 1200),
    ]


@pytest.mark.db
def test_a_second_change_on_the_same_day_corrects_the_first(region: Container, tmp_path: Path) -> None:
    change(region, tmp_path, "1000", "2024-07-01")
    assert change(region, tmp_path, "950", "2024-07-01") == []
    assert stored(region) == (950, [(date(2024, 7, 1), 900, 950)])
    assert change(region, tmp_path, "900", "2024-07-01") == []  # changed back: no change that day
    assert stored(region) == (900, [])


@pytest.mark.db
def test_a_change_without_its_date_or_before_the_latest_is_refused_and_changes_nothing(
    region: Container, tmp_path: Path
) -> None:
    assert change(region, tmp_path, "1000") == [(IMPORT_INCONSISTENT.code, "床位变更日期")]
    assert stored(region) == (900, [])
    change(region, tmp_path, "1000", "2024-07-01")
    assert change(region, tmp_path, "1100", "2024-06-30") == [(IMPORT_INCONSISTENT.code, "床位变更日期")]
    assert stored(region) == (1000, [(date(2024, 7, 1), 900, 1000)])


@pytest.mark.db
def test_an_unchanged_count_or_a_new_institution_records_no_change(region: Container, tmp_path: Path) -> None:
    assert change(region, tmp_path, "900", "2024-07-01") == []
    new = {**HOSPITAL, "机构代码": "H33030200009", "编制床位数": "50", "床位变更日期": "2024-07-01"}
    assert load(region, "institutions", write(tmp_path / "new.csv", [new], "institutions")).committed
    assert stored(region) == (900, [])


@pytest.mark.db
def test_the_export_carries_the_latest_change_so_it_reimports_unchanged(
    region: Container, tmp_path: Path
) -> None:
    change(region, tmp_path, "1000", "2024-07-01")
    path = tmp_path / "institutions.csv"
    export(region, "institutions", path)
    assert "2024-07-01" in path.read_text(encoding="utf-8-sig")
    result = load(region, "institutions", path)
    assert (result.committed, result.issues, result.updated) == (True, [], 2)
    assert stored(region) == (1000, [(date(2024, 7, 1), 900, 1000)])


@pytest.mark.db
def test_the_indicators_count_each_day_at_the_count_it_had(region: Container, tmp_path: Path) -> None:
    change(region, tmp_path, "1000", "2024-02-10")
    with region.engine.connect() as connection:
        table = registry_facts(connection, "2024-01", "2024-02", [date(2024, 1, 31), date(2024, 2, 29)])
    facts = {
        (row["month"], row["element"]): row["value"]
        for row in table.to_pylist()
        if row["unit"] == HOSPITAL["机构代码"] and row["element"] in {"beds", "open_bed_days"}
    }
    assert facts == {
        ("2024-01", "beds"): Decimal(900),
        ("2024-02", "beds"): Decimal(1000),
        ("2024-01", "open_bed_days"): Decimal(900 * 31),
        ("2024-02", "open_bed_days"): Decimal(900 * 9 + 1000 * 20),
    }


@pytest.mark.db
def test_the_page_and_the_api_show_the_changes(region: Container, tmp_path: Path) -> None:
    change(region, tmp_path, "1000", "2024-07-01")
    code = HOSPITAL["机构代码"]
    add_user(region, "clerk", Role.INSTITUTION_STAFF, institution_id=code)
    with TestClient(create_app(region), base_url="http://testserver") as client:
        detail = client.get(f"/api/registry/institutions/{code}", headers=api_token(client, "clerk")).json()
        assert detail["beds"] == 1000
        assert detail["bed_changes"] == [{"changed_on": "2024-07-01", "beds_before": 900, "beds_after": 1000}]
        browser_login(client, "clerk")
        page = client.get(f"/registry/institutions/{code}").text
    assert 'data-testid="bed-changes"' in page and "2024-07-01 起 900 → 1000 张" in page
