"""Header-mapped sheets: column definitions that parse, check, format and document one kind of record.

A :class:`SheetSpec` lists the columns of an import template under their Chinese headers. The same
definition parses an uploaded row (every problem becomes an :class:`Issue` naming row, column, code
and value), formats a stored record back into the same columns (so an export re-imports), writes the
downloadable template with its 说明 sheet, and generates docs/import-templates.md.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from sanyi.infrastructure.tabular import SheetRow, write_rows, xlsx_bytes
from sanyi.kernel.clock import SHANGHAI
from sanyi.kernel.errors import DomainError, ErrorKind, ErrorSpec, Issue

LIST_SEPARATOR: Final = "|"
DATA_SHEET: Final = "数据"
HELP_SHEET: Final = "说明"

IMPORT_MISSING_COLUMNS = ErrorSpec(
    "IMPORT_MISSING_COLUMNS",
    ErrorKind.INVALID,
    "文件缺少必需的列：{columns}（请使用{kind_zh}导入模板）",
    "the file lacks required columns: {columns} (use the {kind_en} import template)",
)
IMPORT_UNKNOWN_TEMPLATE = ErrorSpec(
    "IMPORT_UNKNOWN_TEMPLATE",
    ErrorKind.NOT_FOUND,
    "没有名为 {kind} 的导入模板（可选：{allowed}）",
    "no import template {kind} (one of: {allowed})",
)
IMPORT_REQUIRED = ErrorSpec("IMPORT_REQUIRED", ErrorKind.INVALID, "必填项为空", "a required value is empty")
IMPORT_BAD_FORMAT = ErrorSpec(
    "IMPORT_BAD_FORMAT",
    ErrorKind.INVALID,
    "“{value}”格式不正确，应为{expected_zh}",
    "{value!r} is malformed: expected {expected_en}",
)
IMPORT_BAD_DATE = ErrorSpec(
    "IMPORT_BAD_DATE",
    ErrorKind.INVALID,
    "“{value}”不是有效的日期或时间（格式 {pattern}）",
    "{value!r} is not a valid date or time (format {pattern})",
)
IMPORT_BAD_NUMBER = ErrorSpec(
    "IMPORT_BAD_NUMBER", ErrorKind.INVALID, "“{value}”不是有效的数值", "{value!r} is not a valid number"
)
IMPORT_NEGATIVE = ErrorSpec(
    "IMPORT_NEGATIVE",
    ErrorKind.INVALID,
    "“{value}”不能为负数",
    "{value!r} must not be negative",
)
IMPORT_BAD_CHOICE = ErrorSpec(
    "IMPORT_BAD_CHOICE",
    ErrorKind.INVALID,
    "“{value}”不是允许的取值（可选：{allowed}）",
    "{value!r} is not an allowed value (one of: {allowed})",
)
IMPORT_TOO_LONG = ErrorSpec(
    "IMPORT_TOO_LONG",
    ErrorKind.INVALID,
    "内容过长（最多 {limit} 个字符）",
    "the value is too long (at most {limit} characters)",
)
IMPORT_UNKNOWN_REFERENCE = ErrorSpec(
    "IMPORT_UNKNOWN_REFERENCE",
    ErrorKind.INVALID,
    "未知的{kind_zh}：{value}",
    "unknown {kind_en}: {value}",
)
IMPORT_UNKNOWN_CODE = ErrorSpec(
    "IMPORT_UNKNOWN_CODE",
    ErrorKind.INVALID,
    "{dictionary}中没有编码 {value}",
    "code {value} is not in {dictionary}",
)
IMPORT_DUPLICATE_KEY = ErrorSpec(
    "IMPORT_DUPLICATE_KEY",
    ErrorKind.INVALID,
    "与第 {first_row} 行重复：{key}",
    "duplicates row {first_row}: {key}",
)
IMPORT_NOT_CONSECUTIVE = ErrorSpec(
    "IMPORT_NOT_CONSECUTIVE",
    ErrorKind.INVALID,
    "同一记录的各行须相邻：{key} 已在第 {first_row} 行出现",
    "the rows of one record must be consecutive: {key} appeared at row {first_row}",
)
IMPORT_INCONSISTENT = ErrorSpec(
    "IMPORT_INCONSISTENT",
    ErrorKind.INVALID,
    "与{other_zh}不一致：{reason_zh}",
    "inconsistent with {other_en}: {reason_en}",
)
IMPORT_REJECTED = ErrorSpec(
    "IMPORT_REJECTED",
    ErrorKind.INVALID,
    "{bad} 行有误，未导入任何记录（详见报告；或使用 --on-error skip 只导入正确的行）",
    "{bad} row(s) are bad; nothing was imported (see the report, or use --on-error skip)",
)


def fail(spec: ErrorSpec, **params: Any) -> DomainError:
    return DomainError(spec, **params)


@dataclass(frozen=True)
class Format:
    """How one column's text becomes a value and back, with its description for the template."""

    parse: Callable[[str], Any]
    render: Callable[[Any], str]
    describe_zh: str
    describe_en: str


def text(limit: int, pattern: str | None = None, expected_zh: str = "", expected_en: str = "") -> Format:
    compiled = re.compile(pattern) if pattern else None

    def parse(value: str) -> str:
        if len(value) > limit:
            raise fail(IMPORT_TOO_LONG, limit=limit)
        if compiled is not None and not compiled.fullmatch(value):
            raise fail(IMPORT_BAD_FORMAT, value=value, expected_zh=expected_zh, expected_en=expected_en)
        return value

    return Format(
        parse,
        lambda value: "" if value is None else str(value),
        expected_zh or f"文本，最多 {limit} 字",
        expected_en or f"text, at most {limit} characters",
    )


def choice(labels: Mapping[Any, str]) -> Format:
    """A value from a fixed list, written as its Chinese label (the stored value is accepted too)."""
    by_text: dict[str, Any] = {}
    for value, label in labels.items():
        by_text[label] = value
        by_text.setdefault(str(getattr(value, "value", value)), value)
    allowed = "、".join(labels.values())

    def parse(value: str) -> Any:
        if value not in by_text:
            raise fail(IMPORT_BAD_CHOICE, value=value, allowed=allowed)
        return by_text[value]

    by_value: dict[Any, str] = {}
    for value, label in labels.items():
        by_value[value] = label
        by_value.setdefault(str(getattr(value, "value", value)), label)

    def render(value: Any) -> str:
        if value is None or value == "":
            return ""
        label = by_value.get(value)
        return label if label is not None else by_value.get(str(value), str(value))

    return Format(parse, render, f"取值：{allowed}", f"one of: {allowed}")


YES: Final = frozenset({"是", "Y", "y", "1", "true", "TRUE", "True"})
NO: Final = frozenset({"否", "N", "n", "0", "false", "FALSE", "False"})


def _parse_flag(value: str) -> bool:
    if value in YES:
        return True
    if value in NO:
        return False
    raise fail(IMPORT_BAD_CHOICE, value=value, allowed="是、否")


FLAG: Final = Format(
    _parse_flag,
    lambda value: "" if value is None else ("是" if value else "否"),
    "是 或 否（空白视为否）",
    "是 (yes) or 否 (no); empty means no",
)


_DATE_RE: Final = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?")


def _parse_date(value: str) -> date:
    # Excel hands dates over as 2023-03-01T00:00:00 or text such as 2023/3/1.
    match = _DATE_RE.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise fail(IMPORT_BAD_DATE, value=value, pattern="YYYY-MM-DD") from None


DATE: Final = Format(
    _parse_date,
    lambda value: "" if value is None else value.isoformat(),
    "日期 YYYY-MM-DD",
    "date YYYY-MM-DD",
)

_DATETIME_RE: Final = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def _parse_datetime(value: str) -> datetime:
    match = _DATETIME_RE.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError(value)
        year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
        return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)
    except ValueError:
        raise fail(IMPORT_BAD_DATE, value=value, pattern="YYYY-MM-DD HH:MM:SS") from None


def _render_datetime(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


DATETIME: Final = Format(
    _parse_datetime,
    _render_datetime,
    "北京时间 YYYY-MM-DD HH:MM:SS（可只填日期）",
    "Beijing time YYYY-MM-DD HH:MM:SS (a date alone means 00:00)",
)


def decimal(maximum_places: int = 6) -> Format:
    def parse(value: str) -> Decimal:
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            raise fail(IMPORT_BAD_NUMBER, value=value) from None
        if not number.is_finite() or -number.as_tuple().exponent > maximum_places:  # type: ignore[operator]
            raise fail(IMPORT_BAD_NUMBER, value=value)
        if number < 0:
            raise fail(IMPORT_NEGATIVE, value=value)
        return number

    def render(value: Decimal | None) -> str:
        if value is None:
            return ""
        return "0" if value == 0 else format(value.normalize(), "f")

    return Format(
        parse,
        render,
        f"非负数，最多 {maximum_places} 位小数",
        f"a non-negative number, at most {maximum_places} decimals",
    )


def _parse_integer(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise fail(IMPORT_BAD_NUMBER, value=value) from None
    if number < 0:
        raise fail(IMPORT_NEGATIVE, value=value)
    return number


INTEGER: Final = Format(
    _parse_integer, lambda value: "" if value is None else str(value), "非负整数", "a non-negative integer"
)


def code_list(item: Format) -> Format:
    """Several codes in one cell separated by ``|`` (principal first where order matters)."""

    def parse(value: str) -> tuple[Any, ...]:
        parts = [part.strip() for part in value.split(LIST_SEPARATOR)]
        return tuple(item.parse(part) for part in parts if part)

    return Format(
        parse,
        lambda values: LIST_SEPARATOR.join(item.render(value) for value in values or ()),
        f"以“|”分隔的多个值，每个为{item.describe_zh}",
        f"values separated by '|', each {item.describe_en}",
    )


@dataclass(frozen=True)
class Column:
    key: str  # the record field it fills
    header: str  # the Chinese header in the file
    meaning_zh: str
    meaning_en: str
    format: Format
    required: bool = True
    example: str = ""
    default: Any = None  # the value of an empty optional cell

    def parse(self, value: str) -> Any:
        if value == "":
            if self.required:
                raise fail(IMPORT_REQUIRED)
            return self.default
        return self.format.parse(value)


@dataclass(frozen=True)
class SheetSpec:
    kind: str  # the CLI/URL name: institutions, practitioners, residents, encounters
    title_zh: str
    title_en: str
    columns: tuple[Column, ...]
    notes_zh: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()
    _by_header: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_header", {column.header: column for column in self.columns})

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def check_header(self, header: Sequence[str]) -> None:
        """Refuse a file that lacks a required column before reading any row."""
        present = set(header)
        missing = [
            column.header for column in self.columns if column.required and column.header not in present
        ]
        if missing:
            raise DomainError(
                IMPORT_MISSING_COLUMNS,
                columns="、".join(missing),
                kind_zh=self.title_zh,
                kind_en=self.title_en,
            )

    def parse_row(self, row: SheetRow) -> tuple[dict[str, Any], list[Issue]]:
        """The row's values by column key, and an issue per bad cell (all cells are checked)."""
        return RowParser(self)(row)

    def parser(self) -> RowParser:
        """A parser for one file (it remembers the previous row's cells)."""
        return RowParser(self)

    def render_row(self, record: Mapping[str, Any]) -> list[str]:
        return [column.format.render(record.get(column.key)) for column in self.columns]

    def help_rows(self) -> list[list[str]]:
        return [
            [
                column.header,
                "是" if column.required else "否",
                column.meaning_zh,
                column.format.describe_zh,
                column.example,
                column.meaning_en,
                column.format.describe_en,
            ]
            for column in self.columns
        ]


class RowParser:
    """Parses the rows of one file, reusing a column's value when its cell repeats the row above.

    Multi-row records repeat their own columns on every row (an encounter on each fee line), so most
    cells equal the previous row's; parsed values are immutable, so reusing them is safe.
    """

    def __init__(self, spec: SheetSpec) -> None:
        self._columns = spec.columns
        self._last: dict[str, tuple[str, Any]] = {}

    def __call__(self, row: SheetRow) -> tuple[dict[str, Any], list[Issue]]:
        values: dict[str, Any] = {}
        issues: list[Issue] = []
        last = self._last
        for column in self._columns:
            raw = row.values.get(column.header, "")
            previous = last.get(column.key)
            if previous is not None and previous[0] == raw:
                values[column.key] = previous[1]
                continue
            try:
                value = column.parse(raw)
            except DomainError as error:
                issues.append(issue(error, row.number, column.header, raw))
                values[column.key] = None
                last.pop(column.key, None)
                continue
            values[column.key] = value
            last[column.key] = (raw, value)
        return values, issues


HELP_HEADER: Final = ("列名", "必填", "含义", "格式与取值", "示例", "meaning", "format")


def issue(error: DomainError, row: int, header: str, value: str) -> Issue:
    return Issue(
        code=error.code,
        message_zh=error.message_zh,
        message_en=error.message_en,
        row=row,
        field=header,
        extra={"value": value},
    )


def problem(spec: ErrorSpec, row: int, header: str, raw: str, /, **params: Any) -> Issue:
    """An issue found after parsing (a reference or a cross-field check); ``raw`` is the cell's text."""
    return issue(DomainError(spec, **params), row, header, raw)


def template_bytes(spec: SheetSpec, example: Sequence[str] | None = None) -> bytes:
    """The template workbook: a 数据 sheet with the headers and one example row, and the 说明 sheet."""
    sample = list(example) if example is not None else [column.example for column in spec.columns]
    notes = [[note_zh, note_en] for note_zh, note_en in zip(spec.notes_zh, spec.notes_en, strict=True)]
    built = xlsx_bytes(
        {
            DATA_SHEET: (spec.headers, [sample]),
            HELP_SHEET: (list(HELP_HEADER), [*spec.help_rows(), *([["", ""], *notes] if notes else [])]),
        }
    )
    return _as_text_columns(built)


def _as_text_columns(workbook_bytes: bytes) -> bytes:
    """Format the data sheet's columns as text, so Excel keeps an 18-digit ID or a 0-led code as typed."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    workbook = load_workbook(io.BytesIO(workbook_bytes))
    sheet = workbook[DATA_SHEET]
    for index in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(index)].number_format = "@"
        for cell in sheet[get_column_letter(index)]:
            cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


REPORT_HEADER: Final = ("行号", "列", "错误代码", "错误说明", "message", "值")


def write_report(path: Path, issues: Iterable[Issue]) -> int:
    """The bad-row report (.xlsx or .csv): one line per problem."""
    return write_rows(
        path,
        REPORT_HEADER,
        (
            [
                item.row,
                item.field or "",
                item.code,
                item.message_zh,
                item.message_en,
                item.extra.get("value", ""),
            ]
            for item in issues
        ),
        sheet="错误报告",
    )


def markdown(specs: Iterable[SheetSpec]) -> str:
    """docs/import-templates.md, generated from the definitions."""
    lines = [
        "# Import templates · 导入模板",
        "",
        "<!-- Generated by scripts/generate-import-templates-doc from the sheet definitions. -->",
        "",
        "`sanyi import template KIND -o FILE.xlsx` writes each template (a 数据 sheet with the headers and",
        "an example row, and a 说明 sheet with this table); signed-in users download the same files at",
        "`/registry/templates/{kind}.xlsx`. Files may be .xlsx (first sheet) or UTF-8 CSV with these",
        "headers; column order does not matter and unknown columns are ignored. `sanyi export KIND`",
        "writes the same headers, so an export re-imports.",
        "",
    ]
    for spec in specs:
        lines += [f"## {spec.title_zh} · {spec.title_en} (`{spec.kind}`)", ""]
        lines += [
            "| 列名 | 必填 | 含义 | 格式与取值 | meaning | format | 示例 |",
            "|---|---|---|---|---|---|---|",
        ]
        for column in spec.columns:
            cells = [
                column.header,
                "是" if column.required else "否",
                column.meaning_zh,
                column.format.describe_zh,
                column.meaning_en,
                column.format.describe_en,
                f"`{column.example}`" if column.example else "",
            ]
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
        lines.append("")
        for note_zh, note_en in zip(spec.notes_zh, spec.notes_en, strict=True):
            lines.append(f"- {note_zh} — {note_en}")
        if spec.notes_zh:
            lines.append("")
    return "\n".join(lines)
