"""User-facing errors: each carries one sentence that says what went wrong and what to try."""

from __future__ import annotations


class DramabotError(Exception):
    """An error whose message is safe and useful to show the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DramabotError):
    """Nothing in the catalog matches; `suggestions` are the nearest names."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class InvalidInput(DramabotError):
    """The user's input cannot be used as given; nothing was changed."""


class Forbidden(DramabotError):
    """The user may not do this here."""


class ConfigError(DramabotError):
    """A setting is missing or malformed."""
