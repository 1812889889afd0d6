from __future__ import annotations

import pytest

from sharemarket.accounts import services as accounts
from sharemarket.alerts import rules, services
from sharemarket.errors import Conflict, NotFound, ValidationFailed
from sharemarket.geo import Place
from tests.alerts.conftest import LANESTER, VANNES


def test_a_saved_search_keeps_the_trip_days_and_window(save):
    saved = save(weekdays=[4, 0, 2, 0])
    data = services.as_dict(saved)
    assert data["from"] == {"lat": LANESTER.lat, "lng": LANESTER.lng, "label": "Lanester"}
    assert data["to"]["label"] == "Vannes" and data["weekdays"] == [0, 2, 4]
    assert (data["time_from"], data["time_to"], data["seats"]) == ("07:30", "08:30", 1)
    assert saved.route_label == "Lanester → Vannes"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"origin": Place(91, -3.3)}, "from"),
        ({"origin": Place(47.7, -181)}, "from"),
        ({"destination": Place(float("nan"), 2)}, "to"),
        ({"destination": None}, "to"),
        ({"destination": LANESTER}, "to"),
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays"),
        ({"weekdays": [-1, 2]}, "weekdays"),
        ({"weekdays": ["Monday"]}, "weekdays"),
        ({"weekdays": [True]}, "weekdays"),
        ({"time_from": "25:00"}, "time_from"),
        ({"time_from": "7h30"}, "time_from"),
        ({"time_to": "08:61"}, "time_to"),
        ({"time_to": "07:00"}, "time_to"),
        ({"time_to": "07:30"}, "time_to"),
        ({"seats": 0}, "seats"),
        ({"seats": 9}, "seats"),
        ({"seats": "2"}, "seats"),
    ],
)
def test_bad_searches_are_refused_field_by_field(save, make_user, overrides, field):
    user = make_user()
    with pytest.raises(ValidationFailed) as refused:
        save(user=user, **overrides)
    assert field in refused.value.errors
    assert services.searches_of(user) == []


def test_the_same_search_twice_and_more_than_the_maximum_are_refused(save, make_user):
    user = make_user()
    save(user=user)
    with pytest.raises(Conflict):
        save(user=user)
    for minute in range(rules.SAVED_MAX - 1):
        save(user=user, time_from=f"06:{minute:02d}")
    with pytest.raises(Conflict):
        save(user=user, time_from="05:00")
    assert services.count_of(user) == rules.SAVED_MAX


def test_only_the_owner_forgets_a_search(save, make_user):
    saved = save()
    with pytest.raises(NotFound):
        services.forget_search(user=make_user(), search_id=saved.id)
    services.forget_search(user=saved.user, search_id=saved.id)
    assert services.searches_of(saved.user) == []
    with pytest.raises(NotFound):
        services.forget_search(user=saved.user, search_id=saved.id)


def test_saved_searches_are_in_the_export_and_gone_with_the_account(save, now):
    saved = save()
    owner = saved.user
    exported = accounts.export_personal_data(user=owner)["saved_searches"]
    assert [s["id"] for s in exported] == [saved.id] and exported[0]["to"]["label"] == VANNES.label
    accounts.delete_account(user=owner, now=now)
    assert services.searches_of(owner) == []
