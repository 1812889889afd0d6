from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sharemarket.extensions import db
from sharemarket.moderation import services
from sharemarket.rides import search
from tests.rides.conftest import LANESTER, VANNES

MORNING = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def _found(now):
    result = search.search(
        origin=LANESTER,
        destination=VANNES,
        depart_after=MORNING,
        depart_before=MORNING + timedelta(hours=3),
        seats=1,
        now=now,
    )
    return [m.ride_id for m in result.matches]


def test_a_hidden_ride_leaves_search_and_its_page_for_strangers(client, make_ride, make_user, auth_header, login, now):
    ride = make_ride(max_detour_km=12)
    mod = make_user()
    mod.is_admin = True
    db.session.commit()
    assert _found(now) == [ride.id]
    services.act(actor=mod, action="hide", target_type="ride", target_id=ride.id, reason="Annonce commerciale", now=now)
    db.session.commit()
    assert _found(now) == []
    assert client.get(f"/api/v1/rides/{ride.id}").status_code == 404
    assert client.get(f"/rides/{ride.id}").status_code == 404
    assert client.get(f"/api/v1/rides/{ride.id}", headers=auth_header(ride.driver)).status_code == 200
    login(ride.driver)
    assert "The moderators have hidden this ride" in client.get(f"/rides/{ride.id}").get_data(as_text=True)
    services.act(actor=mod, action="unhide", target_type="ride", target_id=ride.id, reason="Corrigée", now=now)
    db.session.commit()
    assert _found(now) == [ride.id]
