"""Domain errors raised by services; views and endpoints turn them into 400/403/409 answers.

A message is an English template (marked with `gettext_noop` where it is defined, so it lands in the
catalogue) plus keyword parameters. It is translated into the active language when it is read, so the same
error reads in Chinese on a zh-hans page and in English in an English API session:

    ERR_UNKNOWN_ROLE = gettext_noop("Unknown role {role!r}.")
    raise DomainError(ERR_UNKNOWN_ROLE, field="role", role=role)
"""

from __future__ import annotations

from django.utils.translation import gettext


class DomainError(Exception):
    """A request that breaks a business rule. `code` is stable; the message is for people."""

    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.template = message
        self.params = params
        if code:
            self.code = code
        self.field = field

    @property
    def message(self) -> str:
        text = gettext(self.template)
        if not self.params:
            return text
        try:
            return text.format(**self.params)
        except (KeyError, IndexError, ValueError):  # a broken translation must not hide the error
            return self.template.format(**self.params)

    def __str__(self) -> str:
        return self.message


class NotFound(Exception):
    """The object does not exist, or the asking member may not see it (the same answer for both)."""
