"""``sanyi serve --workers N``: several processes on one port, each with its own container."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from sanyi.bootstrap import Container
from sanyi.cli.serve import listening_socket
from tests.conftest import TEST_SECRET


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()


@pytest.mark.slow
def test_two_workers_serve_one_port(container: Container, tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "SANYI_ENV": "test", "SANYI_SECRET_KEY": TEST_SECRET}
    env["SANYI_DATA_DIR"] = str(tmp_path)
    sanyi = Path(sys.executable).with_name("sanyi")
    command = [str(sanyi), "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen([*command, "--db", container.settings.database_url], env=env)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        refused = httpx.get(f"http://127.0.0.1:{port}/api/registry/overview")
        assert refused.status_code == 401
        assert refused.headers["server-timing"].startswith("app;dur=")
        # uvicorn's supervisor runs the workers as its children; with 2 workers there are at least 2.
        assert len(_children(server.pid)) >= 2
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _nodelay_of_accepted_connection(sock: socket.socket) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result(
            writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        )
        writer.close()

    server = await asyncio.start_server(on_connection, sock=sock)
    async with server:
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        result = await asyncio.wait_for(accepted, 5)
        writer.close()
    return result


def _nodelay_in_a_fresh_loop(sock: socket.socket) -> int:
    # Its own thread: an earlier test (Playwright's sync API) may leave a loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, _nodelay_of_accepted_connection(sock)).result()


def test_worker_connections_send_without_nagle_delay() -> None:
    """Connections accepted on the workers' shared socket have TCP_NODELAY, as in single-process mode.

    A listening socket created with protocol 0 (uvicorn's ``bind_socket``) yields connections on which
    asyncio leaves Nagle on; the second assertion shows that difference is real.
    """
    assert _nodelay_in_a_fresh_loop(listening_socket("127.0.0.1", 0)) != 0
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    plain.bind(("127.0.0.1", 0))
    assert _nodelay_in_a_fresh_loop(plain) == 0
