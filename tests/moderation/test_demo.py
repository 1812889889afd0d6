from __future__ import annotations

from sqlalchemy import func, select

from sharemarket.communities.models import Community, CommunityMember
from sharemarket.demo import load_all
from sharemarket.extensions import db
from sharemarket.listings.models import Listing
from sharemarket.moderation.models import ModerationAction
from sharemarket.organisations.models import Organisation, OrganisationMember
from sharemarket.rides.models import Ride
from tests.conftest import NOW


def test_demo_town_has_its_organisations_and_a_moderation_case(app):
    load_all(now=NOW)
    kinds = dict(db.session.execute(select(Organisation.name, Organisation.kind)).all())
    assert kinds["Mairie de Lorient"] == "town_hall"
    assert kinds["Ressourcerie du Scorff"] == kinds["Amicale de Kervénanec"] == "association"
    assert kinds["Chantiers du Blavet"] == "company"
    library = db.session.scalar(select(Organisation.id).where(Organisation.name == "Ressourcerie du Scorff"))
    assert db.session.scalar(select(func.count(Listing.id)).where(Listing.organisation_id == library)) >= 10
    shipyard = db.session.scalar(select(Organisation.id).where(Organisation.name == "Chantiers du Blavet"))
    assert db.session.scalar(select(func.count()).where(OrganisationMember.organisation_id == shipyard)) >= 8
    commuters = db.session.scalars(select(Community).where(Community.name.like("Chantiers du Blavet%"))).one()
    members = select(func.count()).where(CommunityMember.community_id == commuters.id)
    assert db.session.scalar(members) >= 9
    assert db.session.scalar(select(func.count(Ride.id)).where(Ride.community_id == commuters.id)) >= 1
    entry = db.session.scalars(select(ModerationAction)).one()
    assert entry.action == "warn" and entry.report_id is not None
