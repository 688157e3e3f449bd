"""Errors that services raise for the page to show beside the right field."""

from __future__ import annotations


class PortalError(Exception):
    """A user action was refused; the message is fit to show to that user."""


class FieldErrors(PortalError):
    """Some fields of a form are invalid: field name to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotAllowed(PortalError):
    """The signed-in person may not do this."""


class NotFound(PortalError):
    """The record does not exist, or is not visible to the person asking."""
