from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import icalendar

from sharemarket.bookings import services as bookings
from sharemarket.desks.seats import book
from sharemarket.extensions import db
from tests.desks.conftest import soon


def check_rfc5545(body: bytes) -> icalendar.Calendar:
    """What RFC 5545 asks of a calendar stream that clients actually check."""
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines), "lines are folded at 75 octets"
    unfolded = body.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")[:-1]
    stack = []
    for line in unfolded:
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert not stack
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    for event in calendar.walk("VEVENT"):
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS"):
            assert prop in event, prop
        for prop in ("DTSTART", "DTEND"):
            tzid = event[prop].params.get("TZID")
            assert tzid is None or tzid in zones, f"{tzid} has no VTIMEZONE"
    assert re.search(rb"^TZID:Europe/Paris\r$", body, re.M) or not calendar.walk("VEVENT")
    return calendar


def events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_my_feed_lists_bookings_and_marks_cancelled_ones(
    client, make_user, auth_header, make_space, make_desk, make_slot, login
):
    space = make_space(name="La Cale")
    desk = make_desk(space, label="Plateau")
    start = soon(2)
    kept_slot = make_slot(desk, start=start, published_at=datetime.now(UTC))
    dropped_slot = make_slot(desk, start=start + timedelta(days=1), published_at=datetime.now(UTC))
    ana = make_user(display_name="Ana")
    kept = book(slot=kept_slot, user=ana, now=datetime.now(UTC))
    dropped = book(slot=dropped_slot, user=ana, now=datetime.now(UTC))
    bookings.act(booking=dropped, action="cancel", actor=ana, now=datetime.now(UTC))
    db.session.commit()
    header = auth_header(ana)

    url = client.get("/api/v1/me/calendar", headers=header).json["url"]
    assert url.startswith("http") and client.get("/api/v1/me/calendar", headers=header).json["url"] == url
    response = client.get(urlsplit(url).path)  # no token, no session: the URL is the secret
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = check_rfc5545(response.data)
    found = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(found) == {"Plateau · La Cale"} and len(calendar.walk("VEVENT")) == 2
    by_uid = events(response.data)
    host = urlsplit(url).hostname
    assert str(by_uid[f"booking-{kept.id}@{host}"]["STATUS"]) == "CONFIRMED"
    assert str(by_uid[f"booking-{dropped.id}@{host}"]["STATUS"]) == "CANCELLED"
    assert by_uid[f"booking-{kept.id}@{host}"].decoded("DTSTART") == kept_slot.starts_at

    new_url = client.post("/api/v1/me/calendar/reset", headers=header).json["url"]
    assert new_url != url
    assert client.get(urlsplit(url).path).status_code == 404
    assert client.get(urlsplit(new_url).path).status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert client.get("/api/v1/me/calendar").status_code == 401


def test_one_booking_download_and_the_subscribe_page(client, make_user, make_space, make_desk, make_slot, login, now):
    slot = make_slot(make_desk(make_space()))
    ana, bob = make_user(), make_user()
    booking = book(slot=slot, user=ana, now=now)
    db.session.commit()
    login(ana)
    response = client.get(f"/calendar/bookings/{booking.id}.ics")
    assert response.status_code == 200 and len(check_rfc5545(response.data).walk("VEVENT")) == 1
    page = client.get("/calendar").get_data(as_text=True)
    assert "webcal://" in page and "/calendar/reset" in page
    client.post("/logout")
    login(bob)
    assert client.get(f"/calendar/bookings/{booking.id}.ics").status_code == 404


def test_space_feed_for_managers(client, make_user, make_space, make_desk, make_slot, now):
    space = make_space()
    slot = make_slot(make_desk(space, label="Plateau"), start=soon(1), capacity=4, published_at=datetime.now(UTC))
    book(slot=slot, user=make_user(display_name="Ana"), now=datetime.now(UTC))
    db.session.commit()
    response = client.get(f"/calendar/space/{space.calendar_token}.ics")
    calendar = check_rfc5545(response.data)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Plateau 1/4" and "Ana" in str(event["DESCRIPTION"])
    assert client.get("/calendar/space/nope.ics").status_code == 404


def test_loans_appear_in_the_same_feed(client, make_user, auth_header, make_space, make_desk, make_slot):
    """The feed reads only the base booking and the kind's `describe`: a loan shows like a desk."""
    from sharemarket.db import utcnow
    from sharemarket.geo import Place
    from sharemarket.listings import loans
    from sharemarket.listings import services as listings

    owner, ana = make_user(display_name="Owner"), make_user(display_name="Ana")
    listing = listings.create_listing(
        owner=owner,
        now=utcnow(),
        title="Perceuse",
        category="tools",
        place=Place(47.7486, -3.3667, "Lorient"),
        pickup_instructions="Porte bleue.",
    )
    start = (datetime.now(UTC) + timedelta(days=3)).date()
    loan = loans.request_loan(listing=listing, borrower=ana, start=start, end=start, now=utcnow())
    slot = make_slot(
        make_desk(make_space(name="La Cale"), label="Plateau"), start=soon(4), published_at=datetime.now(UTC)
    )
    book(slot=slot, user=ana, now=datetime.now(UTC))
    db.session.commit()
    url = client.get("/api/v1/me/calendar", headers=auth_header(ana)).json["url"]
    calendar = check_rfc5545(client.get(urlsplit(url).path).data)
    summaries = {str(e["SUMMARY"]): str(e["STATUS"]) for e in calendar.walk("VEVENT")}
    assert summaries["Plateau · La Cale"] == "CONFIRMED"
    assert [status for title, status in summaries.items() if "Perceuse" in title] == ["TENTATIVE"]
    assert loan.status == "requested"
