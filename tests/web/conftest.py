"""A real uvicorn server and Debian's Chromium for the browser tests.

Chromium comes from `apt-get install chromium` (done by .ci/run); Playwright
drives that binary via ``executable_path`` and never downloads a browser.
Without Chromium the tests are skipped locally and fail in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium not installed")
    return path


def _serve(env_extra: dict[str, str]):
    port = _free_port()
    env = {**os.environ, **env_extra}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory",
                                "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                               cwd=Path(__file__).parents[2], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {process.stderr.read().decode(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def server():
    """The app without keys (loopback only)."""
    process, url = _serve({"ELIGIBILITY_API_KEYS": "", "ELIGIBILITY_API_KEY_FILE": ""})
    yield url
    process.terminate()
    process.wait(10)


_PLAYWRIGHT: dict[str, object] = {}
WEB_TESTS = Path(__file__).parent


def _stop_browser() -> None:
    """Close Chromium and stop Playwright: its sync API keeps an event loop running in this thread until
    stopped, and a later test calling ``asyncio.run`` would fail ("cannot be called from a running event loop")."""
    if "manager" in _PLAYWRIGHT:
        _PLAYWRIGHT.pop("browser").close()
        _PLAYWRIGHT.pop("manager").__exit__(None, None, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last browser test in this process (the next test is not under tests/web/), stop the browser
    (after the test's own fixtures are torn down)."""
    yield
    if nextitem is None or WEB_TESTS not in Path(str(nextitem.fspath)).parents:
        _stop_browser()


@pytest.fixture
def browser(chromium_path):
    """One Chromium for the browser tests that run in a row (started on first use, stopped after the last)."""
    from playwright.sync_api import sync_playwright

    if "browser" not in _PLAYWRIGHT:
        manager = sync_playwright()
        playwright = manager.__enter__()
        _PLAYWRIGHT["manager"] = manager
        _PLAYWRIGHT["browser"] = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                                            args=CHROMIUM_ARGS)
    return _PLAYWRIGHT["browser"]


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server, locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def narrow_page(browser, server):
    """A page 320 px wide (a phone in portrait), CSP bypassed so that axe can be injected."""
    context = browser.new_context(base_url=server, locale="sv-SE", viewport={"width": 320, "height": 640},
                                  bypass_csp=True)
    yield context.new_page()
    context.close()
