from __future__ import annotations

from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.organisations import services
from sharemarket.organisations.models import Organisation


def _org(user):
    org = services.create(creator=user, name="Mairie de Lorient", kind="town_hall", now=utcnow())
    db.session.commit()
    return org


def test_create_an_organisation_through_the_form(client, make_user, login):
    login(make_user())
    page = client.get("/organisations/new")
    assert page.status_code == 200 and 'for="name"' in page.get_data(as_text=True)
    bad = client.post("/organisations/new", data={"name": "", "kind": "association"})
    assert bad.status_code == 422
    done = client.post(
        "/organisations/new",
        data={"name": "Ressourcerie du Scorff", "kind": "association", "website": "https://scorff.example"},
    )
    assert done.status_code == 302
    org = db.session.query(Organisation).one()
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Ressourcerie du Scorff" in shown and "Add a member" in shown
    assert "Ressourcerie du Scorff" in client.get("/organisations").get_data(as_text=True)
    assert org.kind == "association"


def test_non_admin_cannot_manage_and_last_admin_cannot_leave(client, make_user, login):
    ana, bob = make_user(), make_user(display_name="Bob")
    org = _org(ana)
    services.add_member(organisation=org, actor=ana, email=bob.email, role="member", now=utcnow())
    db.session.commit()
    login(bob)
    page = client.get(f"/organisations/{org.id}").get_data(as_text=True)
    assert "Add a member" not in page and "Leave the organisation" in page
    refused = client.post(f"/organisations/{org.id}/members", data={"email": "x@example.org", "role": "member"})
    assert refused.status_code == 403
    assert client.get(f"/organisations/{org.id}/edit").status_code == 403
    client.post("/logout")
    login(ana)
    assert client.post(f"/organisations/{org.id}/leave").status_code == 409
    assert services.is_admin(org.id, ana.id)
    added = client.post(f"/organisations/{org.id}/members", data={"email": "nobody@example.org", "role": "member"})
    assert added.status_code == 422 and "Nobody has an account" in added.get_data(as_text=True)
    bob_member = services.membership(org.id, bob.id)
    assert (
        client.post(f"/organisations/{org.id}/members/{bob_member.id}/role", data={"role": "admin"}).status_code == 302
    )
    assert client.post(f"/organisations/{org.id}/leave").status_code == 302
    assert services.admin_ids(org.id) == {bob.id}


def test_unknown_organisation_is_404(client):
    assert client.get("/organisations/4242").status_code == 404
