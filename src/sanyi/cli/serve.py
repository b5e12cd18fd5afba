"""``sanyi serve``: run the web app."""

import os
import socket
from typing import Annotated

import typer
import uvicorn
from uvicorn.supervisors import Multiprocess

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
    config = uvicorn.Config(
        "sanyi.web.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host or settings.host,
        port=port or settings.port,
        log_level="warning",
        access_log=False,
        # A worker answers the supervisor's ping only once the app is imported; on a loaded machine
        # that takes longer than uvicorn's 5 s default, and a worker killed for it restarts forever.
        timeout_worker_healthcheck=60,
    )
    Multiprocess(config, sockets=[listening_socket(config.host, config.port)]).run()


def listening_socket(host: str, port: int) -> socket.socket:
    """The shared listening socket of the worker processes, created with ``IPPROTO_TCP``.

    uvicorn's own ``bind_socket`` leaves the protocol at 0; accepted connections inherit it, and
    asyncio then skips ``TCP_NODELAY`` (it only sets it on sockets whose protocol is TCP). With Nagle
    on, a response's body waits for the client's delayed ACK of its headers: 40 ms on every request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def start(container: Container, host: str, port: int) -> None:
    uvicorn.run(create_app(container), host=host, port=port, log_level="warning", access_log=False)
