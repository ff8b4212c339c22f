"""The portal in a real browser: the app served on a free port, Debian's chromium driven by Playwright.

Playwright never downloads a browser here: it launches /usr/bin/chromium (`make test` installs the Debian
package when it is missing) with the flags this machine's closed network needs.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# Where the main pages' screenshots go (the README shows them); set PORTAL_SCREENSHOTS to refresh them.
SCREENSHOTS = os.environ.get("PORTAL_SCREENSHOTS")


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The app (against the test Neo4j) served by werkzeug on a free local port, for the session."""
    # werkzeug's own access log would print query strings; the app logs each request without them.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Debian's chromium is needed at {CHROMIUM} (make test installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot for the README when PORTAL_SCREENSHOTS names a folder."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def log_in(page: Page, key: str) -> None:
    page.goto("/login")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()
