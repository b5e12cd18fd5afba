"""``sanyi serve --workers N``: several processes on one port, each with its own container."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from sanyi.bootstrap import Container
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
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/api/registry/overview").status_code == 401
        # uvicorn's supervisor runs the workers as its children; with 2 workers there are at least 2.
        assert len(_children(server.pid)) >= 2
    finally:
        server.terminate()
        server.wait(timeout=30)
