"""Procurement services on a synthetic region, on SQLite and PostgreSQL: every planted chain violation
is found and nothing else, the lagging institution is the one warned, shortages and savings follow the
data, staff see only their institution, the catalogue covers the encounters' drugs, and the catalogue
import reports every bad row and writes nothing under reject."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sanyi.bootstrap import Container
from sanyi.care.api import encounters, fee_lines
from sanyi.infrastructure.audit import Actor, audit_log
from sanyi.infrastructure.importer import OnError
from sanyi.infrastructure.tabular import write_rows
from sanyi.kernel.errors import DomainError
from sanyi.procurement.api import ENTERPRISES, PRODUCTS, credit_check_char, procurement_products
from sanyi.registry.api import Viewer
from sanyi.synth.api import DatabaseSink, RegionRequest, clear_region, generate, generate_procurement

pytestmark = pytest.mark.db
BUREAU = Viewer("bureau", "insurance_bureau", None, regional=True)
COMMISSION = Viewer("weijian", "health_commission", None, regional=True)


def test_a_synthetic_year_is_checked_and_monitored(container: Container) -> None:
    generate(RegionRequest("wenzhou", 300, 2023, 4), [DatabaseSink(container.engine)])
    summary = generate_procurement(container.engine, 2023, 4)
    service = container.procurement
    assert summary.remote_extra_steps > 0  # legitimate three-invoice chains in remote areas…

    counts = service.check_chain(BUREAU)
    _, found = service.findings(BUREAU, limit=10_000)
    # …are accepted: exactly the planted violations are found, each once.
    assert sorted((f["delivery_id"], f["rule"]) for f in found) == sorted(summary.planted)
    assert {rule for _, rule in summary.planted} == {
        "CHAIN_TOO_MANY_INVOICES",
        "CHAIN_PRICE_MISMATCH",
        "CHAIN_QUANTITY_MISMATCH",
        "CHAIN_LATE_PAYMENT",
    }
    assert counts["deliveries"] == summary.deliveries
    late = next(f for f in found if f["rule"] == "CHAIN_LATE_PAYMENT")
    assert late["evidence"]["days"] == 45 and late["evidence"]["invoice"]["number"].startswith("FP2023")
    assert service.check_chain(BUREAU)["findings"] == len(found)  # a re-run replaces, never duplicates
    assert service.findings(BUREAU, limit=10_000)[0] == len(found)
    with pytest.raises(DomainError) as refused:
        service.check_chain(Viewer("x", "institution_staff", "H33030200001", regional=False))
    assert refused.value.code == "PROCUREMENT_FORBIDDEN"

    # The lagging institution is the only one warned at the year's end.
    year_end = date(2023, 12, 31)
    warned = {w.institution for w in service.warnings(COMMISSION, year_end)}
    assert warned == {summary.lagging_institution}
    lagging = [
        c for c in service.completion(COMMISSION, year_end) if c.institution == summary.lagging_institution
    ]
    assert all(c.non_winning > 0 for c in lagging)
    assert all(c.rate < Decimal("0.8") for c in lagging if c.warning)
    monthly = service.completion(COMMISSION, year_end, monthly=True)
    assert {c.as_of.month for c in monthly} == set(range(1, 13))

    # Savings: completing, passing institutions retain half; the lagging one (failed) retains nothing.
    assert summary.lagging_institution is not None
    retained = {s.institution: s for s in service.savings(BUREAU, year_end)}
    assert retained[summary.lagging_institution].retained.is_zero()
    keeper = next(s for s in retained.values() if s.completed and s.passed)
    assert keeper.retained == keeper.savings.times(Decimal("0.50"))
    service.record_assessment(BUREAU, keeper.agreement_id, keeper.institution, False)
    again = [s for s in service.savings(BUREAU, year_end) if s.agreement_id == keeper.agreement_id]
    assert next(s for s in again if s.institution == keeper.institution).retained.is_zero()
    with container.uow() as uow:
        actions = uow.connection.execute(select(audit_log.c.action)).scalars().all()
    assert "procurement.assessment" in actions and "procurement.chain_check" in actions
    with pytest.raises(DomainError):
        service.record_assessment(COMMISSION, keeper.agreement_id, keeper.institution, True)

    signals = service.shortages(BUREAU, year_end)
    assert ("unfilled", summary.unfilled_order) in {(s.kind, s.reference) for s in signals}
    assert summary.low_stock in {(s.institution, s.product_code) for s in signals if s.kind == "low_stock"}
    assert any(a.kind == "above_platform" for a in service.price_alerts(BUREAU))

    # Staff of one institution see only their own findings, orders and warnings.
    own = summary.lagging_institution
    staff = Viewer("staff", "institution_staff", own, regional=False)
    assert {w.institution for w in service.warnings(staff, year_end)} == {own}
    assert {o["institution_code"] for o in service.orders(staff)} == {own}
    assert all(f["institution_code"] == own for f in service.findings(staff)[1])
    other = next(f for f in found if f["institution_code"] != own)
    with pytest.raises(DomainError) as hidden:
        service.delivery(staff, other["delivery_id"])
    assert hidden.value.code == "PROCUREMENT_NOT_FOUND"

    # 药占比 from the fee lines: drugs (09, 11) ÷ all medical income of the institution.
    use = {r["key"]: r for r in service.use(BUREAU, "institution")}
    with container.uow() as uow:
        lines = fee_lines.join(encounters, encounters.c.id == fee_lines.c.encounter_id)
        total, drug = uow.connection.execute(
            select(func.count(), func.count().filter(fee_lines.c.category.in_(["09", "11"])))
            .select_from(lines)
            .where(encounters.c.institution_code == own)
        ).one()
        codes = set(
            uow.connection.execute(
                select(fee_lines.c.code).where(fee_lines.c.category.in_(["09", "11", "08"])).distinct()
            ).scalars()
        )
        listed = set(uow.connection.execute(select(procurement_products.c.code)).scalars())
    row = use[own]
    assert total > drug > 0
    assert row["drug_share"] == (Decimal(row["drugs"].fen) / Decimal(row["income"].fen)).quantize(
        Decimal("0.0001")
    )
    assert codes <= listed  # every drug and consumable billed links to a catalogue product
    assert {r["key"] for r in service.use(staff, "doctor")} and all(
        r["institution"] == own for r in service.use(staff, "department")
    )
    assert service.concentration(staff)[0]["share"] <= 1

    clear_region(container.engine)
    assert service.findings(BUREAU)[0] == 0 and service.products(BUREAU) == []


def _credit(body: str) -> str:
    return body + credit_check_char(body)


def test_catalogue_import_reports_every_bad_row(container: Container, tmp_path: Path) -> None:
    maker, agent = _credit("91330000MA0000001"), _credit("91310000MA0000001")
    firms = tmp_path / "firms.csv"
    write_rows(
        firms,
        ENTERPRISES.headers,
        [
            [maker, "甲制药", "生产企业"],
            [agent, "乙进口", "进口总代理"],
            ["91330000MA00000019", "坏代码", "生产企业"],
        ],
    )
    actor = Actor.system("test")
    result = container.procurement.import_catalogue(actor, "procurement_enterprises", firms, OnError.SKIP)
    assert (result.inserted, result.bad_rows) == (2, 1)
    assert result.issues[0].code == "PROCUREMENT_INVALID_CODE" and result.issues[0].row == 4

    def product(code: str, kind: str, manufacturer: str) -> list[str]:
        values = {
            "医保编码": code,
            "类别": kind,
            "通用名": "氨氯地平片",
            "剂型": "片剂",
            "规格": "5mg*28片",
            "生产企业代码": manufacturer,
            "医保类别": "甲",
            "支付标准": "12.5",
            "挂网价": "12.3456",
            "集采标志": "中选",
            "可替代通用名": "",
            "高值耗材类别": "",
            "中药饮片": "否",
        }
        return [values[h] for h in PRODUCTS.headers]

    products = tmp_path / "products.csv"
    rows = [
        product("XC08CAA040A001010104022", "药品", maker),  # good
        product("X123", "药品", maker),  # bad code
        product("C1234567890123456789", "药品", maker),  # a consumable code declared a drug
        product("ZA01AAA0001010101234", "药品", _credit("91330000MA0000099")),  # unknown manufacturer
        product("XC08CAA040A001010104022", "药品", agent),  # duplicate
    ]
    write_rows(products, PRODUCTS.headers, rows)
    rejected = container.procurement.import_catalogue(actor, "procurement_products", products)
    assert not rejected.committed and rejected.bad_rows == 4
    assert [(i.row, i.code) for i in rejected.issues] == [
        (3, "PROCUREMENT_INVALID_CODE"),
        (4, "IMPORT_INCONSISTENT"),
        (5, "IMPORT_UNKNOWN_REFERENCE"),
        (6, "IMPORT_DUPLICATE_KEY"),
    ]
    assert container.procurement.products(BUREAU) == []  # reject: nothing written
    kept = container.procurement.import_catalogue(actor, "procurement_products", products, OnError.SKIP)
    assert kept.committed and kept.inserted == 1
    stored = container.procurement.products(BUREAU)
    assert stored[0]["platform_price"] == Decimal("12.3456") and stored[0]["vbp"] == "winning"
