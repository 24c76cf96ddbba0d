"""Shared pieces of the API's pydantic schemas: validated text and bounded paging.

Text: annotate every string a client sends (body fields, query parameters) with `Text`:

    name: Annotated[str, Text(model_max_length(Member, "name"), min_length=1)]
    q: SearchText = ""

A bad value (NUL, lone surrogate, too long or too short; see `zhidu.core.text`) is a 422 whose message
is in the request's language. The limits appear in the OpenAPI schema as maxLength/minLength.

Paging: every list endpoint takes `page: Query[PageIn]` and returns `paginate(items, page)`.
Lists are ordered by id (ascending, or newest first where `descending=True`), so paging is stable:

- `limit`: 1..PAGE_MAX items, default PAGE_DEFAULT;
- `after`: keyset paging, the id of the last item of the previous page (fast at any depth);
- `offset`: kept for compatibility, 0..OFFSET_MAX (OFFSET paging gets slow deep in big tables).

Out-of-range values are a 422 with a message in the request's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from django.db import models
from django.utils.translation import gettext, gettext_noop
from ninja import Schema
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from .text import FILTER_MAX, SEARCH_MAX, TEXT_MAX, text_message


class _Check:
    """An Annotated marker whose `validate` runs after pydantic's own validation of the annotated type."""

    def validate(self, value: Any) -> Any:
        raise NotImplementedError

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.validate, handler(source))


@dataclass(frozen=True)
class Text(_Check):
    """Annotated[str, Text(max_length)]: refuses NUL, lone surrogates, and values outside the lengths."""

    max_length: int = TEXT_MAX
    min_length: int = 0

    def validate(self, value: str) -> str:
        message = text_message(value, max_length=self.max_length, min_length=self.min_length)
        if message is not None:
            raise PydanticCustomError("text", message)
        return value

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        out["maxLength"] = self.max_length
        if self.min_length:
            out["minLength"] = self.min_length
        return out


FreeText = Annotated[str, Text(TEXT_MAX)]
SearchText = Annotated[str, Text(SEARCH_MAX)]
FilterText = Annotated[str, Text(FILTER_MAX)]

PAGE_DEFAULT = 100  # items per page when `limit` is not given
PAGE_MAX = 500  # the largest `limit`
OFFSET_MAX = 10_000  # the largest `offset`; use `after` beyond it
ID_MAX = 2**63 - 1  # the largest id a database can hold (a bigger `after` would overflow the query)

ERR_RANGE = gettext_noop("{name} must be a whole number from {min} to {max}.")


@dataclass(frozen=True)
class Bounded(_Check):
    """Annotated[int, Bounded("limit", 1, 500)]: an integer in range, with a translated message."""

    name: str
    min: int
    max: int

    def validate(self, value: int) -> int:
        if not self.min <= value <= self.max:
            raise PydanticCustomError("range", gettext(ERR_RANGE).format(name=self.name, min=self.min, max=self.max))
        return value

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        out = handler(schema)
        out.update(minimum=self.min, maximum=self.max)
        return out


# Any id a client sends (body fields, query filters): beyond a 64-bit integer the database driver overflows.
Id = Annotated[int, Bounded("id", 1, ID_MAX)]


class PageIn(Schema):
    limit: Annotated[int, Bounded("limit", 1, PAGE_MAX)] = PAGE_DEFAULT
    offset: Annotated[int, Bounded("offset", 0, OFFSET_MAX)] = 0
    after: Annotated[int, Bounded("after", 0, ID_MAX)] | None = None


M = TypeVar("M", bound=models.Model)


def paginate(items: models.QuerySet[M] | Iterable[M], page: PageIn, *, descending: bool = False) -> list[M]:
    """One page of `items` ordered by id. A queryset pages in the database; a list (from a selector that
    already returns one) pages in memory the same way, so every list endpoint answers alike."""
    if isinstance(items, models.QuerySet):
        qs = items.order_by("-pk" if descending else "pk")
        if page.after is not None:
            qs = qs.filter(pk__lt=page.after) if descending else qs.filter(pk__gt=page.after)
        return list(qs[page.offset : page.offset + page.limit])
    rows: Sequence[M] = sorted(items, key=lambda o: o.pk, reverse=descending)
    if page.after is not None:
        after = page.after
        rows = [o for o in rows if (o.pk < after if descending else o.pk > after)]
    return list(rows[page.offset : page.offset + page.limit])
