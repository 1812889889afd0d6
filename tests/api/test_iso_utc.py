import random
from datetime import UTC, datetime, timedelta, timezone

from sharemarket.api.schemas import iso_utc


def test_instants_are_written_in_utc_with_a_z_as_isoformat_writes_them():
    rng = random.Random(7)
    zones = [UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-9, minutes=-30))]
    start = datetime(1970, 1, 1, tzinfo=UTC)
    for _ in range(2000):
        instant = start + timedelta(
            seconds=rng.randint(0, 5_000_000_000), microseconds=rng.choice([0, rng.randint(1, 999_999)])
        )
        shown = instant.astimezone(rng.choice(zones))
        expected = instant.isoformat().replace("+00:00", "Z")
        assert iso_utc(shown) == expected
        assert datetime.fromisoformat(iso_utc(shown)) == instant
    assert iso_utc(datetime(2026, 12, 1, 8, 0, tzinfo=timezone(timedelta(hours=1)))) == "2026-12-01T07:00:00Z"
    assert iso_utc(datetime(2026, 12, 1, 7, 0, 0, 5, tzinfo=UTC)) == "2026-12-01T07:00:00.000005Z"
    assert iso_utc(None) is None
