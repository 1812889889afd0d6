from __future__ import annotations

from sharemarket.extensions import db
from sharemarket.moderation.models import ModerationAction, Report


def test_report_form_then_moderator_hides_and_logs(client, make_user, login, make_listing):
    listing = make_listing(title="Objet suspect")
    reporter, mod = make_user(), make_user(display_name="Modo")
    mod.is_admin = True
    db.session.commit()
    login(reporter)
    form = client.get(f"/report?target_type=listing&target_id={listing.id}")
    assert form.status_code == 200 and 'for="reason"' in form.get_data(as_text=True)
    sent = client.post("/report", data={"target_type": "listing", "target_id": listing.id, "reason": "fraud"})
    assert sent.status_code == 302
    twice = client.post("/report", data={"target_type": "listing", "target_id": listing.id, "reason": "fraud"})
    assert twice.status_code == 422 and "already reported" in twice.get_data(as_text=True)
    nothing = client.post("/report", data={"target_type": "listing", "target_id": "", "reason": "fraud"})
    assert nothing.status_code == 422
    assert client.get("/moderation").status_code == 403
    assert client.post("/moderation/actions", data={}).status_code == 403
    client.post("/logout")

    login(mod)
    queue = client.get("/moderation").get_data(as_text=True)
    assert f"Listing no. {listing.id}" in queue
    report = db.session.query(Report).one()
    done = client.post(
        "/moderation/actions",
        data={
            "action": "hide",
            "target_type": "listing",
            "target_id": listing.id,
            "report_id": report.id,
            "reason": "Arnaque",
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Report, report.id).is_open is None
    assert "No report to review." in client.get("/moderation").get_data(as_text=True)
    assert "Arnaque" in client.get("/moderation/log").get_data(as_text=True)
    assert client.get(f"/listings/{listing.id}").status_code == 200  # moderators still see it
    client.post("/logout")
    assert client.get(f"/listings/{listing.id}").status_code == 404
    login(listing.owner)
    assert "The moderators have hidden this listing" in client.get(f"/listings/{listing.id}").get_data(as_text=True)


def test_moderator_cannot_suspend_themselves_through_the_page(client, make_user, login):
    mod = make_user()
    mod.is_admin = True
    db.session.commit()
    login(mod)
    refused = client.post(
        "/moderation/actions", data={"action": "suspend", "target_type": "user", "target_id": mod.id, "reason": "test"}
    )
    assert refused.status_code == 422 and "cannot moderate yourself" in refused.get_data(as_text=True)
    assert db.session.query(ModerationAction).count() == 0
    assert mod.status == "active"
