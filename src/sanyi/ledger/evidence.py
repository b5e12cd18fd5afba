"""Evidence files of progress reports, stored under the data directory with size and type limits.

Files are kept as ``<data_dir>/ledger/evidence/<random key>``, never under the name the user gave
(which is kept in the database and used only for the download), so a name cannot escape the folder.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Final

from sanyi.kernel.errors import DomainError
from sanyi.ledger.errors import LEDGER_ATTACHMENT_TOO_LARGE, LEDGER_ATTACHMENT_TYPE

MAX_BYTES: Final = 10 * 1024 * 1024
# Documents and pictures that evidence of a reform task is given as.
ALLOWED: Final = {
    ".pdf": "application/pdf",
    ".ofd": "application/ofd",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".txt": "text/plain",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    name: str
    media_type: str
    size: int
    key: str


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self._root = root / "ledger" / "evidence"

    @staticmethod
    def check(name: str, data: bytes) -> str:
        """The media type of an acceptable file (decided by its extension), or an error."""
        suffix = PurePath(name).suffix.lower()
        if suffix not in ALLOWED:
            raise DomainError(LEDGER_ATTACHMENT_TYPE, name=name, allowed=" ".join(sorted(ALLOWED)))
        if len(data) > MAX_BYTES:
            raise DomainError(LEDGER_ATTACHMENT_TOO_LARGE, name=name, size=len(data), limit=MAX_BYTES)
        return ALLOWED[suffix]

    def save(self, name: str, data: bytes) -> Evidence:
        media_type = self.check(name, data)
        self._root.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(16)
        (self._root / key).write_bytes(data)
        return Evidence(PurePath(name).name[:200], media_type, len(data), key)

    def read(self, key: str) -> bytes:
        return (self._root / key).read_bytes()

    def discard(self, key: str) -> None:
        """Remove a file whose report was not committed."""
        (self._root / key).unlink(missing_ok=True)
