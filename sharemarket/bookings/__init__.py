"""One booking engine for loans, desk seats and ride seats.

`Booking` holds what every kind shares (who, status, when); each feature adds a joined
subclass table with its own fields and registers a `BookingKind` that knows who provides the
resource and how to reserve and release it.
"""
