"""A live server and Debian's Chromium driven by Playwright (never a downloaded browser).

Chromium must be at /usr/bin/chromium (`apt-get install -y chromium`); without it the browser
tests fail, unless SANYI_TEST_SKIP_BROWSER=1 skips them deliberately.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from sanyi.bootstrap import Container, build_container
from sanyi.infrastructure import migrate
from tests.conftest import make_settings

CHROMIUM = os.environ.get("SANYI_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"

if os.environ.get("SANYI_TEST_SKIP_BROWSER") == "1":
    pytest.skip("SANYI_TEST_SKIP_BROWSER=1", allow_module_level=True)


@dataclass
class LiveServer:
    url: str
    container: Container


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from sanyi.web.app import create_app

    data_dir = tmp_path_factory.mktemp("live")
    container = build_container(make_settings(f"sqlite:///{data_dir / 'sanyi.db'}", data_dir))
    migrate.upgrade(container.engine)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", container)
    server.should_exit = True
    thread.join(timeout=10)
    container.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (or SANYI_TEST_SKIP_BROWSER=1)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})
    opened = context.new_page()
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # An HTTP error status the test provokes (a failed login) is not a broken page.
        if message.type == "error" and not message.text.startswith(
            "Failed to load resource: the server responded"
        ):
            console_errors.append(message.text)

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: console_errors.append(str(error)))
    yield opened
    context.close()
    # A page that breaks its scripts (or the CSP) is a failing page.
    assert console_errors == [], console_errors


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
