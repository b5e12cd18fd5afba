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
from itertools import islice
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sanyi.kernel.errors import DomainError, ErrorKind, ErrorSpec

FORMATS: Final = (".csv", ".xlsx", ".parquet")
_PARQUET_BATCH: Final = 50_000

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
    header, batches = read_column_batches(path)

    def rows() -> Iterator[SheetRow]:
        for batch in batches:
            columns = [batch.columns[name] for name in header]
            for offset, values in enumerate(zip(*columns, strict=True)):
                yield SheetRow(batch.first_row + offset, dict(zip(header, values, strict=True)))

    return header, rows()


@dataclass(frozen=True, slots=True)
class ColumnBatch:
    """Consecutive rows as one list of trimmed strings per column; ``first_row`` numbered as in
    :class:`SheetRow`."""

    first_row: int
    columns: dict[str, list[str]]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))


def read_column_batches(path: Path, size: int = _PARQUET_BATCH) -> tuple[list[str], Iterator[ColumnBatch]]:
    """The header and the rows in batches of columns: the fast way through large files.

    Parquet is converted column by column in Arrow (cast to text, trimmed) without a Python object
    per cell on the way; CSV and Excel go through :func:`read_rows`.
    """
    if _format_of(path) != ".parquet":
        header, rows = read_rows(path)
        return header, _batched_rows(header, rows, size)
    try:
        source = pq.ParquetFile(path)
    except (OSError, pa.ArrowException) as error:
        raise DomainError(TABLE_UNREADABLE, path=str(path), name=path.name, reason=str(error)) from None
    header = list(source.schema_arrow.names)

    def batches() -> Iterator[ColumnBatch]:
        number = 2
        for batch in source.iter_batches(batch_size=size):
            columns = {name: _text_column(batch.column(i)) for i, name in enumerate(header)}
            yield ColumnBatch(number, columns)
            number += batch.num_rows

    return header, batches()


def _text_column(column: pa.Array) -> list[str]:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        trimmed = pc.utf8_trim_whitespace(column)
        return [value if value is not None else "" for value in trimmed.to_pylist()]
    return [_text(value) for value in column.to_pylist()]  # numbers, dates: as read_rows shows them


def _batched_rows(header: list[str], rows: Iterator[SheetRow], size: int) -> Iterator[ColumnBatch]:
    while True:
        chunk = list(islice(rows, size))
        if not chunk:
            return
        columns = {name: [row.values[name] for row in chunk] for name in header}
        yield ColumnBatch(chunk[0].number, columns)


def count_rows(path: Path) -> int:
    """How many data rows a file holds (for progress bars; CSV counts lines, so it is an upper bound
    when a quoted cell spans lines)."""
    suffix = _format_of(path)
    try:
        if suffix == ".parquet":
            return int(pq.ParquetFile(path).metadata.num_rows)
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True)
            try:
                return max(0, (workbook.worksheets[0].max_row or 1) - 1)
            finally:
                workbook.close()
        lines = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                lines += chunk.count(b"\n")
        return max(0, lines - 1)
    except (OSError, ValueError, pa.ArrowException) as error:
        raise DomainError(TABLE_UNREADABLE, path=str(path), name=path.name, reason=str(error)) from None


class TableWriter:
    """Writes rows batch by batch: CSV and Parquet stream to disk; Excel is built at the end."""

    def __init__(self, path: Path, header: Sequence[str], sheet: str = "Sheet1") -> None:
        self.path, self.header, self.sheet = path, list(header), sheet
        self.suffix = _format_of(path)
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._held: list[list[Any]] = []
        self._parquet: pq.ParquetWriter | None = None
        self._csv_handle: io.TextIOWrapper | None = None
        if self.suffix == ".csv":
            self._csv_handle = path.open("w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._csv_handle)
            self._csv.writerow(self.header)

    def write(self, rows: Iterable[Sequence[Any]]) -> None:
        batch = [list(row) for row in rows]
        self.count += len(batch)
        if self.suffix == ".csv":
            self._csv.writerows([["" if v is None else _text(v) for v in row] for row in batch])
        elif self.suffix == ".xlsx":
            self._held += batch
        elif batch:
            columns = {
                name: pa.array([None if row[i] is None else _text(row[i]) for row in batch], pa.string())
                for i, name in enumerate(self.header)
            }
            table = pa.table(columns)
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.path, table.schema, compression="zstd")
            self._parquet.write_table(table)

    def write_columns(self, columns: Sequence[Sequence[str | None]]) -> None:
        """Rows given as one list per header column (text or ``None``), written as they are."""
        if len(columns) != len(self.header):
            raise ValueError(f"{len(columns)} columns for a header of {len(self.header)}")
        if self.suffix != ".parquet":
            self.write(zip(*columns, strict=True))
            return
        count = len(columns[0]) if columns else 0
        if not count:
            return
        self.count += count
        table = pa.table(
            {name: pa.array(values, pa.string()) for name, values in zip(self.header, columns, strict=True)}
        )
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self.path, table.schema, compression="zstd")
        self._parquet.write_table(table)

    def close(self) -> None:
        if self._csv_handle is not None:
            self._csv_handle.close()
        elif self.suffix == ".xlsx":
            self.path.write_bytes(xlsx_bytes({self.sheet: (self.header, self._held)}))
        elif self._parquet is not None:
            self._parquet.close()
        else:  # no rows: still a valid file with the header
            empty = {name: pa.array([], pa.string()) for name in self.header}
            pq.write_table(pa.table(empty), self.path, compression="zstd")

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
