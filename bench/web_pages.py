"""What each main page ships to the browser, and how fast the heaviest one renders, on the demo town.

For every main page (as a visitor and as a member), loaded in Debian's Chromium from a real
gunicorn (production settings, 2 workers): the bytes of CSS and JavaScript it loads (vendored
Leaflet included; uncompressed, what the browser parses), against the 300 KB budget, and the
bytes of the HTML and images. Then the heaviest page (all bytes) and the longest document are
loaded again and again (cold: a new browser context each time, so nothing is cached; warm: the
same context), and the navigation timing is printed: domContentLoaded and load, median and 95th percentile (target:
under 1 s). Map tiles come from a tile server in production; here they are refused at once, so
the figures are the page's own.

    .venv/bin/python bench/web_pages.py                                              # SQLite
    .venv/bin/python bench/web_pages.py --database-url postgresql://postgres@127.0.0.1/sm_bench
"""

from __future__ import annotations

import os
import statistics
from datetime import date, timedelta
from urllib.parse import urlsplit

import harness

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
BUDGET = 300 * 1024
MEMBER = "soizic.lefloch@lorient.example.org"
PHONE = {"width": 390, "height": 844}

RESOURCES = """() => {
  const sizes = {css: 0, js: 0, img: 0, other: 0};
  for (const entry of performance.getEntriesByType('resource')) {
    const path = new URL(entry.name).pathname;
    const kind = path.endsWith('.css') ? 'css' : path.endsWith('.js') ? 'js'
      : /\\.(png|jpe?g|webp|svg|gif)$/.test(path) ? 'img' : 'other';
    sizes[kind] += entry.decodedBodySize;
  }
  const nav = performance.getEntriesByType('navigation')[0];
  sizes.html = nav.decodedBodySize;
  return sizes;
}"""
TIMING = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd};
}"""


def _local_only(base: str):
    def route(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            route.abort()

    return route


def _path(page, selector: str) -> str:
    href = page.locator(selector).first.get_attribute("href")
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _pages(page, base: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(label, path) of the main pages, visitor then member, found by following links."""
    tomorrow = date.today() + timedelta(days=1)
    page.goto(base + "/listings?where=Lorient")
    listing = _path(page, "#results h3 a")
    page.goto(base + "/desks?where=Lorient")
    space = _path(page, "#spaces-list h3 a").split("?")[0]
    rides = f"/rides?from_label=Lorient&to_label=Vannes&day={tomorrow}&time_from=06:00&time_to=10:00&seats=1"
    page.goto(base + rides)
    ride = _path(page, "#ride-results h3 a") if page.locator("#ride-results h3 a").count() else "/rides"
    visitor = [
        ("home", "/"),
        ("things: search (map)", "/listings?where=Lorient"),
        ("thing (map, calendar)", listing),
        ("desks: search (map)", "/desks?where=Lorient"),
        ("space (map, week)", space),
        ("rides: search (map)", rides),
        ("ride (map)", ride),
        ("log in", "/login"),
        ("accessibility statement", "/accessibility"),
    ]
    member = [
        ("home (member)", "/"),
        ("my bookings", "/bookings"),
        ("lend something (form, map)", "/listings/new"),
        ("offer a ride (form, maps)", "/rides/new"),
        ("my account", "/account"),
    ]
    return visitor, member


def _log_in(page, base: str, email: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def measure_pages(browser, base: str, password: str) -> list[dict]:
    context = browser.new_context(viewport=PHONE)
    context.route("**/*", _local_only(base))
    page = context.new_page()
    visitor, member = _pages(page, base)
    rows = []
    for role, pages in (("visitor", visitor), ("member", member)):
        if role == "member":
            _log_in(page, base, MEMBER, password)
        for label, path in pages:
            fresh = context.new_page()  # a page of its own: only this navigation's resources
            response = fresh.goto(base + path, wait_until="load")
            sizes = fresh.evaluate(RESOURCES)
            rows.append({"label": label, "path": path, "role": role, "status": response.status, **sizes})
            fresh.close()
    context.unroute_all(behavior="ignoreErrors")
    context.close()
    return rows


def timings(browser, base: str, row: dict, runs: int, cold: bool, password: str) -> list[dict]:
    """Navigation timings of `runs` loads of the row's page (a member's page: logged in first;
    cold: the login page's CSS is then cached, the page's own scripts are not)."""
    path = row["path"]
    found = []
    context = None
    for _ in range(runs + 1):
        if context is None or cold:
            if context is not None:
                context.unroute_all(behavior="ignoreErrors")
                context.close()
            context = browser.new_context(viewport=PHONE)
            context.route("**/*", _local_only(base))
            if row["role"] == "member":
                login = context.new_page()
                _log_in(login, base, MEMBER, password)
                login.close()
        page = context.new_page()
        response = page.goto(base + path, wait_until="load")
        assert response.url == base + path, f"{path} led to {response.url}"
        found.append(page.evaluate(TIMING))
        page.close()
    context.unroute_all(behavior="ignoreErrors")
    context.close()
    return found[1:]  # the first load warms the server's caches


def _kb(n: float) -> str:
    return f"{n / 1024:7.1f}"


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--runs", type=int, default=15, help="loads of the heaviest page per mode (default 15)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with harness.fresh_database("web_pages", args.database_url) as bench:
        from sharemarket.demo import load_all
        from sharemarket.extensions import db

        with bench.app.app_context():
            load_all()
            db.session.commit()
        password = bench.app.config["DEMO_PASSWORD"]
        dialect = bench.dialect
    # Log-in cookies are Secure in production; Chromium keeps them on http://127.0.0.1 too.
    with harness.Server(bench.url, workers=args.workers) as server, sync_playwright() as playwright:
        base = f"http://127.0.0.1:{server.port}"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        rows = measure_pages(browser, base, password)
        print(f"\n== CSS + JavaScript shipped per page (KB, uncompressed; budget {BUDGET // 1024} KB)")
        print(f"   demo town, {dialect}, gunicorn -w {args.workers}, Chromium {browser.version}, {os.cpu_count()} CPUs")
        header = f"{'page':<30} {'status':>6} {'CSS':>7} {'JS':>7} {'CSS+JS':>7} {'HTML':>7} {'images':>7}  budget"
        print(header)
        print("-" * len(header))
        for row in rows:
            shipped = row["css"] + row["js"]
            verdict = "ok" if shipped <= BUDGET else "OVER"
            print(
                f"{row['label']:<30} {row['status']:>6} {_kb(row['css'])} {_kb(row['js'])} {_kb(shipped)} "
                f"{_kb(row['html'])} {_kb(row['img'])}  {verdict}"
            )
        heaviest = max(rows, key=lambda r: r["css"] + r["js"] + r["html"] + r["img"])
        longest = max(rows, key=lambda r: r["html"])
        for title, chosen in (("the heaviest page (all bytes)", heaviest), ("the longest document", longest)):
            print(f"\n== Render time of {title}: {chosen['label']} ({chosen['path']}), phone viewport")
            print(f"{'mode':<34} {'DCL p50':>8} {'DCL p95':>8} {'load p50':>9} {'load p95':>9}  (ms, {args.runs} runs)")
            for mode, cold in (("cold (new context, empty cache)", True), ("warm (cached CSS/JS)", False)):
                found = timings(browser, base, chosen, args.runs, cold, password)
                dcl, load = [t["dcl"] for t in found], [t["load"] for t in found]
                print(
                    f"{mode:<34} {statistics.median(dcl):>8.0f} {_p95(dcl):>8.0f} "
                    f"{statistics.median(load):>9.0f} {_p95(load):>9.0f}"
                )
        print(f"   load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        browser.close()


if __name__ == "__main__":
    main()
