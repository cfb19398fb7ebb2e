"""Handlers for documents (filled in by its issue)."""

from __future__ import annotations

from bot.app import CdsApplication

COMMANDS: list[tuple[str, str]] = []


def register(application: CdsApplication) -> None:
    """Add this module's handlers to the application."""
