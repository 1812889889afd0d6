"""Demo: the town hall, two associations (one runs a library of things), a company and its
commuters' community, a neighbourhood community, a moderator and settled cases in the log.
Runs after listings and rides, which it uses."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from sharemarket.accounts.models import User
from sharemarket.bookings import messages
from sharemarket.communities import services as communities
from sharemarket.desks.models import Space
from sharemarket.extensions import db
from sharemarket.geo import Place
from sharemarket.listings import services as listings
from sharemarket.listings.models import Listing, Loan
from sharemarket.moderation import services, team
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
    _add(mayor_office, people[0], people[21], "member", now)
    # The town runs the third place of the old port.
    docks = db.session.scalar(select(Space).where(Space.name.like("Les Docks%")))
    if docks is not None:
        docks.organisation_id = mayor_office.id

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

    _moderation_cases(ctx)


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


def _moderation_cases(ctx) -> None:
    """A town hall employee moderates. Three cases are settled (a warning, an advert taken
    down, an insulting message hidden) and one report waits in the queue."""
    people, now = ctx.people, ctx.now
    admin, moderator = people[0], people[21]
    team.set_moderator(
        actor=admin,
        user=moderator,
        grant=True,
        reason="Agente de la mairie, référente du site pour les habitants.",
        now=now - timedelta(days=120),
    )
    _settle(
        moderator,
        "warn",
        services.report(
            reporter=people[5],
            target_type="user",
            target_id=people[27].id,
            reason="harassment",
            comment="Il m'a relancé dix fois par message pour un prêt que j'avais refusé.",
            now=now - timedelta(days=9),
        ),
        "Relances répétées après un refus : premier avertissement.",
        now - timedelta(days=8),
    )
    _advert(ctx, moderator)
    _insult(ctx, moderator)
    ride = db.session.scalar(select(Ride).where(Ride.driver_id == people[9].id).order_by(Ride.id).limit(1))
    services.report(
        reporter=people[14],
        target_type="ride",
        target_id=ride.id,
        reason="inaccurate",
        comment="Le conducteur part en fait de Caudan, pas de chez lui : deux fois je l'ai attendu pour rien.",
        now=now - timedelta(hours=20),
    )


def _settle(moderator, action: str, report, reason: str, when) -> None:
    services.act(
        actor=moderator,
        action=action,
        target_type=report.target_type,
        target_id=report.target_id,
        reason=reason,
        report_id=report.id,
        now=when,
    )


def _advert(ctx, moderator) -> None:
    """A firewood seller's advert among the things lent: reported twice, hidden once."""
    people, now = ctx.people, ctx.now
    seller = people[28]
    advert = listings.create_listing(
        owner=seller,
        now=now - timedelta(days=6),
        title="Bois de chauffage à vendre – livraison gratuite",
        description="Stère de chêne sec 85 €, livré chez vous. Appelez le 06 00 00 00 00.",
        category="other",
        place=Place(seller.home_lat, seller.home_lng, seller.home_label),
        pickup_instructions="",
    )
    db.session.flush()
    first, second = (
        services.report(
            reporter=reporter,
            target_type="listing",
            target_id=advert.id,
            reason="spam",
            comment=comment,
            now=now - timedelta(days=days),
        )
        for reporter, comment, days in (
            (people[9], "C'est une vente, pas un prêt.", 5),
            (people[13], "", 4),
        )
    )
    why = "Annonce commerciale : le site est réservé au prêt entre habitants."
    _settle(moderator, "hide", first, why, now - timedelta(days=4))
    _settle(moderator, "dismiss", second, "Déjà traité : l'annonce est masquée.", now - timedelta(days=4))


def _insult(ctx, moderator) -> None:
    """A borrower insults the lender in a loan's thread after the pick-up; the lender
    reports it, a moderator hides it."""
    loan = db.session.scalar(select(Loan).where(Loan.status == "active").order_by(Loan.id).limit(1))
    lender = loan.listing.owner
    message = messages.post_message(
        booking=loan,
        author=loan.user,
        body="Franchement vous êtes d'une mauvaise foi incroyable, espèce de radin.",
        now=ctx.now - timedelta(hours=12),
    )
    report = services.report(
        reporter=lender,
        target_type="message",
        target_id=message.id,
        reason="offensive",
        comment="Insultant, je ne veux pas lire ça.",
        now=ctx.now - timedelta(hours=11),
    )
    _settle(
        moderator, "hide", report, "Message insultant : masqué pour les deux parties.", ctx.now - timedelta(hours=6)
    )
