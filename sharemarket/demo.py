"""`flask demo load`: a believable small town around Lorient, for trying the product.

Each feature adds its own part in `sharemarket/<feature>/demo.py` as `load(ctx)`; they run in
FEATURES order and share a `DemoContext` (the inhabitants, a seeded random generator, now).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from sharemarket.accounts import services as accounts
from sharemarket.accounts.models import User
from sharemarket.db import utcnow
from sharemarket.extensions import db
from sharemarket.geo import Place

# Name, town, lat, lng: real neighbourhoods of the Lorient area.
INHABITANTS = [
    ("Maëlle Le Goff", "Lorient, Merville", 47.7440, -3.3730),
    ("Yann Guillou", "Lorient, Keryado", 47.7560, -3.3850),
    ("Soizic Le Floch", "Lorient, Nouvelle-Ville", 47.7500, -3.3650),
    ("Erwan Le Bihan", "Lanester, centre", 47.7614, -3.3419),
    ("Nolwenn Tanguy", "Lanester, Kerfréhour", 47.7700, -3.3300),
    ("Gaël Jaffré", "Hennebont", 47.8050, -3.2770),
    ("Anne Le Roux", "Hennebont, Kerroc'h", 47.8120, -3.2650),
    ("Tristan Hervé", "Ploemeur", 47.7356, -3.4264),
    ("Morgane Le Gall", "Larmor-Plage", 47.7067, -3.3847),
    ("Pierre Cadoret", "Quéven", 47.7886, -3.4161),
    ("Lucie Riou", "Caudan", 47.8092, -3.3422),
    ("Julien Le Meur", "Kervignac", 47.7630, -3.2386),
    ("Claire Morvan", "Guidel", 47.7922, -3.4878),
    ("Thomas Le Corre", "Pont-Scorff", 47.8336, -3.4031),
    ("Sophie Kerhervé", "Inzinzac-Lochrist", 47.8578, -3.2469),
    ("Loïc Le Pen", "Languidic", 47.8336, -3.1578),
    ("Marie Le Dû", "Port-Louis", 47.7077, -3.3547),
    ("Ronan Ezanno", "Riantec", 47.7117, -3.3228),
    ("Katell Le Garrec", "Locmiquélic", 47.7253, -3.3417),
    ("Hugo Le Brun", "Lorient, Kervénanec", 47.7590, -3.3980),
    ("Inès Benali", "Lorient, Bois du Château", 47.7610, -3.3720),
    ("Armelle Quéré", "Lorient, Carnel", 47.7520, -3.3560),
    ("Mathieu Le Cam", "Lanester, Kesler Devillers", 47.7560, -3.3300),
    ("Élodie Conan", "Hennebont, Saint-Caradec", 47.8000, -3.2900),
    ("Fañch Le Moing", "Plouay", 47.9139, -3.3339),
    ("Laure Daniel", "Quimperlé", 47.8728, -3.5497),
    ("Kevin Le Toux", "Lorient, Kerentrech", 47.7600, -3.3600),
    ("Camille Robic", "Ploemeur, Lomener", 47.7050, -3.4300),
    ("Bastien Le Scouarnec", "Lanester, Saint-Guénaël", 47.7680, -3.3500),
    ("Nathalie Guégan", "Lorient, Le Ter", 47.7390, -3.3820),
]


@dataclass
class DemoContext:
    now: datetime
    rng: random.Random
    password: str
    people: list[User] = field(default_factory=list)


def _email(name: str) -> str:
    from sharemarket.geo import fold

    parts = fold(name).replace("'", "").split()
    return f"{parts[0]}.{''.join(parts[1:])}@lorient.example.org"


def load_people(ctx: DemoContext) -> None:
    for index, (name, label, lat, lng) in enumerate(INHABITANTS):
        user = accounts.register_user(
            email=_email(name),
            password=ctx.password,
            display_name=name,
            locale="fr",
            home=Place(lat, lng, label),
            now=ctx.now,
        )
        user.bio = ""
        user.is_admin = index == 0
        ctx.people.append(user)
    db.session.flush()


def load_all(now: datetime | None = None, seed: int = 29) -> DemoContext:
    from sharemarket import FEATURES, _feature_module

    ctx = DemoContext(now=now or utcnow(), rng=random.Random(seed), password=current_app.config["DEMO_PASSWORD"])
    load_people(ctx)
    for feature in FEATURES:
        module = _feature_module(feature, "demo")
        if module is not None:
            module.load(ctx)
            db.session.flush()
    return ctx


def register(app: Flask) -> None:
    @app.cli.group("demo")
    def demo_group():
        """Demo data of a small town."""

    @demo_group.command("load")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    def load_command(if_empty: bool):
        """Fill an empty database with the demo town around Lorient."""
        count = db.session.scalar(select(func.count(User.id)))
        if count:
            if if_empty:
                click.echo("The database already has data; demo not loaded.")
                return
            raise click.ClickException("The database is not empty; the demo loads into an empty one.")
        ctx = load_all()
        db.session.commit()
        click.echo(
            f"Demo town loaded: {len(ctx.people)} inhabitants. Log in as {_email(INHABITANTS[0][0])} "
            f"(admin) or any other, password '{ctx.password}'."
        )
