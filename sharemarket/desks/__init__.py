"""Third places (tiers-lieux): spaces, managers, desks, published slots and desk bookings.

Importing the package registers the desk booking kind with the booking engine.
"""

from sharemarket.desks import kind as _kind  # noqa: F401
