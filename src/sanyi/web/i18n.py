"""Translations for pages: Chinese by default, English on request.

Messages live in ``locales/<lang>.yaml`` as nested keys (``nav.registry``); both catalogues must
have the same keys, which a test checks.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

LOCALES_DIR: Final = Path(__file__).resolve().parent / "locales"
LANGUAGES: Final = ("zh", "en")
DEFAULT_LANGUAGE: Final = "zh"


def _flatten(prefix: str, node: Any, into: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, into)
    else:
        into[prefix] = str(node)


@cache
def catalogue(language: str) -> dict[str, str]:
    raw = yaml.safe_load((LOCALES_DIR / f"{language}.yaml").read_text(encoding="utf-8"))
    messages: dict[str, str] = {}
    _flatten("", raw, messages)
    return messages


class Translator:
    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._messages = catalogue(self.language)

    def __call__(self, key: str, **params: Any) -> str:
        text = self._messages.get(key)
        if text is None:
            # A missing key shows itself rather than breaking the page; a test keeps catalogues complete.
            return key
        return text.format(**params) if params else text

    def pick(self, zh: str, en: str) -> str:
        """Choose between two texts that come with the data (labels of roles, error messages)."""
        return zh if self.language == "zh" else en
