"""``--engine`` and ``--workers`` on the domain commands (``drg group``, ``settle``, ``supervise``,
``indicators compute``): the same batch job as ``sanyi batch run`` over a region's Parquet.

An engine decides where a job over a Parquet region runs; a file of claims or cases, or the
database, is read in this process, so an engine named with such an input is refused rather than
silently ignored (ADR 0018).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from sanyi.analytics.api import (
    ANALYTICS_ENGINE_NEEDS_PARQUET,
    ANALYTICS_INVALID_OPTION,
    ANALYTICS_ONE_INPUT,
    ANALYTICS_UNKNOWN_ENGINE,
    ENGINES,
    AnalyticsBackend,
    open_backend,
)
from sanyi.cli.common import run
from sanyi.kernel.errors import DomainError

RegionEngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine", help=f"With --parquet: where the job runs ({', '.join(ENGINES)}; default local)"
    ),
]
RegionOption = Annotated[
    Path | None,
    typer.Option("--parquet", help="A region written by sanyi synth --parquet", exists=True, file_okay=False),
]


def region_engine(parquet: Path | None, engine: str | None, source_zh: str, source_en: str) -> str | None:
    """The engine to run on (``None``: no Parquet region, the command's own in-process path)."""

    def check() -> str | None:
        if engine is not None and engine not in ENGINES:
            raise DomainError(ANALYTICS_UNKNOWN_ENGINE, engine=engine, engines=", ".join(ENGINES))
        if parquet is None:
            if engine is not None:
                raise DomainError(
                    ANALYTICS_ENGINE_NEEDS_PARQUET, source=source_zh, source_en=source_en, path="--engine"
                )
            return None
        return engine or "local"

    return run(check)


def refuse_with_region(option: str, value: Any, reason: str) -> None:
    """An option that has no meaning for a job over a Parquet region."""
    if value is None or value is False:
        return

    def refuse() -> None:
        raise DomainError(
            ANALYTICS_INVALID_OPTION, option=option, value=str(value), reason=reason, path=option
        )

    run(refuse)


def region_only(option: str, value: Any) -> None:
    """An option that has a meaning only with --parquet, given without it."""

    def refuse() -> None:
        raise DomainError(
            ANALYTICS_INVALID_OPTION,
            option=option,
            value=str(value),
            reason="only with --parquet",
            path=option,
        )

    run(refuse)


def output_directory(output: Path) -> Path:
    """``-o`` of a job over a region: a directory that receives the job's Parquet output."""
    if str(output) == "-" or output.is_file():

        def refuse() -> None:
            raise DomainError(
                ANALYTICS_INVALID_OPTION,
                option="--output",
                value=str(output),
                reason="a directory for the Parquet output / 须为目录",
                path="--output",
            )

        run(refuse)
    return output


def one_input(given: int, choices: str) -> None:
    """Exactly one of a command's inputs (a file, --parquet, --db) must be given."""
    if given == 1:
        return

    def refuse() -> None:
        raise DomainError(ANALYTICS_ONE_INPUT, choices=choices, path="INPUT")

    run(refuse)


@contextmanager
def backend_for(engine: str, workers: int) -> Iterator[AnalyticsBackend]:
    backend = run(lambda: open_backend(engine, workers))
    try:
        yield backend
    finally:
        backend.close()
