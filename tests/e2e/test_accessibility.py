"""Every page of the accessibility statement, checked in Chromium at a phone and a desktop size:
axe-core (no serious or critical violation), no sideways scrolling, every map with its list
alternative, touch targets of 44 px in the main content (on the phone); the main pages again at
320 px wide; the keyboard alone through a form. The figures per page are written to test-artifacts/axe/<size>.json.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest

from sharemarket.main import accessibility as statement
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e
MEMBER = "soizic.lefloch@lorient.example.org"  # demo: lends, borrows, drives, books desks, manages La Cale
ADMIN = "maelle.legoff@lorient.example.org"
AXE_REPORT = ROOT / "test-artifacts" / "axe"

VISITOR_PAGES = (
    "home",
    "listings_search",
    "listing",
    "desks_search",
    "space",
    "public_profile",
    "login",
    "register",
    "password_reset",
    "credits",
    "accessibility",
    "not_found",
    "publish",
    "rides_search",
    "ride",
    "organisations",
    "organisation",
    "communities",
    "community",
    "impact",
)
MEMBER_PAGES = (
    "profile",
    "password",
    "delete_account",
    "listing_form",
    "listings_mine",
    "listing_owner",
    "desks_mine",
    "desk_booking",
    "space_manage",
    "space_publish",
    "space_schedule",
    "space_occupancy",
    "check_in",
    "calendar",
    "bookings_mine",
    "booking",
    "listing_edit",
    "space_new",
    "space_edit",
    "desk_edit",
    "slot_cancel",
    "ride_new",
    "rides_mine",
    "alerts",
    "alert_new",
    "notifications",
    "notification_settings",
    "organisation_new",
    "organisation_edit",
    "community_new",
    "report",
)
ADMIN_PAGES = ("admin_jobs", "impact_admin", "moderation", "moderation_log", "moderators")

# Links and buttons of the main content smaller than 44 × 44 px. A checkbox or radio counts with
# its label (clicking the label ticks it). Exempt (WCAG 2.5.5): links inside a sentence, and the
# map's markers, whose list beside the map has the same links.
SMALL_TARGETS = """() => {
  const small = [];
  const controls = 'main a[href], main button, main input:not([type=hidden]), main select, main textarea, main summary';
  for (const el of document.querySelectorAll(controls)) {
    let box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
    if (el.closest('.leaflet-marker-pane')) continue;
    const parent = el.parentElement;
    const inSentence = el.tagName === 'A' && getComputedStyle(el).display === 'inline'
      && parent.textContent.trim().length > el.textContent.trim().length + 1;
    if (inSentence) continue;
    let [left, top, right, bottom] = [box.left, box.top, box.right, box.bottom];
    for (const label of el.labels || []) {
      const l = label.getBoundingClientRect();
      [left, top] = [Math.min(left, l.left), Math.min(top, l.top)];
      [right, bottom] = [Math.max(right, l.right), Math.max(bottom, l.bottom)];
    }
    if (right - left < 43.5 || bottom - top < 43.5) {
      const name = (el.getAttribute('aria-label') || el.textContent || el.name || '').trim().slice(0, 40);
      small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(right - left)}×${Math.round(bottom - top)}`);
    }
  }
  return small;
}"""


# Every map says in a list what it shows (markers from the list's items, or the point picker's
# latitude and longitude fields): a map without its alternative is reported.
MAPS_WITHOUT_ALTERNATIVE = """() => {
  const missing = [];
  for (const map of document.querySelectorAll('[data-map]')) {
    const list = map.dataset.list && document.querySelector(map.dataset.list);
    const items = list ? list.querySelectorAll('[data-lat][data-lng]') : [];
    const described = items.length && Array.from(items).every(item => item.textContent.trim().length > 0);
    if (!described) missing.push(`map "${map.getAttribute('aria-label')}" has no list of its places`);
  }
  for (const picker of document.querySelectorAll('[data-map-picker]')) {
    for (const selector of [picker.dataset.latInput, picker.dataset.lngInput]) {
      const input = selector && document.querySelector(selector);
      const labelled = input && input.labels && input.labels.length;
      if (!labelled) missing.push(`map picker without a labelled field ${selector}`);
    }
  }
  return missing;
}"""


def _path(href: str) -> str:
    """The path (and query) of a link, which may be absolute."""
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _href(journey, selector: str) -> str:
    """The path of the first link matching `selector`."""
    href = journey.page.locator(selector).first.get_attribute("href")
    assert href, f"no link {selector} on {journey.page.url}"
    return _path(href)


def _visitor_paths(journey) -> dict[str, str]:
    journey.go("/listings?where=Lorient")
    listing = _href(journey, "#results h3 a")
    journey.go(listing)
    owner = _href(journey, ".facts a[href^='/people/']")
    journey.go("/desks?where=Lorient")
    space = _href(journey, "#spaces-list h3 a").split("?")[0]
    tomorrow = date.today() + timedelta(days=1)
    rides = f"/rides?from_label=Lorient&to_label=Vannes&day={tomorrow}&time_from=06:00&time_to=10:00&seats=1"
    journey.go(rides)
    ride = _href(journey, "#ride-results h3 a")
    journey.go("/organisations")
    organisation = _href(journey, "main a[href^='/organisations/']:not([href$='/new'])")
    journey.go("/communities")
    community = _href(journey, "main a[href^='/communities/']:not([href$='/new'])")
    return {
        "home": "/",
        "listings_search": "/listings?where=Lorient",
        "listing": listing,
        "desks_search": "/desks?where=Lorient",
        "space": space,
        "public_profile": owner,
        "login": "/login",
        "register": "/register",
        "password_reset": "/password-reset",
        "credits": "/credits",
        "accessibility": "/accessibility",
        "not_found": "/no-such-page",
        "publish": "/publish",
        "rides_search": rides,
        "ride": ride,
        "organisations": "/organisations",
        "organisation": organisation,
        "communities": "/communities",
        "community": community,
        "impact": "/impact",
    }


def _member_paths(journey) -> dict[str, str]:
    journey.go("/desks/mine")
    manage = _href(journey, "main a[href$='/manage']")
    space = manage.removesuffix("/manage")
    desk_booking = _href(journey, "main a[href^='/desk-bookings/']")
    journey.go(manage)
    check_in = _href(journey, "main a[href*='/check-in/']")
    journey.go("/listings/mine")
    own_listing = _href(journey, "main a[href^='/listings/']:not([href$='/new']):not([href$='/mine'])")
    journey.go("/bookings")
    booking = _href(journey, "main a[href^='/bookings/']").split("#")[0]
    journey.go(space)
    book = journey.page.locator("form[action$='/book']").first.get_attribute("action")
    slot_cancel = book.removesuffix("/book") + "/cancel"
    journey.go(manage)
    desk_edit = _href(journey, "main a[href^='/desks/'][href$='/edit']")
    return {
        "profile": "/account",
        "password": "/account/password",
        "delete_account": "/account/delete",
        "listing_form": "/listings/new",
        "listings_mine": "/listings/mine",
        "listing_owner": own_listing,
        "desks_mine": "/desks/mine",
        "desk_booking": desk_booking,
        "space_manage": manage,
        "space_publish": f"{space}/publish",
        "space_schedule": f"{space}/schedule",
        "space_occupancy": f"{space}/occupancy",
        "check_in": check_in,
        "calendar": "/calendar",
        "bookings_mine": "/bookings",
        "booking": booking,
        "listing_edit": f"{own_listing}/edit",
        "space_new": "/spaces/new",
        "space_edit": f"{space}/edit",
        "desk_edit": desk_edit,
        "slot_cancel": slot_cancel,
        "ride_new": "/rides/new",
        "rides_mine": "/rides/mine",
        "alerts": "/rides/alerts",
        "alert_new": "/rides/alerts/new",
        "notifications": "/notifications",
        "notification_settings": "/notifications/settings",
        "organisation_new": "/organisations/new",
        "organisation_edit": _organisation_i_run(journey),
        "community_new": "/communities/new",
        "report": f"/report?target_type=listing&target_id={own_listing.rsplit('/', 1)[1]}",
    }


def _organisation_i_run(journey) -> str:
    """The edit page of an organisation the member runs (found from the organisations' pages)."""
    journey.go("/organisations")
    links = journey.page.locator("main a[href^='/organisations/']").all()
    pages = [_path(link.get_attribute("href")) for link in links]
    for path in pages:
        if path.endswith("/new"):
            continue
        journey.go(path)
        if journey.page.locator(f"main a[href='{path}/edit']").count():
            return f"{path}/edit"
    raise AssertionError(f"{MEMBER} runs none of the demo organisations")


def test_the_walk_covers_every_page_the_statement_lists():
    walked = (*VISITOR_PAGES, *MEMBER_PAGES, *ADMIN_PAGES)
    assert sorted(walked) == sorted(statement.AUDITED_PAGES)


def _axe_counts(journey) -> tuple[dict, list]:
    page = journey.page
    if not page.evaluate("typeof axe !== 'undefined'"):
        from tests.e2e.conftest import AXE_SOURCE

        page.evaluate(AXE_SOURCE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    counts = {impact: 0 for impact in ("critical", "serious", "moderate", "minor")}
    for violation in result["violations"]:
        counts[violation["impact"] or "minor"] += 1
    bad = [
        f"{v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    return counts, bad


def test_every_page_passes_axe_without_scrolling_sideways(journey):
    """At this size: axe on each page of the statement (visitor, then member), the page width,
    and on the phone the touch targets."""
    page = journey.page
    report: dict[str, dict] = {}
    problems: list[str] = []

    def check(key: str, path: str) -> None:
        response = journey.go(path)
        expected = 404 if key == "not_found" else 200
        if response.status != expected:
            problems.append(f"{key} {path}: HTTP {response.status}")
        counts, bad = _axe_counts(journey)
        report[key] = {"path": path, **counts}
        problems.extend(f"{key} {path}: {item}" for item in bad)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            problems.append(f"{key} {path}: scrolls sideways by {overflow}px")
        problems.extend(f"{key} {path}: {gap}" for gap in page.evaluate(MAPS_WITHOUT_ALTERNATIVE))
        if journey.size_name == "phone":
            problems.extend(f"{key} {path}: small touch target {t}" for t in page.evaluate(SMALL_TARGETS))

    for key, path in _visitor_paths(journey).items():
        check(key, path)
    journey.shot("visitor pages done")
    journey.login(MEMBER)
    check("home:member", "/")  # the member's home page lists around their home
    for key, path in _member_paths(journey).items():
        check(key, path)
    journey.shot("member pages done")
    journey.logout()
    journey.login(ADMIN)
    for key, path in (
        ("admin_jobs", "/admin/jobs"),
        ("impact_admin", "/impact/admin"),
        ("moderation", "/moderation"),
        ("moderation_log", "/moderation/log"),
        ("moderators", "/admin/moderators"),
    ):
        check(key, path)

    AXE_REPORT.mkdir(parents=True, exist_ok=True)
    (AXE_REPORT / f"{journey.size_name}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    assert not problems, f"{len(problems)} problems at {journey.size_name} size:\n" + "\n".join(problems)


NARROW_VISITOR = ("/", "/listings?where=Lorient", "/desks?where=Lorient", "/rides", "/login", "/register")
NARROW_MEMBER = ("/", "/account", "/listings/new", "/rides/new", "/bookings", "/notifications", "/desks/mine")


def test_main_pages_fit_a_320_pixel_screen(open_journey):
    journey = open_journey("narrow")
    page = journey.page
    wide = []
    for member, paths in ((False, NARROW_VISITOR), (True, NARROW_MEMBER)):
        if member:
            journey.login(MEMBER)
        for path in paths:
            journey.go(path)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                wide.append(f"{path} scrolls sideways by {overflow}px")
    journey.go("/")
    journey.shot("home at 320 px")
    assert not wide, "\n".join(wide)


FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const box = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.name || '',
          text: (el.textContent || '').trim().slice(0, 30), ring,
          visible: box.width > 0 && box.height > 0 && style.visibility !== 'hidden'};
}"""


def test_a_form_page_with_the_keyboard_only(journey):
    """Tab goes from the skip link through every field to the submit button and on to the footer,
    each focused element drawn with a visible focus ring, and Shift+Tab comes back: no trap."""
    page = journey.page
    journey.login(MEMBER)
    journey.go("/listings/new")
    seen = []
    for _ in range(80):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        assert focus["visible"], f"focus went to an invisible element: {focus}"
        assert focus["ring"], f"no visible focus ring on {focus}"
        seen.append(focus)
        if focus["id"] == "language-select":
            break
    else:
        pytest.fail(f"Tab never reached the footer (trapped?): last {seen[-5:]}")
    ids = [f["id"] for f in seen]
    for field in ("title", "category", "place_label", "new_photos"):
        assert field in ids, f"Tab skipped #{field}: {ids}"
    assert ids.index("title") < ids.index("new_photos"), "Tab order does not follow the form"
    assert any(f["tag"] == "button" for f in seen[ids.index("new_photos") :]), "Tab never reached the submit button"
    journey.shot("keyboard reached the footer")
    for _ in range(len(seen) + 5):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.id") == "title":
            break
    else:
        pytest.fail("Shift+Tab did not come back to the first field")


def test_an_error_summary_takes_the_keyboard_to_the_field(journey):
    page = journey.page
    journey.go("/register")
    with journey.doing("sign-up sent empty: summary with links"):
        journey.submit("main button[type=submit]")
        summary = page.locator(".form-errors[role=alert]")
        assert summary.is_visible()
        assert summary.locator("a[href='#email']").count() == 1, "the summary does not link to the e-mail field"
    summary.locator("a[href='#email']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "email", "the summary link does not take focus to the field"
    page.keyboard.type("annaig@example.org")
    assert page.input_value("#email") == "annaig@example.org"
