from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sharemarket.extensions import db
from sharemarket.notifications import emails, services
from sharemarket.notifications.models import Notification


def _say(user, now, title, link=None):
    note = services.notify(user=user, kind="loan", title=_l(title), body=_l("About %(t)s", t=title), now=now, link=link)
    db.session.commit()
    return note


def test_inbox_lists_newest_first_highlights_unread_and_links(client, login, make_user, now):
    ana = make_user()
    _say(ana, now, "Older one")
    _say(ana, now + timedelta(hours=1), "Newer <one>", link="/bookings/7")
    login(ana)
    page = client.get("/notifications").get_data(as_text=True)
    assert page.index("Newer &lt;one&gt;") < page.index("Older one")
    assert page.count('class="notification unread"') == 2
    assert '<a href="/bookings/7">Newer &lt;one&gt;</a>' in page
    assert 'class="badge"' in page and ">2</span>" in page


def test_mark_one_then_all_read(client, login, make_user, now):
    ana, bob = make_user(), make_user()
    first = _say(ana, now, "First")
    _say(ana, now, "Second")
    theirs = _say(bob, now, "Bob's")
    login(ana)
    response = client.post(f"/notifications/{first.id}/read")
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications")
    assert services.unread_count(ana) == 1
    # Someone else's notification: nothing happens.
    client.post(f"/notifications/{theirs.id}/read")
    assert services.unread_count(bob) == 1
    client.post("/notifications/read")
    assert services.unread_count(ana) == 0
    page = client.get("/notifications").get_data(as_text=True)
    assert "notification unread" not in page and 'class="badge"' not in page


def test_inbox_pages_by_thirty(client, login, make_user, now):
    ana = make_user()
    for i in range(35):
        _say(ana, now + timedelta(minutes=i), f"Item {i:02d}")
    login(ana)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Item 34" in first and "Item 05" in first and "Item 04" not in first
    oldest_shown = db.session.scalar(select(Notification.id).where(Notification.title == "Item 05"))
    assert f"/notifications?before={oldest_shown}" in first
    second = client.get(f"/notifications?before={oldest_shown}").get_data(as_text=True)
    assert "Item 04" in second and "Item 00" in second and "Item 05" not in second


def test_pages_need_a_login(client):
    for path in ("/notifications", "/notifications/settings"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/notifications/read").status_code == 302


def test_settings_page_saves_a_channel_per_kind(client, login, make_user):
    ana = make_user()
    login(ana)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert '<input checked id="kind_loan-0" name="kind_loan" type="radio" value="email">' in page
    assert "The daily e-mail leaves at 7:00\u202fAM." in page or "The daily e-mail leaves at 7:00 AM." in page
    assert 'name="kind_account"' not in page and "always by e-mail" in page
    form = {f"kind_{p['kind']}": p["channel"] for p in services.preferences(ana) if not p["locked"]}
    form.update(kind_loan="digest", kind_alert="inbox")
    response = client.post("/notifications/settings", data=form)
    assert response.status_code == 302
    chosen = {p["kind"]: p["channel"] for p in services.preferences(ana)}
    assert chosen["loan"] == "digest" and chosen["alert"] == "inbox" and chosen["desk"] == "email"


def test_settings_page_refuses_a_made_up_channel(client, login, make_user):
    ana = make_user()
    login(ana)
    form = {f"kind_{p['kind']}": p["channel"] for p in services.preferences(ana) if not p["locked"]}
    form["kind_loan"] = "pigeon"
    response = client.post("/notifications/settings", data=form)
    assert response.status_code == 422
    assert 'id="kind_loan-error"' in response.get_data(as_text=True)
    assert {p["channel"] for p in services.preferences(ana)} == {"email"}


def test_one_click_unsubscribe_without_login(client, make_user, now):
    ana = make_user()
    url = emails.unsubscribe_url(ana, "loan")
    path = url.removeprefix("http://127.0.0.1:5000")
    page = client.get(path)
    assert page.status_code == 200 and "Things I borrow or lend" in page.get_data(as_text=True)
    assert services.channel_for(ana, "loan") == "email"  # a link checker's GET changes nothing
    # RFC 8058: the mail client posts this body, with no cookie and no CSRF token.
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert services.channel_for(ana, "loan") == "inbox" and services.channel_for(ana, "desk") == "email"
    assert client.post(path).status_code == 200  # twice is fine


def test_unsubscribing_from_the_digest_stops_every_digest_kind(client, make_user, now):
    ana = make_user()
    services.set_preferences(user=ana, choices={"loan": "digest", "desk": "digest", "ride": "email"}, now=now)
    db.session.commit()
    path = emails.unsubscribe_url(ana, "digest").removeprefix("http://127.0.0.1:5000")
    assert client.post(path).status_code == 200
    chosen = {p["kind"]: p["channel"] for p in services.preferences(ana)}
    assert chosen["loan"] == chosen["desk"] == "inbox" and chosen["ride"] == "email"


def test_forged_or_cut_unsubscribe_links_are_404(client, make_user):
    ana = make_user()
    token = emails.unsubscribe_token(ana.id, "loan")
    for bad in (token[:-3], "nonsense", emails.unsubscribe_token(ana.id, "account")):
        assert client.get(f"/notifications/unsubscribe/{bad}").status_code in (200, 404)
        assert client.post(f"/notifications/unsubscribe/{bad}").status_code == 404
    assert services.channel_for(ana, "loan") == "email"


def test_unsubscribe_tokens_are_the_ones_itsdangerous_signs(app, make_user):
    """The signer holds the key the serializer derives (see `emails._derived_signer`): the tokens
    are `dumps`'s, byte for byte, and `loads` reads them."""
    from itsdangerous import URLSafeSerializer

    serializer = URLSafeSerializer(app.config["SECRET_KEY"], salt="unsubscribe")
    for user_id, kind in ((1, "loan"), (987654321, "digest"), (42, "désk ✓")):
        token = emails.unsubscribe_token(user_id, kind)
        assert token == serializer.dumps({"u": user_id, "k": kind})
        assert serializer.loads(token) == {"u": user_id, "k": kind}
        assert emails.read_unsubscribe_token(token) == (user_id, kind)
