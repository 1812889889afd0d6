"""Third places (tiers-lieux): spaces, managers, desks, published slots and desk bookings.

Importing the package registers the desk booking kind with the booking engine, and what desks
hold about a person with the account's export and erasure.
"""

from sharemarket.desks import kind as _kind  # noqa: F401
from sharemarket.desks import personal_data as _personal_data  # noqa: F401
