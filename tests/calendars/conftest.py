# Desk bookings are the first kind with real data to put in a calendar.
from tests.desks.conftest import make_desk, make_slot, make_space  # noqa: F401
