"""Demo alerts: inhabitants without a car keep a search for their way to work."""

from __future__ import annotations

from sharemarket.alerts import services
from sharemarket.geo import Place

# (inhabitant index, destination, window): people after the 25 demo drivers.
SEARCHES = [
    (25, Place(47.6490, -2.7420, "Vannes, Parc du Golfe"), ("07:30", "08:30")),
    (26, Place(47.6807, -3.0013, "Auray, gare"), ("07:00", "08:30")),
    (27, Place(47.8728, -3.5497, "Quimperlé, centre"), ("07:45", "08:45")),
]


def load(ctx) -> None:
    for index, destination, (start, end) in SEARCHES:
        if index >= len(ctx.people):
            continue
        person = ctx.people[index]
        services.save_search(
            user=person,
            origin=Place(person.home_lat, person.home_lng, person.home_label),
            destination=destination,
            weekdays=[0, 1, 2, 3, 4],
            time_from=start,
            time_to=end,
            seats=1,
            now=ctx.now,
        )
