from tests.listings.conftest import make_listing, media_dir, next_saturday, today  # noqa: F401
