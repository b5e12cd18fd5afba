"""Reading tab-separated knowledge tables against a declared schema.

A schema names the columns in order, what each value must look like, and which columns form a
unique key. Reading stops at the first problem with a :class:`DomainError` that names the file,
the line (1 = header) and the reason, so a corrupted copy can never load half-way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from sanyi.kernel.errors import DomainError
from sanyi.knowledge import KNOWLEDGE_ROOT
from sanyi.knowledge.errors import KNOWLEDGE_INVALID_FILE

ValueCheck: TypeAlias = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, and how a value is checked (``None`` from a check means valid)."""

    name: str
    pattern: re.Pattern[str] | None = None
    choices: frozenset[str] | None = None
    required: bool = True
    check: ValueCheck | None = None

    def problem(self, value: str) -> str | None:
        if value == "":
            return f"column {self.name!r} is empty" if self.required else None
        if self.pattern is not None and not self.pattern.fullmatch(value):
            return f"column {self.name!r}: {value!r} does not match {self.pattern.pattern}"
        if self.choices is not None and value not in self.choices:
            return f"column {self.name!r}: {value!r} is not one of {sorted(self.choices)}"
        if self.check is not None:
            return self.check(value)
        return None


@dataclass(frozen=True, slots=True)
class TableSchema:
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    description: str = ""
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(column.name for column in self.columns))


def relative_name(path: Path) -> str:
    """The path as shown in errors: relative to the knowledge root when inside it."""
    try:
        return str(path.resolve().relative_to(KNOWLEDGE_ROOT))
    except ValueError:
        return str(path)


def fail(path: Path, line: int, reason: str) -> DomainError:
    return DomainError(KNOWLEDGE_INVALID_FILE, file=relative_name(path), line=line, reason=reason)


def read_table(path: Path, schema: TableSchema) -> list[tuple[str, ...]]:
    """All data rows of a TSV file as tuples of strings, in file order, validated."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(path, 0, "file is missing") from None
    except UnicodeDecodeError as error:
        raise fail(path, text_line_of_byte(path, error.start), "not valid UTF-8") from None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise fail(path, 1, "file is empty; expected a header line")
    header = tuple(lines[0].lstrip("\ufeff").rstrip("\r").split("\t"))
    if header != schema.names:
        raise fail(path, 1, f"header is {list(header)}, expected {list(schema.names)}")
    width = len(schema.columns)
    unique_positions = [schema.names.index(name) for name in schema.unique]
    seen: dict[tuple[str, ...], int] = {}
    rows: list[tuple[str, ...]] = []
    for number, raw in enumerate(lines[1:], start=2):
        values = tuple(raw.rstrip("\r").split("\t"))
        if len(values) != width:
            raise fail(path, number, f"{len(values)} fields, expected {width}")
        for column, value in zip(schema.columns, values, strict=True):
            problem = column.problem(value)
            if problem is not None:
                raise fail(path, number, problem)
        if unique_positions:
            key = tuple(values[position] for position in unique_positions)
            if key in seen:
                raise fail(path, number, f"duplicate key {key} (first on line {seen[key]})")
            seen[key] = number
        rows.append(values)
    return rows


def text_line_of_byte(path: Path, offset: int) -> int:
    return path.read_bytes()[:offset].count(b"\n") + 1


def read_pairs(path: Path, schema: TableSchema) -> dict[str, str]:
    """A two-column table as a mapping from the first column to the second."""
    if len(schema.columns) != 2:
        raise ValueError("read_pairs needs a two-column schema")
    return {row[0]: row[1] for row in read_table(path, schema)}


def positive_int(value: str) -> str | None:
    return None if value.isdigit() and int(value) > 0 else f"{value!r} is not a positive integer"


def column_values(rows: Sequence[tuple[str, ...]], schema: TableSchema, name: str) -> list[str]:
    position = schema.names.index(name)
    return [row[position] for row in rows]
