"""Carpool: ride offers and weekly commutes, detour-based matching, carpool meeting points,
seat bookings through the booking engine, and the kilometres and CO2 they save.

Importing the package registers the "seat" booking kind (`seats.SeatKind`) with the engine.
"""

from sharemarket.rides import seats as _seats  # noqa: F401 - registers the "seat" booking kind
