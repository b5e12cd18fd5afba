"""Knowledge: the reference data Sanyi runs on, shipped inside the package.

Each kind of table has one loader module here (``codes``, ``drg``, ``supervision``); every loader
checks its files against a declared schema and fails loudly naming the file, line and reason.
Loaded tables are cached for the life of the process. Third-party data keeps its licence in
``NOTICE``.
"""

from pathlib import Path
from typing import Final

KNOWLEDGE_ROOT: Final = Path(__file__).resolve().parent
