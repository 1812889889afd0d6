"""Browser journeys in real Chromium (Debian's build, driven by Playwright; no browser download).

A real server (gunicorn, 2 workers) runs on a free port against its own database with the demo
town loaded. Screenshots of every step go to test-artifacts/screenshots/<test>/; axe-core
(vendored in tests/e2e/assets) checks each page. Without /usr/bin/chromium the journeys are
skipped, unless SHAREMARKET_E2E_REQUIRED=1 (CI), where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
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
NARROW = {"width": 320, "height": 640}
SIZES = {"phone": PHONE, "desktop": DESKTOP, "narrow": NARROW}
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
        self.submit("main button[type=submit]")

    def submit(self, selector: str) -> None:
        """Click a button that posts or gets a form, and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(selector)

    def logout(self) -> None:
        self.submit("form[action='/logout'] button")

    def sign_up(self, name: str, password: str = "a long enough password", home: str | None = None) -> str:
        """A fresh member (unique e-mail, so phone and desktop runs never meet); logged in."""
        email = f"{re.sub(r'[^a-z]+', '-', name.lower())}-{self.size_name}-{uuid.uuid4().hex[:8]}@example.org"
        self.go("/register")
        self.page.fill("#display_name", name)
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.submit("main button[type=submit]")
        assert self.page.url.endswith("/account"), f"sign-up of {name} failed at {self.page.url}"
        if home:
            self.page.fill("#home_label", home)
            self.submit("main form button[type=submit]")
            assert self.page.locator(".flash-success").count() == 1, f"home {home!r} was not saved"
        return email

    @contextlib.contextmanager
    def doing(self, step: str, check: bool = True):
        """Actions of one step; then the step is recorded (screenshot, axe, width). A failure
        says which step it was, where, and why, with a screenshot of that moment."""
        try:
            yield self.page
        except Exception as exc:  # noqa: BLE001 - any failure is reported as this step's
            with contextlib.suppress(Exception):
                self.shot(f"FAILED {step}")
            raise AssertionError(f"step '{step}' ({self.size_name}) failed at {self.page.url}: {exc}") from exc
        self.step(step, check=check)


def _local_only(base: str):
    """Map tiles and anything else off the test server are refused at once: no network in CI."""

    def route(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            route.abort()

    return route


@pytest.fixture
def open_journey(request, browser, server):
    """`open_journey(size_name, javascript=True)`: a Journey in a fresh browser context."""
    contexts = []

    def open_(size_name: str, javascript: bool = True) -> Journey:
        phone = size_name != "desktop"
        context = browser.new_context(
            viewport=SIZES[size_name],
            locale="fr-FR",
            is_mobile=phone,
            has_touch=phone,
            java_script_enabled=javascript,
        )
        contexts.append(context)
        context.route("**/*", _local_only(server))
        page = context.new_page()
        page.set_default_timeout(10_000)
        folder = SHOTS / request.node.originalname
        folder.mkdir(parents=True, exist_ok=True)
        return Journey(page, server, folder, size_name)

    yield open_
    for context in contexts:
        context.unroute_all(behavior="ignoreErrors")
        context.close()


@pytest.fixture(params=["phone", "desktop"])
def journey(request, open_journey):
    return open_journey(request.param)


def pytest_sessionfinish(session, exitstatus):
    if SHOTS.exists() and any(SHOTS.iterdir()):
        print(f"\nscreenshots: {SHOTS}")


def clean_screenshots() -> None:
    shutil.rmtree(SHOTS, ignore_errors=True)
