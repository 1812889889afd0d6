"""One booking engine for loans, desk seats and ride seats.

`Booking` holds what every kind shares (who, status, when); each feature adds a joined
subclass table with its own fields and registers a `BookingKind` that knows who provides the
resource and how to reserve and release it.

Around every kind: a message thread between the two sides, reviews once a booking is
completed (`completion`), and what they hold about a person (`personal_data`).
"""

# Registered on import: message and review tables with the models, personal data with accounts.
from sharemarket.bookings import personal_data as _personal_data  # noqa: E402, F401
