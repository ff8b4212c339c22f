"""Domain errors; the API turns each into an RFC 9457 problem from `status`, `title`, `detail`, `extra`."""

from __future__ import annotations

from typing import Any


class RegistryError(Exception):
    """Base of every error the registry's rules and services raise on purpose."""

    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"  # the problem type's last path segment

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        # Extension members for the problem document, e.g. number="...", action="revoke".
        self.extra: dict[str, Any] = extra


class NotFound(RegistryError):
    """The named thing (practitioner, certificate, organisation…) does not exist."""

    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(RegistryError):
    """The request clashes with the current state, e.g. a duplicate certificate number."""

    status = 409
    title = "Conflict"
    slug = "conflict"


class InvalidTransition(Conflict):
    """A lifecycle action that the current status does not allow."""

    title = "Invalid status transition"
    slug = "invalid-transition"


class NotPermitted(RegistryError):
    """The caller's role may not do this part of an otherwise allowed request."""

    status = 403
    title = "Forbidden"
    slug = "forbidden"


class ValidationFailed(RegistryError):
    """One or more fields are invalid; `errors` maps each field to its messages."""

    status = 400
    title = "Validation failed"
    slug = "validation-error"

    def __init__(self, errors: dict[str, list[str]], detail: str = "Validation failed", **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.errors = errors


class InvalidIdentifier(ValueError):
    """An identifier (ID card, USCC, phone, email) fails its format rules; the message says which."""


class ImportFileError(ValueError):
    """The file as a whole cannot be imported: wrong type, unreadable, or missing required columns."""
