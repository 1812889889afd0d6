"""Pages: "Alert me of new rides like this" under the search results, my alerts, delete."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sharemarket.alerts import services

SEARCH = {
    "from_label": "Lanester",
    "to_label": "Vannes",
    "day": (date.today() + timedelta(days=(7 - date.today().weekday()) % 7 or 7)).isoformat(),  # a Monday
    "time_from": "07:30",
    "time_to": "08:30",
    "seats": "2",
}
FORM = {
    "from_label": "Lanester",
    "from_lat": "47.7614",
    "from_lng": "-3.3419",
    "to_label": "Vannes",
    "to_lat": "47.6582",
    "to_lng": "-2.7608",
    "time_from": "07:30",
    "time_to": "08:30",
    "seats": "2",
    "weekdays": ["0", "1", "2", "3", "4"],
}


def test_the_search_results_offer_an_alert_with_the_search_filled_in(client, make_user, login):
    login(make_user())
    html = client.get("/rides", query_string=SEARCH).get_data(as_text=True)
    form = html[html.index('id="save-search-title"') :]
    assert "Alert me of new rides like this" in form and 'action="/rides/alerts/new"' in form
    assert 'name="from_label" value="Lanester"' in form and 'name="to_label" value="Vannes"' in form
    assert re.search(r'name="from_lat" value="47\.7', form) and 'name="seats" value="2"' in form
    assert 'name="time_from" value="07:30"' in form and 'name="time_to" value="08:30"' in form
    checked = re.findall(r'id="alert-day-(\d)" name="weekdays" value="\d" checked', form)
    assert checked == ["0", "1", "2", "3", "4"]  # a working day was searched: every working day
    assert '<label for="alert-day-5">Saturday</label>' in form


def test_my_rides_leads_to_my_alerts(client, make_user, login):
    login(make_user())
    assert 'href="/rides/alerts"' in client.get("/rides/mine").get_data(as_text=True)


def test_anonymous_searchers_are_asked_to_log_in_first(client):
    html = client.get("/rides", query_string=SEARCH).get_data(as_text=True)
    assert "Log in to be told of new rides like this." in html
    assert 'action="/rides/alerts/new"' not in html
    assert client.get("/rides/alerts").status_code == 302


def test_saving_listing_and_deleting_an_alert(client, make_user, login):
    user = make_user()
    login(user)
    saved = client.post("/rides/alerts/new", data=FORM)
    assert saved.status_code == 302 and saved.headers["Location"] == "/rides/alerts"
    [kept] = services.searches_of(user)
    assert (kept.from_label, kept.to_label, kept.weekdays, kept.seats) == ("Lanester", "Vannes", [0, 1, 2, 3, 4], 2)

    page = client.get("/rides/alerts")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 saved search" in html
    assert "Lanester → Vannes" in html and "Mon, Tue, Wed, Thu, Fri" in html and "leaving 07:30–08:30" in html
    assert f'action="/rides/alerts/{kept.id}/delete"' in html
    assert re.search(r'href="/rides\?from_label=Lanester&amp;[^"]*&amp;time_from=07:30&amp;time_to=08:30', html)

    again = client.post("/rides/alerts/new", data=FORM)
    assert again.status_code == 422 and "You already saved this search." in again.get_data(as_text=True)

    deleted = client.post(f"/rides/alerts/{kept.id}/delete", follow_redirects=True)
    assert "Saved search deleted" in deleted.get_data(as_text=True)
    assert services.searches_of(user) == []


def test_an_alert_can_be_made_by_hand_from_town_names(client, make_user, login):
    user = make_user()
    login(user)
    page = client.get("/rides/alerts/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<label for="time_from">Leaving from</label>' in html
    form = {k: v for k, v in FORM.items() if not k.endswith(("_lat", "_lng"))}
    assert client.post("/rides/alerts/new", data=form).status_code == 302
    [kept] = services.searches_of(user)
    assert kept.to_label == "Vannes" and abs(kept.to_lat - 47.658) < 0.02


def test_bad_alert_forms_are_shown_again_with_the_errors(client, make_user, login):
    user = make_user()
    login(user)
    cases = [
        ({"weekdays": []}, "Choose days between 0 (Monday) and 6 (Sunday)."),
        ({"weekdays": ["9"]}, "is not a valid choice"),
        ({"time_to": "07:00"}, "The window ends before it starts."),
        ({"time_from": "late"}, "Not a valid time value"),
        ({"from_lat": "91"}, "Number must be between -90 and 90."),
        ({"to_label": "Atlantis", "to_lat": "", "to_lng": ""}, "Atlantis"),
        ({"to_label": "Lanester", "to_lat": "47.7614", "to_lng": "-3.3419"}, "The destination must differ"),
    ]
    for change, message in cases:
        response = client.post("/rides/alerts/new", data={**FORM, **change})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, change
        assert message in html, (change, html[html.find("form-errors") :][:600])
        assert 'role="alert"' in html
    assert services.searches_of(user) == []


def test_someone_elses_alert_cannot_be_deleted(client, make_user, login, save):
    saved = save()
    login(make_user())
    assert client.post(f"/rides/alerts/{saved.id}/delete").status_code == 404
    assert services.searches_of(saved.user) != []
