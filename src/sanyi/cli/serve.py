"""``sanyi serve``: run the web app."""

import os
from typing import Annotated

import typer
import uvicorn

from sanyi.bootstrap import Container, build_container
from sanyi.cli.common import DbOption, load_settings
from sanyi.web.app import create_app


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes sharing the port (the database serialises writes)")
    ] = 1,
    db: DbOption = None,
) -> None:
    """Serve the web app and the API."""
    settings = load_settings(db)
    if workers == 1:
        start(build_container(settings), host or settings.host, port or settings.port)
        return
    # Each worker process builds its own container from the environment, so --db must travel there.
    if db is not None:
        os.environ["SANYI_DATABASE_URL"] = db
    uvicorn.run(
        "sanyi.web.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
        log_level="warning",
        access_log=False,
    )


def start(container: Container, host: str, port: int) -> None:
    uvicorn.run(create_app(container), host=host, port=port, log_level="warning", access_log=False)
