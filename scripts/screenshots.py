"""The README's screenshots: the home page of the demo town, in French, on a phone and a desktop.

python3 scripts/screenshots.py  ->  docs/screenshots/home-phone.png, docs/screenshots/home-desktop.png

Needs Debian's Chromium (/usr/bin/chromium) and the dev dependencies (Playwright). Run it again
after changing the home page or its translations.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="sharemarket-shots-"))
    env = dict(os.environ)
    env.update(
        SHAREMARKET_ENV="development",
        SECRET_KEY="screenshots",
        DATABASE_URL=f"sqlite:///{folder / 'demo.db'}",
        SHAREMARKET_MEDIA_DIR=str(folder / "media"),
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/hello", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            for name, viewport in SIZES.items():
                phone = name == "phone"
                context = browser.new_context(
                    viewport=viewport, locale="fr-FR", is_mobile=phone, has_touch=phone, device_scale_factor=1
                )
                context.route(
                    "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
                )
                page = context.new_page()
                page.goto(base + "/")
                path = OUT / f"home-{name}.png"
                page.screenshot(path=str(path), full_page=True)
                context.unroute_all(behavior="ignoreErrors")
                context.close()
                with Image.open(path) as image:
                    image.convert("RGB").quantize(colors=128).save(path, optimize=True)
                print(f"{path.relative_to(ROOT)}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
