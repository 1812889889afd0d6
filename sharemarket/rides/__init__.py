"""Carpool: ride offers and weekly commutes, detour-based matching, carpool meeting points,
seat bookings through the booking engine, and the kilometres and CO2 they save.

Importing the package registers the "seat" booking kind (`seats.SeatKind`) with the engine, and
the carpool's part of the GDPR export and of closing an account (`privacy`).
"""

from sharemarket.accounts import services as _accounts
from sharemarket.rides import privacy as _privacy
from sharemarket.rides import seats as _seats  # noqa: F401 - registers the "seat" booking kind

if _privacy.export not in _accounts.EXPORTERS:
    _accounts.EXPORTERS.append(_privacy.export)
    _accounts.ERASERS.append(_privacy.erase)
