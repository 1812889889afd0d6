"""Private iCalendar feeds: a member's bookings of every kind, and a space's slots for its managers."""
