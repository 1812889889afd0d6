"""What the accessibility statement claims, in one place: the browser journeys walk exactly these
pages (tests/e2e/test_accessibility.py fails when a page is added here and not checked there)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

STANDARD = "RGAA 4.1.2"
AXE_CORE_VERSION = "4.14.1"
CHECKED_ON = date(2026, 11, 26)
# axe runs at a phone and a desktop size; the page width is also checked at the narrowest phone.
AXE_SIZES = ((390, 844), (1366, 768))
NARROWEST = (320, 640)

# The pages the automated checks visit, at both axe sizes (visitor and member views).
AUDITED_PAGES = {
    "home": _l("Home page (what is near me)"),
    "listings_search": _l("Search things to borrow (list and map)"),
    "listing": _l("A thing's page (calendar, request form)"),
    "listing_owner": _l("A thing's page seen by its owner (requests, blocked days)"),
    "listing_form": _l("Lend something (form with photos)"),
    "listings_mine": _l("What I lend"),
    "desks_search": _l("Free desks (list and map)"),
    "space": _l("A third place's page (slots of the week)"),
    "desk_booking": _l("A desk booking (check-in, cancel)"),
    "desks_mine": _l("My desk bookings"),
    "space_manage": _l("Managing a space (desks, co-managers, photos)"),
    "space_publish": _l("Publishing desk slots"),
    "space_schedule": _l("A space's schedule"),
    "space_occupancy": _l("A space's occupancy"),
    "check_in": _l("Check-in page of a space"),
    "bookings_mine": _l("My bookings (things, desks, seats)"),
    "booking": _l("A booking with its messages and reviews"),
    "publish": _l("Publish (choose what to share)"),
    "calendar": _l("Calendar feeds"),
    "listing_edit": _l("Editing a thing I lend"),
    "space_new": _l("Creating a space"),
    "space_edit": _l("Editing a space"),
    "desk_edit": _l("Editing a desk"),
    "slot_cancel": _l("Cancelling a slot"),
    "rides_search": _l("Find a ride (list and map)"),
    "ride": _l("A ride's page (route map, departures, seat request)"),
    "ride_new": _l("Offer a ride (form with maps)"),
    "rides_mine": _l("My rides"),
    "alerts": _l("My ride alerts"),
    "alert_new": _l("A new ride alert"),
    "notifications": _l("Notifications"),
    "notification_settings": _l("How I hear about each kind of thing"),
    "organisations": _l("Organisations"),
    "organisation": _l("An organisation's page"),
    "organisation_new": _l("Creating an organisation"),
    "organisation_edit": _l("Editing an organisation (members, listings)"),
    "communities": _l("Communities"),
    "community": _l("A community's page"),
    "community_new": _l("Creating a community"),
    "report": _l("Reporting a listing or a ride"),
    "impact": _l("What the town shares (impact and open data)"),
    "impact_admin": _l("Impact dashboard (administrators)"),
    "moderation": _l("Moderation queue (moderators)"),
    "moderation_log": _l("Moderation log (moderators)"),
    "moderators": _l("Choosing the moderators (administrators)"),
    "admin_jobs": _l("Scheduled jobs (administrators)"),
    "login": _l("Log in"),
    "register": _l("Sign up"),
    "password_reset": _l("Forgotten password"),
    "profile": _l("My account"),
    "password": _l("Change password"),
    "delete_account": _l("Close my account"),
    "public_profile": _l("A neighbour's public profile"),
    "credits": _l("Credits and open data"),
    "accessibility": _l("This accessibility statement"),
    "not_found": _l("Error page"),
}

# Known gaps, said plainly (RGAA: "contenus non accessibles").
NON_CONFORMITIES = (
    _l(
        "Maps: the background map tiles (street names drawn in pictures) cannot be read by a screen reader. "
        "Every map has a list beside it that gives the same places, with links."
    ),
    _l("Photos sent by members have a generic text alternative (\u201cPhoto 1 of the title\u201d), not a description."),
    _l("The pages have not yet been tried with a screen reader (NVDA, VoiceOver, TalkBack) by their users."),
    _l("No full audit of the 106 RGAA criteria has been made yet."),
)
EXEMPT = (
    _l("Map tiles served by OpenStreetMap (third-party content)."),
    _l("Calendar files (.ics) read by your own calendar application."),
)
