"""Demo: the town hall, two associations (one runs a library of things), a company and its
commuters' community, a neighbourhood community, and one moderation case in the log.
Runs after listings and rides, which it uses."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from sharemarket.accounts.models import User
from sharemarket.communities import services as communities
from sharemarket.extensions import db
from sharemarket.listings.models import Listing
from sharemarket.moderation import services
from sharemarket.organisations import services as organisations
from sharemarket.rides.models import Ride


def load(ctx) -> None:
    people, now = ctx.people, ctx.now
    mayor_office = organisations.create(
        creator=people[0],
        name="Mairie de Lorient",
        kind="town_hall",
        description="La ville soutient le prêt entre voisins, le covoiturage et les tiers-lieux.",
        website="https://www.lorient.bzh",
        now=now - timedelta(days=200),
    )
    _add(mayor_office, people[0], people[2], "admin", now)

    # The inhabitants who lend the most run the library of things: their items are lent on its behalf.
    per_owner = (
        select(Listing.owner_id).group_by(Listing.owner_id).order_by(func.count(Listing.id).desc(), Listing.owner_id)
    )
    librarians = [db.session.get(User, owner_id) for owner_id in db.session.scalars(per_owner.limit(3))]
    ressourcerie = organisations.create(
        creator=librarians[0],
        name="Ressourcerie du Scorff",
        kind="association",
        description="Une bibliothèque d'objets : empruntez plutôt qu'acheter. Permanences le samedi matin.",
        now=now - timedelta(days=150),
    )
    for librarian in librarians[1:]:
        _add(ressourcerie, librarians[0], librarian, "admin", now)
    _add(ressourcerie, librarians[0], people[1], "member", now)
    for owner in librarians:
        for listing in db.session.scalars(select(Listing).where(Listing.owner_id == owner.id).order_by(Listing.id)):
            organisations.assign_listing(organisation=ressourcerie, actor=owner, listing=listing)

    organisations.create(
        creator=people[19],
        name="Amicale de Kervénanec",
        kind="association",
        description="Les habitants du quartier se prêtent les outils du jardin partagé.",
        now=now - timedelta(days=90),
    )

    shipyard = organisations.create(
        creator=people[3],
        name="Chantiers du Blavet",
        kind="company",
        description="Les salariés du chantier naval partagent leurs trajets domicile-travail.",
        now=now - timedelta(days=60),
    )
    for commuter in people[4:12]:
        _add(shipyard, people[3], commuter, "member", now)
    _commuters_community(people, now)

    _moderation_case(ctx)


def _commuters_community(people, now) -> None:
    """The shipyard's commuters gather in a community; two keep their daily ride among colleagues."""
    community = communities.create(
        creator=people[3],
        name="Chantiers du Blavet – covoiturage",
        description="Les salariés du chantier partagent leurs trajets vers le site de Lanester.",
        access="open",
        now=now - timedelta(days=60),
    )
    for commuter in people[4:12]:
        communities.join(community=community, user=commuter, now=now - timedelta(days=50))
    for driver in people[4:6]:
        ride = db.session.scalar(select(Ride).where(Ride.driver_id == driver.id).order_by(Ride.id).limit(1))
        if ride is not None:
            communities.restrict(item=ride, owner_id=driver.id, community_id=community.id, actor=driver)
    communities.create(
        creator=people[19],
        name="Voisins de Kervénanec",
        description="Le quartier s'entraide : outils, trajets vers le marché, garde de plantes.",
        access="open",
        now=now - timedelta(days=80),
    )


def _add(organisation, admin, user, role, now) -> None:
    organisations.add_member(organisation=organisation, actor=admin, email=user.email, role=role, now=now)


def _moderation_case(ctx) -> None:
    people, now = ctx.people, ctx.now
    report = services.report(
        reporter=people[5],
        target_type="user",
        target_id=people[27].id,
        reason="harassment",
        comment="Il m'a relancé dix fois par message pour un prêt que j'avais refusé.",
        now=now - timedelta(days=2),
    )
    services.act(
        actor=people[0],
        action="warn",
        target_type="user",
        target_id=people[27].id,
        reason="Relances répétées après un refus : premier avertissement.",
        report_id=report.id,
        now=now - timedelta(days=1),
    )
