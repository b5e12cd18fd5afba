"""Parquet files of a dataset path: one file, or a directory of part files."""

from __future__ import annotations

from pathlib import Path

from sanyi.analytics.errors import ANALYTICS_NO_DATA
from sanyi.kernel.errors import DomainError


def parquet_files(path: Path) -> list[Path]:
    """The data files, sorted; marker files (``_SUCCESS``, ``.crc``) are not data."""
    if path.is_file():
        return [path]
    files = sorted(p for p in path.glob("*.parquet") if not p.name.startswith(("_", ".")))
    if not files:
        raise DomainError(ANALYTICS_NO_DATA, where=str(path), path=str(path))
    return files


def data_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in parquet_files(path))
