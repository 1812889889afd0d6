from __future__ import annotations

import pytest

from sharemarket.db import utcnow
from sharemarket.errors import NotAllowed, ValidationFailed
from sharemarket.extensions import db
from sharemarket.listings import search
from sharemarket.moderation import services
from sharemarket.moderation.models import ModerationAction


def _moderator(make_user):
    mod = make_user(display_name="Modo")
    mod.is_admin = True
    db.session.commit()
    return mod


def _report(client, header, **body):
    data = {"target_type": "listing", "target_id": 1, "reason": "spam", "comment": "Pub"} | body
    return client.post("/api/v1/reports", json=data, headers=header)


def test_report_through_the_api_and_its_bad_inputs(client, make_user, auth_header, make_listing):
    listing = make_listing()
    header = auth_header(make_user())
    assert _report(client, {}, target_id=listing.id).status_code == 401
    created = _report(client, header, target_id=listing.id)
    assert created.status_code == 201, created.json
    assert created.json["status"] == "open" and created.json["target_id"] == listing.id
    assert _report(client, header, target_id=listing.id).status_code == 409
    assert _report(client, header, target_id=999999).status_code == 422
    assert _report(client, header, target_type="planet", target_id=listing.id).status_code == 422
    assert _report(client, header, reason="boring", target_id=listing.id).status_code == 422
    assert _report(client, header, target_id=listing.id, comment="x" * 1001).status_code == 422
    owner_header = auth_header(listing.owner)
    assert _report(client, owner_header, target_id=listing.id).status_code == 422


def test_hidden_listing_disappears_for_strangers_but_not_for_its_owner(client, make_user, auth_header, make_listing):
    mod = _moderator(make_user)
    listing = make_listing(title="Tronçonneuse douteuse")
    stranger = auth_header(make_user())
    assert client.get(f"/api/v1/listings/{listing.id}", headers=stranger).status_code == 200
    services.act(
        actor=mod, action="hide", target_type="listing", target_id=listing.id, reason="Objet dangereux", now=utcnow()
    )
    db.session.commit()
    assert client.get(f"/api/v1/listings/{listing.id}", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/listings/{listing.id}").status_code == 404
    assert client.get(f"/api/v1/listings/{listing.id}", headers=auth_header(listing.owner)).status_code == 200
    assert client.get(f"/api/v1/listings/{listing.id}", headers=auth_header(mod)).status_code == 200
    found, _ = search.search(search.SearchQuery(q="tronconneuse"), limit=10)
    assert found == []
    entry = db.session.query(ModerationAction).one()
    assert (entry.moderator_id, entry.action, entry.target_id, entry.reason) == (
        mod.id,
        "hide",
        listing.id,
        "Objet dangereux",
    )


def test_suspension_stops_login_and_api_until_lifted(client, make_user, auth_header):
    mod, troll = _moderator(make_user), make_user(display_name="Troll")
    header = auth_header(troll)
    services.act(actor=mod, action="suspend", target_type="user", target_id=troll.id, reason="Insultes", now=utcnow())
    db.session.commit()
    refused = client.get("/api/v1/me", headers=header)
    assert refused.status_code == 403 and "Insultes" in refused.json["detail"]
    page = client.post("/login", data={"email": troll.email, "password": "correct horse battery"})
    assert page.status_code == 422 and "Insultes" in page.get_data(as_text=True)
    services.act(actor=mod, action="lift", target_type="user", target_id=troll.id, reason="Excuses", now=utcnow())
    db.session.commit()
    assert client.get("/api/v1/me", headers=header).status_code == 200
    assert [a.action for a in services.log()] == ["lift", "suspend"]


def test_only_moderators_act_and_never_on_themselves(make_user):
    mod, someone = _moderator(make_user), make_user()
    with pytest.raises(NotAllowed):
        services.act(actor=someone, action="suspend", target_type="user", target_id=mod.id, reason="x", now=utcnow())
    with pytest.raises(ValidationFailed):
        services.act(actor=mod, action="suspend", target_type="user", target_id=mod.id, reason="x", now=utcnow())
    with pytest.raises(ValidationFailed):
        services.act(actor=mod, action="warn", target_type="user", target_id=someone.id, reason=" ", now=utcnow())
    assert services.log() == []
