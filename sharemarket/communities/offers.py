"""What a community's members offer, for its page. Its own module: it reads the listings' and the
rides' tables, whose services themselves use `communities.services`."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from sharemarket.accounts.models import offered_by_an_active_member
from sharemarket.communities import rules
from sharemarket.communities.models import Community, CommunityMember
from sharemarket.extensions import db
from sharemarket.listings.models import Listing
from sharemarket.rides.models import Ride


def of_members(community: Community, viewer_id: int | None, limit: int) -> tuple[Sequence[Listing], Sequence[Ride]]:
    """The members' active listings and rides that the viewer may see, newest first, without what
    suspended members offer (as the searches leave it out)."""
    members = select(CommunityMember.user_id).where(CommunityMember.community_id == community.id)
    listings = _offered(Listing, Listing.owner_id, Listing.created_at, members, viewer_id, limit)
    rides = _offered(Ride, Ride.driver_id, Ride.departure_at, members, viewer_id, limit)
    return listings, rides


def _offered(model, owner_id, newest, members, viewer_id: int | None, limit: int) -> Sequence:
    return db.session.scalars(
        select(model)
        .where(
            owner_id.in_(members),
            model.status == "active",
            model.hidden_at.is_(None),
            offered_by_an_active_member(owner_id),
            rules.visible_to(model.community_id, viewer_id),
        )
        .order_by(newest.desc())
        .limit(limit)
    ).all()
