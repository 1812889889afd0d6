"""Three third places around Lorient, with desks, four weeks of slots, bookings and a waitlist."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sharemarket.desks import publishing, rules, seats, services
from sharemarket.extensions import db
from sharemarket.geo import Place

SPACES = [
    {
        "name": "La Cale – coworking de la gare",
        "place": Place(47.7553, -3.3650, "Lorient, gare"),
        "address": "12 rue Beauvais, 56100 Lorient",
        "description": "Un plateau lumineux à deux minutes du pôle d'échanges de la gare de Lorient : "
        "postes nomades, bureaux fixes et une salle de réunion pour six.",
        "opening_hours": "Du lundi au vendredi, 8 h 30 – 19 h",
        "amenities": ["wifi", "printer", "coffee", "kitchen", "accessible_entrance", "phone_booth", "bike_parking"],
        "house_rules": "Appels dans la cabine, s'il vous plaît. On lave sa tasse.",
        "desks": [
            ("Plateau nomade", "hot_desk", 8),
            ("Bureau fixe 1", "fixed_desk", 1),
            ("Salle Groix", "meeting_room", 6),
        ],
        "managers": [2, 20],
        "limit": None,
    },
    {
        "name": "Les Docks – tiers-lieu de l'Enclos du Port",
        "place": Place(47.7478, -3.3568, "Lorient, Enclos du Port"),
        "address": "Enclos du Port, quai des Indes, 56100 Lorient",
        "description": "Dans un ancien magasin de la Compagnie des Indes : coworking, atelier partagé et "
        "café associatif, face au bassin à flot.",
        "opening_hours": "Du lundi au samedi, 9 h – 18 h 30",
        "amenities": ["wifi", "coffee", "kitchen", "quiet_zone", "lockers", "accessible_toilets"],
        "house_rules": "La zone calme est sans appel ni visio.",
        "desks": [("Grande table", "hot_desk", 10), ("Coin calme", "hot_desk", 4)],
        "managers": [8],
        "limit": 5,
    },
    {
        "name": "Le Quai des Possibles – Hennebont",
        "place": Place(47.8046, -3.2780, "Hennebont, centre"),
        "address": "Quai du Pont-Neuf, 56700 Hennebont",
        "description": "Un tiers-lieu au bord du Blavet, à dix minutes de Lorient en train : postes de "
        "travail, salle de réunion et jardin.",
        "opening_hours": "Du mardi au vendredi, 9 h – 18 h",
        "amenities": ["wifi", "printer", "meeting_room", "car_parking", "kids_corner", "accessible_entrance"],
        "house_rules": "Le jardin est ouvert à tous ; merci de refermer le portail.",
        "desks": [("Atelier", "hot_desk", 5), ("Salle du Blavet", "meeting_room", 8)],
        "managers": [5, 23],
        "limit": None,
    },
]


HOURS = [(time(9), time(13)), (time(14), time(18))]


def load(ctx) -> None:
    zone = rules.zone("Europe/Paris")
    tz_today = ctx.now.astimezone(zone).date()
    first_day, last_day = tz_today + timedelta(days=1), tz_today + timedelta(days=28)
    # Today's slots that have not started yet, so that "free desks today" is true on the first start.
    hours_left_today = [(s, e) for s, e in HOURS if datetime.combine(tz_today, s, tzinfo=zone) > ctx.now]
    all_slots = []
    for spec in SPACES:
        owner = ctx.people[spec["managers"][0]]
        space = services.create_space(
            creator=owner,
            name=spec["name"],
            location=spec["place"],
            now=ctx.now,
            address=spec["address"],
            description=spec["description"],
            opening_hours=spec["opening_hours"],
            amenities=spec["amenities"],
            house_rules=spec["house_rules"],
            timezone="Europe/Paris",
            max_future_bookings=spec["limit"],
        )
        for index in spec["managers"][1:]:
            services.add_manager(space=space, actor=owner, user_id=ctx.people[index].id, now=ctx.now)
        desks = [
            services.add_desk(space=space, actor=owner, label=label, kind=kind, seats=n, now=ctx.now)
            for label, kind, n in spec["desks"]
        ]
        periods = [(first_day, last_day, HOURS)]
        if tz_today.weekday() < 5 and hours_left_today:
            periods.append((tz_today, tz_today, hours_left_today))
        for start, end, hours in periods:
            all_slots += publishing.publish_schedule(
                space=space,
                actor=owner,
                desk_ids=[d.id for d in desks],
                first_day=start,
                last_day=end,
                weekdays=[0, 1, 2, 3, 4],
                hours=hours,
                price_cents=0 if spec["limit"] else 800,
                now=ctx.now,
            )
    db.session.flush()
    members = ctx.people[1:]
    for slot in ctx.rng.sample(all_slots, min(60, len(all_slots))):
        for person in ctx.rng.sample(members, min(slot.capacity, ctx.rng.randint(1, 3))):
            if person.id not in slot.space.manager_ids:
                seats.book(slot=slot, user=person, now=ctx.now)
    # One slot full with people waiting, to show the waitlist.
    fixed = next(s for s in all_slots if s.capacity == 1 and s.booked == 0)
    for person in members[10:13]:
        seats.book(slot=fixed, user=person, now=ctx.now, waitlist=True)
