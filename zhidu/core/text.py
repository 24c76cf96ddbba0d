"""Text accepted from people: one check shared by API schemas, forms and views.

A value is refused (never silently altered: what a member typed may become audit evidence) when it

- contains a NUL character (PostgreSQL text cannot hold it: the insert fails with DataError),
- contains a lone UTF-16 surrogate such as ``"\\ud800"`` (JSON allows the escape; no database can
  encode it as UTF-8), or
- is longer than the column it goes to. Lengths come from the model fields (`model_max_length`);
  free text kept in a `TextField` is capped at `TEXT_MAX` characters, search words at `SEARCH_MAX`.

The messages are English templates marked for translation; they are translated when the check runs,
so an API client or a page reads them in its request language (Simplified Chinese first).
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext, gettext_noop

from .errors import DomainError

TEXT_MAX = 10_000  # free text without a column limit (notes, reasons, comments)
SEARCH_MAX = 100  # a search word (`q`)
FILTER_MAX = 64  # a filter value compared with a short column (status, category, ...)
SOURCE_MAX = 1_000_000  # a whole document (a regulation's source text), uploaded or pasted
PASSWORD_MAX = 128  # a password typed by a person (it is hashed, never stored)

ERR_NUL = gettext_noop("The text contains a NUL character (\\x00), which is not allowed.")
ERR_SURROGATE = gettext_noop("The text contains an invalid character (a lone UTF-16 surrogate).")
ERR_TOO_LONG = gettext_noop("The text is too long: at most {max} characters are allowed, it has {length}.")
ERR_TOO_SHORT = gettext_noop("The text is too short: at least {min} character(s) are required.")

_SURROGATE = re.compile("[\ud800-\udfff]")


Problem = tuple[str, dict[str, object]]  # an English template and its parameters


def text_problem(value: str, *, max_length: int = TEXT_MAX, min_length: int = 0) -> Problem | None:
    """The first thing wrong with `value` as (English template, parameters), or None when it is acceptable."""
    if "\x00" in value:
        return ERR_NUL, {}
    if _SURROGATE.search(value):
        return ERR_SURROGATE, {}
    if len(value) > max_length:
        return ERR_TOO_LONG, {"max": max_length, "length": len(value)}
    if len(value) < min_length:
        return ERR_TOO_SHORT, {"min": min_length}
    return None


def text_message(value: str, *, max_length: int = TEXT_MAX, min_length: int = 0) -> str | None:
    """`text_problem` put into words in the active language."""
    problem = text_problem(value, max_length=max_length, min_length=min_length)
    if problem is None:
        return None
    template, params = problem
    return gettext(template).format(**params)


def clean_text(value: str, *, field: str, max_length: int = TEXT_MAX, min_length: int = 0) -> str:
    """For views that read POST or GET text directly: the value, or DomainError naming the field."""
    problem = text_problem(value, max_length=max_length, min_length=min_length)
    if problem is not None:
        template, params = problem
        error = DomainError(template, field=field)
        error.params = params
        raise error
    return value


def model_max_length(model: type[models.Model], field: str) -> int:
    """The column's max_length, or TEXT_MAX for a field without one (a TextField)."""
    return getattr(model._meta.get_field(field), "max_length", None) or TEXT_MAX


def id_param(value: str | None) -> int | None:
    """A query or form value naming a row id (`?before=`, `?after=`, a chosen member): the id, or None when absent or
    not an id a database can hold (so a crafted value never reaches the database as an overflow)."""
    from .schemas import ID_MAX

    if not value or not (value.isascii() and value.isdigit()) or len(value) > 19:
        return None
    number = int(value)
    return number if 1 <= number <= ID_MAX else None


def clean_query(request: HttpRequest, *, max_length: int = SEARCH_MAX) -> QueryDict:
    """A page's GET parameters (search words, filters) without the values that fail the check; a page then
    shows what it can, with the reason as an error message, instead of failing in the database."""
    params = request.GET.copy()
    problems: list[str] = []
    for key in list(params):
        values = params.getlist(key)
        good = [v for v in values if text_problem(v, max_length=max_length) is None]
        if len(good) != len(values):
            problems.extend(m for v in values if (m := text_message(v, max_length=max_length)) is not None)
            params.setlist(key, good)
    for message in dict.fromkeys(problems):
        messages.error(request, message)
    return params
