"""Errors a user can cause: a Vietnamese message for them, English detail for the log."""

from __future__ import annotations


class UserFacingError(Exception):
    """Base of every error whose message is meant for the person who caused it."""

    def __init__(self, user_message: str, detail: str = "") -> None:
        super().__init__(detail or user_message)
        self.user_message = user_message
        self.detail = detail


class IngestError(UserFacingError):
    """A document that cannot be added (empty after cleaning, nothing to index…)."""


class NotFoundError(UserFacingError):
    """An id that names nothing in the base."""
