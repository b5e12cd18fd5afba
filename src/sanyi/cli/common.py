"""What every command shares: the container for ``--db``, output as tables or JSON, error exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from sanyi.bootstrap import Container, build_container
from sanyi.infrastructure.logs import configure_logging
from sanyi.infrastructure.settings import Settings
from sanyi.kernel.errors import DomainError, ErrorKind

console = Console()
errors = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL (default: $SANYI_DATABASE_URL or sqlite:///./var/sanyi.db)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON")]

EXIT_CODES = {
    ErrorKind.INVALID: 2,
    ErrorKind.NOT_FOUND: 3,
    ErrorKind.CONFLICT: 4,
    ErrorKind.UNAUTHENTICATED: 5,
    ErrorKind.FORBIDDEN: 5,
    ErrorKind.THROTTLED: 6,
    ErrorKind.CONFIGURATION: 7,
}

T = TypeVar("T")


def load_settings(db: str | None = None, **overrides: Any) -> Settings:
    values = dict(overrides)
    if db is not None:
        values["database_url"] = db
    try:
        settings = Settings(**values)
    except ValidationError as error:
        first = error.errors()[0]
        errors.print(f"[red]配置错误 / configuration error:[/red] {first['msg']}")
        raise typer.Exit(7) from None
    configure_logging(settings.log_level, json_lines=settings.log_json)
    return settings


@contextmanager
def open_container(db: str | None = None, **overrides: Any) -> Iterator[Container]:
    container = build_container(load_settings(db, **overrides))
    try:
        yield container
    finally:
        container.dispose()


def run(action: Callable[[], T]) -> T:
    """Run a command body; a DomainError becomes a bilingual message and a stable exit code."""
    try:
        return action()
    except DomainError as error:
        errors.print(f"[red]{error.code}[/red] {error.message_zh}")
        errors.print(f"[dim]{error.message_en}{f' (at {error.path})' if error.path else ''}[/dim]")
        raise typer.Exit(EXIT_CODES[error.kind]) from None


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")
