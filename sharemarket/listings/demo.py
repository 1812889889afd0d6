"""Demo part of the tool library: about 120 things lent around Lorient, and loans in every status."""

from __future__ import annotations

import io
import math
from datetime import timedelta

from flask import current_app
from PIL import Image, ImageDraw

from sharemarket.bookings import services as bookings
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.listings import loans, rules, services

# category, title, description, deposit in €, replacement value in €
CATALOGUE = [
    ("tools", "Perceuse à percussion", "Bosch 650 W avec coffret de mèches bois, métal et béton.", 30, 90),
    ("tools", "Visseuse sans fil", "Makita 18 V, deux batteries et chargeur. Embouts fournis.", 30, 120),
    (
        "tools",
        "Scie sauteuse",
        "Lames bois et métal dans la mallette. Idéale pour les découpes de plan de travail.",
        20,
        70,
    ),
    ("tools", "Échelle télescopique 3,8 m", "Aluminium, pliable, tient dans un coffre de voiture.", 40, 150),
    ("tools", "Escabeau 5 marches", "Stable, avec plateau pour poser les pots de peinture.", 10, 45),
    ("tools", "Ponceuse orbitale", "Avec aspiration et une dizaine d'abrasifs grains 80 à 240.", 20, 60),
    ("tools", "Niveau laser", "Croix laser autonivelante, trépied inclus. Parfait pour poser des étagères.", 30, 110),
    ("tools", "Décolleuse à papier peint", "Vapeur 2000 W, grande plaque. Videz le réservoir après usage.", 20, 60),
    ("tools", "Perforateur SDS", "Pour percer le béton et la pierre. Burin plat inclus.", 40, 150),
    (
        "tools",
        "Caisse à outils complète",
        "Marteau, tournevis, pinces, clés plates, mètre : l'essentiel du bricolage.",
        20,
        80,
    ),
    ("tools", "Serre-joints (lot de 6)", "Trois de 30 cm, trois de 60 cm.", 0, 40),
    ("tools", "Nettoyeur haute pression", "Kärcher 130 bars, lance rotative pour terrasse.", 40, 160),
    ("garden", "Tondeuse électrique", "Coupe 37 cm avec bac de ramassage. Rallonge de 25 m fournie.", 30, 140),
    ("garden", "Taille-haie", "Lame de 50 cm, électrique. Gants conseillés.", 20, 70),
    ("garden", "Débroussailleuse thermique", "Moteur 2 temps, mélange à 2 % fourni pour un plein.", 50, 200),
    ("garden", "Broyeur de végétaux", "Branches jusqu'à 4 cm. Très pratique après la taille.", 50, 250),
    ("garden", "Motobineuse", "Pour préparer le potager au printemps. Se transporte à deux.", 60, 300),
    ("garden", "Brouette", "Roue gonflée, 90 litres.", 0, 50),
    ("garden", "Scarificateur", "Électrique, pour aérer la pelouse au printemps.", 20, 90),
    ("garden", "Tarière manuelle", "Pour planter piquets et arbustes, diamètre 10 cm.", 0, 30),
    ("garden", "Sécateur de force", "Manches télescopiques, coupe jusqu'à 5 cm.", 0, 35),
    ("garden", "Récupérateur d'eau 300 L", "Avec robinet, à installer pour la saison.", 20, 80),
    ("kitchen", "Appareil à raclette", "Pour 8 personnes, avec poêlons et plaque grill.", 20, 60),
    ("kitchen", "Appareil à fondue", "Caquelon en fonte et 6 fourchettes.", 10, 40),
    ("kitchen", "Crêpière bilig", "Billig électrique 40 cm, rozell et spatule : crêpes comme à Quimper.", 30, 120),
    ("kitchen", "Robot pâtissier", "Kenwood, fouet, crochet et batteur plat.", 50, 250),
    ("kitchen", "Machine à pain", "Programmes pain complet et brioche. Notice en français.", 20, 80),
    ("kitchen", "Stérilisateur à bocaux", "27 litres, thermostat, pour les conserves de l'été.", 20, 90),
    ("kitchen", "Grande marmite 30 L", "Inox, pour les soupes de fête et les confitures.", 10, 50),
    ("kitchen", "Déshydrateur alimentaire", "Cinq plateaux, fruits et champignons.", 20, 70),
    ("kitchen", "Extracteur de jus", "Extraction lente, facile à nettoyer.", 30, 150),
    ("kitchen", "Plancha électrique", "Plaque fonte émaillée 2 zones.", 20, 100),
    ("sports", "Tente 4 places", "Montage en 10 minutes, double toit. Sardines et maillet inclus.", 40, 180),
    ("sports", "Kayak gonflable 2 places", "Pagaies, pompe et sac de transport.", 80, 350),
    ("sports", "Paddle gonflable", "3,2 m avec pagaie réglable et leash.", 80, 400),
    ("sports", "Porte-vélos d'attelage", "Pour 3 vélos, éclairage compris.", 50, 300),
    ("sports", "Sac de couchage -5 °C", "Lavé après chaque prêt.", 10, 70),
    ("sports", "Réchaud camping gaz", "Deux feux, cartouche à prévoir.", 10, 50),
    ("sports", "Raquettes de badminton (lot de 4)", "Avec volants et filet.", 0, 40),
    ("sports", "Combinaison néoprène 4/3", "Taille M, pour le surf à Guidel.", 30, 150),
    ("sports", "Planche de surf 7'2\"", "Mousse, idéale pour débuter.", 60, 250),
    ("sports", "Glacière électrique", "Branchement allume-cigare et secteur.", 20, 90),
    ("kids", "Poussette tout-terrain", "Roues gonflables, pliage compact.", 50, 300),
    ("kids", "Siège auto 0-18 kg", "Isofix, jamais accidenté.", 30, 150),
    ("kids", "Lit parapluie", "Avec matelas, pour les vacances chez les grands-parents.", 20, 70),
    ("kids", "Porte-bébé physiologique", "Jusqu'à 20 kg, notice incluse.", 20, 100),
    ("kids", "Chaise haute pliante", "Réglable en hauteur, plateau amovible.", 10, 60),
    ("kids", "Vélo enfant 16 pouces", "Avec stabilisateurs démontables.", 20, 90),
    ("kids", "Draisienne", "En bois, 2 à 5 ans.", 10, 50),
    ("kids", "Jeux de société (lot)", "Dix jeux pour 4 à 10 ans, complets.", 0, 80),
    ("electronics", "Vidéoprojecteur", "Full HD, câble HDMI 10 m, pour les soirées cinéma.", 80, 400),
    ("electronics", "Enceinte Bluetooth", "Autonomie 12 h, étanche.", 30, 120),
    ("electronics", "Appareil photo reflex", "Canon avec objectif 18-55 mm et carte mémoire.", 100, 500),
    ("electronics", "Imprimante 3D", "Ender 3, bobine PLA entamée. Une démonstration s'impose.", 100, 300),
    ("electronics", "Scanner de diapositives", "Pour numériser les souvenirs de famille.", 30, 120),
    ("electronics", "Station de soudure", "Température réglable, étain et tresse.", 20, 60),
    ("electronics", "Tablette graphique", "Wacom, idéale pour découvrir le dessin numérique.", 40, 150),
    ("events", "Tonnelle 3 x 6 m", "Montage à quatre personnes, parois latérales.", 50, 200),
    ("events", "Tables pliantes (lot de 4)", "180 x 75 cm, 8 personnes chacune.", 30, 200),
    ("events", "Chaises pliantes (lot de 20)", "En bois, rangées dans deux housses.", 40, 300),
    ("events", "Sono avec micro", "Deux enceintes 300 W, table de mixage, micro sans fil.", 100, 600),
    ("events", "Machine à barbe à papa", "Succès garanti aux anniversaires !", 20, 60),
    ("events", "Guirlandes guinguette (50 m)", "Ampoules LED, étanches.", 20, 80),
    ("events", "Percolateur 100 tasses", "Pour les fêtes d'école et les associations.", 20, 90),
    ("events", "Fontaine à chocolat", "Trois étages, pour 20 personnes.", 20, 70),
    ("mobility", "Remorque bagagère 750 kg", "Plateau 2 x 1,2 m, carte grise à jour. Permis B suffit.", 100, 800),
    ("mobility", "Vélo cargo électrique", "Caisse pour deux enfants, batterie 500 Wh.", 200, 3500),
    ("mobility", "Remorque vélo enfant", "Deux places, se transforme en poussette.", 50, 250),
    ("mobility", "Coffre de toit 420 L", "Fixation rapide, clés fournies.", 50, 300),
    ("mobility", "Trottinette électrique", "Autonomie 25 km, casque fourni.", 80, 400),
    ("mobility", "Diable de déménagement", "Charge 200 kg, roues increvables.", 10, 60),
    ("other", "Machine à coudre", "Singer, une vingtaine de points, canettes fournies.", 30, 150),
    ("other", "Shampouineuse moquette", "Pour canapés et tapis, produit à prévoir.", 30, 150),
    ("other", "Déshumidificateur", "20 litres par jour, pour les hivers bretons.", 30, 180),
    ("other", "Diables et sangles de déménagement", "Sangles d'épaule, couvertures de protection.", 10, 60),
    ("other", "Valise grande taille", "Rigide, 4 roues, cadenas TSA.", 20, 100),
    ("other", "Métier à tisser", "Petit métier de table pour s'initier.", 20, 80),
]
COLOURS = [(196, 69, 54), (46, 110, 142), (233, 184, 36), (63, 136, 74), (122, 82, 153), (35, 35, 35)]


def _near(ctx, person) -> Place:
    """A point a few hundred metres from the owner's home, so that homes are not given away."""
    angle = ctx.rng.uniform(0, 2 * math.pi)
    km = ctx.rng.uniform(0.05, 0.4)
    lat = person.home_lat + km * math.cos(angle) / 111.32
    lng = person.home_lng + km * math.sin(angle) / (111.32 * math.cos(math.radians(person.home_lat)))
    return Place(round(lat, 6), round(lng, 6), person.home_label)


def _picture(ctx, index: int) -> bytes:
    image = Image.new("RGB", (640, 480), (245, 242, 236))
    draw = ImageDraw.Draw(image)
    colour = COLOURS[index % len(COLOURS)]
    x, y = ctx.rng.randint(140, 260), ctx.rng.randint(110, 190)
    draw.rounded_rectangle((x, y, x + 240, y + 170), radius=24, fill=colour)
    draw.ellipse((x + 160, y - 50, x + 280, y + 70), fill=tuple(min(255, c + 60) for c in colour))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def load(ctx) -> None:
    people = ctx.people
    made = []
    for index in range(120):
        category, title, description, deposit, value = CATALOGUE[index % len(CATALOGUE)]
        owner = people[(index * 7 + index // len(CATALOGUE)) % len(people)]
        created = ctx.now - timedelta(days=ctx.rng.randint(3, 150), hours=ctx.rng.randint(0, 23))
        listing = services.create_listing(
            owner=owner,
            now=created,
            title=title,
            description=description,
            category=category,
            condition=ctx.rng.choice(list(rules.CONDITIONS)),
            place=_near(ctx, owner),
            deposit_cents=deposit * 100,
            replacement_value_cents=value * 100,
            max_loan_days=ctx.rng.choice([3, 5, 7, 7, 14]),
            min_notice_days=ctx.rng.choice([0, 0, 1, 2]),
            buffer_days=ctx.rng.choice([0, 0, 1]),
            pickup_instructions=ctx.rng.choice(
                [
                    "Sonnez à l'interphone, je descends.",
                    "Dans le garage, porte de gauche. Prévenez-moi par message avant de passer.",
                    "Le soir après 18 h ou le samedi matin.",
                    "Au fond de l'impasse, maison aux volets bleus.",
                ]
            ),
        )
        made.append(listing)
        if index % 10 == 0:
            services.add_photo(listing=listing, actor=owner, data=_picture(ctx, index), now=created)
    db.session.flush()
    _loans(ctx, made)


def _loans(ctx, listings) -> None:
    """Loans in every status, each on its own listing so that no two clash."""
    tz = current_app.config["SHAREMARKET_TIMEZONE"]
    now = ctx.now
    today = rules.local_today(now, tz)
    plans = ["requested", "confirmed", "active", "returned", "overdue", "declined", "cancelled", "expired"] * 3
    for i, status in enumerate(plans):
        listing = listings[(i * 5 + 3) % len(listings)]
        owner = listing.owner
        borrower = next(p for p in ctx.people[i % len(ctx.people) :] + ctx.people if p.id != owner.id)
        if status in ("requested", "confirmed", "declined", "cancelled"):
            asked, start = now, today + timedelta(days=3 + i)
        elif status == "active":
            asked, start = now - timedelta(days=2), today - timedelta(days=1)
        elif status == "returned":
            asked, start = now - timedelta(days=30 + i), today - timedelta(days=25 + i)
        elif status == "overdue":
            asked, start = now - timedelta(days=10), today - timedelta(days=8)
        else:
            asked, start = now - timedelta(days=5), today + timedelta(days=1)
        end = start + timedelta(days=min(2, listing.max_loan_days - 1))
        listing.min_notice_days = 0
        loan = loans.request_loan(listing=listing, borrower=borrower, start=start, end=end, now=asked)
        day = timedelta(days=1)
        if status == "declined":
            bookings.act(booking=loan, action="decline", actor=owner, now=asked + day / 4)
        elif status == "expired":
            bookings.system_act(booking=loan, action="expire", now=loan.respond_by, note="demo")
        elif status != "requested":
            bookings.act(booking=loan, action="approve", actor=owner, now=asked + day / 4)
            if status == "cancelled":
                bookings.act(booking=loan, action="cancel", actor=borrower, now=asked + day / 2)
            elif status in ("active", "returned", "overdue"):
                picked = max(asked + day / 2, rules.day_start(start, tz) + timedelta(hours=10))
                bookings.act(booking=loan, action="pickup", actor=owner, now=picked)
                if status == "returned":
                    bookings.act(
                        booking=loan, action="return", actor=owner, now=rules.day_start(end, tz) + timedelta(hours=18)
                    )
                elif status == "overdue":
                    bookings.system_act(booking=loan, action="mark_overdue", now=now)
