"""The one way the portal's rules and services fail: a domain error with a translated message.

Services and rules raise these; a form turns them into field errors
(``add_to_form``), the admin into messages, a view into a message or a field
error, and later the API into problem+json. Nothing returns an error in a
tuple or a result object.

``message`` is for the person in front of the screen, already in their
language when the error is raised inside a request (or lazy, to be rendered
later). ``field`` names the input it is about, when there is one; ``code`` is
stable for tests and the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError

if TYPE_CHECKING:
    from django import forms
    from django_stubs_ext import StrOrPromise


class DomainError(Exception):
    """A rule of the domain says no. Subclass it by kind of failure, not by message."""

    default_code = "invalid"

    def __init__(self, message: StrOrPromise, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.default_code

    def __str__(self) -> str:
        return str(self.message)

    def __iter__(self) -> Iterator[DomainError]:
        """Every single error this one stands for: itself, or the members of a group."""
        yield self

    def with_field(self, field: str | None) -> DomainError:
        """The same error about another input (a CSV column, an admin form field)."""
        return type(self)(self.message, field=field, code=self.code)


class RuleViolation(DomainError):
    """Input that breaks a rule of a claim, a line, a file or a code."""

    default_code = "rule"


class RuleViolations(RuleViolation):
    """Several rule violations found at once, so a form can show each on its field."""

    default_code = "rules"

    def __init__(self, errors: Iterable[DomainError]) -> None:
        self.errors = [single for error in errors for single in error]
        super().__init__("; ".join(str(e.message) for e in self.errors), code=self.default_code)

    def __iter__(self) -> Iterator[DomainError]:
        yield from self.errors

    @classmethod
    def raise_if_any(cls, errors: list[DomainError]) -> None:
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise cls(errors)


class TransitionNotAllowed(DomainError):
    """A claim may not take this step of the workflow now."""

    default_code = "transition"


class NotAllowed(DomainError, PermissionDenied):
    """The user lacks the permission; Django answers it as it answers PermissionDenied (403)."""

    default_code = "not_allowed"


def add_to_form(
    form: forms.BaseForm, error: DomainError, *, fields: dict[str, str] | None = None, default: str | None = None
) -> None:
    """Show ``error`` on ``form``: each message on its field (renamed by ``fields``), else on ``default``.

    A field the form lacks, or that already has an error, does not get a second one from the same input.
    """
    for single in error:
        name = (fields or {}).get(single.field or "", single.field) or default
        if name is not None and name not in form.fields:
            name = default
        if name is not None and form.has_error(name):
            continue
        form.add_error(name, ValidationError(single.message, code=single.code))


class Conflict(DomainError):
    """The object is not in a state where this can happen, or it changed meanwhile."""

    default_code = "conflict"
