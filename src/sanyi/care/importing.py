"""The encounter loader: checks each fee-line row and writes whole encounters with their lines.

An encounter's rows must be consecutive and agree; a bad row spoils its whole encounter. Encounters are
upserted by institution code + encounter number (their id is kept) and their lines replaced through
the bulk path. The template is in ``templates.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

import pyarrow as pa
from sqlalchemy import Connection, select

from sanyi.care.model import EncounterType, PayClass
from sanyi.care.tables import encounters, fee_lines
from sanyi.care.templates import (
    ENCOUNTER_COLUMNS,
    ENCOUNTERS,
    LINE_COLUMNS,
    LINE_REQUIRED,
    MAX_LINE_NO,
)
from sanyi.infrastructure.bulk import bulk_insert
from sanyi.infrastructure.columns import DecimalText
from sanyi.infrastructure.importer import BufferedLoader, Loader
from sanyi.infrastructure.sheets import (
    DATETIME,
    IMPORT_DUPLICATE_KEY,
    IMPORT_INCONSISTENT,
    IMPORT_NOT_CONSECUTIVE,
    IMPORT_REQUIRED,
    IMPORT_UNKNOWN_CODE,
    IMPORT_UNKNOWN_REFERENCE,
    problem,
)
from sanyi.infrastructure.upsert import existing_keys, upsert
from sanyi.kernel.errors import Issue
from sanyi.kernel.ids import new_id
from sanyi.kernel.money import line_amount
from sanyi.knowledge.codes import departments, diagnoses, procedures
from sanyi.registry.api import institutions, practitioners, residents
from sanyi.registry.api import loader_for as registry_loader

_LINE_SCHEMA: Final = pa.schema(
    [
        ("encounter_id", pa.string()),
        ("line_no", pa.int32()),
        ("code", pa.string()),
        ("name", pa.string()),
        ("category", pa.string()),
        ("pay_class", pa.string()),
        ("selfpay_prop", pa.string()),
        ("quantity", pa.string()),
        ("unit_price", pa.string()),
        ("amount", pa.int64()),
        ("time", pa.timestamp("us", tz="UTC")),
        ("days_supply", pa.int32()),
        ("doctor_code", pa.string()),
        ("price_ceiling", pa.string()),
    ]
)
_DECIMAL_TEXT: Final = DecimalText()


def _text(value: Decimal | None) -> str | None:
    """An exact decimal in the canonical text the fee_lines columns store."""
    return _DECIMAL_TEXT.process_bind_param(value, None)  # type: ignore[arg-type]


def _line_table(lines: list[dict[str, Any]]) -> pa.Table:
    """Fee lines as an Arrow table for the bulk path (COPY on PostgreSQL, executemany on SQLite)."""
    return pa.Table.from_pylist(lines, schema=_LINE_SCHEMA)


@dataclass
class _Pending:
    first_row: int
    values: dict[str, Any]
    lines: list[dict[str, Any]] = field(default_factory=list)
    good: bool = True


class EncounterLoader(BufferedLoader):
    """Rows of one encounter come together; the buffer holds finished encounters."""

    spec = ENCOUNTERS

    def __init__(self) -> None:
        super().__init__()
        self.institutions: set[str] = set()
        self.practitioners: set[str] = set()
        self.persons: dict[str, str] = {}
        self.closed: dict[tuple[str, str], int] = {}
        self.current: _Pending | None = None
        self._skipped = 0

    def begin(self, connection: Connection) -> None:
        self.institutions = set(connection.execute(select(institutions.c.code)).scalars())
        self.practitioners = set(connection.execute(select(practitioners.c.code)).scalars())
        query = select(residents.c.citizen_id, residents.c.person_id)
        # A Result has keys(), so dict() would read it as a mapping: materialise the pairs first.
        self.persons = dict(connection.execute(query).all())

    # -- checks ---------------------------------------------------------------------------------------
    def check(self, row: int, values: dict[str, Any]) -> list[Issue]:
        key = (values["institution_code"], values["encounter_no"])
        current = self.current
        same = current is not None and key == (
            current.values["institution_code"],
            current.values["encounter_no"],
        )
        if current is not None and same:
            issues = self._agrees(row, values, current)
        elif key in self.closed:
            return [
                problem(
                    IMPORT_NOT_CONSECUTIVE,
                    row,
                    "就诊流水号",
                    values["encounter_no"],
                    key=" ".join(key),
                    first_row=self.closed[key],
                )
            ]
        else:
            issues = self._encounter(row, values)
        return issues + self._line(row, values, current if same else None)

    def _agrees(self, row: int, values: dict[str, Any], current: _Pending) -> list[Issue]:
        if not current.good:
            return []
        for column in ENCOUNTER_COLUMNS:
            if values[column.key] != current.values[column.key]:
                raw = column.format.render(values[column.key])
                return [
                    problem(
                        IMPORT_INCONSISTENT,
                        row,
                        column.header,
                        raw,
                        other_zh=f"第 {current.first_row} 行",
                        other_en=f"row {current.first_row}",
                        reason_zh="同一次就诊的就诊信息须一致",
                        reason_en="the rows of one encounter must agree",
                    )
                ]
        return []

    def _reference(
        self, row: int, header: str, value: str | None, known: Any, zh: str, en: str
    ) -> list[Issue]:
        if value is None or value in known:
            return []
        return [problem(IMPORT_UNKNOWN_REFERENCE, row, header, value, kind_zh=zh, kind_en=en, value=value)]

    def _encounter(self, row: int, values: dict[str, Any]) -> list[Issue]:
        issues = self._reference(
            row, "机构代码", values["institution_code"], self.institutions, "医疗机构", "institution"
        )
        issues += self._reference(row, "身份证号", values["citizen_id"], self.persons, "参保居民", "resident")
        issues += self._reference(
            row, "接诊医师代码", values["doctor_code"], self.practitioners, "医务人员", "practitioner"
        )
        if values["department_code"] is not None and values["department_code"] not in departments():
            issues.append(self._unknown(row, "科室", values["department_code"], "诊疗科目"))
        kind: EncounterType = values["type"]
        principal = values["principal_diagnosis"]
        if principal is None and kind is not EncounterType.PHARMACY:
            issues.append(problem(IMPORT_REQUIRED, row, "主要诊断", ""))
        for code in ([principal] if principal else []) + list(values["other_diagnoses"]):
            if code not in diagnoses():
                issues.append(
                    self._unknown(
                        row, "主要诊断" if code == principal else "其他诊断", code, "ICD-10 医保版 2.0"
                    )
                )
        for code in values["procedures"]:
            if code not in procedures():
                issues.append(self._unknown(row, "手术操作", code, "ICD-9-CM-3 医保版 2.0"))
        if kind is EncounterType.INPATIENT and values["end"] is None:
            issues.append(problem(IMPORT_REQUIRED, row, "出院时间", ""))
        if values["end"] is not None and values["end"] < values["start"]:
            issues.append(
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "出院时间",
                    DATETIME.render(values["end"]),
                    other_zh="就诊时间",
                    other_en="the visit time",
                    reason_zh="结束时间早于开始时间",
                    reason_en="it ends before it starts",
                )
            )
        return issues

    @staticmethod
    def _unknown(row: int, header: str, code: str, dictionary: str) -> Issue:
        return problem(IMPORT_UNKNOWN_CODE, row, header, code, dictionary=dictionary, value=code)

    def _line(self, row: int, values: dict[str, Any], current: _Pending | None) -> list[Issue]:
        if values["item_code"] is None:
            filled = [
                c.header for c in LINE_COLUMNS if c.key != "line_no" and values[c.key] not in (None, ())
            ]
            return [problem(IMPORT_REQUIRED, row, "项目编码", "")] if filled else []
        issues = [
            problem(IMPORT_REQUIRED, row, ENCOUNTERS.column(key).header, "")
            for key in LINE_REQUIRED
            if values[key] is None
        ]
        share: Decimal | None = values["selfpay_prop"]
        if share is not None and share > 1:
            issues.append(
                problem(
                    IMPORT_INCONSISTENT,
                    row,
                    "自付比例",
                    str(share),
                    other_zh="支付类别",
                    other_en="the pay class",
                    reason_zh="自付比例不能大于 1",
                    reason_en="a share cannot exceed 1",
                )
            )
        if share is None and values["pay_class"] == "B":
            issues.append(problem(IMPORT_REQUIRED, row, "自付比例", ""))
        issues += self._reference(
            row, "开单医师代码", values["ordering_doctor"], self.practitioners, "医务人员", "practitioner"
        )
        number = values["line_no"]
        if number is not None:
            if number < 1 or number > MAX_LINE_NO:
                issues.append(
                    problem(
                        IMPORT_INCONSISTENT,
                        row,
                        "明细序号",
                        str(number),
                        other_zh="明细序号范围",
                        other_en="the line number range",
                        reason_zh=f"应在 1–{MAX_LINE_NO} 之间",
                        reason_en=f"must be 1–{MAX_LINE_NO}",
                    )
                )
            elif current is not None:
                for line in current.lines:
                    if line["line_no"] == number:
                        issues.append(
                            problem(
                                IMPORT_DUPLICATE_KEY,
                                row,
                                "明细序号",
                                str(number),
                                first_row=line["row"],
                                key=f"明细序号 {number}",
                            )
                        )
        return issues

    # -- buffering and writing -----------------------------------------------------------------------
    def add(self, row: int, values: dict[str, Any], good: bool) -> None:
        key = (values["institution_code"], values["encounter_no"])
        current = self.current
        if None in key:
            # A row whose key cell is unreadable: if the readable half matches the open encounter it is
            # one of its lines, so the encounter is incomplete; otherwise the row stands alone.
            if current is not None and any(
                part is not None and part == known
                for part, known in zip(
                    key, (current.values["institution_code"], current.values["encounter_no"]), strict=True
                )
            ):
                current.good = False
            return
        if current is None or key != (current.values["institution_code"], current.values["encounter_no"]):
            if key in self.closed:
                return  # reported as not consecutive; the earlier encounter stands as it was
            self._close()
            current = self.current = _Pending(row, values)
        if not good:
            current.good = False
        elif values["item_code"] is not None:
            current.lines.append({**values, "row": row})

    def _close(self) -> None:
        current, self.current = self.current, None
        if current is None:
            return
        self.closed[(current.values["institution_code"], current.values["encounter_no"])] = current.first_row
        if current.good:
            self.buffer.append(current)
        else:
            self._skipped += 1

    def skipped(self) -> int:
        return self._skipped

    def flush(self, connection: Connection, final: bool) -> tuple[int, int]:
        if final:
            self._close()
        batch: list[_Pending] = self.take()
        if not batch:
            return 0, 0
        keys = [(p.values["institution_code"], p.values["encounter_no"]) for p in batch]
        before = existing_keys(connection, encounters, ["institution_code", "encounter_no"], keys)
        rows, lines = [], []
        for pending, key in zip(batch, keys, strict=True):
            v = pending.values
            stored = before.get(key)
            encounter_id = stored["id"] if stored else new_id()
            principal = [v["principal_diagnosis"]] if v["principal_diagnosis"] else []
            rows.append(
                {
                    "id": encounter_id,
                    "institution_code": v["institution_code"],
                    "encounter_no": v["encounter_no"],
                    "person_id": self.persons[v["citizen_id"]],
                    "type": v["type"].value,
                    "start_at": v["start"],
                    "end_at": v["end"],
                    "department_code": v["department_code"],
                    "doctor_code": v["doctor_code"],
                    "diagnoses": "|".join(principal + list(v["other_diagnoses"])),
                    "procedures": "|".join(v["procedures"]),
                    "discharge_type": v["discharge_type"],
                    "emergency": v["emergency"],
                    "offsite": v["offsite"].value if v["offsite"] else None,
                    "referral_id": None,
                }
            )
            lines += self._lines(encounter_id, pending)
        written = upsert(
            connection, encounters, rows, ["institution_code", "encounter_no"], keep=["id"], before=before
        )
        ids = [row["id"] for row in rows if (row["institution_code"], row["encounter_no"]) in before]
        for offset in range(0, len(ids), 500):
            connection.execute(
                fee_lines.delete().where(fee_lines.c.encounter_id.in_(ids[offset : offset + 500]))
            )
        if lines:
            bulk_insert(connection, fee_lines, _line_table(lines))
        return written

    @staticmethod
    def _lines(encounter_id: str, pending: _Pending) -> list[dict[str, Any]]:
        result = []
        taken = {line["line_no"] for line in pending.lines if line["line_no"] is not None}
        number = 0
        for line in pending.lines:
            no = line["line_no"]
            if no is None:
                number += 1
                while number in taken:
                    number += 1
                no = number
            pay_class = PayClass(line["pay_class"])
            share = line["selfpay_prop"]
            if share is None:
                share = Decimal(1) if pay_class is PayClass.C else Decimal(0)
            result.append(
                {
                    "encounter_id": encounter_id,
                    "line_no": no,
                    "code": line["item_code"],
                    "name": line["item_name"],
                    "category": line["category"],
                    "pay_class": pay_class.value,
                    "selfpay_prop": _text(share),
                    "quantity": _text(line["quantity"]),
                    "unit_price": _text(line["unit_price"]),
                    "amount": line_amount(line["quantity"], line["unit_price"]).fen,
                    "time": line["time"] or pending.values["start"],
                    "days_supply": line["days_supply"],
                    "doctor_code": line["ordering_doctor"],
                    "price_ceiling": _text(line["price_ceiling"]),
                }
            )
        return result


def import_loader(kind: str) -> Loader:
    """A fresh loader of one kind (a loader holds the state of one import)."""
    if kind == ENCOUNTERS.kind:
        return EncounterLoader()
    return registry_loader(kind)
