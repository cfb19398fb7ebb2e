"""The one exception every parser raises.

Anything wrong with an uploaded file is the admin's to fix (re-save as
UTF-8, remove a password, export with a text layer), so the message they see
must say what to do, in Vietnamese; the English detail is for our logs only.
"""

from __future__ import annotations

from knowledge.errors import UserFacingError


class ParseError(UserFacingError):
    """A user-caused problem with an uploaded file."""

    def __repr__(self) -> str:
        return f"ParseError({self.user_message!r}, {self.detail!r})"


class NoTextLayerError(ParseError):
    """A PDF without a text layer (a scan): OCR can still read it, where it is installed."""
