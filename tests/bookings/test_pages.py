"""My bookings, a booking's page and the publish chooser, as a person without JavaScript uses them."""

from __future__ import annotations

import re

from sharemarket.bookings import messages
from sharemarket.bookings.models import Booking
from sharemarket.db import utcnow
from sharemarket.extensions import db


def _section(page: str, role: str) -> str:
    match = re.search(rf'<section class="card booking-side" id="{role}".*?</section>', page, re.S)
    assert match, f"no {role} section"
    return match.group(0)


def _forms(html: str) -> set[str]:
    return set(re.findall(r'<form method="post" action="(/bookings/\d+/\w+)"', html))


def test_my_bookings_shows_both_roles_with_the_right_actions(browser, make_user, make_loan):
    ana = make_user(display_name="Ana")
    lend_request = make_loan("requested", owner=ana, borrower=make_user(display_name="Bruno"), title="Échelle")
    lent_out = make_loan("active", owner=ana, borrower=make_user(display_name="Chloé"), title="Tondeuse")
    borrowing = make_loan("confirmed", owner=make_user(display_name="Dylan"), borrower=ana, title="Raclette")
    asked = make_loan("requested", owner=make_user(display_name="Elsa"), borrower=ana, title="Remorque")
    done = make_loan("returned", owner=make_user(display_name="Fanch"), borrower=ana, title="Scie sauteuse")
    messages.post_message(booking=borrowing, author=borrowing.listing.owner, body="À demain", now=utcnow())
    db.session.commit()

    page = browser(ana).text("/bookings")
    booked, provided = _section(page, "mine"), _section(page, "to_handle")
    assert "Raclette" in booked and "Remorque" in booked and "Scie sauteuse" in booked
    assert "Échelle" not in booked and "Tondeuse" not in booked
    assert "Échelle" in provided and "Tondeuse" in provided and "Raclette" not in provided
    # The booker cancels; the owner approves, declines, records the return.
    assert _forms(booked) == {f"/bookings/{borrowing.id}/cancel", f"/bookings/{asked.id}/cancel"}
    assert _forms(provided) == {
        f"/bookings/{lend_request.id}/approve",
        f"/bookings/{lend_request.id}/decline",
        f"/bookings/{lent_out.id}/return",
    }
    assert "1 request waits for your answer" in provided
    # The other party, the kind, the unread count; the returned loan is in the past group.
    assert "Dylan" in booked and "Bruno" in provided and "Chloé" in provided
    assert "Loan" in booked and "1 unread message" in booked
    current, past = booked.split("Past</h3>")
    assert "Raclette" in current and "Scie sauteuse" in past and "Scie sauteuse" not in current
    assert f'href="/listings/{done.listing_id}"' in past and f'href="/bookings/{done.id}#messages"' in past
    assert "waits for your answer" not in booked
    assert f'href="/bookings/{done.id}#reviews">Leave a review' in past


def test_the_review_reminder_goes_once_reviewed(browser, make_user, make_loan):
    ana = make_user(display_name="Ana")
    done = make_loan("returned", borrower=ana)
    viewer = browser(ana)
    assert "Leave a review" in viewer.text("/bookings")
    assert viewer.post(f"/bookings/{done.id}/review", data={"rating": "5"}).status_code == 303
    assert "Leave a review" not in viewer.text("/bookings")
    assert "Leave a review" in browser(done.listing.owner).text("/bookings")


def test_acting_from_my_bookings_comes_back_to_it(browser, make_user, make_loan):
    owner = make_user(display_name="Owner")
    loan = make_loan("requested", owner=owner)
    lender = browser(owner)
    response = lender.post(f"/bookings/{loan.id}/approve", data={"next": "/bookings?role=to_handle"})
    assert response.status_code == 303 and response.headers["Location"] == "/bookings?role=to_handle"
    db.session.expire_all()
    assert db.session.get(Booking, loan.id).status == "confirmed"
    page = lender.text("/bookings?role=to_handle")
    assert "confirmed" in page and f"/bookings/{loan.id}/pickup" in page
    # Not allowed by the state: a message, nothing changes; an outside "next" is ignored.
    again = lender.post(f"/bookings/{loan.id}/approve", data={"next": "https://evil.example/"})
    assert again.headers["Location"] == f"/bookings/{loan.id}"
    assert "cannot approve" in lender.text(f"/bookings/{loan.id}")
    # The borrower may not approve; a stranger does not even see the booking.
    assert browser(loan.user).post(f"/bookings/{loan.id}/pickup").status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, loan.id).status == "confirmed"
    assert browser(make_user()).post(f"/bookings/{loan.id}/cancel").status_code == 404


def test_filters_by_kind_status_and_role(browser, make_user, make_loan):
    ana = make_user(display_name="Ana")
    make_loan("requested", owner=ana, title="Échelle")
    make_loan("confirmed", borrower=ana, title="Raclette")
    viewer = browser(ana)
    only_requested = viewer.text("/bookings?status=requested")
    assert "Échelle" in only_requested and "Raclette" not in only_requested
    only_mine = viewer.text("/bookings?role=mine&kind=loan")
    assert "Raclette" in only_mine and "Échelle" not in only_mine and 'id="to_handle"' not in only_mine
    assert 'aria-current="page">What I booked' in only_mine
    for bad in ("/bookings?status=lost", "/bookings?kind=boat", "/bookings?role=everyone", "/bookings?page=-3"):
        response = viewer.get(bad)
        assert response.status_code in (200, 422), bad
        assert "Raclette" in response.get_data(as_text=True)


def test_past_bookings_are_paged(browser, make_user, make_loan):
    ana = make_user(display_name="Ana")
    for n in range(12):
        make_loan("declined", borrower=ana, title=f"Outil {n:02d}")
    viewer = browser(ana)
    both = viewer.text("/bookings")
    assert both.count('class="booking-row"') == 10 and "Older bookings" in both
    first = viewer.text("/bookings?role=mine")
    assert first.count('class="booking-row"') == 12 and "Older bookings" not in first


def test_the_booking_page_is_for_its_two_sides_only(app, browser, client, make_user, make_loan):
    loan = make_loan("returned")
    page = browser(loan.listing.owner).text(f"/bookings/{loan.id}")
    assert "Perceuse à percussion" in page and "Borrower" in page
    for event in ("booked", "approved", "picked up", "returned"):
        assert event in page
    assert "by you" in page
    assert browser(loan.user).get(f"/bookings/{loan.id}").status_code == 200
    assert browser(make_user()).get(f"/bookings/{loan.id}").status_code == 404
    assert browser(make_user()).post(f"/bookings/{loan.id}/messages", data={"body": "hi"}).status_code == 404
    assert browser(loan.user).get("/bookings/999999").status_code == 404
    anonymous = client.get(f"/bookings/{loan.id}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get("/bookings").status_code == 302


def test_navigation_and_publish_chooser(app, browser, make_user, client):
    page = browser(make_user()).text("/")
    assert 'href="/bookings"' in page and 'href="/publish"' in page
    chooser = client.get("/publish").get_data(as_text=True)
    assert 'href="/listings/new"' in chooser and "Lend an item" in chooser
    others = (("rides.new", "/rides/new", "Offer a ride"), ("desks.create_space", "/spaces/new", "desk slots"))
    for endpoint, path, label in others:
        present = endpoint in app.view_functions
        assert (label in chooser) == present and (f'href="{path}"' in chooser) == present
