from __future__ import annotations

from sharemarket.communities import services as communities
from sharemarket.extensions import db
from tests.main.test_home_rides import LANESTER, drivers  # noqa: F401


def test_a_ride_kept_for_a_community_leaves_the_home_page_of_others(client, make_user, login, now, drivers):  # noqa: F811
    ride = drivers["Vannes driver"]
    colleagues = communities.create(creator=ride.driver, name="Chantier", description="", access="open", now=now)
    communities.restrict(item=ride, owner_id=ride.driver_id, community_id=colleagues.id, actor=ride.driver)
    colleague, neighbour = make_user(home=LANESTER), make_user(home=LANESTER)
    communities.join(community=colleagues, user=colleague, now=now)
    db.session.commit()
    login(neighbour)
    assert "Vannes driver" not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(colleague)
    assert "Vannes driver" in client.get("/").get_data(as_text=True)
