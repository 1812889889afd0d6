"""Browser journeys in real Chromium (Debian's build, driven by Playwright; no browser download).

A real server (gunicorn, 2 workers) runs on a free port against its own database with the demo
town loaded. Screenshots of every step go to test-artifacts/screenshots/<test>/; axe-core
(vendored in tests/e2e/assets) checks each page. Without /usr/bin/chromium the journeys are
skipped, unless SHAREMARKET_E2E_REQUIRED=1 (CI), where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import _database_url

ROOT = Path(__file__).resolve().parents[2]
ASSETS = Path(__file__).parent / "assets"
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
DEMO_PASSWORD = "sharemarket-demo"
AXE_SOURCE = (ASSETS / "axe.min.js").read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def _chromium_available():
    if not Path(CHROMIUM).exists():
        if os.environ.get("SHAREMARKET_E2E_REQUIRED") == "1":
            pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def server(_chromium_available, tmp_path_factory):
    """The base URL of a gunicorn server with the demo town loaded."""
    env = dict(os.environ)
    env.update(
        SHAREMARKET_ENV="development",
        SECRET_KEY="e2e-secret",
        DATABASE_URL=_database_url("e2e"),
        RATELIMIT_ENABLED="0",
        SESSION_COOKIE_SECURE="0",
        SHAREMARKET_MEDIA_DIR=str(tmp_path_factory.mktemp("media")),
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(tmp_path_factory.mktemp("server") / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/hello", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the server did not start")
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Journey:
    """A browser page that names each step: screenshots per step, axe checks, clear failures."""

    def __init__(self, page, base: str, folder: Path, size_name: str):
        self.page = page
        self.base = base
        self.folder = folder
        self.size_name = size_name
        self.count = 0

    def go(self, path: str):
        return self.page.goto(self.base + path)

    def shot(self, step: str) -> None:
        self.count += 1
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}-{self.size_name}.png"), full_page=True)

    def check_accessibility(self, step: str) -> None:
        """axe-core: no serious or critical violation on the current page."""
        # Evaluated through the DevTools protocol: our CSP rightly forbids injected script tags.
        if not self.page.evaluate("typeof axe !== 'undefined'"):
            self.page.evaluate(AXE_SOURCE)
        result = self.page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        details = "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad
        )
        assert not bad, f"step '{step}' at {self.page.url}: accessibility violations: {details}"

    def step(self, name: str, check: bool = True) -> None:
        """Record the page after a step: a screenshot, and the axe check unless told not to."""
        self.shot(name)
        if check:
            self.check_accessibility(name)
        self.assert_no_horizontal_scroll(name)

    def assert_no_horizontal_scroll(self, step: str) -> None:
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"step '{step}' at {self.page.url}: page scrolls sideways by {overflow}px"

    def login(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.go("/login")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("main button[type=submit]")


@pytest.fixture(params=["phone", "desktop"])
def journey(request, browser, server):
    size = PHONE if request.param == "phone" else DESKTOP
    context = browser.new_context(
        viewport=size, locale="fr-FR", is_mobile=request.param == "phone", has_touch=request.param == "phone"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    folder = SHOTS / request.node.originalname
    folder.mkdir(parents=True, exist_ok=True)
    yield Journey(page, server, folder, request.param)
    context.close()


def pytest_sessionfinish(session, exitstatus):
    if SHOTS.exists() and any(SHOTS.iterdir()):
        print(f"\nscreenshots: {SHOTS}")


def clean_screenshots() -> None:
    shutil.rmtree(SHOTS, ignore_errors=True)
