import pytest

from sharemarket.extensions import db
from tests.bookings.conftest import make_loan, today  # noqa: F401
from tests.listings.conftest import make_listing, media_dir  # noqa: F401
from tests.rides.conftest import make_ride  # noqa: F401


@pytest.fixture
def make_moderator(make_user):
    """A member with the moderator role (not an admin)."""

    def make(**overrides):
        moderator = make_user(display_name="Modo", **overrides)
        moderator.is_moderator = True
        db.session.commit()
        return moderator

    return make
