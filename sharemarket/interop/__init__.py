"""Carpool interoperability: the French standard-covoiturage API under /interop/v1.

Partner operators (Mobicoop, BlaBlaCar Daily, a MaaS app...) authenticate with an `X-API-Key`,
find our drivers' journeys and weekly trips, book seats for their passengers, follow the
bookings and write to our drivers. Their passengers become `ExternalPassenger` rows, each
with a user here that cannot log in, so the booking engine handles their seats like any other.
"""
