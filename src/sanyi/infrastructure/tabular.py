"""Reading and writing tables as CSV, Excel (.xlsx) or Parquet, chosen by the file's extension.

Rows are dicts of strings keyed by header, numbered as a user sees them in the file (the first data
row is row 2, under the header), so every error can name the row. Excel files are written with a bold,
frozen header row and readable column widths; CSV is UTF-8 with a BOM so Excel opens Chinese text
correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from sanyi.kernel.errors import DomainError, ErrorKind, ErrorSpec

FORMATS: Final = (".csv", ".xlsx", ".parquet")

TABLE_UNSUPPORTED_FORMAT = ErrorSpec(
    "TABLE_UNSUPPORTED_FORMAT",
    ErrorKind.INVALID,
    "不支持的文件格式：{name}（支持 .csv、.xlsx、.parquet）",
    "unsupported file format: {name} (use .csv, .xlsx or .parquet)",
)
TABLE_UNREADABLE = ErrorSpec(
    "TABLE_UNREADABLE", ErrorKind.INVALID, "无法读取文件 {name}：{reason}", "cannot read {name}: {reason}"
)


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # as the user sees it: the header is row 1
    values: dict[str, str]


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise DomainError(TABLE_UNSUPPORTED_FORMAT, path=str(path), name=path.name)
    return suffix


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps whole numbers as floats
    if hasattr(value, "isoformat") and not isinstance(value, str):
        text = str(value.isoformat())
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value).strip()


def read_rows(path: Path, sheet: str | None = None) -> tuple[list[str], Iterator[SheetRow]]:
    """The header and the data rows of a file (all values as trimmed strings)."""
    suffix = _format_of(path)
    try:
        if suffix == ".csv":
            return _read_csv(path)
        if suffix == ".xlsx":
            return _read_xlsx(path, sheet)
        return _read_parquet(path)
    except DomainError:
        raise
    except (OSError, ValueError, KeyError, csv.Error, pa.ArrowException) as error:
        raise DomainError(TABLE_UNREADABLE, path=str(path), name=path.name, reason=str(error)) from None


def _read_csv(path: Path) -> tuple[list[str], Iterator[SheetRow]]:
    handle = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(handle)
    header = [cell.strip() for cell in next(reader, [])]

    def rows() -> Iterator[SheetRow]:
        with handle:
            for number, cells in enumerate(reader, start=2):
                if not any(cell.strip() for cell in cells):
                    continue
                padded = [*cells, *[""] * (len(header) - len(cells))]
                yield SheetRow(number, {name: padded[i].strip() for i, name in enumerate(header)})

    return header, rows()


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], Iterator[SheetRow]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
    cells = worksheet.iter_rows(values_only=True)
    header = [_text(value) for value in next(cells, ())]
    while header and header[-1] == "":
        header.pop()

    def rows() -> Iterator[SheetRow]:
        for number, values in enumerate(cells, start=2):
            texts = [_text(value) for value in values[: len(header)]]
            if any(texts):
                texts += [""] * (len(header) - len(texts))
                yield SheetRow(number, dict(zip(header, texts, strict=True)))
        workbook.close()

    return header, rows()


def _read_parquet(path: Path) -> tuple[list[str], Iterator[SheetRow]]:
    table = pq.read_table(path)
    header = list(table.column_names)

    def rows() -> Iterator[SheetRow]:
        for offset, record in enumerate(table.to_pylist()):
            yield SheetRow(offset + 2, {name: _text(record[name]) for name in header})

    return header, rows()


def sheet_names(path: Path) -> list[str]:
    if _format_of(path) != ".xlsx":
        return []
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def write_rows(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1"
) -> int:
    """Write rows under a header; returns the number of rows written."""
    suffix = _format_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        materialised = [list(row) for row in rows]
        columns = {
            name: [_text(row[i]) if row[i] is not None else None for row in materialised]
            for i, name in enumerate(header)
        }
        pq.write_table(pa.table(columns), path, compression="zstd")
        return len(materialised)
    if suffix == ".xlsx":
        materialised = [list(row) for row in rows]
        path.write_bytes(xlsx_bytes({sheet: (header, materialised)}))
        return len(materialised)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow(["" if value is None else _text(value) for value in row])
            count += 1
    return count


def xlsx_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An Excel workbook with one sheet per entry: bold frozen header, widths fitted to the content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for name, (header, rows) in sheets.items():
        worksheet = workbook.create_sheet(title=name[:31])
        worksheet.append(list(header))
        widths = [max(6, _display_width(str(title))) for title in header]
        for row in rows:
            values = [None if value is None else value for value in row]
            worksheet.append(values)
            for index, value in enumerate(values):
                widths[index] = min(60, max(widths[index], _display_width(_text(value))))
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        worksheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = width + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _display_width(text: str) -> int:
    # CJK characters take two columns in Excel.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def xlsx_stream(
    header: Sequence[str], rows: Iterable[Sequence[Any]], sheet: str = "Sheet1", chunk: int = 64 * 1024
) -> Iterator[bytes]:
    """An Excel workbook written row by row to a temporary file, then handed out in chunks.

    openpyxl's write-only mode keeps memory flat however many rows come (no column fitting: that
    would need every row in memory); the file is deleted as soon as the last chunk has been read.
    """
    import tempfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:31])
    worksheet.freeze_panes = "A2"
    for index, title in enumerate(header):
        worksheet.column_dimensions[_column_letter(index)].width = max(8, _display_width(str(title)) + 4)
    bold = Font(bold=True)
    titles = []
    for title in header:
        cell = WriteOnlyCell(worksheet, value=str(title))
        cell.font = bold
        titles.append(cell)
    worksheet.append(titles)
    for row in rows:
        worksheet.append(list(row))
    with tempfile.TemporaryFile(suffix=".xlsx") as handle:
        workbook.save(handle)
        handle.seek(0)
        while block := handle.read(chunk):
            yield block


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
