"""``sanyi serve``: run the web app."""

from typing import Annotated

import typer
import uvicorn

from sanyi.bootstrap import Container, build_container
from sanyi.cli.common import DbOption, load_settings
from sanyi.web.app import create_app


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000)")] = None,
    db: DbOption = None,
) -> None:
    """Serve the web app and the API."""
    settings = load_settings(db)
    start(build_container(settings), host or settings.host, port or settings.port)


def start(container: Container, host: str, port: int) -> None:
    uvicorn.run(create_app(container), host=host, port=port, log_level="warning", access_log=False)
