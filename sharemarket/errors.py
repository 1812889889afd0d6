"""Domain errors: services raise them; one place maps them to HTTP."""

from __future__ import annotations


class DomainError(Exception):
    status = 422
    title = "Unprocessable request"

    def __init__(self, detail: object, errors: dict[str, list] | None = None):
        # Messages may be lazy translations: they become text in the request's language here.
        super().__init__(str(detail))
        self.detail = str(detail)
        self.errors = {name: [str(m) for m in messages] for name, messages in (errors or {}).items()}


class ValidationFailed(DomainError):
    status = 422
    title = "Invalid fields"

    @classmethod
    def field(cls, name: str, message: object) -> ValidationFailed:
        return cls(message, {name: [message]})


class NotFound(DomainError):
    status = 404
    title = "Not found"


class NotAllowed(DomainError):
    status = 403
    title = "Not allowed"


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class BookingConflict(Conflict):
    title = "Booking conflict"


class SlotFull(Conflict):
    title = "Full"


class InvalidTransition(Conflict):
    title = "Action not allowed in the current state"


class EmailTaken(Conflict):
    title = "E-mail already registered"
