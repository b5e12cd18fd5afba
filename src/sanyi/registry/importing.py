"""Loaders of the registry's imports: divisions, institutions, practitioners, residents.

Each loader checks a parsed row's references against the database and the knowledge tables and
upserts by natural key: a division's code, an institution's or practitioner's national code, a
resident's citizen ID. The templates themselves are in ``templates.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from sanyi.infrastructure.importer import BufferedLoader, Loader
from sanyi.infrastructure.sheets import (
    IMPORT_DUPLICATE_KEY,
    IMPORT_INCONSISTENT,
    IMPORT_REQUIRED,
    IMPORT_UNKNOWN_CODE,
    IMPORT_UNKNOWN_REFERENCE,
    problem,
)
from sanyi.infrastructure.upsert import existing_keys, upsert
from sanyi.kernel.errors import Issue
from sanyi.kernel.ids import birth_date, new_id, sex_of
from sanyi.knowledge.codes import departments, divisions
from sanyi.registry.model import GROUPS_OF_SCHEME, AreaLevel, PopulationGroup, Scheme
from sanyi.registry.tables import (
    areas,
    institution_bed_changes,
    institution_departments,
    institutions,
    practice_sites,
    practitioners,
    residents,
)
from sanyi.registry.templates import (
    AREAS,
    FLAG_COLUMNS,
    GROUP_LABELS,
    INSTITUTIONS,
    LEVEL_LABELS,
    PRACTITIONERS,
    RESIDENTS,
    SCHEME_LABELS,
    SEX_LABELS,
)


class AreaIndex:
    """Division codes known to the database, plus the shipped GB/T 2260 divisions added on demand."""

    def __init__(self) -> None:
        self.stored: set[str] = set()
        self._wanted: set[str] = set()

    def load(self, connection: Connection) -> None:
        self.stored = set(connection.execute(select(areas.c.code)).scalars())

    def known(self, code: str) -> bool:
        return code in self.stored or code in divisions()

    def want(self, code: str | None) -> None:
        """A good record refers to this division: add it (if shipped and missing) before writing."""
        if code is not None and code not in self.stored:
            self._wanted.add(code)

    def ensure(self, connection: Connection) -> None:
        """Insert the shipped divisions the batch refers to (parents first)."""
        chain: list[str] = []
        for code in sorted(self._wanted):
            current: str | None = code
            while (
                current is not None
                and current in divisions()
                and current not in self.stored
                and current not in chain
            ):
                chain.append(current)
                current = divisions()[current].parent_code
        self._wanted.clear()
        # Parents first: a province (33) before its city (3303) before its county (330302).
        for code in sorted(chain, key=lambda code: (len(code), len(code.rstrip("0")))):
            division = divisions()[code]
            connection.execute(
                areas.insert().values(
                    code=code,
                    name=division.name,
                    level=AreaLevel(division.level).value,
                    parent_code=division.parent_code,
                    urban=None,
                )
            )
            self.stored.add(code)


class _KeyedLoader(BufferedLoader):
    """Shared parts: duplicate keys within the file and the divisions the records name."""

    key_header: str

    def __init__(self) -> None:
        super().__init__()
        self.first_row: dict[str, int] = {}
        self.areas = AreaIndex()

    def duplicate(self, row: int, key: str) -> list[Issue]:
        first = self.first_row.setdefault(key, row)
        if first != row:
            return [problem(IMPORT_DUPLICATE_KEY, row, self.key_header, key, first_row=first, key=key)]
        return []

    def area(self, row: int, header: str, code: str | None) -> list[Issue]:
        if code is None or self.areas.known(code):
            return []
        return [
            problem(
                IMPORT_UNKNOWN_REFERENCE,
                row,
                header,
                code,
                kind_zh="行政区划",
                kind_en="division",
                value=code,
            )
        ]

    def department(self, row: int, header: str, code: str | None) -> list[Issue]:
        if code is None or code in departments():
            return []
        return [problem(IMPORT_UNKNOWN_CODE, row, header, code, dictionary="诊疗科目", value=code)]

    area_fields: tuple[str, ...] = ()

    def add(self, row: int, values: dict[str, Any], good: bool) -> None:
        super().add(row, values, good)
        if good:
            for name in self.area_fields:
                self.areas.want(values[name])


class InstitutionLoader(_KeyedLoader):
    spec = INSTITUTIONS
    key_header = "机构代码"
    area_fields = ("area_code",)

    def __init__(self) -> None:
        super().__init__()
        self.registered: dict[str, int] = {}  # code → bed count
        self.last_change: dict[str, tuple[date, int]] = {}  # code → (date, count before) of its latest

    def begin(self, connection: Connection) -> None:
        self.areas.load(connection)
        self.registered = dict(connection.execute(select(institutions.c.code, institutions.c.beds)).all())
        c = institution_bed_changes.c
        for code, changed_on, before in connection.execute(
            select(c.institution_code, c.changed_on, c.beds_before).order_by(c.changed_on)
        ):
            self.last_change[code] = (changed_on, before)

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        issues = self.duplicate(row, values["code"]) + self.area(row, "行政区划代码", values["area_code"])
        for code in values["departments"]:
            issues += self.department(row, "诊疗科目", code)
        return issues + self._bed_change(row, values)

    def _bed_change(self, row: int, values: dict[str, Any]) -> list[Issue]:
        """A changed bed count needs its date, and history is only added to at its end."""
        registered = self.registered.get(values["code"])
        changed_on: date | None = values["beds_changed_on"]
        if registered is None or registered == values["beds"]:
            return []
        if changed_on is None:
            return [
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "床位变更日期",
                    "",
                    other_zh=f"已登记的床位数 {registered}",
                    other_en=f"the registered bed count {registered}",
                    reason_zh="床位数变化须填写变更日期",
                    reason_en="a changed bed count needs the date it took effect",
                )
            ]
        latest = self.last_change.get(values["code"])
        if latest is not None and changed_on < latest[0]:
            return [
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "床位变更日期",
                    changed_on.isoformat(),
                    other_zh=f"已登记的最近一次床位变更（{latest[0].isoformat()}）",
                    other_en=f"the latest recorded bed change ({latest[0].isoformat()})",
                    reason_zh="变更日期不得早于最近一次变更",
                    reason_en="a change may not precede the latest one",
                )
            ]
        return []

    def _bed_changes(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The change rows of a checked batch; a second change on the same day keeps the first's count
        before, and a count changed back on that day leaves a change of nothing (dropped below)."""
        changes = []
        for v in batch:
            registered = self.registered.get(v["code"])
            if registered is None or registered == v["beds"]:
                continue
            latest = self.last_change.get(v["code"])
            before = latest[1] if latest is not None and latest[0] == v["beds_changed_on"] else registered
            changes.append(
                {
                    "institution_code": v["code"],
                    "changed_on": v["beds_changed_on"],
                    "beds_before": before,
                    "beds_after": v["beds"],
                }
            )
        return changes

    def _write_bed_changes(self, connection: Connection, changes: list[dict[str, Any]]) -> None:
        c = institution_bed_changes.c
        undone = [change for change in changes if change["beds_before"] == change["beds_after"]]
        for change in undone:
            connection.execute(
                institution_bed_changes.delete().where(
                    c.institution_code == change["institution_code"], c.changed_on == change["changed_on"]
                )
            )
        kept = [change for change in changes if change["beds_before"] != change["beds_after"]]
        upsert(connection, institution_bed_changes, kept, ["institution_code", "changed_on"])

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch = self.take()
        if not batch:
            return 0, 0
        self.areas.ensure(connection)
        rows = [
            {
                "code": v["code"],
                "name": v["name"],
                "area_code": v["area_code"],
                "kind": v["kind"].value,
                "tier": int(v["tier"]),
                "grade": v["grade"].value if v["grade"] else None,
                "ownership": v["ownership"].value,
                "for_profit": v["for_profit"],
                "beds": v["beds"],
                "opened_on": v["opened_on"],
                "named_provincial": v["named_provincial"],
            }
            for v in batch
        ]
        self._write_bed_changes(connection, self._bed_changes(batch))
        written = upsert(connection, institutions, rows, ["code"])
        codes = [v["code"] for v in batch]
        connection.execute(
            institution_departments.delete().where(institution_departments.c.institution_code.in_(codes))
        )
        links = [
            {"institution_code": v["code"], "department_code": d}
            for v in batch
            for d in dict.fromkeys(v["departments"])
        ]
        if links:
            connection.execute(institution_departments.insert(), links)
        return written


class PractitionerLoader(_KeyedLoader):
    spec = PRACTITIONERS
    key_header = "医师代码"

    def __init__(self) -> None:
        super().__init__()
        self.institutions: set[str] = set()

    def begin(self, connection: Connection) -> None:
        self.institutions = set(connection.execute(select(institutions.c.code)).scalars())

    def _institution(self, row: int, header: str, code: str) -> list[Issue]:
        if code in self.institutions:
            return []
        return [
            problem(
                IMPORT_UNKNOWN_REFERENCE,
                row,
                header,
                code,
                kind_zh="医疗机构",
                kind_en="institution",
                value=code,
            )
        ]

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        issues = self.duplicate(row, values["code"])
        issues += self.department(row, "专业科室", values["specialty"])
        issues += self.department(row, "执业科室", values["main_department"])
        issues += self._institution(row, "第一执业机构", values["main_institution"])
        for code in values["other_institutions"]:
            issues += self._institution(row, "多点执业机构", code)
            if code == values["main_institution"]:
                issues.append(
                    problem(
                        IMPORT_INCONSISTENT,
                        row,
                        "多点执业机构",
                        code,
                        other_zh="第一执业机构",
                        other_en="the main practice site",
                        reason_zh="同一机构不能重复列出",
                        reason_en="the same institution is listed twice",
                    )
                )
        return issues

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch = self.take()
        if not batch:
            return 0, 0
        rows = [
            {
                "code": v["code"],
                "name": v["name"],
                "sex": v["sex"],
                "licence_type": v["licence_type"].value,
                "specialty": v["specialty"],
                "general_practitioner": v["general_practitioner"],
            }
            for v in batch
        ]
        written = upsert(connection, practitioners, rows, ["code"])
        codes = [v["code"] for v in batch]
        connection.execute(practice_sites.delete().where(practice_sites.c.practitioner_code.in_(codes)))
        sites = []
        for v in batch:
            sites.append(
                {
                    "practitioner_code": v["code"],
                    "institution_code": v["main_institution"],
                    "department_code": v["main_department"],
                    "main": True,
                }
            )
            for other in dict.fromkeys(v["other_institutions"]):
                sites.append(
                    {
                        "practitioner_code": v["code"],
                        "institution_code": other,
                        "department_code": None,
                        "main": False,
                    }
                )
        connection.execute(practice_sites.insert(), sites)
        return written


class ResidentLoader(_KeyedLoader):
    spec = RESIDENTS
    key_header = "身份证号"
    area_fields = ("household_area", "residence_area")

    def begin(self, connection: Connection) -> None:
        self.areas.load(connection)

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        citizen_id: str = values["citizen_id"]
        issues = self.duplicate(row, citizen_id)
        if values["sex"] != sex_of(citizen_id):
            issues.append(self._mismatch(row, "性别", SEX_LABELS[values["sex"]], "性别", "sex"))
        born = birth_date(citizen_id)
        if values["birth_date"] is None:
            values["birth_date"] = born
        elif values["birth_date"] != born:
            issues.append(
                self._mismatch(row, "出生日期", values["birth_date"].isoformat(), "出生日期", "birth date")
            )
        death: date | None = values["death_date"]
        if death is not None and death < born:
            issues.append(
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "死亡日期",
                    death.isoformat(),
                    other_zh="出生日期",
                    other_en="the birth date",
                    reason_zh="死亡日期早于出生日期",
                    reason_en="death before birth",
                )
            )
        issues += self.area(row, "户籍地区划", values["household_area"])
        issues += self.area(row, "居住地区划", values["residence_area"])
        issues += self._enrollment(row, values)
        return issues

    @staticmethod
    def _mismatch(row: int, header: str, value: str, zh: str, en: str) -> Issue:
        return problem(
            IMPORT_INCONSISTENT,
            row,
            header,
            value,
            other_zh="身份证号",
            other_en="the citizen ID",
            reason_zh=f"{zh}与身份证号不符",
            reason_en=f"the {en} differs from the one encoded in the ID",
        )

    def _enrollment(self, row: int, values: dict[str, Any]) -> list[Issue]:
        scheme: Scheme | None = values["scheme"]
        group: PopulationGroup | None = values["population_group"]
        region: str | None = values["home_region"]
        if scheme is None:
            if group is not None or region is not None:
                return [
                    self._enrol(
                        row,
                        "参保险种",
                        "",
                        "未填参保险种却填写了人员类别或参保地",
                        "a group or region without a scheme",
                    )
                ]
            return []
        if group is None or group not in GROUPS_OF_SCHEME[scheme]:
            allowed = "、".join(GROUP_LABELS[g] for g in GROUP_LABELS if g in GROUPS_OF_SCHEME[scheme])
            return [
                self._enrol(
                    row,
                    "人员类别",
                    GROUP_LABELS.get(group, "") if group else "",
                    f"{SCHEME_LABELS[scheme]}的人员类别应为：{allowed}",
                    f"the group of {scheme.value} must be one of {allowed}",
                )
            ]
        if region is None:
            return [self._enrol(row, "参保地", "", "参保地为空", "the pooling region is empty")]
        if region not in divisions() and region not in self.areas.stored:
            return [
                problem(
                    IMPORT_UNKNOWN_REFERENCE,
                    row,
                    "参保地",
                    region,
                    kind_zh="统筹地区",
                    kind_en="pooling region",
                    value=region,
                )
            ]
        return []

    @staticmethod
    def _enrol(row: int, header: str, value: str, reason_zh: str, reason_en: str) -> Issue:
        return problem(
            IMPORT_INCONSISTENT,
            row,
            header,
            value,
            other_zh="参保险种",
            other_en="the scheme",
            reason_zh=reason_zh,
            reason_en=reason_en,
        )

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch = self.take()
        if not batch:
            return 0, 0
        self.areas.ensure(connection)
        before = existing_keys(connection, residents, ["citizen_id"], [(v["citizen_id"],) for v in batch])
        rows = []
        for v in batch:
            stored = before.get((v["citizen_id"],))
            row = {
                "person_id": stored["person_id"] if stored else new_id(),
                "citizen_id": v["citizen_id"],
                "name": v["name"],
                "sex": v["sex"],
                "birth_date": v["birth_date"],
                "household_area": v["household_area"],
                "residence_area": v["residence_area"],
                "phone": v["phone"],
                "death_date": v["death_date"],
                "scheme": v["scheme"].value if v["scheme"] else None,
                "population_group": v["population_group"].value if v["population_group"] else None,
                "home_region": v["home_region"],
                "assistance": v["assistance"].value if v["assistance"] else None,
            }
            row.update({key: v[key] for key, _, _ in FLAG_COLUMNS})
            rows.append(row)
        return upsert(connection, residents, rows, ["citizen_id"], keep=["person_id"], before=before)


def _shape_fits(code: str, level: AreaLevel) -> bool:
    if level is AreaLevel.TOWNSHIP:
        return len(code) in (9, 12)
    if len(code) != 6:
        return False
    if level is AreaLevel.PROVINCE:
        return code.endswith("0000")
    if level is AreaLevel.CITY:
        return code.endswith("00") and not code.endswith("0000")
    return not code.endswith("00")


def _division_prefix(code: str) -> str:
    """The digits a child's code starts with: 33 for 330000, 3303 for 330300, all six for a county."""
    if len(code) != 6:
        return code
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


class AreaLoader(_KeyedLoader):
    spec = AREAS
    key_header = "区划代码"
    area_fields = ("parent_code",)

    def begin(self, connection: Connection) -> None:
        self.areas.load(connection)

    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        code: str = values["code"]
        level: AreaLevel = values["level"]
        parent: str | None = values["parent_code"]
        issues = self.duplicate(row, code)
        if not _shape_fits(code, level):
            issues.append(
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "区划代码",
                    code,
                    other_zh="层级",
                    other_en="the level",
                    reason_zh=f"{LEVEL_LABELS[level]}级区划代码的位数或结尾不符",
                    reason_en=f"the code does not have the shape of a {level.value} code",
                )
            )
        if parent is None:
            if level is not AreaLevel.PROVINCE:
                issues.append(problem(IMPORT_REQUIRED, row, "上级区划代码", ""))
            return issues
        if not code.startswith(_division_prefix(parent)) or parent == code:
            issues.append(
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "上级区划代码",
                    parent,
                    other_zh="区划代码",
                    other_en="the division code",
                    reason_zh="下级区划代码须以上级代码开头",
                    reason_en="a division's code starts with its parent's",
                )
            )
        return issues + self.area(row, "上级区划代码", parent)

    def add(self, row: int, values: dict[str, Any], good: bool) -> None:
        super().add(row, values, good)
        if good:
            self.areas.stored.add(values["code"])  # later rows may name it as their parent

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        batch = self.take()
        if not batch:
            return 0, 0
        self.areas.ensure(connection)
        rows = [
            {
                "code": v["code"],
                "name": v["name"],
                "level": v["level"].value,
                "parent_code": v["parent_code"],
                "urban": v["urban"],
            }
            for v in sorted(batch, key=lambda v: (len(v["code"]), len(v["code"].rstrip("0"))))
        ]
        return upsert(connection, areas, rows, ["code"])


def loader_for(kind: str) -> Loader:
    """A fresh loader of one registry kind."""
    loaders: dict[str, type[AreaLoader | InstitutionLoader | PractitionerLoader | ResidentLoader]] = {
        "areas": AreaLoader,
        "institutions": InstitutionLoader,
        "practitioners": PractitionerLoader,
        "residents": ResidentLoader,
    }
    return loaders[kind]()
