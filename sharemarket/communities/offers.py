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
    listings = db.session.scalars(
        select(Listing)
        .where(
            Listing.owner_id.in_(members),
            Listing.status == "active",
            Listing.hidden_at.is_(None),
            offered_by_an_active_member(Listing.owner_id),
            rules.visible_to(Listing.community_id, viewer_id),
        )
        .order_by(Listing.created_at.desc())
        .limit(limit)
    ).all()
    rides = db.session.scalars(
        select(Ride)
        .where(
            Ride.driver_id.in_(members),
            Ride.status == "active",
            Ride.hidden_at.is_(None),
            offered_by_an_active_member(Ride.driver_id),
            rules.visible_to(Ride.community_id, viewer_id),
        )
        .order_by(Ride.departure_at.desc())
        .limit(limit)
    ).all()
    return listings, rides
