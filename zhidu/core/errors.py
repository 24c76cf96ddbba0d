"""Domain errors raised by services; views and endpoints turn them into 400/409 answers."""

from __future__ import annotations


class DomainError(Exception):
    """A request that breaks a business rule. `code` is stable; the message is for people."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field


class NotFound(Exception):
    """The object does not exist, or the asking member may not see it (the same answer for both)."""
