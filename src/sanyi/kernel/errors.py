"""Errors with stable codes and a Chinese and an English message.

A context declares each error once as an :class:`ErrorSpec` (code, kind, message templates) and
raises :class:`DomainError` with it. The web layer maps an :class:`ErrorKind` to an HTTP status in
one place; batch jobs collect :class:`Issue` records instead of stopping at the first bad row.
"""

from __future__ import annotations

import dataclasses
import enum
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class ErrorKind(enum.Enum):
    """What kind of failure an error is; decides the HTTP status and the exit code."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    THROTTLED = "throttled"
    CONFIGURATION = "configuration"


_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """The identity of one error: its stable code, its kind and its message templates."""

    code: str
    kind: ErrorKind
    message_zh: str
    message_en: str

    def __post_init__(self) -> None:
        if not self.code.isupper() or " " in self.code:
            raise ValueError(f"error code must be UPPER_SNAKE_CASE: {self.code!r}")
        _REGISTRY.register(self)

    @property
    def fields(self) -> frozenset[str]:
        """Parameters the messages need (a zh template may use a zh-only parameter such as kind_zh)."""
        return _template_fields(self.message_zh) | _template_fields(self.message_en)

    def render(self, params: Mapping[str, Any]) -> tuple[str, str]:
        missing = self.fields - params.keys()
        if missing:
            raise ValueError(f"{self.code}: missing message parameters {sorted(missing)}")
        return self.message_zh.format(**params), self.message_en.format(**params)


def _template_fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in _FORMATTER.parse(template) if name)


class _Registry:
    """Every declared error code, so docs and tests can list them and codes stay unique."""

    def __init__(self) -> None:
        self._specs: dict[str, ErrorSpec] = {}

    def register(self, spec: ErrorSpec) -> None:
        existing = self._specs.get(spec.code)
        if existing is not None and existing != spec:
            raise ValueError(f"error code declared twice with different content: {spec.code}")
        self._specs[spec.code] = spec

    def all(self) -> list[ErrorSpec]:
        return sorted(self._specs.values(), key=lambda s: s.code)

    def get(self, code: str) -> ErrorSpec | None:
        return self._specs.get(code)


_REGISTRY = _Registry()


def registered_errors() -> list[ErrorSpec]:
    """All error specs declared so far (import the contexts first to see theirs)."""
    return _REGISTRY.all()


def error_spec(code: str) -> ErrorSpec | None:
    return _REGISTRY.get(code)


class DomainError(Exception):
    """A failure the user can act on: a stable code, zh/en messages and where it happened."""

    def __init__(self, spec: ErrorSpec, *, path: str | None = None, **params: Any) -> None:
        self.spec = spec
        self.path = path
        self.params: dict[str, Any] = params
        self.message_zh, self.message_en = spec.render(params)
        super().__init__(f"[{spec.code}] {self.message_en}" + (f" (at {path})" if path else ""))

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def kind(self) -> ErrorKind:
        return self.spec.kind

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
        if self.path is not None:
            body["path"] = self.path
        return body

    def as_issue(self, *, row: int | None = None, field_name: str | None = None) -> Issue:
        return Issue(
            code=self.code,
            message_zh=self.message_zh,
            message_en=self.message_en,
            row=row,
            field=field_name if field_name is not None else self.path,
        )


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a batch: which row and field, which code, what it means."""

    code: str
    message_zh: str
    message_en: str
    row: int | None = None
    field: str | None = None
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            **dict(self.extra),
        }


# Errors of the kernel itself.
INVALID_MONEY = ErrorSpec(
    "INVALID_MONEY",
    ErrorKind.INVALID,
    "金额“{value}”无效：{reason}",
    "invalid amount {value!r}: {reason}",
)
INVALID_DECIMAL = ErrorSpec(
    "INVALID_DECIMAL",
    ErrorKind.INVALID,
    "数值“{value}”无效：{reason}",
    "invalid number {value!r}: {reason}",
)
INVALID_PERIOD = ErrorSpec(
    "INVALID_PERIOD",
    ErrorKind.INVALID,
    "期间“{value}”无效：{reason}",
    "invalid period {value!r}: {reason}",
)
INVALID_ID = ErrorSpec(
    "INVALID_ID",
    ErrorKind.INVALID,
    "编码“{value}”无效：{reason}",
    "invalid identifier {value!r}: {reason}",
)
