"""The portal's domain errors: raised by services and rules, shown by forms, the admin and the API.

Each carries a translated message for the person who caused it and, where it
belongs to one field of a form, that field's name.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the portal refuses for a reason the person can act on."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(DomainError):
    """The person may not do this (not a permission of theirs, or not their object)."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "not_allowed") -> None:
        super().__init__(message, field=field, code=code)


class Conflict(DomainError):
    """The object changed or is not in a state where this can happen."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "conflict") -> None:
        super().__init__(message, field=field, code=code)
