"""Importing registry and care records from CSV/Excel, and exporting them back, on each backend."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sanyi.bootstrap import Container
from sanyi.care.api import encounters, export_kinds, fee_lines, import_loader, import_specs
from sanyi.infrastructure.audit import Actor, audit_log
from sanyi.infrastructure.exporter import run_export
from sanyi.infrastructure.importer import ImportResult, OnError, run_import
from sanyi.infrastructure.tabular import read_rows, write_rows
from sanyi.kernel.money import Money
from sanyi.registry.api import (
    areas,
    institution_departments,
    institutions,
    practice_sites,
    practitioners,
    residents,
)

ACTOR = Actor("importer", "cli")
WOMAN = "330302199001011227"
MAN = "330302195003050010"

INSTITUTIONS = [
    {
        "机构代码": "H33030200001",
        "机构名称": "温州市第一人民医院",
        "行政区划代码": "330302",
        "机构类型": "综合医院",
        "医院等级": "三级",
        "医院等次": "甲",
        "举办性质": "公立",
        "营利性": "否",
        "编制床位数": "900",
        "开业日期": "1952-06-01",
        "省级名院": "是",
        "诊疗科目": "03|0304|04",
    },
    {
        "机构代码": "H33030200002",
        "机构名称": "五马街道社区卫生服务中心",
        "行政区划代码": "330302001",
        "机构类型": "社区卫生服务中心",
        "医院等级": "未定级",
        "举办性质": "公立",
        "编制床位数": "20",
        "诊疗科目": "02",
    },
]
PRACTITIONERS = [
    {
        "医师代码": "D330302000001",
        "姓名": "王建国",
        "性别": "男",
        "执业类别": "医师",
        "专业科室": "03",
        "全科医生": "否",
        "第一执业机构": "H33030200001",
        "执业科室": "0304",
        "多点执业机构": "H33030200002",
    },
    {
        "医师代码": "D330302000002",
        "姓名": "李芳",
        "性别": "女",
        "执业类别": "护士",
        "第一执业机构": "H33030200002",
    },
]
RESIDENTS = [
    {
        "身份证号": WOMAN,
        "姓名": "李秀英",
        "性别": "女",
        "户籍地区划": "330302001",
        "居住地区划": "330302001",
        "联系电话": "13800000000",
        "糖尿病": "是",
        "参保险种": "城乡居民医保",
        "人员类别": "成年居民",
        "参保地": "330300",
    },
    {
        "身份证号": MAN,
        "姓名": "陈大明",
        "性别": "男",
        "出生日期": "1950-03-05",
        "户籍地区划": "330302",
        "居住地区划": "330302001",
        "高血压": "是",
        "参保险种": "职工医保",
        "人员类别": "退休",
        "参保地": "330300",
        "医疗救助类别": "低保",
    },
]
VISIT = {
    "机构代码": "H33030200002",
    "就诊流水号": "MZ0001",
    "身份证号": WOMAN,
    "就诊类型": "门诊",
    "就诊时间": "2023-03-01 09:30:00",
    "科室": "02",
    "接诊医师代码": "D330302000002",
    "主要诊断": "E11.900",
    "其他诊断": "I10.x00",
}
STAY = {
    "机构代码": "H33030200001",
    "就诊流水号": "ZY0001",
    "身份证号": MAN,
    "就诊类型": "住院",
    "就诊时间": "2023-03-01 08:00",
    "出院时间": "2023-03-08 10:00",
    "科室": "0304",
    "接诊医师代码": "D330302000001",
    "主要诊断": "I10.x00",
    "其他诊断": "E11.900",
    "手术操作": "36.0600",
    "离院方式": "医嘱离院",
}
ENCOUNTERS = [
    {
        **VISIT,
        "项目编码": "001102000010000",
        "项目名称": "一般诊疗费",
        "收费类别": "12",
        "支付类别": "甲",
        "数量": "1",
        "单价": "10.22",
    },
    {
        **VISIT,
        "项目编码": "XC09CAC138A001010101445",
        "项目名称": "缬沙坦胶囊",
        "收费类别": "西药费",
        "支付类别": "乙",
        "自付比例": "0.1",
        "数量": "2",
        "单价": "25.805",
        "用药天数": "14",
        "开单医师代码": "D330302000002",
    },
    {
        **STAY,
        "明细序号": "1",
        "项目编码": "110900001",
        "项目名称": "床位费",
        "收费类别": "01",
        "支付类别": "甲",
        "数量": "7",
        "单价": "45.5",
        "费用发生时间": "2023-03-08 09:00",
    },
    {
        **STAY,
        "明细序号": "2",
        "项目编码": "C36060000",
        "项目名称": "经皮冠状动脉支架置入术",
        "收费类别": "06",
        "支付类别": "乙",
        "自付比例": "0.2",
        "数量": "1",
        "单价": "8800",
    },
    {
        "机构代码": "H33030200001",
        "就诊流水号": "JZ0001",
        "身份证号": WOMAN,
        "就诊类型": "急诊",
        "就诊时间": "2023-04-02 23:10",
        "主要诊断": "J06.900",
        "急诊": "是",
    },
]


def write(path: Path, records: list[dict[str, str]], kind: str) -> Path:
    headers = import_specs()[kind].headers
    write_rows(path, headers, ([record.get(header, "") for header in headers] for record in records))
    return path


def load(container: Container, kind: str, path: Path, on_error: OnError = OnError.REJECT) -> ImportResult:
    return run_import(container.uow, container.audit, ACTOR, import_loader(kind), path, on_error)


def seed_areas(container: Container) -> None:
    """The township the records use (counties and above come from the shipped divisions)."""
    with container.engine.begin() as connection:
        for code, name, level, parent in (
            ("330000", "浙江省", "province", None),
            ("330300", "温州市", "city", "330000"),
            ("330302", "鹿城区", "county", "330300"),
            ("330302001", "五马街道", "township", "330302"),
        ):
            connection.execute(
                areas.insert().values(code=code, name=name, level=level, parent_code=parent, urban=True)
            )


def load_all(container: Container, folder: Path, suffix: str = ".csv") -> dict[str, ImportResult]:
    results = {}
    for kind, records in (
        ("institutions", INSTITUTIONS),
        ("practitioners", PRACTITIONERS),
        ("residents", RESIDENTS),
        ("encounters", ENCOUNTERS),
    ):
        results[kind] = load(container, kind, write(folder / f"{kind}{suffix}", records, kind))
    return results


def count(container: Container, table: object) -> int:
    with container.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def codes_of(result: ImportResult) -> list[tuple[int | None, str | None, str]]:
    return [(item.row, item.field, item.code) for item in result.issues]


@pytest.fixture
def region(container: Container) -> Container:
    seed_areas(container)
    return container


@pytest.mark.db
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_good_files_import_every_kind_exactly(region: Container, tmp_path: Path, suffix: str) -> None:
    results = load_all(region, tmp_path, suffix)
    assert {kind: (r.rows, r.bad_rows, r.inserted, r.committed) for kind, r in results.items()} == {
        "institutions": (2, 0, 2, True),
        "practitioners": (2, 0, 2, True),
        "residents": (2, 0, 2, True),
        "encounters": (5, 0, 3, True),
    }
    with region.engine.connect() as connection:
        stay = connection.execute(select(encounters).where(encounters.c.encounter_no == "ZY0001")).one()
        assert stay.diagnoses == "I10.x00|E11.900" and stay.procedures == "36.0600"
        assert stay.discharge_type == "1" and stay.end_at.isoformat() == "2023-03-08T02:00:00+00:00"
        lines = connection.execute(
            select(fee_lines.c.line_no, fee_lines.c.amount, fee_lines.c.selfpay_prop)
            .join(encounters, encounters.c.id == fee_lines.c.encounter_id)
            .order_by(encounters.c.encounter_no, fee_lines.c.line_no)
        ).all()
        # 2 × 25.805 = 51.61; 7 × 45.5 = 318.50; the 甲 line's share defaults to 0.
        assert [(line.line_no, line.amount, line.selfpay_prop) for line in lines] == [
            (1, Money(1022), Decimal(0)),
            (2, Money(5161), Decimal("0.1")),
            (1, Money(31850), Decimal(0)),
            (2, Money(880000), Decimal("0.2")),
        ]
        man = connection.execute(select(residents).where(residents.c.citizen_id == MAN)).one()
        assert (man.sex, man.scheme, man.population_group, man.assistance, man.hypertension) == (
            "1",
            "employee",
            "retired",
            "dibao",
            True,
        )
        sites = connection.execute(
            select(practice_sites.c.institution_code, practice_sites.c.main).where(
                practice_sites.c.practitioner_code == "D330302000001"
            )
        ).all()
        assert sorted(sites) == [("H33030200001", True), ("H33030200002", False)]
    assert count(region, fee_lines) == 4


@pytest.mark.db
def test_shipped_divisions_are_added_on_demand(container: Container, tmp_path: Path) -> None:
    hospital = {**INSTITUTIONS[0], "行政区划代码": "330302"}
    result = load(container, "institutions", write(tmp_path / "i.csv", [hospital], "institutions"))
    assert result.committed and result.inserted == 1
    with container.engine.connect() as connection:
        chain = connection.execute(select(areas.c.code, areas.c.parent_code).order_by(areas.c.code)).all()
    assert chain == [("330000", None), ("330300", "330000"), ("330302", "330300")]


@pytest.mark.db
def test_bad_files_report_every_problem_and_reject_writes_nothing(region: Container, tmp_path: Path) -> None:
    load_all(region, tmp_path)
    bad_residents = [
        {**RESIDENTS[0], "身份证号": WOMAN[:-1] + "9"},  # wrong check digit
        {**RESIDENTS[1], "身份证号": "330302195003050029", "居住地区划": "330302999", "性别": "女"},
        {**RESIDENTS[1], "身份证号": "330302195003050037", "出生日期": "1950-02-30"},
        {
            **RESIDENTS[1],
            "身份证号": "33030219600101001X",
            "出生日期": "",
        },  # a good row: birth date from the ID
    ]
    result = load(region, "residents", write(tmp_path / "bad-residents.csv", bad_residents, "residents"))
    assert codes_of(result) == [
        (2, "身份证号", "INVALID_ID"),
        (3, "居住地区划", "IMPORT_UNKNOWN_REFERENCE"),
        (4, "出生日期", "IMPORT_BAD_DATE"),
    ]
    assert "check digit" in result.issues[0].message_en
    assert result.issues[1].message_zh == "未知的行政区划：330302999"
    assert (result.bad_rows, result.committed, result.inserted) == (3, False, 0)
    assert count(region, residents) == 2

    bad_encounters = [
        {**ENCOUNTERS[0], "就诊流水号": "MZ9001", "机构代码": "H99999999999"},
        {**ENCOUNTERS[0], "就诊流水号": "MZ9002", "就诊时间": "2023-02-30 10:00"},
        {**ENCOUNTERS[0], "就诊流水号": "MZ9003", "主要诊断": "Z99.999x999"},
        {**ENCOUNTERS[0], "就诊流水号": "MZ9004", "单价": "-5"},
        {**ENCOUNTERS[0], "就诊流水号": "MZ9005", "收费类别": "15", "支付类别": "丁"},
        {**ENCOUNTERS[0], "就诊流水号": "MZ9006", "身份证号": "33030219600101001X"},
        {**ENCOUNTERS[0], "就诊流水号": "MZ9007", "手术操作": "99.9999", "接诊医师代码": "D330302999999"},
        {**ENCOUNTERS[0], "就诊流水号": "MZ9008"},  # good
    ]
    path = write(tmp_path / "bad-encounters.xlsx", bad_encounters, "encounters")
    result = load(region, "encounters", path)
    assert codes_of(result) == [
        (2, "机构代码", "IMPORT_UNKNOWN_REFERENCE"),
        (3, "就诊时间", "IMPORT_BAD_DATE"),
        (4, "主要诊断", "IMPORT_UNKNOWN_CODE"),
        (5, "单价", "IMPORT_NEGATIVE"),
        (6, "收费类别", "IMPORT_BAD_CHOICE"),
        (6, "支付类别", "IMPORT_BAD_CHOICE"),
        (7, "身份证号", "IMPORT_UNKNOWN_REFERENCE"),
        (8, "接诊医师代码", "IMPORT_UNKNOWN_REFERENCE"),
        (8, "手术操作", "IMPORT_UNKNOWN_CODE"),
    ]
    assert result.issues[3].extra["value"] == "-5"
    assert result.issues[2].message_en == "code Z99.999x999 is not in ICD-10 医保版 2.0"
    assert not result.committed and count(region, encounters) == 3


@pytest.mark.db
def test_skip_writes_the_good_records_and_reports_the_bad(region: Container, tmp_path: Path) -> None:
    load_all(region, tmp_path)
    rows = [
        {**ENCOUNTERS[0], "就诊流水号": "MZ9001"},
        {**ENCOUNTERS[1], "就诊流水号": "MZ9001", "数量": "-1"},  # spoils the whole encounter
        {**ENCOUNTERS[0], "就诊流水号": "MZ9002"},
        {**ENCOUNTERS[0], "就诊流水号": "MZ9003", "主要诊断": "E11.900", "其他诊断": "A00.000|BAD"},
    ]
    path = write(tmp_path / "mixed.csv", rows, "encounters")
    rejected = load(region, "encounters", path)
    assert not rejected.committed and count(region, encounters) == 3
    skipped = load(region, "encounters", path, OnError.SKIP)
    assert skipped.committed
    assert (skipped.inserted, skipped.skipped_records, skipped.bad_rows) == (1, 2, 2)
    assert codes_of(skipped) == [(3, "数量", "IMPORT_NEGATIVE"), (5, "其他诊断", "IMPORT_BAD_FORMAT")]
    with region.engine.connect() as connection:
        numbers = set(connection.execute(select(encounters.c.encounter_no)).scalars())
    assert numbers == {"MZ0001", "ZY0001", "JZ0001", "MZ9002"}


@pytest.mark.db
def test_rows_of_an_encounter_must_be_consecutive_and_agree(region: Container, tmp_path: Path) -> None:
    load_all(region, tmp_path)
    rows = [
        {**ENCOUNTERS[0], "就诊流水号": "A1"},
        {**ENCOUNTERS[1], "就诊流水号": "A1", "主要诊断": "I10.x00"},
        {**ENCOUNTERS[0], "就诊流水号": "B1"},
        {**ENCOUNTERS[1], "就诊流水号": "A1"},
        {**ENCOUNTERS[0], "就诊流水号": "C1", "明细序号": "3"},
        {**ENCOUNTERS[1], "就诊流水号": "C1", "明细序号": "3"},
    ]
    result = load(region, "encounters", write(tmp_path / "c.csv", rows, "encounters"), OnError.SKIP)
    assert codes_of(result) == [
        (3, "主要诊断", "IMPORT_INCONSISTENT"),
        (5, "就诊流水号", "IMPORT_NOT_CONSECUTIVE"),
        (7, "明细序号", "IMPORT_DUPLICATE_KEY"),
    ]
    assert result.inserted == 1  # only B1


@pytest.mark.db
def test_reimporting_the_same_files_changes_nothing(region: Container, tmp_path: Path) -> None:
    load_all(region, tmp_path)
    with region.engine.connect() as connection:
        before = {
            "residents": connection.execute(select(residents).order_by(residents.c.citizen_id)).all(),
            "encounters": connection.execute(select(encounters).order_by(encounters.c.id)).all(),
            "fee_lines": connection.execute(select(fee_lines).order_by(fee_lines.c.encounter_id)).all(),
        }
    again = load_all(region, tmp_path)
    assert {kind: (r.inserted, r.updated) for kind, r in again.items()} == {
        "institutions": (0, 2),
        "practitioners": (0, 2),
        "residents": (0, 2),
        "encounters": (0, 3),
    }
    with region.engine.connect() as connection:
        assert (
            connection.execute(select(residents).order_by(residents.c.citizen_id)).all()
            == before["residents"]
        )
        assert connection.execute(select(encounters).order_by(encounters.c.id)).all() == before["encounters"]
        assert (
            connection.execute(select(fee_lines).order_by(fee_lines.c.encounter_id)).all()
            == before["fee_lines"]
        )
    assert (count(region, institutions), count(region, practitioners), count(region, practice_sites)) == (
        2,
        2,
        3,
    )


@pytest.mark.db
def test_a_changed_file_updates_records_in_place(region: Container, tmp_path: Path) -> None:
    load_all(region, tmp_path)
    changed = [{**ENCOUNTERS[2], "单价": "50"}, {**ENCOUNTERS[3], "明细序号": "3"}]
    result = load(region, "encounters", write(tmp_path / "changed.csv", changed, "encounters"))
    assert (result.inserted, result.updated) == (0, 1)
    with region.engine.connect() as connection:
        lines = connection.execute(
            select(fee_lines.c.line_no, fee_lines.c.amount)
            .join(encounters, encounters.c.id == fee_lines.c.encounter_id)
            .where(encounters.c.encounter_no == "ZY0001")
            .order_by(fee_lines.c.line_no)
        ).all()
    assert lines == [(1, Money(35000)), (3, Money(880000))]


def export(container: Container, kind: str, path: Path, unmasked: bool = True) -> int:
    chosen = export_kinds()[kind]
    return run_export(
        container.uow,
        container.audit,
        ACTOR,
        chosen.spec,
        chosen.records,
        path,
        unmasked=unmasked,
        personal=chosen.personal,
    )


@pytest.mark.db
def test_export_then_import_round_trips(region: Container, tmp_path: Path) -> None:
    load_all(region, tmp_path)
    kinds = ["areas", "institutions", "practitioners", "residents", "encounters"]
    suffixes = {
        "areas": ".csv",
        "institutions": ".xlsx",
        "practitioners": ".parquet",
        "residents": ".csv",
        "encounters": ".xlsx",
    }
    first = {kind: tmp_path / f"first-{kind}{suffixes[kind]}" for kind in kinds}
    for kind in kinds:
        assert export(region, kind, first[kind]) > 0
    with region.engine.begin() as connection:
        for table in (
            fee_lines,
            encounters,
            residents,
            practice_sites,
            practitioners,
            institution_departments,
            institutions,
            areas,
        ):
            connection.execute(table.delete())
    for kind in kinds:
        result = load(region, kind, first[kind])
        assert result.committed and result.updated == 0, (kind, result.issues)
    for kind in kinds:
        again = tmp_path / f"again-{kind}.csv"
        export(region, kind, again)
        header_a, rows_a = read_rows(first[kind])
        header_b, rows_b = read_rows(again)
        assert header_a == header_b == import_specs()[kind].headers
        assert [row.values for row in rows_a] == [row.values for row in rows_b], kind


@pytest.mark.db
def test_exports_mask_personal_data_unless_asked_and_audit_it(region: Container, tmp_path: Path) -> None:
    load_all(region, tmp_path)
    export(region, "residents", tmp_path / "masked.csv", unmasked=False)
    _, rows = read_rows(tmp_path / "masked.csv")
    first = next(rows).values
    assert first["身份证号"] == "330302********0010" and first["姓名"] == "陈**"
    assert first["联系电话"] == ""
    export(region, "encounters", tmp_path / "enc.csv", unmasked=True)
    export(region, "fee-lines", tmp_path / "lines.parquet")
    _, lines = read_rows(tmp_path / "lines.parquet")
    assert [row.values["金额"] for row in lines] == ["318.50", "8800.00", "10.22", "51.61"]
    with region.engine.connect() as connection:
        entries = connection.execute(
            select(audit_log.c.action, audit_log.c.record_type).where(audit_log.c.action.like("export%"))
        ).all()
    assert sorted(entries) == [("export", "residents"), ("export_unmasked", "encounters")]


@pytest.mark.db
def test_reject_rolls_back_batches_already_written(
    region: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With tiny batches the good records before the bad row are written, then rolled back."""
    monkeypatch.setattr("sanyi.infrastructure.importer.BATCH", 1)
    load_all(region, tmp_path)
    rows = [{**ENCOUNTERS[0], "就诊流水号": f"B{n}"} for n in range(6)]
    rows[4]["单价"] = "abc"
    path = write(tmp_path / "batches.csv", rows, "encounters")
    rejected = load(region, "encounters", path)
    assert codes_of(rejected) == [(6, "单价", "IMPORT_BAD_NUMBER")] and not rejected.committed
    assert count(region, encounters) == 3 and count(region, fee_lines) == 4
    skipped = load(region, "encounters", path, OnError.SKIP)
    assert (skipped.inserted, skipped.skipped_records) == (5, 1)
    assert count(region, encounters) == 8 and count(region, fee_lines) == 9


@pytest.mark.db
def test_a_line_with_an_unreadable_key_spoils_its_encounter(region: Container, tmp_path: Path) -> None:
    load_all(region, tmp_path)
    rows = [
        {**ENCOUNTERS[0], "就诊流水号": "K1"},
        {**ENCOUNTERS[1], "就诊流水号": "K1", "机构代码": "X1"},
        {**ENCOUNTERS[0], "就诊流水号": "K2"},
    ]
    result = load(region, "encounters", write(tmp_path / "k.csv", rows, "encounters"), OnError.SKIP)
    assert codes_of(result) == [(3, "机构代码", "IMPORT_BAD_FORMAT")]
    assert (result.inserted, result.skipped_records) == (1, 1)


@pytest.mark.db
def test_divisions_import_parents_first_and_check_their_shape(container: Container, tmp_path: Path) -> None:
    rows = [
        {
            "区划代码": "330302001",
            "区划名称": "五马街道",
            "层级": "乡镇街道",
            "上级区划代码": "330302",
            "城乡": "城镇",
        },
        {
            "区划代码": "330302101",
            "区划名称": "山福镇",
            "层级": "乡镇街道",
            "上级区划代码": "330302",
            "城乡": "农村",
        },
        {"区划代码": "330302102", "区划名称": "错位镇", "层级": "乡镇街道", "上级区划代码": "330303"},
        {"区划代码": "3303021", "区划名称": "坏码", "层级": "乡镇街道", "上级区划代码": "330302"},
        {"区划代码": "330399", "区划名称": "某县", "层级": "市", "上级区划代码": "330300"},
        {"区划代码": "990101001", "区划名称": "无主街道", "层级": "乡镇街道", "上级区划代码": "990101"},
        {"区划代码": "330302201", "区划名称": "下级", "层级": "乡镇街道"},
    ]
    result = load(container, "areas", write(tmp_path / "areas.csv", rows, "areas"), OnError.SKIP)
    assert codes_of(result) == [
        (4, "上级区划代码", "IMPORT_INCONSISTENT"),
        (5, "区划代码", "IMPORT_BAD_FORMAT"),
        (6, "区划代码", "IMPORT_INCONSISTENT"),
        (7, "上级区划代码", "IMPORT_UNKNOWN_REFERENCE"),
        (8, "上级区划代码", "IMPORT_REQUIRED"),
    ]
    with container.engine.connect() as connection:
        stored = connection.execute(
            select(areas.c.code, areas.c.level, areas.c.parent_code, areas.c.urban).order_by(areas.c.code)
        ).all()
    assert stored == [
        ("330000", "province", None, None),
        ("330300", "city", "330000", None),
        ("330302", "county", "330300", None),
        ("330302001", "township", "330302", True),
        ("330302101", "township", "330302", False),
    ]
    again = load(container, "areas", write(tmp_path / "again.csv", rows[:2], "areas"))
    assert (again.inserted, again.updated) == (0, 2)
