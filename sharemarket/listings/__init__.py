"""The tool library: things neighbours lend, their photos and places, search, and loans.

A loan is a kind of booking (`models.Loan`, a `Booking` subclass); `kind.LoanKind` tells the
booking engine who provides it and holds its days (`HeldDay`, one row per listing and day,
unique) so that a listing never has two confirmed loans on one day.
"""

# Registered on import: loans with the booking engine, personal data with accounts.
from sharemarket.listings import kind as _kind  # noqa: E402, F401
from sharemarket.listings import personal_data as _personal_data  # noqa: E402, F401
