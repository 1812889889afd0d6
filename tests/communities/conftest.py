from tests.listings.conftest import make_listing, media_dir  # noqa: F401
from tests.rides.conftest import make_ride  # noqa: F401
