"""The library's search index: every distinct character and character pair of an item's title, body and tags is
a `LibraryTerm` row, indexed by (gram, item). A search splits the words the same way and asks for the items that
hold all of the query's pairs (or characters, for a one-character word): an index lookup per pair and a grouped
count, never a LIKE over the table. At most `WORK_LIBRARY_SEARCH_GRAMS` pairs of a query are used."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.db.models import Count, QuerySet

from .models import LibraryItem, LibraryTag, LibraryTerm

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower().replace("_", " "))


def grams(text: str) -> set[str]:
    """The characters and the pairs of neighbouring characters of each word of `text` (case and width folded)."""
    out: set[str] = set()
    for word in _words(text):
        out.update(word)
        out.update(word[i : i + 2] for i in range(len(word) - 1))
    return out


def query_grams(q: str) -> list[str]:
    """The grams an item must hold to match `q`: the pairs of each word, a lone character for a one-letter word."""
    out: list[str] = []
    for word in _words(q):
        parts = [word] if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)]
        out.extend(p for p in parts if p not in out)
    return out[: settings.WORK_LIBRARY_SEARCH_GRAMS]


def index_item(item: LibraryItem) -> None:
    """Rewrite the item's index and tag rows (call inside the writing transaction)."""
    LibraryTerm.objects.filter(item=item).delete()
    text = " ".join([item.title, item.body, *item.tags])
    LibraryTerm.objects.bulk_create([LibraryTerm(item=item, gram=g) for g in sorted(grams(text))], batch_size=1000)
    LibraryTag.objects.filter(item=item).delete()
    LibraryTag.objects.bulk_create([LibraryTag(item=item, name=t) for t in dict.fromkeys(item.tags)])


def tagged(qs: QuerySet[LibraryItem], tag: str) -> QuerySet[LibraryItem]:
    return qs.filter(pk__in=LibraryTag.objects.filter(name=tag).values("item_id"))


def matching(qs: QuerySet[LibraryItem], q: str) -> QuerySet[LibraryItem]:
    """`qs` narrowed to the items whose index holds every gram of `q` (unchanged for a query without words)."""
    wanted = query_grams(q)
    if not wanted:
        return qs
    hits = (
        LibraryTerm.objects.filter(gram__in=wanted)
        .values("item_id")
        .annotate(n=Count("gram"))
        .filter(n=len(wanted))
        .values("item_id")
    )
    return qs.filter(pk__in=hits)
